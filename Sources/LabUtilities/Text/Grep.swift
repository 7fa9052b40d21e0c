import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `grep`: prints the lines that match a pattern, with GNU grep's options.
struct Grep: Utility {
  static let name = "grep"
  static let options = OptionSpec(
    "ivcnErlqwFoHh", values: "eABCm",
    long: [
      "ignore-case": "i", "invert-match": "v", "count": "c", "line-number": "n",
      "extended-regexp": "E", "recursive": "r", "files-with-matches": "l", "quiet": "q",
      "silent": "q", "word-regexp": "w", "fixed-strings": "F", "only-matching": "o",
      "with-filename": "H", "no-filename": "h", "regexp": "e", "color": OptionSpec.ignored,
      "colour": OptionSpec.ignored, "after-context": "A", "before-context": "B",
      "context": "C", "max-count": "m",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.grep(invocation)
  }
}

extension UtilityContext {
  mutating func grep(_ invocation: Invocation) -> CommandOutput {
    let options = Grep.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var operands = options.operands
    guard let pattern = options.values["e"] ?? (operands.isEmpty ? nil : operands.removeFirst())
    else {
      return .failure(
        "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.",
        status: 2)
    }
    // The C library's POSIX matcher, with GNU's extensions: linear where a backtracking
    // engine is exponential, and GNU grep's own messages for a bad pattern.
    let extended = options.has("E") && !options.has("F")
    var regexPattern = options.has("F") ? PosixRegex.literal(pattern) : pattern
    if options.has("w") {
      regexPattern = extended ? "\\b(" + regexPattern + ")\\b" : "\\b\\(" + regexPattern + "\\)\\b"
    }
    let regex: PosixRegex
    do {
      regex = try PosixRegex(
        regexPattern, syntax: extended ? .extended : .basic, ignoreCase: options.has("i"))
    } catch {
      return .failure("grep: \(error)", status: 2)
    }
    var output = CommandOutput(status: 1)
    // Files are read a chunk at a time and a line at a time: `grep -c` over a large file holds
    // a chunk and a line, and `-B` the lines it may print.
    var sources: [(name: String, open: () -> InputChunks)] = []
    // An error makes the status 2, whatever matched, as in GNU grep.
    var walkFailed = false
    if options.has("r") {
      let roots = operands.isEmpty ? ["."] : operands
      for root in roots {
        var paths: [String] = []
        func walk(_ path: String, depth: Int) {
          guard let info = try? fileSystem.info(path, from: directory) else { return }
          if info.kind == .directory {
            guard depth < Limits.directoryDepth else {
              output.printError(Limits.directoryMessage("grep", path))
              walkFailed = true
              return
            }
            for name in ((try? fileSystem.list(path, from: directory)) ?? []).sorted() {
              walk(path + "/" + name, depth: depth + 1)
            }
          } else {
            paths.append(path)
          }
        }
        walk(root, depth: 0)
        let context = self
        for path in paths {
          sources.append((path, { (try? context.chunks(of: path)) ?? InputChunks(bytes: []) }))
        }
      }
    } else {
      var errors = CommandOutput()
      sources = inputChunks(operands, invocation: invocation, output: &errors).map { input in
        (input.name, { input.chunks })
      }
      output.write(errors.stderrBytes, isError: true)
      if errors.status != 0 && sources.isEmpty { output.status = 2 }
    }
    let showNames = (sources.count > 1 || options.has("r")) && !options.has("h") || options.has("H")
    // Context lines around each match (-A, -B, -C), as GNU grep prints them: `-` after the
    // name and number where a match has `:`, and `--` between groups that do not touch.
    func number(_ key: Character) -> Int? {
      options.values[key].flatMap { Int($0) }
    }
    for key: Character in ["A", "B", "C", "m"]
    where options.values[key] != nil && number(key) == nil {
      let what = key == "m" ? "max count" : "context length argument"
      return .failure("grep: \(options.values[key] ?? ""): invalid \(what)", status: 2)
    }
    let after = number("A") ?? number("C") ?? 0
    let before = number("B") ?? number("C") ?? 0
    let limit = number("m")
    let showsContext =
      (after > 0 || before > 0) && !options.has("c") && !options.has("l") && !options.has("q")
    let invert = options.has("v")
    var lastPrinted: (source: Int, line: Int)?
    for (sourceIndex, (name, open)) in sources.enumerated() {
      var count = 0
      var printedUpTo = -1
      var pendingAfter = 0
      // The lines before the current one that `-B` may still print, oldest first.
      var recent: [(index: Int, text: String)] = []
      func show(_ index: Int, _ text: String, separator: String) {
        if showsContext, let last = lastPrinted,
          last.source != sourceIndex || last.line < index - 1
        {
          output.print("--\n")
        }
        let prefix =
          (showNames ? "\(name)\(separator)" : "")
          + (options.has("n") ? "\(index + 1)\(separator)" : "")
        output.print(prefix + text + "\n")
        lastPrinted = (sourceIndex, index)
        printedUpTo = index
      }
      var index = -1
      var quit = false
      var input = open()
      let stopped: BudgetExceeded?
      do {
        stopped = try input.forEachLine { line in
          index += 1
          // Lines are compared as the text they print: invalid UTF-8 reads as U+FFFD.
          let text = String(decoding: line, as: UTF8.self)
          let lineBytes = line.allSatisfy { $0 < 0x80 } ? Array(line) : Array(text.utf8)
          defer {
            if before > 0 {
              recent.append((index, text))
              if recent.count > before { recent.removeFirst() }
            }
          }
          if let limit, count >= limit {
            if pendingAfter > 0 {
              show(index, text, separator: "-")
              pendingAfter -= 1
              return true
            }
            return false
          }
          let matched = regex.firstMatch(in: lineBytes, from: 0) != nil
          guard matched != invert else {
            if showsContext && pendingAfter > 0 {
              show(index, text, separator: "-")
              pendingAfter -= 1
            }
            return true
          }
          count += 1
          output.status = 0
          if options.has("q") {
            quit = true
            return false
          }
          if options.has("c") || options.has("l") { return true }
          if showsContext {
            for (earlier, earlierText) in recent where earlier > printedUpTo {
              show(earlier, earlierText, separator: "-")
            }
            pendingAfter = after
          }
          if options.has("o") {
            let prefix =
              (showNames ? "\(name):" : "") + (options.has("n") ? "\(index + 1):" : "")
            for match in regex.allMatches(in: lineBytes) where !match.range.isEmpty {
              output.print(prefix + String(decoding: lineBytes[match.range], as: UTF8.self) + "\n")
            }
            printedUpTo = index
            lastPrinted = (sourceIndex, index)
          } else {
            show(index, text, separator: ":")
          }
          return true
        }
      } catch {
        output.printError("grep: \(name): \(error)\n")
        walkFailed = true
        continue
      }
      if quit { return CommandOutput() }
      // Past the command's budget, stop: the shell says why.
      if stopped != nil {
        output.status = 2
        return output
      }
      if options.has("c") { output.print((showNames ? "\(name):" : "") + "\(count)\n") }
      if options.has("l") && count > 0 { output.print(name + "\n") }
    }
    if options.has("c") && output.status == 1 && !output.stdout.isEmpty { output.status = 1 }
    if walkFailed { output.status = 2 }
    return output
  }
}
