import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLimits

/// What a command wrote and how it ended, as bytes (pipes carry archives too).
public struct ShellOutput: Sendable {
  /// A run of bytes written to one stream.
  struct Chunk: Sendable {
    var isError: Bool
    var bytes: [UInt8]
  }

  /// Both streams in the order they were written, so that `2>&1` and a terminal show them
  /// interleaved as bash would.
  private(set) var chunks: [Chunk] = []
  /// How many bytes the chunks hold, which ``Limits/outputBytes`` bounds.
  private var byteCount = 0
  /// Whether the command wrote past ``Limits/outputBytes``: the rest was dropped, and it fails.
  private(set) var isOverflowing = false
  private var exitStatus: Int32 = 0
  public var status: Int32 {
    get { isOverflowing && exitStatus == 0 ? 1 : exitStatus }
    set { exitStatus = newValue }
  }

  public init(stdout: [UInt8] = [], stderr: [UInt8] = [], status: Int32 = 0) {
    write(stdout)
    write(stderr, isError: true)
    self.status = status
  }

  static func error(_ message: String, status: Int32 = 1) -> ShellOutput {
    ShellOutput(stderr: Array((message + "\n").utf8), status: status)
  }

  /// Everything written to standard output.
  public var stdout: [UInt8] { bytes { !$0.isError } }
  /// Everything written to standard error.
  public var stderr: [UInt8] { bytes { $0.isError } }
  /// Both streams as a terminal shows them.
  public var interleaved: [UInt8] { bytes { _ in true } }

  private func bytes(_ include: (Chunk) -> Bool) -> [UInt8] {
    let selected = chunks.filter(include)
    if selected.count == 1 { return selected[0].bytes }
    return selected.flatMap(\.bytes)
  }

  mutating func write(_ bytes: [UInt8], isError: Bool = false) {
    guard !bytes.isEmpty, !isOverflowing else { return }
    guard bytes.count <= Limits.outputBytes - byteCount else {
      isOverflowing = true
      chunks.append(Chunk(isError: true, bytes: Array((Limits.outputMessage("bash") + "\n").utf8)))
      return
    }
    byteCount += bytes.count
    if let last = chunks.indices.last, chunks[last].isError == isError {
      chunks[last].bytes += bytes
    } else {
      chunks.append(Chunk(isError: isError, bytes: bytes))
    }
  }

  /// Appends what `other` wrote, in its order; the status stays.
  mutating func append(_ other: ShellOutput) {
    for chunk in other.chunks { write(chunk.bytes, isError: chunk.isError) }
  }

  mutating func print(_ text: String) { write(Array(text.utf8)) }
  mutating func printError(_ text: String) { write(Array(text.utf8), isError: true) }
}

/// One command to run: its name, arguments and standard input.
struct Invocation {
  var name: String
  var arguments: [String]
  var input: [UInt8]
  /// Whether standard output goes to the terminal (not a pipe or a file): `ls` lays out
  /// columns only then.
  var outputIsTerminal: Bool
}

