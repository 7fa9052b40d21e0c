import Foundation
import LabDocker
import LabImage

extension Shell {
  /// Utilities that feed other commands or shape the run: `xargs`, `seq`, `read`, `break`,
  /// `continue`; and `sleep` and `date`, on the virtual clock.
  static let flowUtilities: [String: Utility] = [
    "xargs": { shell, invocation in shell.xargs(invocation) },
    "seq": { _, invocation in seq(invocation) },
    "read": { shell, invocation in shell.read(invocation) },
    "break": { shell, invocation in shell.loopControl(invocation, continues: false) },
    "continue": { shell, invocation in shell.loopControl(invocation, continues: true) },
  ]

  /// `break [N]` and `continue [N]`.
  mutating func loopControl(_ invocation: Invocation, continues: Bool) -> ShellOutput {
    guard loopDepth > 0 else {
      return ShellOutput(
        stderr: Array(
          "bash: \(invocation.name): only meaningful in a `for', `while', or `until' loop\n".utf8))
    }
    let argument = invocation.arguments.first ?? "1"
    guard let levels = Int(argument), levels > 0 else {
      return .error("bash: \(invocation.name): \(argument): loop count out of range")
    }
    let bounded = min(levels, loopDepth)
    loopSignal = continues ? .continueLoop(bounded) : .breakLoop(bounded)
    return ShellOutput()
  }

  /// `xargs [-n N] [-I R] [-r] [COMMAND [ARGS…]]`: the words of standard input as arguments.
  mutating func xargs(_ invocation: Invocation) -> ShellOutput {
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
          return .error("xargs: option requires an argument -- '\(first.dropFirst())'")
        }
        if first == "-n" {
          guard let count = Int(value), count > 0 else {
            return .error("xargs: invalid number \"\(value)\" for -n option")
          }
          perCall = count
        } else {
          replace = value
        }
      default:
        return .error(
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
        return .error(
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
    var output = ShellOutput()
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

  /// `seq [FIRST [STEP]] LAST`, with integers.
  static func seq(_ invocation: Invocation) -> ShellOutput {
    let numbers = invocation.arguments.map { Int($0) }
    guard (1...3).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else {
      if invocation.arguments.isEmpty {
        return .error("seq: missing operand\nTry 'seq --help' for more information.")
      }
      let bad = invocation.arguments.first { Int($0) == nil } ?? ""
      return .error(
        "seq: invalid floating point argument: '\(bad)'\nTry 'seq --help' for more information."
      )
    }
    let values = numbers.compactMap { $0 }
    let first = values.count > 1 ? values[0] : 1
    let step = values.count == 3 ? values[1] : 1
    let last = values[values.count - 1]
    guard step != 0 else {
      return .error(
        "seq: invalid Zero increment value: '0'\nTry 'seq --help' for more information.")
    }
    // How many numbers, reckoned without overflow, and what they take at the least.
    let inOrder = step > 0 ? first <= last : first >= last
    let distance = UInt(bitPattern: step > 0 ? last &- first : first &- last)
    let steps = inOrder ? distance / step.magnitude : 0
    let shortest = min(String(first).count, String(last).count) + 1
    guard steps < Limits.outputBytes / shortest else { return .error(Limits.outputMessage("seq")) }
    let count = inOrder ? Int(steps) + 1 : 0
    var output = ShellOutput()
    var value = first
    for _ in 0..<count {
      output.print("\(value)\n")
      value &+= step
    }
    return output
  }

  /// `read [-r] NAME…`: the first line of standard input into variables, the last taking the
  /// rest; status 1 at the end of input.
  mutating func read(_ invocation: Invocation) -> ShellOutput {
    let raw = invocation.arguments.contains("-r")
    var names = invocation.arguments.filter { !$0.hasPrefix("-") }
    if names.isEmpty { names = ["REPLY"] }
    let text = String(decoding: invocation.input, as: UTF8.self)
    guard !text.isEmpty else {
      for name in names { variables[name] = "" }
      return ShellOutput(status: 1)
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
    return ShellOutput()
  }

  /// `sleep N[smhd]…`: the virtual clock moves on; nothing waits.
  mutating func sleep(_ invocation: Invocation) -> ShellOutput {
    guard !invocation.arguments.isEmpty else {
      return .error("sleep: missing operand\nTry 'sleep --help' for more information.")
    }
    var total: TimeInterval = 0
    for argument in invocation.arguments {
      let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
      var number = argument
      var unit: TimeInterval = 1
      if let last = argument.last, let scale = units[last] {
        number.removeLast()
        unit = scale
      }
      guard let value = TimeInterval(number), value >= 0, !value.isNaN else {
        return .error(
          "sleep: invalid time interval ‘\(argument)’\nTry 'sleep --help' for more information.")
      }
      total += value * unit
    }
    // GNU sleep would wait that long; the virtual clock ends with the year 9999.
    guard let later = VirtualClock.time(docker.now, after: total) else {
      return .error(
        "sleep: \(invocation.arguments.joined(separator: " ")): the sandbox's clock stops at the end of the year 9999"
      )
    }
    docker.now = later
    return ShellOutput()
  }

  /// `date [-u] [+FORMAT]`, `date -I`, `date -R`: the virtual clock's time, in UTC.
  mutating func date(_ invocation: Invocation) -> ShellOutput {
    var format = "%a %b %e %H:%M:%S %Z %Y"
    for argument in invocation.arguments {
      switch argument {
      case "-u", "--utc", "--universal": continue
      case "-I", "--iso-8601", "--iso-8601=date": format = "%Y-%m-%d"
      case "--iso-8601=seconds", "-Iseconds": format = "%Y-%m-%dT%H:%M:%S+00:00"
      case "-R", "--rfc-email": format = "%a, %d %b %Y %H:%M:%S +0000"
      default:
        guard argument.hasPrefix("+") else {
          return .error("date: \(argument): this sandbox's date shows the current time only")
        }
        format = String(argument.dropFirst())
      }
    }
    // The C library calls UTC "GMT"; GNU date says "UTC".
    format = format.replacingOccurrences(of: "%Z", with: "UTC")
    var seconds = time_t(docker.now.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var buffer = [CChar](repeating: 0, count: 512)
    let count = strftime(&buffer, buffer.count, format, &parts)
    let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return ShellOutput(stdout: Array((text + "\n").utf8))
  }
}
