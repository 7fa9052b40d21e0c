import Foundation
import LabImage
import LabOutput
import LabRegistryClient

/// What a simulated `docker` command runs against.
public struct DockerEnvironment: Sendable {
  public var store: ImageStore
  /// The embedded registry: `docker.io`.
  public var registry: (any RegistrySource)?
  /// The registries other than `docker.io` that push, pull and login may reach; none unless
  /// the session was given some.
  public var registryAccess: RegistryAccess = .offline
  /// The virtual clock's time for this command.
  public var now: Date
  /// Reads standard input to its end, or returns `nil` when it is closed; read only by
  /// the commands that need it.
  public var standardInput: @Sendable () -> String?
  /// Maps a path the user wrote to its host path, the sandbox shell's way.
  ///
  /// It gives `nil` when the path leads outside the sandbox. Without it, paths are confined to
  /// the working directory.
  public var resolvePath: (@Sendable (String) -> String?)?
  /// Standard input as bytes, for `docker load` reading an archive.
  public var standardInputBytes: @Sendable () -> [UInt8]? = { nil }
  /// Whether standard output is a terminal: pull then redraws its progress in place.
  public var isTerminal: Bool
  /// The directory relative paths (a build context, `save -o`) start from.
  public var workingDirectory: String
  /// Variables set for the command (`DOCKER_BUILDKIT=0 docker build …`).
  public var variables: [String: String] = [:]
  /// Runs a container's program over its files; the sandbox shell provides it.
  public var containerRunner: ContainerRunner = { request in
    ContainerOutcome(
      output: .failure("layerlab: containers need the sandbox shell"), startError: nil)
  }
  /// Set by the shell when it can take the learner into a container: then
  /// `docker run -it IMAGE sh` opens the container's shell instead of running it to its end.
  public var attachment: ContainerAttachment?
  /// The shell's current directory, as the sandbox names it: relative `-v` sources start here.
  public var sandboxDirectory = "/home/learner"
  /// Whether commands may only look: an exercise's check reads the learner's images and must
  /// never change them.
  public var isReadOnly = false
  /// Runs `RUN` instructions over an image's files; the sandbox shell provides it.
  public var runExecutor: RunExecutor = { request in
    let program = request.command.last?.split(separator: " ").first.map(String.init) ?? ""
    return RunOutcome(output: ["/bin/sh: 1: \(program): not found"], status: 127)
  }

  public init(
    store: ImageStore, registry: (any RegistrySource)?, now: Date,
    standardInput: @escaping @Sendable () -> String? = { nil },
    isTerminal: Bool = false, workingDirectory: String = FileManager.default.currentDirectoryPath
  ) {
    self.store = store
    self.registry = registry
    self.now = now
    self.standardInput = standardInput
    self.isTerminal = isTerminal
    self.workingDirectory = workingDirectory
  }
}

/// The `docker` command line of the image toolkit, with Docker's flags, output and errors.
public struct Docker: Sendable {
  public let environment: DockerEnvironment

  /// The Docker CLI and Engine version this toolkit imitates.
  public static let version = "27.5.1"

  public init(environment: DockerEnvironment) { self.environment = environment }

