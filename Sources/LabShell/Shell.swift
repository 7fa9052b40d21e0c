import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLimits
import LabOutput
import LabUtilities

/// The sandbox shell: bash's language over the virtual file system, with built-in utilities.
///
/// It never starts a host process: every command is a function here or the `docker` toolkit.
public struct Shell: Sendable {
  public var fileSystem: VirtualFileSystem
  public var docker: DockerEnvironment
  public var directory: String = VirtualFileSystem.home
  /// The shell's scalar variables, which commands it runs see as their environment.
  public var variables: [String: String]
  /// Indexed arrays (`a=(x y)`), apart from ``variables`` because bash exports no array: a
  /// name is in one of the two at most.
  var arrays: [String: ShellArray] = [:]
  public var lastStatus: Int32 = 0
  public var history: [String] = []
  /// After `sudo -i` or `sudo su`: the prompt ends in `#`.
  public var isRoot = false
  var isSudo = false
  /// Set by `exit`: the script or session ends.
  public var exitRequested: Int32?
  /// Functions defined with `name() { … }`.
  var functions: [String: ShellNode] = [:]
  /// Set by `return`: the function ends with this status.
  var returnRequested: Int32?
  /// How many function calls the running command is inside.
  var functionDepth = 0
  /// The outer values of `local` variables, one frame per call, restored when it returns.
  var localFrames: [[String: VariableSnapshot]] = []
  /// `set -e`, `set -u`, `set -x`, `set -o pipefail`.
  var options = ShellOptions()
  /// How many conditions (`if`, `while`, the left of `&&`) the running command is in:
  /// `set -e` spares a failure there.
  var conditionDepth = 0
  /// The shell of the container the learner is inside, if any (an array, as a shell holds
  /// a shell).
  var inner: [Shell] = []
  /// The container the learner is inside.
  var attached: AttachedContainer?
  /// Descriptors past 2 a bare `exec 3>&1` opened, and where they lead.
  var extraDescriptors: [Int: Sink] = [:]
  /// `$0`: `bash` at the prompt, the script's path in a script.
  var scriptName = "bash"
  /// Set by `break` and `continue`, with how many loops out; the loop clears it.
  var loopSignal: LoopSignal?
  /// How many loops the running command is inside.
  var loopDepth = 0
  /// How deeply the running command nests, in ``Limits/depth`` levels: each compound command,
  /// subshell or group it runs in is one, and each shell it runs in (`$(…)`, a script, `sh -c`,
  /// `source`) two, for a shell takes about twice the stack.
  var nesting = 0
  /// Set by an error that abandons the command line, as bash's jump to the top level does.
  ///
  /// An arithmetic error, `${name:?}`, or shells nested too deep: a subshell or script ends
  /// there; at the prompt, the rest of the line is dropped and the status is 1.
  var isAborting = false
  /// Whether the abort ends every enclosing shell too, not only the innermost one.
  var abortsEveryShell = false
  /// The message of the abort, until the command it stopped reports it.
  var abortMessage = ""
  /// The status an abort ends with: 1, or 130 after Ctrl-C as bash's.
  var abortStatus: Int32 = 1

  enum LoopSignal: Equatable {
    case breakLoop(Int)
    case continueLoop(Int)
  }

  /// Whether the rest of a list is skipped: after `exit`, `break`, `continue` or an abort.
  var isUnwinding: Bool {
    exitRequested != nil || loopSignal != nil || isAborting || returnRequested != nil
  }

  /// Abandons the command line with bash's `message`.
  mutating func abort(_ message: String, everyShell: Bool = false, status: Int32 = 1) {
    if !isAborting && !message.isEmpty { abortMessage += message + "\n" }
    if !isAborting { abortStatus = status }
    isAborting = true
    abortsEveryShell = abortsEveryShell || everyShell
  }

  /// Stops the whole command line when its budget is spent.
  ///
  /// Its time, its loop rounds, or Ctrl-C; returns whether it stopped.
  @discardableResult
  mutating func stopIfOverBudget(countingRound: Bool = false) -> Bool {
    guard let budget = Budget.current else { return false }
    guard let reason = countingRound ? budget.countRound() : budget.check() else { return false }
    switch reason {
    case .interrupted: abort("", everyShell: true, status: 130)
    case .timeout: abort("bash: \(reason)", everyShell: true, status: 124)
    default: abort("bash: \(reason)", everyShell: true)
    }
    return true
  }

