import Foundation
import LabLimits
import LabOutput
import LabUtilities

/// `set`'s options the sandbox shell honours.
struct ShellOptions: Equatable, Sendable {
  /// `-e`: a failing command ends the shell.
  var exitsOnError = false
  /// `-u`: expanding an unset variable is an error.
  var treatsUnsetAsError = false
  /// `-x`: each command is printed, after expansion, with a `+ ` before it.
  var traces = false
  /// `-o pipefail`: a pipeline fails when any of its commands does.
  var pipefail = false
}

extension Shell {
  /// Functions and the builtins that shape a script's run: `return`, `local`, `shift`, `set`,
  /// `exec`.
  static let functionUtilities: [String: Builtin] = [
    "return": { shell, invocation in shell.returnFromFunction(invocation) },
    "local": { shell, invocation in shell.local(invocation) },
    "declare": { shell, invocation in shell.declare(invocation) },
    "typeset": { shell, invocation in shell.declare(invocation) },
    "shift": { shell, invocation in shell.shift(invocation) },
    "set": { shell, invocation in shell.setOptions(invocation) },
    "exec": { shell, invocation in shell.exec(invocation) },
    "command": { shell, invocation in shell.command(invocation) },
  ]

  /// Where a command name leads: a function or builtin by its name, a program by its path.
  func commandPath(_ name: String) -> String? {
    if functions[name] != nil || Self.shellKeywords.contains(name) { return name }
    if runsInContainer {
      if name.contains("/") { return fileSystem.exists(name, from: directory) ? name : nil }
      if Self.builtins[name] != nil, !Self.standInBuiltins.contains(name) { return name }
      if let path = programPath(name) { return path }
      return imageHasShell && Utilities.named(name) != nil ? "/bin/\(name)" : nil
    }
    if Self.builtins[name] != nil, !Self.standInBuiltins.contains(name) { return name }
    return Shell.hasCommand(name) ? "/usr/bin/\(name)" : nil
  }

  /// bash's own words and builtins, which `command -v` names without a path.
  static let shellKeywords: Set<String> = [
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "function", "{", "}", "!",
  ]

  /// Builtins of the sandbox that stand in for programs (`curl`, `sh`): they have a path.
  static let standInBuiltins: Set<String> = ["curl", "sh", "bash", "which", "xargs", "env"]

  /// `command [-v|-V] NAME [ARGS…]`: where a name leads, or the command without functions.
  mutating func command(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments[...]
    guard let first = arguments.first else { return CommandOutput() }
    if first == "-v" || first == "-V" {
      arguments.removeFirst()
      var output = CommandOutput()
      for name in arguments {
        guard let path = commandPath(name) else {
          if first == "-V" { output.printError("bash: command: \(name): not found\n") }
          output.status = 1
          continue
        }
        if first == "-v" {
          output.print(path + "\n")
        } else if path == name {
          output.print("\(name) is a shell builtin\n")
        } else {
          output.print("\(name) is \(path)\n")
        }
      }
      return output
    }
    // Functions are passed over: the builtin or program of that name runs.
    let saved = functions
    functions = [:]
    defer { functions = saved }
    return invoke(
      Array(arguments), assignments: [], input: invocation.input,
      terminal: invocation.outputIsTerminal)
  }

  /// Runs a function with `arguments` as its positional parameters.
  mutating func callFunction(
    _ body: ShellNode, arguments: [String], input: [UInt8], terminal: Bool
  ) -> CommandOutput {
    guard nesting + 2 <= Limits.depth else {
      abort(Self.nestingMessage(nil), everyShell: true)
      return CommandOutput(status: 1)
    }
    let outer = positional
    positional = arguments
    nesting += 2
    functionDepth += 1
    localFrames.append([:])
    var output = execute(body, input: input, terminal: terminal)
    if let code = returnRequested {
      output.status = code
      returnRequested = nil
    }
    for (name, value) in localFrames.removeLast() { restore(name, value) }
    functionDepth -= 1
    nesting -= 2
    positional = outer
    return output
  }

  /// `return [N]`.
  mutating func returnFromFunction(_ invocation: Invocation) -> CommandOutput {
    guard functionDepth > 0 else {
      return .failure("bash: return: can only `return' from a function or sourced script")
    }
    var code = lastStatus
    if let argument = invocation.arguments.first {
      guard let number = Int(argument) else {
        returnRequested = 2
        return .failure("bash: return: \(argument): numeric argument required", status: 2)
      }
      code = Int32(truncatingIfNeeded: number & 255)
    }
    returnRequested = code
    return CommandOutput(status: code)
  }

  /// `local [-a] NAME[=VALUE]…`: variables that go back to their outer values when the
  /// function returns; with `-a`, empty arrays.
  mutating func local(_ invocation: Invocation) -> CommandOutput {
    guard functionDepth > 0, !localFrames.isEmpty else {
      return .failure("bash: local: can only be used in a function")
    }
    return declare(invocation, scope: .local)
  }

  /// Where `declare` puts its names: the function's frame, or the shell's globals.
  enum DeclarationScope { case local, global }