  /// Runs `docker ARGUMENTS…` (without the leading `docker`).
  public func run(_ arguments: [String]) -> CommandOutput {
    var rest = arguments[...]
    while let first = rest.first, first.hasPrefix("-") {
      switch first {
      case "-v", "--version":
        return CommandOutput(stdout: "Docker version \(Self.version), build 9f9e405\n")
      case "-h", "--help":
        return CommandOutput(stdout: Self.rootHelp)
      case "-D", "--debug":
        rest.removeFirst()
      default:
        return .failure("unknown flag: \(first)\nSee 'docker --help'.", status: 125)
      }
    }
    guard let name = rest.first else { return CommandOutput(stdout: Self.rootHelp) }
    rest.removeFirst()
    if name == "help" {
      if let topic = rest.first, let command = Self.command(named: [topic]) {
        return CommandOutput(stdout: command.help)
      }
      return CommandOutput(stdout: Self.rootHelp)
    }
    var path = [name]
    if Self.groups.contains(name) {
      guard let sub = rest.first, !sub.hasPrefix("-") else {
        if name == "image" { return CommandOutput(stdout: Self.imageHelp) }
        return unsupported(path)
      }
      path.append(sub)
      rest.removeFirst()
    }
    guard let command = Self.command(named: path) else {
      if Self.groups.contains(name) {
        if name == "image" {
          return .failure(
            "docker: unknown command: docker image \(path[1])\n\nRun 'docker image --help' for more information"
          )
        }
        return unsupported(path)
      }
      if Self.otherDockerCommands.contains(name) { return unsupported(path) }
      return .failure("docker: '\(name)' is not a docker command.\nSee 'docker --help'")
    }
    let invokedAs = "docker " + path.joined(separator: " ")
    if environment.isReadOnly && command.changesImages {
      return .failure(
        "\(invokedAs): this check only looks at your images; it may not change them")
    }
    if !command.parsesFlags { return command.run(self, ParsedFlags()) }
    let flags: ParsedFlags
    do {
      flags = try parseFlags(
        Array(rest), specs: command.flags + [helpFlag], interspersed: command.interspersed)
    } catch {
      return .failure("\(error.message)\nSee '\(invokedAs) --help'.", status: 125)
    }
    if flags.bool("help") { return CommandOutput(stdout: command.help(invokedAs: invokedAs)) }
    if let problem = command.arguments.check(flags.arguments.count, invokedAs: invokedAs) {
      return .failure(
        problem + "\n\nUsage:  \(command.usage(invokedAs: invokedAs))\n\n\(command.summary)")
    }
    let result = command.run(self, flags)
    // Only commands that write walk the store: `docker images` in a loop stays a read.
    if command.writesStore && !environment.isReadOnly {
      environment.store.stampNewEntries(at: environment.now)
    }
    return result
  }

  /// Whether `docker ARGUMENTS…` names a command of the toolkit (or no command at all).
  public static func isToolkitCommand(_ arguments: [String]) -> Bool {
    let words = arguments.drop { $0.hasPrefix("-") }
    guard let name = words.first else { return true }
    if ["help", "version"].contains(name) { return true }
    var path = [name]
    if groups.contains(name) {
      guard let sub = words.dropFirst().first, !sub.hasPrefix("-") else { return name == "image" }
      path.append(sub)
    }
    if name == "cp" || path == ["container", "cp"] { return true }
    return command(named: path) != nil
  }

  /// Whether `docker ARGUMENTS…` would change the store: a check that runs it is broken.
  public static func changesStore(_ arguments: [String]) -> Bool {
    let words = arguments.drop { $0.hasPrefix("-") }
    guard let name = words.first else { return false }
    var path = [name]
    if groups.contains(name), let sub = words.dropFirst().first { path.append(sub) }
    return command(named: path)?.changesImages ?? false
  }

  private func unsupported(_ path: [String]) -> CommandOutput {
    .failure(
      "docker \(path.joined(separator: " ")): not part of the LayerLab toolkit, which works "
        + "with images (pull, push, login, logout, build, tag, inspect, image ls, history, rmi, "
        + "save, load, image prune) and containers (run, create, start, stop, kill, restart, ps, logs, exec, cp, rm, "
        + "diff, commit, container prune), and system prune")
  }

  private var helpFlag: FlagSpec { FlagSpec("help", nil, .bool, "Print usage") }

  // MARK: - Shared helpers

  /// Docker's `Error response from daemon: …` failure for an error from the store.
  func daemonError(_ error: any Error) -> CommandOutput {
    .failure("Error response from daemon: \(error)")
  }

  /// The answer when the sandbox was made without a registry to pull from.
  static let missingRegistry = CommandOutput.failure(
    "layerlab: this sandbox has no registry to pull from")
}