  /// How a missing program is reported: bash's way, or `/bin/sh`'s inside a build.
  public enum NotFoundStyle: Sendable {
    case bash, dash
  }

  public var notFoundStyle = NotFoundStyle.bash
  /// Whether a person is at the terminal, so a full-screen program (`dive`) may take it over
  /// when its output goes there.
  public var allowsFullScreen = false
  /// Inside a container, programs are looked up in the image's files (``runContainerProgram``).
  public var runsInContainer = false
  /// A modelled server a container's program started (`nginx`), which keeps it running.
  public var startedServer: String?
  var positional: [String] = []

  public init(fileSystem: VirtualFileSystem, docker: DockerEnvironment) {
    self.fileSystem = fileSystem
    self.docker = docker
    variables = [
      "HOME": VirtualFileSystem.home, "USER": "learner", "LOGNAME": "learner", "SHELL": "/bin/bash",
      "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
      "HOSTNAME": "layerlab", "PWD": VirtualFileSystem.home, "TERM": "xterm-256color",
    ]
    var environment = docker
    environment.runExecutor = ImageCommandRunner.executor
    environment.containerRunner = ContainerProcess.runner
    self.docker = environment
  }

  /// The prompt: `learner@layerlab:~$ `, or with `#` as root.
  public var prompt: String {
    if let containerPrompt { return containerPrompt }
    let shown =
      directory == VirtualFileSystem.home
      ? "~"
      : directory.hasPrefix(VirtualFileSystem.home + "/")
        ? "~" + directory.dropFirst(VirtualFileSystem.home.count) : directory
    return isRoot ? "root@layerlab:\(shown)# " : "learner@layerlab:\(shown)$ "
  }

  /// Runs a command line; the last command's output goes to the terminal.
  ///
  /// `terminal` says whether its output reaches one: at the prompt it does; a script's does
  /// when the script's does; a `$(…)`'s never does, so `ls` there writes a name a line.
  public mutating func run(_ line: String, input: [UInt8] = [], terminal: Bool = true)
    -> CommandOutput
  {
    // Every command line runs under a budget: the session's, or a default one.
    if Budget.current == nil {
      return Budget.$current.withValue(Budget()) { run(line, input: input, terminal: terminal) }
    }
    // Inside a container, the line is its shell's.
    if !inner.isEmpty { return runInside(line, input: input) }
    fileSystem.now = docker.now
    let node: ShellNode
    do {
      node = try ShellParser.parse(line, depth: nesting)
    } catch {
      lastStatus = 2
      return .failure(error.description, status: 2)
    }
    if !line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { history.append(line) }
    var output = execute(node, input: input, terminal: terminal)
    if isAborting {
      output.status = abortStatus
      if !abortsEveryShell || nesting == 0 {
        isAborting = false
        abortsEveryShell = false
      }
    }
    lastStatus = output.status
    if let code = exitRequested { output.status = code }
    return output
  }

  /// Runs `text` in a copy of this shell two levels deeper.
  ///
  /// A command substitution, script or `sh -c` runs so. Past ``Limits/depth`` it fails, and
  /// every enclosing shell stops, as bash stops at `FUNCNEST`.
  mutating func runNested(
    _ text: String, name: String? = nil, input: [UInt8] = [], terminal: Bool = true,
    prepare: (inout Shell) -> Void = { _ in }
  ) -> CommandOutput {
    guard nesting + 2 <= Limits.depth else {
      abort(Self.nestingMessage(name), everyShell: true)
      return CommandOutput(status: 1)
    }
    var copy = self
    copy.nesting += 2
    copy.exitRequested = nil
    prepare(&copy)
    let output = copy.run(text, input: input, terminal: terminal)
    if copy.isAborting { abort("", everyShell: true) }
    // A server the script started (`exec nginx`) keeps its container running.
    if let server = copy.startedServer { startedServer = server }
    return output
  }

  /// What a shell nested past ``Limits/depth`` says, after bash's `FUNCNEST` message.
  static func nestingMessage(_ name: String?) -> String {
    "bash: " + (name.map { "\($0): " } ?? "") + "maximum nesting level exceeded (\(Limits.depth))"
  }

