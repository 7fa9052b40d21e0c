import Foundation
import LabFiles

extension Shell {
  static let builtinUtilities: [String: Utility] = [
    "cd": { shell, invocation in shell.changeDirectory(invocation) },
    "pwd": { shell, _ in ShellOutput(stdout: Array((shell.directory + "\n").utf8)) },
    "echo": { _, invocation in echo(invocation) },
    "printf": { _, invocation in printf(invocation) },
    "true": { _, _ in ShellOutput() },
    ":": { _, _ in ShellOutput() },
    "false": { _, _ in ShellOutput(status: 1) },
    "exit": { shell, invocation in
      let code = invocation.arguments.first.flatMap { Int32($0) } ?? shell.lastStatus
      shell.exitRequested = code
      return ShellOutput(status: code)
    },
    "export": { shell, invocation in
      for argument in invocation.arguments where argument != "-p" {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { shell.variables[parts[0]] = parts[1] }
      }
      if invocation.arguments.isEmpty || invocation.arguments == ["-p"] {
        var output = ShellOutput()
        for key in shell.variables.keys.sorted() {
          output.print("declare -x \(key)=\"\(shell.variables[key] ?? "")\"\n")
        }
        return output
      }
      return ShellOutput()
    },
    "unset": { shell, invocation in
      for name in invocation.arguments where !name.hasPrefix("-") { shell.variables[name] = nil }
      return ShellOutput()
    },
    "env": { shell, invocation in
      if !invocation.arguments.isEmpty {
        // `env NAME=value command`: run the command with those variables.
        var arguments = invocation.arguments[...]
        var assignments: [(String, String)] = []
        while let first = arguments.first, first.contains("="), !first.hasPrefix("=") {
          let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
          assignments.append((parts[0], parts.count > 1 ? parts[1] : ""))
          arguments.removeFirst()
        }
        if !arguments.isEmpty {
          return shell.invoke(
            Array(arguments), assignments: assignments, input: invocation.input,
            terminal: invocation.outputIsTerminal)
        }
      }
      var output = ShellOutput()
      for key in shell.variables.keys.sorted() {
        output.print("\(key)=\(shell.variables[key] ?? "")\n")
      }
      return output
    },
    "whoami": { shell, _ in ShellOutput(stdout: Array((shell.isSudo ? "root\n" : "learner\n").utf8))
    },
    "id": { shell, _ in
      ShellOutput(
        stdout: Array(
          (shell.isSudo
            ? "uid=0(root) gid=0(root) groups=0(root)\n"
            : "uid=1000(learner) gid=1000(learner) groups=1000(learner),27(sudo),999(docker)\n")
            .utf8))
    },
    "hostname": { _, _ in ShellOutput(stdout: Array("layerlab\n".utf8)) },
    "clear": { _, invocation in
      ShellOutput(
        stdout: invocation.outputIsTerminal ? Array("\u{1B}[H\u{1B}[2J\u{1B}[3J".utf8) : [])
    },
    "history": { shell, _ in
      var output = ShellOutput()
      for (index, line) in shell.history.enumerated() {
        let number = String(index + 1)
        output.print(
          String(repeating: " ", count: max(0, 5 - number.count)) + number + "  " + line + "\n")
      }
      return output
    },
    "test": { shell, invocation in shell.test(invocation.arguments, name: "test") },
    "[": { shell, invocation in
      guard invocation.arguments.last == "]" else {
        return .error("bash: [: missing `]'", status: 2)
      }
      return shell.test(Array(invocation.arguments.dropLast()), name: "[")
    },
    "sh": { shell, invocation in shell.runShell(invocation) },
    "bash": { shell, invocation in shell.runShell(invocation) },
    "source": { shell, invocation in shell.source(invocation) },
    ".": { shell, invocation in shell.source(invocation) },
    "sleep": { shell, invocation in shell.sleep(invocation) },
    "date": { shell, invocation in shell.date(invocation) },
    "which": { _, invocation in
      var output = ShellOutput()
      for name in invocation.arguments {
        if Shell.utilities[name] != nil || name == "docker" {
          output.print(
            (["cd", "export", "unset", "source", ".", "exit", "history"].contains(name)
              ? "" : "/usr/bin/\(name)\n"))
        } else {
          output.status = 1
        }
      }
      return output
    },
    "type": { _, invocation in
      var output = ShellOutput()
      for name in invocation.arguments {
        if [
          "cd", "echo", "pwd", "export", "exit", "history", "printf", "test", "true", "false",
          "source",
        ].contains(name) {
          output.print("\(name) is a shell builtin\n")
        } else if Shell.utilities[name] != nil || name == "docker" {
          output.print("\(name) is /usr/bin/\(name)\n")
        } else {
          output.printError("bash: type: \(name): not found\n")
          output.status = 1
        }
      }
      return output
    },
  ]

