import Foundation
import LabFiles
import LabLimits
import LabOutput
import LabUtilities

extension Shell {
  static let builtinUtilities: [String: Builtin] = [
    "cd": { shell, invocation in shell.changeDirectory(invocation) },
    "pwd": { shell, _ in CommandOutput(stdout: Array((shell.directory + "\n").utf8)) },
    "echo": { _, invocation in echo(invocation) },
    "printf": { _, invocation in Printf.printf(invocation) },
    "true": { _, _ in CommandOutput() },
    ":": { _, _ in CommandOutput() },
    "false": { _, _ in CommandOutput(status: 1) },
    "exit": { shell, invocation in
      let code = invocation.arguments.first.flatMap { Int32($0) } ?? shell.lastStatus
      shell.exitRequested = code
      return CommandOutput(status: code)
    },
    "export": { shell, invocation in
      for argument in invocation.arguments where argument != "-p" {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { shell.variables[parts[0]] = parts[1] }
      }
      if invocation.arguments.isEmpty || invocation.arguments == ["-p"] {
        var output = CommandOutput()
        for key in shell.variables.keys.sorted() {
          output.print("declare -x \(key)=\"\(shell.variables[key] ?? "")\"\n")
        }
        return output
      }
      return CommandOutput()
    },
    "unset": { shell, invocation in
      var output = CommandOutput()
      let functions = invocation.arguments.first == "-f"
      for name in invocation.arguments where !name.hasPrefix("-") {
        if functions {
          shell.functions[name] = nil
        } else if let error = shell.unsetVariable(name) {
          output.printError(error + "\n")
          output.status = 1
        }
      }
      return output
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
      var output = CommandOutput()
      for key in shell.variables.keys.sorted() {
        output.print("\(key)=\(shell.variables[key] ?? "")\n")
      }
      return output
    },
    "history": { shell, _ in
      var output = CommandOutput()
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
        return .failure("bash: [: missing `]'", status: 2)
      }
      return shell.test(Array(invocation.arguments.dropLast()), name: "[")
    },
    "sh": { shell, invocation in shell.runShell(invocation) },
    "bash": { shell, invocation in shell.runShell(invocation) },
    "source": { shell, invocation in shell.source(invocation) },
    ".": { shell, invocation in shell.source(invocation) },
    "which": { _, invocation in
      var output = CommandOutput()
      for name in invocation.arguments {
        if Shell.hasCommand(name) {
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
      var output = CommandOutput()
      for name in invocation.arguments {
        if [
          "cd", "echo", "pwd", "export", "exit", "history", "printf", "test", "true", "false",
          "source",
        ].contains(name) {
          output.print("\(name) is a shell builtin\n")
        } else if Shell.hasCommand(name) {
          output.print("\(name) is /usr/bin/\(name)\n")
        } else {
          output.printError("bash: type: \(name): not found\n")
          output.status = 1
        }
      }
      return output
    },
  ]

  mutating func changeDirectory(_ invocation: Invocation) -> CommandOutput {
    let target: String
    switch invocation.arguments.first {
    case nil, "~": target = VirtualFileSystem.home
    case "-": target = variables["OLDPWD"] ?? directory
    case let path?: target = path
    }
    do {
      let resolved = try fileSystem.resolve(target, from: directory)
      let entry = try fileSystem.info(resolved, from: "/")
      guard entry.kind == .directory else {
        return .failure("bash: cd: \(target): Not a directory")
      }
      if resolved == VirtualFileSystem.dockerRoot
        || resolved.hasPrefix(VirtualFileSystem.dockerRoot + "/"),
        !isRoot
      {
        return .failure("bash: cd: \(target): Permission denied")
      }
      variables["OLDPWD"] = directory
      directory = resolved
      variables["PWD"] = resolved
      return invocation.arguments.first == "-"
        ? CommandOutput(stdout: Array((resolved + "\n").utf8)) : CommandOutput()
    } catch {
      return .failure("bash: cd: \(target): \(error)")
    }
  }

  static func echo(_ invocation: Invocation) -> CommandOutput {
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
    guard escapes else { return CommandOutput(stdout: Array((text + (newline ? "\n" : "")).utf8)) }
    let (bytes, stop) = Printf.interpretEscapes(text)
    return CommandOutput(stdout: bytes + (newline && !stop ? [10] : []))
  }

  /// `test` and `[`: files, strings, integers, `!`, `-a`, `-o`.
  mutating func test(_ arguments: [String], name: String) -> CommandOutput {
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
      return .failure("bash: \(name): too many arguments", status: 2)
    }
    return CommandOutput(status: result ? 0 : 1)
  }

  /// `sh -c '…'`, `sh script.sh`, or `sh` reading standard input.
  mutating func runShell(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments[...]
    if arguments.first == "-c", arguments.count >= 2 {
      // `sh -c SCRIPT NAME ARGS…`: NAME is `$0`.
      let rest = Array(arguments.dropFirst(2))
      return runNested(
        arguments[arguments.startIndex + 1], name: invocation.name, input: invocation.input,
        terminal: invocation.outputIsTerminal
      ) {
        $0.scriptName = rest.first ?? invocation.name
        $0.arrays = [:]
        $0.positional = Array(rest.dropFirst())
      }
    }
    while let first = arguments.first, first.hasPrefix("-") { arguments.removeFirst() }
    guard let script = arguments.first else {
      return runNested(
        String(decoding: invocation.input, as: UTF8.self), name: invocation.name,
        terminal: invocation.outputIsTerminal
      ) { $0.arrays = [:] }
    }
    guard let text = try? fileSystem.read(script, from: directory) else {
      return .failure("\(invocation.name): 0: cannot open \(script): No such file", status: 2)
    }
    return runNested(
      String(decoding: text, as: UTF8.self), name: script, input: invocation.input,
      terminal: invocation.outputIsTerminal
    ) {
      $0.positional = Array(arguments.dropFirst())
      $0.scriptName = script
      $0.arrays = [:]
    }
  }

  /// `source file`: runs the file in this shell, so its variables stay.
  mutating func source(_ invocation: Invocation) -> CommandOutput {
    guard let script = invocation.arguments.first else {
      return .failure("bash: source: filename argument required", status: 2)
    }
    guard let text = try? fileSystem.read(script, from: directory) else {
      return .failure("bash: \(script): No such file or directory")
    }
    guard nesting + 2 <= Limits.depth else {
      abort(Self.nestingMessage(script), everyShell: true)
      return CommandOutput(status: 1)
    }
    nesting += 2
    // `return` ends a sourced file, as it ends a function.
    functionDepth += 1
    defer {
      nesting -= 2
      functionDepth -= 1
    }
    var output = run(String(decoding: text, as: UTF8.self), input: invocation.input)
    if let code = returnRequested {
      output.status = code
      returnRequested = nil
    }
    return output
  }
}
