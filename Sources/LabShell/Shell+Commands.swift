import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLimits
import LabOutput
import LabUtilities

extension Shell {

  /// Runs one command; `stream`, the file its standard output alone goes to, is for a
  /// utility to write through (no other command's output would keep its order).
  mutating func invoke(
    _ words: [String], assignments: [(String, String)], input: [UInt8], terminal: Bool,
    stream: StreamedOutput? = nil
  ) -> CommandOutput {
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
          return CommandOutput()
        }
      }
      if words == ["su"] || words == ["su", "-"] || words == ["bash"] || words == ["-s"] {
        isRoot = true
        return CommandOutput()
      }
    }
    guard let name = words.first else { return CommandOutput() }
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
    if let body = functions[name] {
      return callFunction(body, arguments: invocation.arguments, input: input, terminal: terminal)
    }
    if name == "docker" && fileSystem.hasDocker, let copied = dockerCopy(words) { return copied }
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
      environment.sandboxDirectory = directory
      // At the prompt, `docker run -it IMAGE sh` takes the learner into the container.
      let attachment = nesting == 0 && !runsInContainer ? ContainerAttachment() : nil
      environment.attachment = attachment
      var output = Docker(environment: environment).run(invocation.arguments)
      if let opened = attachment?.take() { output.append(enter(opened)) }
      return output
    }
    // dive is a tool of the host's, beside docker: not inside containers or builds.
    if name == "dive" && fileSystem.hasDocker && !runsInContainer {
      return runDive(invocation, assignments: assignments)
    }
    // Only a version question or a tool images lack needs the image's PATH searched first.
    let asksVersion =
      words.count == 2 && ["--version", "-V", "-v", "version", "-version"].contains(words[1])
    if runsInContainer, !name.contains("/"), asksVersion || Self.installableTools.contains(name) {
      let found = programPath(name)
      // A tool a package installed answers `--version` as the real one does.
      if let found,
        let text = packageProgramVersion(path: found, arguments: Array(words.dropFirst()))
      {
        return CommandOutput(stdout: text)
      }
      // Tools images ship without: the sandbox has them, the image only once installed.
      if found == nil, Self.installableTools.contains(name) {
        return notFound(name)
      }
    }
    if let builtin = Self.builtins[name] {
      var saved: [String: String?] = [:]
      for (key, value) in assignments {
        saved[key] = variables[key]
        variables[key] = value
      }
      defer { for (key, value) in saved { variables[key] = value } }
      return builtin(&self, invocation)
    }
    if let utility = Utilities.named(name) {
      // A utility sees the shell's environment with the command's own assignments.
      var context = utilityContext
      for (key, value) in assignments { context.variables[key] = value }
      var invocation = invocation
      invocation.standardOutput = stream
      let output = utility.run(invocation, in: &context)
      docker.now = context.now
      fileSystem.now = context.now
      return output
    }
    if runsInContainer, let output = runContainerProgram(words, input: input) { return output }
    if name.contains("/") { return runScript(invocation) }
    return notFound(name)
  }

  /// Tools the sandbox has built in but images ship without until a package manager installs
  /// them: inside a container or a build they run only when the image has them.
  static let installableTools: Set<String> = ["curl", "wget", "jq", "tree", "file"]

  /// The shell's answer for a program it cannot find, with status 127.
  func notFound(_ name: String) -> CommandOutput {
    switch notFoundStyle {
    case .bash: return .failure("bash: \(name): command not found", status: 127)
    case .dash: return .failure("/bin/sh: 1: \(name): not found", status: 127)
    }
  }

  /// Runs a script file (`./setup.sh`) in a copy of this shell.
  mutating func runScript(_ invocation: Invocation) -> CommandOutput {
    let path = invocation.name
    let entry: FileInfo
    do {
      entry = try fileSystem.info(path, from: directory)
    } catch {
      return .failure("bash: \(path): \(error)", status: 127)
    }
    if entry.kind == .directory { return .failure("bash: \(path): Is a directory", status: 126) }
    guard entry.mode & 0o111 != 0 else {
      return .failure("bash: \(path): Permission denied", status: 126)
    }
    let text = String(decoding: (try? fileSystem.read(path, from: directory)) ?? [], as: UTF8.self)
    return runNested(
      text, name: path, input: invocation.input, terminal: invocation.outputIsTerminal
    ) {
      $0.positional = invocation.arguments
      $0.scriptName = path
      // A script is a new process: bash exports no array to it.
      $0.arrays = [:]
    }
  }

  /// The last status as `$?` shows it.
  var statusText: String { String(lastStatus) }
}