  mutating func changeDirectory(_ invocation: Invocation) -> ShellOutput {
    let target: String
    switch invocation.arguments.first {
    case nil, "~": target = VirtualFileSystem.home
    case "-": target = variables["OLDPWD"] ?? directory
    case let path?: target = path
    }
    do {
      let resolved = try fileSystem.resolve(target, from: directory)
      let entry = try fileSystem.info(resolved, from: "/")
      guard entry.kind == .directory else { return .error("bash: cd: \(target): Not a directory") }
      if resolved == VirtualFileSystem.dockerRoot
        || resolved.hasPrefix(VirtualFileSystem.dockerRoot + "/"),
        !isRoot
      {
        return .error("bash: cd: \(target): Permission denied")
      }
      variables["OLDPWD"] = directory
      directory = resolved
      variables["PWD"] = resolved
      return invocation.arguments.first == "-"
        ? ShellOutput(stdout: Array((resolved + "\n").utf8)) : ShellOutput()
    } catch {
      return .error("bash: cd: \(target): \(error)")
    }
  }

  static func echo(_ invocation: Invocation) -> ShellOutput {
    var arguments = invocation.arguments[...]
    var newline = true
    var escapes = false
    while let first = arguments.first, first.hasPrefix("-"), first.count > 1,
      first.dropFirst().allSatisfy({ "neE".contains($0) })
    {
      if first.contains("n") { newline = false }
      if first.contains("e") { escapes = true }
      if first.contains("E") { escapes = false }
      arguments.removeFirst()
    }
    let text = arguments.joined(separator: " ")
    guard escapes else { return ShellOutput(stdout: Array((text + (newline ? "\n" : "")).utf8)) }
    let (bytes, stop) = Self.interpretEscapes(text)
    return ShellOutput(stdout: bytes + (newline && !stop ? [10] : []))
  }

  /// Backslash escapes as `echo -e` and `printf %b` read them; `\c` stops the output.
  static func interpretEscapes(_ text: String) -> (bytes: [UInt8], stop: Bool) {
    var result: [UInt8] = []
    var characters = Array(text)[...]
    while let character = characters.first {
      characters.removeFirst()
      guard character == "\\", !characters.isEmpty else {
        result += Array(String(character).utf8)
        continue
      }
      guard let bytes = escape(&characters, octalNeedsZero: true) else { return (result, true) }
      result += bytes
    }
    return (result, false)
  }

  /// The bytes of one escape, read after its backslash; `nil` for `\c`.
  ///
  /// `echo -e` writes octal as `\0NNN`; a `printf` format as `\NNN`.
  static func escape(_ characters: inout ArraySlice<Character>, octalNeedsZero: Bool) -> [UInt8]? {
    guard let next = characters.popFirst() else { return Array("\\".utf8) }
    func number(radix: Int, maximum: Int, first: String = "") -> UInt8 {
      var digits = first
      while digits.count < maximum, let digit = characters.first, digit.isHexDigit,
        Int(String(digit), radix: radix) != nil
      {
        digits.append(digit)
        characters.removeFirst()
      }
      return UInt8(truncatingIfNeeded: Int(digits, radix: radix) ?? 0)
    }
    switch next {
    case "n": return [10]
    case "t": return [9]
    case "r": return [13]
    case "\\": return [92]
    case "a": return [7]
    case "b": return [8]
    case "e": return [27]
    case "f": return [12]
    case "v": return [11]
    case "c": return nil
    case "x":
      guard let digit = characters.first, digit.isHexDigit else { return Array("\\x".utf8) }
      return [number(radix: 16, maximum: 2)]
    case "0" where octalNeedsZero:
      return [number(radix: 8, maximum: 3)]
    case "0"..."7" where !octalNeedsZero:
      return [number(radix: 8, maximum: 3, first: String(next))]
    default:
      return Array("\\\(next)".utf8)
    }
  }