  /// `declare [-a|-p|-x…] NAME[=VALUE]…` and `typeset`.
  ///
  /// In a function, they make `local`'s names; with `-p`, the names as bash prints them. `-A` is
  /// refused: the sandbox has indexed arrays only.
  mutating func declare(_ invocation: Invocation, scope: DeclarationScope? = nil) -> CommandOutput {
    let scope = scope ?? (functionDepth > 0 && !localFrames.isEmpty ? .local : .global)
    var flags = ""
    var names: [String] = []
    for argument in invocation.arguments {
      if names.isEmpty, argument.hasPrefix("-") || argument.hasPrefix("+"), argument.count > 1 {
        flags += argument.dropFirst()
      } else {
        names.append(argument)
      }
    }
    if flags.contains("A") {
      return .failure(
        "bash: \(invocation.name): -A: the sandbox's bash has indexed arrays only", status: 2)
    }
    if flags.contains("p") { return printDeclarations(names, name: invocation.name) }
    var output = CommandOutput()
    for argument in names {
      let name = String(argument.prefix { $0 != "=" && $0 != "[" })
      guard ShellAssignment.isName(name) else {
        output.printError("bash: \(invocation.name): `\(argument)': not a valid identifier\n")
        output.status = 1
        continue
      }
      if scope == .local {
        let frame = localFrames.count - 1
        if localFrames[frame].index(forKey: name) == nil {
          localFrames[frame][name] = snapshot(name)
        }
      }
      if argument.contains("=") {
        let value = String(argument.drop { $0 != "=" }.dropFirst())
        if flags.contains("a") {
          store(ShellArray([value]), as: name)
        } else {
          if scope == .local { restore(name, .unset) }
          setScalar(name, value)
        }
      } else if flags.contains("a") {
        if arrays[name] == nil || scope == .local { store(ShellArray(), as: name) }
      } else if scope == .local {
        restore(name, .scalar(""))
      }
    }
    return output
  }

  /// `declare -p NAME…`: each name as a command that would make it again.
  func printDeclarations(_ names: [String], name command: String) -> CommandOutput {
    var output = CommandOutput()
    func quoted(_ value: String) -> String {
      var text = ""
      for character in value {
        if "\"\\$`".contains(character) { text.append("\\") }
        text.append(character)
      }
      return "\"" + text + "\""
    }
    let listed = names.isEmpty ? (Array(variables.keys) + Array(arrays.keys)).sorted() : names
    for name in listed {
      if let array = arrays[name] {
        let elements = array.indices.map { "[\($0)]=\(quoted(array[$0] ?? ""))" }
        output.print("declare -a \(name)=(\(elements.joined(separator: " ")))\n")
      } else if let value = variables[name] {
        output.print("declare -- \(name)=\(quoted(value))\n")
      } else {
        output.printError("bash: \(command): \(name): not found\n")
        output.status = 1
      }
    }
    return output
  }

  /// `shift [N]`.
  mutating func shift(_ invocation: Invocation) -> CommandOutput {
    let count = invocation.arguments.first.flatMap { Int($0) } ?? 1
    guard count >= 0 else {
      return .failure("bash: shift: \(count): shift count out of range")
    }
    guard count <= positional.count else { return CommandOutput(status: 1) }
    positional.removeFirst(count)
    return CommandOutput()
  }

  /// `set [-eux] [+eux] [-o OPTION] [--] [ARGUMENTS…]`.
  mutating func setOptions(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments[...]
    guard !arguments.isEmpty else {
      let listing = variables.keys.sorted().map { "\($0)=\(Self.quoted(variables[$0] ?? ""))\n" }
      return CommandOutput(stdout: listing.joined())
    }
    func apply(_ name: String, _ on: Bool) -> Bool {
      switch name {
      case "e", "errexit": options.exitsOnError = on
      case "u", "nounset": options.treatsUnsetAsError = on
      case "x", "xtrace": options.traces = on
      case "pipefail": options.pipefail = on
      // Options that change nothing here: no job control, no history expansion, no globbing off.
      case "v", "verbose", "h", "hashall", "B", "braceexpand", "H", "histexpand", "m",
        "monitor", "C", "noclobber", "a", "allexport":
        break
      default: return false
      }
      return true
    }
    while let first = arguments.first, first.hasPrefix("-") || first.hasPrefix("+") {
      arguments.removeFirst()
      if first == "--" || first == "-" {
        positional = Array(arguments)
        return CommandOutput()
      }
      let on = first.hasPrefix("-")
      if first == "-o" || first == "+o" {
        guard let name = arguments.popFirst() else { return CommandOutput() }
        guard apply(name, on) else {
          return .failure("bash: set: \(name): invalid option name")
        }
        continue
      }
      for letter in first.dropFirst() where !apply(String(letter), on) {
        return .failure(
          "bash: set: \(first.prefix(1))\(letter): invalid option\nset: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]",
          status: 2)
      }
    }
    if !arguments.isEmpty { positional = Array(arguments) }
    return CommandOutput()
  }

  /// `exec COMMAND…`: the command takes the shell's place, which ends with its status.
  mutating func exec(_ invocation: Invocation) -> CommandOutput {
    guard !invocation.arguments.isEmpty else { return CommandOutput() }
    let output = invoke(
      invocation.arguments, assignments: [], input: invocation.input,
      terminal: invocation.outputIsTerminal)
    exitRequested = output.status
    return output
  }

  /// Whether `set -e` ends the shell when `node` fails: not for `&&`/`||` lists or `!`.
  static func errexitApplies(_ node: ShellNode) -> Bool {
    switch node {
    case .and, .or: false
    case .pipeline(_, let negated): !negated
    default: true
    }
  }

  /// A value as `set` lists it: quoted when it needs to be.
  static func quoted(_ value: String) -> String {
    guard value.isEmpty || value.contains(where: { " \t\n'\"$`\\|&;()<>*?[]{}~#".contains($0) })
    else { return value }
    return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
