import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `sed`: edits lines: `s`, `p`, `d`, `a`, `i`, `c`, with addresses.
struct Sed: Utility {
  static let name = "sed"
  static let options = OptionSpec(
    "nirE", values: "e",
    long: ["quiet": "n", "silent": "n", "in-place": "i", "regexp-extended": "r", "expression": "e"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.sed(invocation)
  }
}

extension UtilityContext {
  /// `sed`: `s/a/b/g`, `p`, `d`, `a`, `i`, `c`, with line numbers, `$` and `/re/` addresses,
  /// `-n`, `-e`, `-i`.
  mutating func sed(_ invocation: Invocation) -> CommandOutput {
    let options = Sed.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var operands = options.operands
    guard let script = options.values["e"] ?? (operands.isEmpty ? nil : operands.removeFirst())
    else {
      return .failure(
        "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...", status: 1)
    }
    var output = CommandOutput()
    let files = inputs(operands, invocation: invocation, output: &output)
    for file in files {
      var lines = file.bytes.lines
      var result = ""
      let commands = Self.sedCommands(script)
      for (index, var line) in lines.enumerated() {
        var printed = !options.has("n")
        var extra = ""
        // What `a` queues: written after the line, at the end of its cycle.
        var appended = ""
        commandLoop: for command in commands {
          var body = Substring(command)
          var addressMatches = true
          if let first = body.first, first.isNumber {
            let number = Int(String(body.prefix { $0.isNumber })) ?? 0
            body = body.drop { $0.isNumber }
            addressMatches = index + 1 == number
          } else if body.hasPrefix("$") {
            body = body.dropFirst()
            addressMatches = index == lines.count - 1
          } else if body.hasPrefix("/"), let end = body.dropFirst().firstIndex(of: "/") {
            let pattern = String(body[body.index(after: body.startIndex)..<end])
            body = body[body.index(after: end)...]
            let syntax: PosixRegex.Syntax =
              options.has("E") || options.has("r") ? .extended : .basic
            guard let address = try? PosixRegex(pattern, syntax: syntax) else {
              return .failure(
                "sed: -e expression #1, char \(command.count): unterminated address regex")
            }
            addressMatches = address.matches(line)
          }
          guard addressMatches else { continue }
          guard let verb = body.first else { continue }
          switch verb {
          case "d":
            printed = false
            break commandLoop
          case "p": extra += line + "\n"
          case "a", "i", "c":
            guard let text = Self.sedText(body.dropFirst()) else {
              return .failure(
                "sed: -e expression #1, char \(command.count): expected \\ after `a', `c' or `i'")
            }
            switch verb {
            case "a": appended += text
            case "i": extra += text
            default:
              // `c`: the text instead of the line, and the next cycle.
              extra += text
              printed = false
              break commandLoop
            }
          case "s":
            let delimiter = body.dropFirst().first ?? "/"
            let pieces = Self.sedPieces(body.dropFirst(2), delimiter: delimiter)
            guard pieces.count >= 2 else {
              return .failure(
                "sed: -e expression #1, char \(command.count): unterminated `s' command")
            }
            let flags = pieces.count > 2 ? pieces[2] : ""
            let regex: PosixRegex
            do {
              regex = try PosixRegex(
                pieces[0], syntax: options.has("E") || options.has("r") ? .extended : .basic,
                ignoreCase: flags.contains("I") || flags.contains("i"))
            } catch {
              return .failure("sed: -e expression #1, char \(command.count): \(error)")
            }
            // GNU sed reads `\n` in a replacement as a newline.
            let replacement = pieces[1].replacingOccurrences(of: "\\n", with: "\n")
            let matched = regex.matches(line)
            line = regex.substitute(in: line, replacement: replacement, global: flags.contains("g"))
            guard line.utf8.count <= Limits.outputBytes else {
              return .failure(Limits.outputMessage("sed"), status: 4)
            }
            // `p` prints the line only when the substitution was made.
            if flags.contains("p"), matched { extra += line + "\n" }
          default:
            return .failure("sed: -e expression #1, char 1: unknown command: `\(verb)'")
          }
        }
        result += extra + (printed ? line + "\n" : "") + appended
        lines[index] = line
      }
      if options.has("i"), file.name != "-" {
        try? fileSystem.write(Array(result.utf8), to: file.name, from: directory)
      } else {
        output.print(result)
      }
    }
    return output
  }