  static func printf(_ invocation: Invocation) -> ShellOutput {
    guard let format = invocation.arguments.first else {
      return .error("printf: usage: printf [-v var] format [arguments]", status: 2)
    }
    var arguments = Array(invocation.arguments.dropFirst())
    var output: [UInt8] = []
    repeat {
      var consumed = false
      var characters = Array(format)[...]
      while let character = characters.first {
        characters.removeFirst()
        if character == "\\" {
          guard let bytes = escape(&characters, octalNeedsZero: false) else {
            return ShellOutput(stdout: output)
          }
          output += bytes
          continue
        }
        guard character == "%" else {
          output += Array(String(character).utf8)
          continue
        }
        // %[flags][width][.precision]verb
        var flags = ""
        while let next = characters.first, "-+ #0".contains(next) {
          flags.append(next)
          characters.removeFirst()
        }
        let width = Self.formatNumber(&characters)
        var precision: Int?
        var fits = width != nil
        if characters.first == "." {
          characters.removeFirst()
          precision = Self.formatNumber(&characters)
          fits = fits && precision != nil
        }
        guard let verb = characters.first else { break }
        characters.removeFirst()
        if verb == "%" {
          output.append(UInt8(ascii: "%"))
          continue
        }
        let argument = arguments.isEmpty ? "" : arguments.removeFirst()
        consumed = true
        if verb == "b" {
          let (bytes, stop) = interpretEscapes(argument)
          output += bytes
          if stop { return ShellOutput(stdout: output) }
          continue
        }
        // bash skips a conversion whose width or precision is past an `int`; the sandbox
        // refuses one past its output limit.
        guard fits, let width else { continue }
        guard max(width, precision ?? 0) <= Limits.outputBytes - output.count else {
          return ShellOutput(
            stdout: output, stderr: Array((Limits.outputMessage("bash: printf") + "\n").utf8),
            status: 1)
        }
        var text: String
        switch verb {
        case "d", "i": text = String(Int(argument) ?? 0)
        case "s": text = precision.map { String(argument.prefix($0)) } ?? argument
        case "x": text = String(Int(argument) ?? 0, radix: 16)
        case "o": text = String(Int(argument) ?? 0, radix: 8)
        case "c": text = String(argument.prefix(1))
        case "f": text = Self.fixed(argument, precision: precision ?? 6)
        default: text = argument
        }
        if text.count < width {
          let padding = String(
            repeating: flags.contains("0") && verb != "s" ? "0" : " ", count: width - text.count)
          text = flags.contains("-") ? text + padding : padding + text
        }
        output += Array(text.utf8)
      }
      if !consumed { break }
    } while !arguments.isEmpty
    return ShellOutput(stdout: output)
  }

  /// A width or precision in a format: `0` when there are no digits, `nil` past an `int`.
  static func formatNumber(_ characters: inout ArraySlice<Character>) -> Int? {
    var value = 0
    var fits = true
    while let digit = characters.first?.wholeNumberValue, characters.first?.isASCII == true {
      characters.removeFirst()
      value = value * 10 + digit
      if value > Int(Int32.max) {
        fits = false
        value = 0
      }
    }
    return fits ? value : nil
  }