  // MARK: - Nodes

  /// Runs a node; an abort it caused is reported after what it wrote, with status 1.
  mutating func execute(_ node: ShellNode, input: [UInt8], terminal: Bool) -> CommandOutput {
    var output = executeNode(node, input: input, terminal: terminal)
    // A utility that stopped at the budget leaves the shell to say so.
    if !isAborting { stopIfOverBudget() }
    if isAborting {
      output.printError(abortMessage)
      abortMessage = ""
      output.status = abortStatus
    }
    return output
  }

  /// One kind of node a function, so that each level of a nested command takes little stack.
  mutating func executeNode(_ node: ShellNode, input: [UInt8], terminal: Bool) -> CommandOutput {
    if isUnwinding || stopIfOverBudget() { return CommandOutput(status: exitRequested ?? 0) }
    switch node {
    case .sequence(let items):
      return executeSequence(items, input: input, terminal: terminal)
    case .and, .or:
      return executeAndOr(node, input: input, terminal: terminal)
    case .pipeline(let commands, let negated):
      return executePipeline(commands, negated: negated, input: input, terminal: terminal)
    case .simple(let command):
      return executeSimple(command, input: input, terminal: terminal)
    case .subshell(let body, let redirections):
      return executeSubshell(body, redirections, input: input, terminal: terminal)
    case .group(let body, let redirections):
      return executeCompound(redirections, input: input, terminal: terminal) {
        shell, stdin, isTerminal in
        shell.execute(body, input: stdin, terminal: isTerminal)
      }
    case .ifClause(let clauses, let otherwise, let redirections):
      return executeCompound(redirections, input: input, terminal: terminal) {
        shell, stdin, isTerminal in
        shell.executeIf(clauses, otherwise: otherwise, input: stdin, terminal: isTerminal)
      }
    case .forLoop(let name, let words, let body, let redirections):
      return executeCompound(redirections, input: input, terminal: terminal) {
        shell, stdin, isTerminal in
        shell.executeFor(name, words: words, body: body, input: stdin, terminal: isTerminal)
      }
    case .whileLoop(let clause, let until, let redirections):
      return executeCompound(redirections, input: input, terminal: terminal) {
        shell, stdin, isTerminal in
        shell.loop(clause, until: until, input: stdin, terminal: isTerminal)
      }
    case .function(let name, let body):
      functions[name] = body
      return CommandOutput()
    case .caseClause(let subject, let arms, let redirections):
      return executeCompound(redirections, input: input, terminal: terminal) {
        shell, stdin, isTerminal in
        shell.executeCase(subject, arms: arms, input: stdin, terminal: isTerminal)
      }
    }
  }

  /// `case`: the first arm with a pattern that matches the subject runs; none, status 0.
  mutating func executeCase(
    _ subject: ShellWord, arms: [CaseArm], input: [UInt8], terminal: Bool
  ) -> CommandOutput {
    let text = expandToString(subject)
    for arm in arms {
      for pattern in arm.patterns where Glob.matches(expandPattern(pattern), text) {
        return execute(arm.body, input: input, terminal: terminal)
      }
    }
    return CommandOutput()
  }

  /// A group, `if` or loop: a level deeper, with its redirections.
  mutating func executeCompound(
    _ redirections: [Redirection], input: [UInt8], terminal: Bool,
    body: (inout Shell, [UInt8], Bool) -> CommandOutput
  ) -> CommandOutput {
    nesting += 1
    defer { nesting -= 1 }
    return withRedirections(redirections, input: input, terminal: terminal, body: body)
  }

  mutating func executeSequence(_ items: [ShellNode], input: [UInt8], terminal: Bool)
    -> CommandOutput
  {
    var output = CommandOutput()
    for item in items {
      let result = execute(item, input: input, terminal: terminal)
      output.append(result)
      output.status = result.status
      lastStatus = result.status
      if isUnwinding { break }
      if options.exitsOnError, result.status != 0, conditionDepth == 0, Self.errexitApplies(item) {
        exitRequested = result.status
        break
      }
    }
    return output
  }