  /// A script's commands, split at `;` and newlines outside an `s` command's parts and
  /// address regexes, so `s,a;b,c,` stays one command.
  static func sedCommands(_ script: String) -> [String] {
    var commands: [String] = []
    var current = ""
    var characters = Array(script)[...]
    /// Copies up to the unescaped `delimiter`, or to the end.
    func copyPart(until delimiter: Character) {
      while let character = characters.popFirst() {
        current.append(character)
        if character == "\\", let next = characters.popFirst() {
          current.append(next)
        } else if character == delimiter {
          return
        }
      }
    }
    while let character = characters.first {
      if current.trimmingCharacters(in: .whitespaces).isEmpty, character == "/" {
        current.append(characters.removeFirst())
        copyPart(until: "/")
        continue
      }
      characters.removeFirst()
      if character == ";" || character == "\n" {
        commands.append(current)
        current = ""
        continue
      }
      current.append(character)
      let body = current.trimmingCharacters(in: .whitespaces).drop {
        $0.isNumber || $0 == "$"
      }
      if body == "s", let delimiter = characters.popFirst() {
        current.append(delimiter)
        copyPart(until: delimiter)
        copyPart(until: delimiter)
      } else if let verb = body.last, "aic".contains(verb), Self.isAddress(body.dropLast()) {
        // `a`, `i` and `c` take the rest of the line, and the next after a `\` at its end.
        while let next = characters.popFirst(), next != "\n" {
          current.append(next)
          if next == "\\", let escaped = characters.popFirst() { current.append(escaped) }
        }
      }
    }
    commands.append(current)
    return commands.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// Whether `text`, before a command's letter, is an address: nothing (a number or `$`
  /// already dropped), or one `/re/`.
  static func isAddress(_ text: Substring) -> Bool {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    return trimmed.isEmpty
      || (trimmed.count >= 2 && trimmed.hasPrefix("/") && trimmed.hasSuffix("/"))
  }

  /// The text of `a`, `i` or `c`, after the letter, as GNU reads it.
  ///
  /// `a text` without its leading blanks, or `a\` and the lines after it; `\t` a tab, `\n` a
  /// newline, a `\` before any other character that character. `nil` when there is none, which GNU
  /// refuses.
  static func sedText(_ text: Substring) -> String? {
    var rest = text.drop { $0 == " " || $0 == "\t" }
    if rest.hasPrefix("\\") {
      rest = rest.dropFirst()
      if rest.hasPrefix("\n") { rest = rest.dropFirst() }
      // `a\` with nothing after it adds nothing.
      if rest.isEmpty { return "" }
    } else if rest.isEmpty {
      return nil
    }
    var result = ""
    var characters = rest[...]
    while let character = characters.popFirst() {
      guard character == "\\", let next = characters.popFirst() else {
        result.append(character)
        continue
      }
      switch next {
      case "t": result.append("\t")
      case "n": result.append("\n")
      default: result.append(next)
      }
    }
    return result + "\n"
  }

  /// An `s` command's pattern, replacement and flags, split at unescaped delimiters; an
  /// escaped delimiter stands for itself.
  static func sedPieces(_ text: Substring, delimiter: Character) -> [String] {
    var pieces: [String] = []
    var current = ""
    var characters = text[...]
    while let character = characters.popFirst() {
      if character == "\\", let next = characters.popFirst() {
        if next == delimiter { current.append(next) } else { current += "\\\(next)" }
      } else if character == delimiter, pieces.count < 2 {
        pieces.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    pieces.append(current)
    return pieces
  }
}