/// The sandbox shell: bash's language over the virtual file system, with built-in utilities.
///
/// It never starts a host process: every command is a function here or the `docker` toolkit.
public struct Shell: Sendable {
  public var fileSystem: VirtualFileSystem
  public var docker: DockerEnvironment
  public var directory: String = VirtualFileSystem.home
  public var variables: [String: String]
  public var lastStatus: Int32 = 0
  public var history: [String] = []
  /// After `sudo -i` or `sudo su`: the prompt ends in `#`.
  public var isRoot = false
  var isSudo = false
  /// Set by `exit`: the script or session ends.
  public var exitRequested: Int32?
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
  var isUnwinding: Bool { exitRequested != nil || loopSignal != nil || isAborting }

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
    self.docker = environment
  }

  /// The prompt: `learner@layerlab:~$ `, or with `#` as root.
  public var prompt: String {
    let shown =
      directory == VirtualFileSystem.home
      ? "~"
      : directory.hasPrefix(VirtualFileSystem.home + "/")
        ? "~" + directory.dropFirst(VirtualFileSystem.home.count) : directory
    return isRoot ? "root@layerlab:\(shown)# " : "learner@layerlab:\(shown)$ "
  }

  /// Runs a command line; the last command's output goes to the terminal.
  public mutating func run(_ line: String, input: [UInt8] = []) -> ShellOutput {
    // Every command line runs under a budget: the session's, or a default one.
    if Budget.current == nil {
      return Budget.$current.withValue(Budget()) { run(line, input: input) }
    }
    fileSystem.now = docker.now
    let node: ShellNode
    do {
      node = try ShellParser.parse(line, depth: nesting)
    } catch {
      lastStatus = 2
      return .error(error.description, status: 2)
    }
    if !line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { history.append(line) }
    var output = execute(node, input: input, terminal: true)
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
    _ text: String, name: String? = nil, input: [UInt8] = [],
    prepare: (inout Shell) -> Void = { _ in }
  ) -> ShellOutput {
    guard nesting + 2 <= Limits.depth else {
      abort(Self.nestingMessage(name), everyShell: true)
      return ShellOutput(status: 1)
    }
    var copy = self
    copy.nesting += 2
    copy.exitRequested = nil
    prepare(&copy)
    let output = copy.run(text, input: input)
    if copy.isAborting { abort("", everyShell: true) }
    return output
  }

  /// What a shell nested past ``Limits/depth`` says, after bash's `FUNCNEST` message.
  static func nestingMessage(_ name: String?) -> String {
    "bash: " + (name.map { "\($0): " } ?? "") + "maximum nesting level exceeded (\(Limits.depth))"
  }

  // MARK: - Nodes

  /// Runs a node; an abort it caused is reported after what it wrote, with status 1.
  mutating func execute(_ node: ShellNode, input: [UInt8], terminal: Bool) -> ShellOutput {
    var output = executeNode(node, input: input, terminal: terminal)
    if isAborting {
      output.printError(abortMessage)
      abortMessage = ""
      output.status = abortStatus
    }
    return output
  }

  /// One kind of node a function, so that each level of a nested command takes little stack.
  mutating func executeNode(_ node: ShellNode, input: [UInt8], terminal: Bool) -> ShellOutput {
    if isUnwinding || stopIfOverBudget() { return ShellOutput(status: exitRequested ?? 0) }
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
    }
  }

  /// A group, `if` or loop: a level deeper, with its redirections.
  mutating func executeCompound(
    _ redirections: [Redirection], input: [UInt8], terminal: Bool,
    body: (inout Shell, [UInt8], Bool) -> ShellOutput
  ) -> ShellOutput {
    nesting += 1
    defer { nesting -= 1 }
    return withRedirections(redirections, input: input, terminal: terminal, body: body)
  }

  mutating func executeSequence(_ items: [ShellNode], input: [UInt8], terminal: Bool)
    -> ShellOutput
  {
    var output = ShellOutput()
    for item in items {
      let result = execute(item, input: input, terminal: terminal)
      output.append(result)
      output.status = result.status
      lastStatus = result.status
      if isUnwinding { break }
    }
    return output
  }

  /// `a && b || c`, which parses as `.or(.and(a, b), c)`: the first command, then each link in
  /// order, in a loop rather than one call a link.
  mutating func executeAndOr(_ node: ShellNode, input: [UInt8], terminal: Bool) -> ShellOutput {
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
    var output = execute(first, input: input, terminal: terminal)
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
  ) -> ShellOutput {
    // Earlier commands' errors reach the terminal before the last command's output.
    var output = ShellOutput()
    var data = input
    for (index, command) in commands.enumerated() {
      if index == commands.count - 1 {
        let result = execute(command, input: data, terminal: terminal)
        output.append(result)
        output.status = result.status
        break
      }
      var copy = self
      let result = copy.execute(command, input: data, terminal: false)
      if copy.abortsEveryShell { abort("", everyShell: true) }
      data = result.stdout
      output.write(result.stderr, isError: true)
    }
    if negated { output.status = output.status == 0 ? 1 : 0 }
    return output
  }

  mutating func executeSubshell(
    _ body: ShellNode, _ redirections: [Redirection], input: [UInt8], terminal: Bool
  ) -> ShellOutput {
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
  ) -> ShellOutput {
    var output = ShellOutput()
    for clause in clauses {
      let test = execute(clause.condition, input: input, terminal: terminal)
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
  ) -> ShellOutput {
    var values = positional
    if let words {
      values = []
      var errors: [UInt8] = []
      for word in words {
        let (fields, wordErrors) = expand(word)
        values += fields
        errors += wordErrors
      }
      if !errors.isEmpty || isAborting { return ShellOutput(stderr: errors, status: 1) }
    }
    var output = ShellOutput()
    loopDepth += 1
    defer { loopDepth -= 1 }
    for value in values {
      if stopIfOverBudget(countingRound: true) { break }
      variables[name] = value
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
    -> ShellOutput
  {
    var output = ShellOutput()
    var remaining = input[...]
    var iterations = 0
    loopDepth += 1
    defer { loopDepth -= 1 }
    // However its loops nest, a command line gets the budget's rounds and time, no more.
    while exitRequested == nil && !isAborting && !stopIfOverBudget(countingRound: true) {
      iterations += 1
      let readsInput = Self.startsWithRead(clause.condition)
      let test = execute(clause.condition, input: Array(remaining), terminal: terminal)
      if readsInput, let newline = remaining.firstIndex(of: 10) {
        remaining = remaining[(newline + 1)...]
      } else if readsInput {
        remaining = []
      }
      output.write(test.stdout)
      output.write(test.stderr, isError: true)
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
    if exitRequested != nil || isAborting { return true }
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
    -> ShellOutput
  {
    var words: [String] = []
    var expansionErrors: [UInt8] = []
    for word in command.words {
      let (fields, errors) = expand(word)
      words += fields
      expansionErrors += errors
    }
    var assignments: [(String, String)] = []
    for (name, value) in command.assignments {
      assignments.append((name, expandToString(value)))
    }
    // An expansion that failed as bash fails one: the command does not run.
    if isAborting { return ShellOutput(stderr: expansionErrors, status: 1) }
    if words.isEmpty {
      for (name, value) in assignments { variables[name] = value }
    }
    // Errors of the expansions come before anything the command prints.
    var output = ShellOutput(stderr: expansionErrors)
    let result = withRedirections(command.redirections, input: input, terminal: terminal) {
      shell, stdin, isTerminal in
      words.isEmpty
        ? ShellOutput()
        : shell.invoke(words, assignments: assignments, input: stdin, terminal: isTerminal)
    }
    output.append(result)
    output.status = result.status
    return output
  }

  // MARK: - Redirections

  enum Sink {
    case stdout, stderr, discard
    case file(String, append: Bool)
  }

  mutating func withRedirections(
    _ redirections: [Redirection], input: [UInt8], terminal: Bool,
    body: (inout Shell, [UInt8], Bool) -> ShellOutput
  ) -> ShellOutput {
    var stdin = input
    var out: Sink = .stdout
    var err: Sink = .stderr
    for redirection in redirections {
      let target = expandToString(redirection.target)
      if isAborting { return ShellOutput(status: 1) }
      switch redirection.kind {
      case .input where target == "/dev/null":
        stdin = []
      case .output where target == "/dev/null", .append where target == "/dev/null",
        .outputAndError where target == "/dev/null",
        .appendOutputAndError where target == "/dev/null":
        if redirection.kind == .outputAndError || redirection.kind == .appendOutputAndError {
          out = .discard
          err = .discard
        } else if redirection.descriptor == 2 {
          err = .discard
        } else {
          out = .discard
        }
      case .input:
        do {
          stdin = try fileSystem.read(target, from: directory)
        } catch {
          return .error("bash: \(target): \(error)")
        }
      case .heredoc(let text, let expands):
        stdin = Array((expands ? expandHeredoc(text) : text).utf8)
        if isAborting { return ShellOutput(status: 1) }
      case .herestring:
        stdin = Array((target + "\n").utf8)
      case .output, .append, .outputAndError, .appendOutputAndError:
        let append = redirection.kind == .append || redirection.kind == .appendOutputAndError
        // The file is created (or emptied) before the command runs, as bash does.
        do {
          let existing = append ? ((try? fileSystem.read(target, from: directory)) ?? []) : []
          try fileSystem.write(existing, to: target, from: directory)
          try? fileSystem.touch(target, from: directory, at: docker.now)
        } catch {
          return .error("bash: \(target): \(error)")
        }
        let sink = Sink.file(target, append: true)
        if redirection.kind == .outputAndError || redirection.kind == .appendOutputAndError {
          out = sink
          err = sink
        } else if redirection.descriptor == 2 {
          err = sink
        } else {
          out = sink
        }
      case .duplicate:
        let to: Sink
        switch target {
        case "1": to = out
        case "2": to = err
        case "-": continue
        default: return .error("bash: \(target): ambiguous redirect")
        }
        if redirection.descriptor == 2 { err = to } else { out = to }
      }
    }
    let isTerminal: Bool
    if case .stdout = out { isTerminal = terminal } else { isTerminal = false }
    let result = body(&self, stdin, isTerminal)
    var output = ShellOutput(status: result.status)
    func route(_ bytes: [UInt8], _ sink: Sink) {
      switch sink {
      case .stdout: output.write(bytes)
      case .stderr: output.write(bytes, isError: true)
      case .discard: break
      case .file(let path, _):
        if !bytes.isEmpty { try? fileSystem.write(bytes, to: path, from: directory, append: true) }
      }
    }
    for chunk in result.chunks { route(chunk.bytes, chunk.isError ? err : out) }
    return output
  }

  // MARK: - Commands

  mutating func invoke(
    _ words: [String], assignments: [(String, String)], input: [UInt8], terminal: Bool
  ) -> ShellOutput {
    var words = words
    // `sudo` runs the command as root; alone with -i, -s or su it opens a root shell.
    var wasSudo = false
    while words.first == "sudo" {
      wasSudo = true
      words.removeFirst()
      while let option = words.first, option.hasPrefix("-") {
        words.removeFirst()
        if option == "-u", !words.isEmpty { words.removeFirst() }
        if option == "-i" || option == "-s", words.isEmpty {
          isRoot = true
          return ShellOutput()
        }
      }
      if words == ["su"] || words == ["su", "-"] || words == ["bash"] || words == ["-s"] {
        isRoot = true
        return ShellOutput()
      }
    }
    guard let name = words.first else { return ShellOutput() }
    let previousSudo = isSudo
    // A command inside `sudo sh -c '…'` or `sudo xargs …` runs as root too.
    isSudo = wasSudo || isRoot || previousSudo
    fileSystem.isPrivileged = isSudo
    defer {
      isSudo = previousSudo
      fileSystem.isPrivileged = previousSudo
    }
    let invocation = Invocation(
      name: name, arguments: Array(words.dropFirst()), input: input, outputIsTerminal: terminal)
    if name == "docker" && fileSystem.hasDocker {
      var environment = docker
      for (key, value) in assignments { environment.variables[key] = value }
      for (key, value) in variables where key.hasPrefix("DOCKER_") {
        environment.variables[key] = environment.variables[key] ?? value
      }
      environment.workingDirectory =
        (try? fileSystem.hostPath(directory, from: "/")) ?? environment.workingDirectory
      if !input.isEmpty {
        environment.standardInput = { [input] in String(decoding: input, as: UTF8.self) }
        environment.standardInputBytes = { [input] in input }
      }
      environment.isTerminal = docker.isTerminal && terminal
      let fileSystem = self.fileSystem
      let directory = self.directory
      environment.resolvePath = { path in fileSystem.hostPathForDocker(path, from: directory) }
      let result = Docker(environment: environment).run(invocation.arguments)
      var output = ShellOutput(status: result.status)
      if let binary = result.binaryOutput { output.write(binary) }
      for chunk in result.chunks { output.write(Array(chunk.text.utf8), isError: chunk.isError) }
      return output
    }
    if let utility = Self.utilities[name] {
      var saved: [String: String?] = [:]
      for (key, value) in assignments {
        saved[key] = variables[key]
        variables[key] = value
      }
      defer { for (key, value) in saved { variables[key] = value } }
      return utility(&self, invocation)
    }
    if name.contains("/") { return runScript(invocation) }
    switch notFoundStyle {
    case .bash: return .error("bash: \(name): command not found", status: 127)
    case .dash: return .error("/bin/sh: 1: \(name): not found", status: 127)
    }
  }

  /// Runs a script file (`./setup.sh`) in a copy of this shell.
  mutating func runScript(_ invocation: Invocation) -> ShellOutput {
    let path = invocation.name
    let entry: FileInfo
    do {
      entry = try fileSystem.info(path, from: directory)
    } catch {
      return .error("bash: \(path): \(error)", status: 127)
    }
    if entry.kind == .directory { return .error("bash: \(path): Is a directory", status: 126) }
    guard entry.mode & 0o111 != 0 else {
      return .error("bash: \(path): Permission denied", status: 126)
    }
    let text = String(decoding: (try? fileSystem.read(path, from: directory)) ?? [], as: UTF8.self)
    return runNested(text, name: path, input: invocation.input) {
      $0.positional = invocation.arguments
    }
  }

  /// The last status as `$?` shows it.
  var statusText: String { String(lastStatus) }
}