  /// `a && b || c`, which parses as `.or(.and(a, b), c)`: the first command, then each link in
  /// order, in a loop rather than one call a link.
  mutating func executeAndOr(_ node: ShellNode, input: [UInt8], terminal: Bool) -> CommandOutput {
    var links: [(and: Bool, command: ShellNode)] = []
    var first = node
    while true {
      if case .and(let left, let right) = first {
        links.append((true, right))
        first = left
      } else if case .or(let left, let right) = first {
        links.append((false, right))
        first = left
      } else {
        break
      }
    }
    conditionDepth += links.isEmpty ? 0 : 1
    var output = execute(first, input: input, terminal: terminal)
    conditionDepth -= links.isEmpty ? 0 : 1
    lastStatus = output.status
    for link in links.reversed() where (output.status == 0) == link.and && !isUnwinding {
      let result = execute(link.command, input: input, terminal: terminal)
      output.append(result)
      output.status = result.status
      lastStatus = result.status
    }
    return output
  }

  mutating func executePipeline(
    _ commands: [ShellNode], negated: Bool, input: [UInt8], terminal: Bool
  ) -> CommandOutput {
    // Earlier commands' errors reach the terminal before the last command's output.
    var output = CommandOutput()
    var data = input
    var failed: Int32 = 0
    for (index, command) in commands.enumerated() {
      if index == commands.count - 1 {
        let result = execute(command, input: data, terminal: terminal)
        output.append(result)
        output.status = result.status
        // `set -o pipefail`: the last command that failed decides.
        if options.pipefail, result.status == 0 { output.status = failed }
        break
      }
      var copy = self
      let result = copy.execute(command, input: data, terminal: false)
      if copy.abortsEveryShell { abort("", everyShell: true) }
      if result.status != 0 { failed = result.status }
      data = result.stdoutBytes
      output.write(result.stderrBytes, isError: true)
    }
    if negated { output.status = output.status == 0 ? 1 : 0 }
    return output
  }

  mutating func executeSubshell(
    _ body: ShellNode, _ redirections: [Redirection], input: [UInt8], terminal: Bool
  ) -> CommandOutput {
    var copy = self
    copy.exitRequested = nil
    copy.nesting += 1
    return withRedirections(redirections, input: input, terminal: terminal) {
      shell, stdin, isTerminal in
      let output = copy.execute(body, input: stdin, terminal: isTerminal)
      if copy.abortsEveryShell { shell.abort("", everyShell: true) }
      return output
    }
  }

  mutating func executeIf(
    _ clauses: [ConditionalClause], otherwise: ShellNode?, input: [UInt8], terminal: Bool
  ) -> CommandOutput {
    var output = CommandOutput()
    for clause in clauses {
      conditionDepth += 1
      let test = execute(clause.condition, input: input, terminal: terminal)
      conditionDepth -= 1
      output.append(test)
      if isUnwinding { return output }
      if test.status == 0 {
        let body = execute(clause.body, input: input, terminal: terminal)
        output.append(body)
        output.status = body.status
        return output
      }
    }
    // No branch ran: the status is the else list's, or 0.
    let body = otherwise.map { execute($0, input: input, terminal: terminal) }
    if let body { output.append(body) }
    output.status = body?.status ?? 0
    return output
  }

  mutating func executeFor(
    _ name: String, words: [ShellWord]?, body: ShellNode, input: [UInt8], terminal: Bool
  ) -> CommandOutput {
    var values = positional
    if let words {
      values = []
      var errors: [UInt8] = []
      for word in words {
        let (fields, wordErrors) = expand(word)
        values += fields
        errors += wordErrors
      }
      if !errors.isEmpty || isAborting { return CommandOutput(stderr: errors, status: 1) }
    }
    var output = CommandOutput()
    loopDepth += 1
    defer { loopDepth -= 1 }
    for value in values {
      if stopIfOverBudget(countingRound: true) { break }
      setScalar(name, value)
      let result = execute(body, input: input, terminal: terminal)
      output.append(result)
      output.status = result.status
      if leavesLoop() { break }
    }
    return output
  }

