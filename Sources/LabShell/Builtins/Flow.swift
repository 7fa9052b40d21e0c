import Foundation
import LabDocker
import LabImage
import LabOutput
import LabUtilities

extension Shell {
  /// Utilities that feed other commands or shape the run: `xargs`, `seq`, `read`, `break`,
  /// `continue`; and `sleep` and `date`, on the virtual clock.
  static let flowUtilities: [String: Builtin] = [
    "xargs": { shell, invocation in shell.xargs(invocation) },
    "read": { shell, invocation in shell.read(invocation) },
    "break": { shell, invocation in shell.loopControl(invocation, continues: false) },
    "continue": { shell, invocation in shell.loopControl(invocation, continues: true) },
  ]

  /// `break [N]` and `continue [N]`.
  mutating func loopControl(_ invocation: Invocation, continues: Bool) -> CommandOutput {
    guard loopDepth > 0 else {
      return CommandOutput(
        stderr: Array(
          "bash: \(invocation.name): only meaningful in a `for', `while', or `until' loop\n".utf8))
    }
    let argument = invocation.arguments.first ?? "1"
    guard let levels = Int(argument), levels > 0 else {
      return .failure("bash: \(invocation.name): \(argument): loop count out of range")
    }
    let bounded = min(levels, loopDepth)
    loopSignal = continues ? .continueLoop(bounded) : .breakLoop(bounded)
    return CommandOutput()
  }

  /// `xargs [-n N] [-I R] [-r] [COMMAND [ARGS…]]`: the words of standard input as arguments.
  mutating func xargs(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments[...]
    var perCall: Int?
    var replace: String?
    var skipWhenEmpty = false
    while let first = arguments.first, first.hasPrefix("-"), first.count > 1 {
      arguments.removeFirst()
      switch first {
      case "-r", "--no-run-if-empty": skipWhenEmpty = true
      case "-n", "-I":
        guard let value = arguments.popFirst() else {
          return .failure("xargs: option requires an argument -- '\(first.dropFirst())'")
        }
        if first == "-n" {
          guard let count = Int(value), count > 0 else {
            return .failure("xargs: invalid number \"\(value)\" for -n option")
          }
          perCall = count
        } else {
          replace = value
        }
      default:
        return .failure(
          "xargs: invalid option -- '\(first.dropFirst())'\nTry 'xargs --help' for more information."
        )
      }
    }
    let command = arguments.isEmpty ? ["echo"] : Array(arguments)
    let text = String(decoding: invocation.input, as: UTF8.self)
    var calls: [[String]] = []
    if let replace {
      // `-I {}`: one call a line, the line in place of every `{}`.
      for line in text.split(separator: "\n")
      where !line.trimmingCharacters(in: .whitespaces).isEmpty {
        let value = line.trimmingCharacters(in: .whitespaces)
        calls.append(command.map { $0.replacingOccurrences(of: replace, with: value) })
      }
    } else {
      guard let words = Self.xargsWords(text) else {
        return .failure(
          "xargs: unmatched quote; by default quotes are special to xargs unless you use the -0 option"
        )
      }
      if words.isEmpty {
        if !skipWhenEmpty { calls.append(command) }
      } else {
        let size = perCall ?? words.count
        for start in stride(from: 0, to: words.count, by: size) {
          calls.append(command + words[start..<min(start + size, words.count)])
        }
      }
    }
    var output = CommandOutput()
    for call in calls {
      let result = invoke(call, assignments: [], input: [], terminal: invocation.outputIsTerminal)
      output.append(result)
      // GNU xargs stops at a command that cannot be run, and answers 123 for one that failed.
      if result.status == 127 || result.status == 126 {
        output.status = result.status
        return output
      }
      if result.status != 0 { output.status = 123 }
    }
    return output
  }

  /// Words as xargs reads them: split at blanks and newlines, with quotes and backslashes.
  static func xargsWords(_ text: String) -> [String]? {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for character in text {
      if escaped {
        current.append(character)
        escaped = false
      } else if let open = quote {
        if character == open {
          quote = nil
        } else if character == "\n" {
          return nil
        } else {
          current.append(character)
        }
      } else if character == "\\" {
        escaped = true
        inWord = true
      } else if character == "'" || character == "\"" {
        quote = character
        inWord = true
      } else if character == " " || character == "\t" || character == "\n" {
        if inWord { words.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(character)
        inWord = true
      }
    }
    if quote != nil { return nil }
    if inWord { words.append(current) }
    return words
  }

  /// `read [-r] NAME…`: the first line of standard input into variables, the last taking the
  /// rest; status 1 at the end of input.
  mutating func read(_ invocation: Invocation) -> CommandOutput {
    let raw = invocation.arguments.contains("-r")
    var names = invocation.arguments.filter { !$0.hasPrefix("-") }
    if names.isEmpty { names = ["REPLY"] }
    let text = String(decoding: invocation.input, as: UTF8.self)
    guard !text.isEmpty else {
      for name in names { variables[name] = "" }
      return CommandOutput(status: 1)
    }
    var line = String(text.prefix { $0 != "\n" })
    if !raw { line = line.replacingOccurrences(of: "\\", with: "") }
    var fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)[...]
    for (index, name) in names.enumerated() {
      if index == names.count - 1 {
        variables[name] = fields.joined(separator: " ")
      } else {
        variables[name] = fields.popFirst() ?? ""
      }
    }
    return CommandOutput()
  }

}