  /// `%f` as bash's printf writes it: the number as `strtold` reads it (`1e300`, `nan`, `inf`),
  /// in long double where the machine has one.
  static func fixed(_ text: String, precision: Int) -> String {
    let precision = Int32(clamping: precision)
    #if arch(x86_64) || arch(i386)
    let value: any CVarArg = Float80(text) ?? 0
    let format = "%.*Lf"
    #else
    let value: any CVarArg = Double(text) ?? 0
    let format = "%.*f"
    #endif
    let size = withVaList([precision, value]) { vsnprintf(nil, 0, format, $0) }
    var buffer = [CChar](repeating: 0, count: Int(max(size, 0)) + 1)
    _ = withVaList([precision, value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// `test` and `[`: files, strings, integers, `!`, `-a`, `-o`.
  mutating func test(_ arguments: [String], name: String) -> ShellOutput {
    // `-o` binds loosest, then `-a` (but not as the first word, where it tests a file), then
    // `!`: split and counted in loops, so that no number of them nests calls.
    func evaluate(_ words: ArraySlice<String>) -> Bool? {
      var any = false
      for alternative in words.split(separator: "-o", omittingEmptySubsequences: false) {
        var terms: [[String]] = [[]]
        for word in alternative {
          if word == "-a", !terms[terms.count - 1].isEmpty {
            terms.append([])
          } else {
            terms[terms.count - 1].append(word)
          }
        }
        var all = true
        for term in terms {
          guard let value = primary(term[...]) else { return nil }
          all = all && value
        }
        any = any || all
      }
      return any
    }
    func primary(_ words: ArraySlice<String>) -> Bool? {
      let negations = words.prefix { $0 == "!" }.count
      return single(Array(words.dropFirst(negations))).map { negations % 2 == 1 ? !$0 : $0 }
    }
    func single(_ items: [String]) -> Bool? {
      switch items.count {
      case 0: return false
      case 1: return !items[0].isEmpty
      case 2:
        let path = items[1]
        let entry = try? fileSystem.info(path, from: directory)
        switch items[0] {
        case "-e", "-a": return entry != nil
        case "-f": return entry?.kind == .file
        case "-d": return entry?.kind == .directory
        case "-s": return (entry?.size ?? 0) > 0
        case "-L", "-h":
          return (try? fileSystem.info(path, from: directory, follow: false))?.kind == .symlink
        case "-x": return (entry?.mode ?? 0) & 0o111 != 0
        case "-r", "-w": return entry != nil
        case "-z": return path.isEmpty
        case "-n": return !path.isEmpty
        default: return nil
        }
      case 3:
        let (left, op, right) = (items[0], items[1], items[2])
        switch op {
        case "=", "==": return left == right
        case "!=": return left != right
        case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
          guard let a = Int(left), let b = Int(right) else { return nil }
          switch op {
          case "-eq": return a == b
          case "-ne": return a != b
          case "-lt": return a < b
          case "-le": return a <= b
          case "-gt": return a > b
          default: return a >= b
          }
        default: return nil
        }
      default:
        return nil
      }
    }
    guard let result = evaluate(arguments[...]) else {
      return .error("bash: \(name): too many arguments", status: 2)
    }
    return ShellOutput(status: result ? 0 : 1)
  }

  /// `sh -c '…'`, `sh script.sh`, or `sh` reading standard input.
  mutating func runShell(_ invocation: Invocation) -> ShellOutput {
    var arguments = invocation.arguments[...]
    if arguments.first == "-c", arguments.count >= 2 {
      return runNested(
        arguments[arguments.startIndex + 1], name: invocation.name, input: invocation.input
      ) { $0.positional = Array(arguments.dropFirst(2).dropFirst()) }
    }
    while let first = arguments.first, first.hasPrefix("-") { arguments.removeFirst() }
    guard let script = arguments.first else {
      return runNested(String(decoding: invocation.input, as: UTF8.self), name: invocation.name)
    }
    guard let text = try? fileSystem.read(script, from: directory) else {
      return .error("\(invocation.name): 0: cannot open \(script): No such file", status: 2)
    }
    return runNested(
      String(decoding: text, as: UTF8.self), name: script, input: invocation.input
    ) { $0.positional = Array(arguments.dropFirst()) }
  }

  /// `source file`: runs the file in this shell, so its variables stay.
  mutating func source(_ invocation: Invocation) -> ShellOutput {
    guard let script = invocation.arguments.first else {
      return .error("bash: source: filename argument required", status: 2)
    }
    guard let text = try? fileSystem.read(script, from: directory) else {
      return .error("bash: \(script): No such file or directory")
    }
    guard nesting + 2 <= Limits.depth else {
      abort(Self.nestingMessage(script), everyShell: true)
      return ShellOutput(status: 1)
    }
    nesting += 2
    defer { nesting -= 2 }
    return run(String(decoding: text, as: UTF8.self), input: invocation.input)
  }
}