  /// Runs a `while` (or `until`) loop.
  ///
  /// Its standard input is shared: each `read` in the condition takes the next line, as in
  /// `… | while read name; do …; done`.
  mutating func loop(_ clause: ConditionalClause, until: Bool, input: [UInt8], terminal: Bool)
    -> CommandOutput
  {
    var output = CommandOutput()
    var remaining = input[...]
    var iterations = 0
    loopDepth += 1
    defer { loopDepth -= 1 }
    // However its loops nest, a command line gets the budget's rounds and time, no more.
    while exitRequested == nil && returnRequested == nil && !isAborting
      && !stopIfOverBudget(countingRound: true)
    {
      iterations += 1
      let readsInput = Self.startsWithRead(clause.condition)
      conditionDepth += 1
      let test = execute(clause.condition, input: Array(remaining), terminal: terminal)
      conditionDepth -= 1
      if readsInput, let newline = remaining.firstIndex(of: 10) {
        remaining = remaining[(newline + 1)...]
      } else if readsInput {
        remaining = []
      }
      output.write(test.stdoutBytes)
      output.write(test.stderrBytes, isError: true)
      if (test.status == 0) == until { break }
      let body = execute(clause.body, input: Array(remaining), terminal: terminal)
      output.append(body)
      output.status = body.status
      if leavesLoop() { break }
    }
    if iterations == 1 { output.status = 0 }
    return output
  }

  /// After a loop's body: whether the loop ends, consuming a `break` or `continue` aimed at it.
  mutating func leavesLoop() -> Bool {
    if exitRequested != nil || isAborting || returnRequested != nil { return true }
    switch loopSignal {
    case nil: return false
    case .breakLoop(let levels):
      loopSignal = levels > 1 ? .breakLoop(levels - 1) : nil
      return true
    case .continueLoop(let levels):
      loopSignal = levels > 1 ? .continueLoop(levels - 1) : nil
      return levels > 1
    }
  }

  /// Whether a condition is a `read` command, which consumes a line of the loop's input.
  static func startsWithRead(_ node: ShellNode) -> Bool {
    guard case .simple(let command) = node, let first = command.words.first else { return false }
    return first.literalText == "read"
  }

  mutating func executeSimple(_ command: SimpleCommand, input: [UInt8], terminal: Bool)
    -> CommandOutput
  {
    var words: [String] = []
    var expansionErrors: [UInt8] = []
    for word in command.words {
      let (fields, errors) = expand(word)
      words += fields
      expansionErrors += errors
    }
    // Before a command, assignments are its environment; alone, they set variables, in order,
    // so that each sees the one before (`a=1 b=$a`).
    var assignments: [(String, String)] = []
    var assignmentFailed = false
    if words.isEmpty {
      for assignment in command.assignments where !isAborting {
        let (errors, failed) = assign(assignment)
        expansionErrors += errors
        assignmentFailed = assignmentFailed || failed
        if let value = variables[assignment.name] { assignments.append((assignment.name, value)) }
      }
    } else {
      for assignment in command.assignments {
        guard case .scalar(let value) = assignment.value, assignment.index == nil else { continue }
        let text = expandToString(value)
        assignments.append(
          (assignment.name, assignment.appends ? (variables[assignment.name] ?? "") + text : text))
      }
    }
    // An expansion that failed as bash fails one: the command does not run.
    if isAborting { return CommandOutput(stderr: expansionErrors, status: 1) }
    // Errors of the expansions come before anything the command prints.
    var output = CommandOutput(stderr: expansionErrors)
    if options.traces, !words.isEmpty || !assignments.isEmpty {
      let shown = assignments.map { "\($0.0)=\(Self.quoted($0.1))" } + words.map(Self.quoted)
      output.printError("+ " + shown.joined(separator: " ") + "\n")
    }
    // A bare `exec 3>&1` opens descriptors for the rest of the shell.
    let persists = words == ["exec"]
    let result = withRedirections(
      command.redirections, input: input, terminal: terminal, persists: persists
    ) {
      shell, stdin, isTerminal, stream in
      words.isEmpty
        ? CommandOutput()
        : shell.invoke(
          words, assignments: assignments, input: stdin, terminal: isTerminal, stream: stream)
    }
    output.append(result)
    output.status = result.status
    // `local -a names=(a b)`: the builtin made the names; the lists fill them.
    for list in command.declaredLists where result.status == 0 {
      let (errors, failed) = assign(list)
      output.write(errors, isError: true)
      if failed { output.status = 1 }
    }
    // A failed assignment alone on its line fails, as bash's `a[-5]=x` does.
    if assignmentFailed { output.status = 1 }
    return output
  }
}
