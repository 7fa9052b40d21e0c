import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLimits
import LabOutput
import LabRegistryClient
import LabUtilities

/// One sandbox over time: its store, registry, workspace, clock and shell.
///
/// This is the only way anything runs a command (`check`, `exec`, `shell`, the tour, the tests):
/// the session hands the shell the clock, runs the command, moves the clock on once (further
/// when the command slept), and keeps it with a persistent store, so the next run goes on from
/// there. Builds get the same clock through their `RUN` requests.
public struct SandboxSession: Sendable {
  public let store: ImageStore
  public let registry: EmbeddedRegistry?
  /// The host directory that is the sandbox's home.
  public let workspace: String
  /// The time the next command runs at.
  public private(set) var clock: VirtualClock
  /// The shell and its state (directory, variables, `sudo -i`), kept between commands.
  public var sandbox: Sandbox
  /// Whether the clock is saved in the store after each command.
  let keepsClock: Bool

  /// - Parameters:
  ///   - store: The store; initialized here if it is new.
  ///   - workspace: The home directory's host directory; created if missing.
  ///   - registry: Where `docker pull` pulls from.
  ///   - registryAccess: The registries besides the embedded one that the session may reach.
  ///   - clock: The starting time; by default the store's saved clock.
  ///   - keepsClock: Whether each command's time is saved in the store.
  ///   - isTerminal: Whether output goes to a terminal.
  ///   - standardInput: Standard input for `docker load` and the like, read on request.
  /// - Throws: When the store or the workspace cannot be created.
  public init(
    store: ImageStore, workspace: String, registry: EmbeddedRegistry?,
    registryAccess: RegistryAccess = .offline, clock: VirtualClock? = nil, keepsClock: Bool = true,
    isTerminal: Bool = false,
    standardInput: (@Sendable () -> String?)? = nil
  ) throws {
    try store.initialize()
    try HostPaths.createDirectories(workspace)
    self.store = store
    self.registry = registry
    self.workspace = workspace
    self.keepsClock = keepsClock
    let start = clock ?? store.clock()
    self.clock = start
    var environment = DockerEnvironment(
      store: store, registry: registry, now: start.now, standardInput: standardInput ?? { nil },
      isTerminal: isTerminal, workingDirectory: workspace)
    environment.registryAccess = registryAccess
    sandbox = Sandbox(environment: environment)
  }

  /// A session over the same store and workspace that may only look.
  private init(lookingAt session: SandboxSession, scratch: String) throws {
    let upper = scratch + "/workspace"
    let temporary = scratch + "/tmp"
    for directory in [upper, temporary] {
      try HostPaths.createDirectories(directory)
    }
    store = session.store
    registry = session.registry
    workspace = session.workspace
    keepsClock = false
    clock = session.clock
    var environment = session.sandbox.shell.docker
    environment.isReadOnly = true
    environment.now = clock.now
    let fileSystem = VirtualFileSystem(
      storeRoot: store.root, workspace: workspace, upper: upper, temporary: temporary)
    sandbox = Sandbox(
      environment: environment, fileSystem: fileSystem,
      quota: DiskQuota(bytes: Self.viewQuotaBytes))
    sandbox.timeout = session.sandbox.timeout
    sandbox.interruption = session.sandbox.interruption
  }

  /// What a look-only view may write: its own scratch files, never the learner's.
  static let viewQuotaBytes: Int64 = 256 << 20

  /// Runs `body` in a look-only view of this session, as an exercise's check runs.
  ///
  /// The view has the same images, read-only; the same workspace under a copy-on-write layer
  /// that is thrown away after; its own `/tmp`; the same time. Nothing `body` runs changes what
  /// the learner built.
  public func lookingOnly<T>(_ body: (inout SandboxSession) -> T) throws -> T {
    let scratch = try ScratchDirectory.makeThrowaway("check-view", room: Self.viewQuotaBytes)
    defer { ScratchDirectory.remove(scratch) }
    var view = try SandboxSession(lookingAt: self, scratch: scratch)
    return body(&view)
  }

  /// Runs one command line with the whole shell language.
  public mutating func run(_ commandLine: String, input: [UInt8] = []) -> CommandOutput {
    step { $0.run(commandLine: commandLine, input: input) }
  }

  /// Runs a command given as words, with no further splitting or expansion.
  public mutating func run(arguments: [String], input: [UInt8] = []) -> CommandOutput {
    step { $0.run(arguments: arguments, input: input) }
  }

  /// Sets the clock, as `<!-- layerlab: clock … -->` does.
  public mutating func setClock(_ date: Date) {
    clock = VirtualClock(now: date)
  }

  /// Writes a lesson's file into the workspace at the clock's time; returns why it could not.
  public mutating func writeFile(_ path: String, content: String, appending: Bool = false)
    -> String?
  {
    var fileSystem = sandbox.shell.fileSystem
    fileSystem.now = clock.now
    // A relative path is the shell's: after `cd hello`, `app.py` is `~/hello/app.py`.
    let directory = sandbox.shell.directory
    let target = path.hasPrefix("/") ? path : (directory == "/" ? "" : directory) + "/" + path
    do {
      try fileSystem.makeDirectory(PathText.parent(target), from: "/", parents: true)
      var bytes = Array(content.utf8)
      if appending, let earlier = try? fileSystem.read(target, from: "/") {
        bytes = earlier + (earlier.last == 10 || earlier.isEmpty ? [] : [10]) + bytes
      }
      try fileSystem.write(bytes, to: target, from: "/")
      try fileSystem.touch(target, from: "/", at: clock.now)
      return nil
    } catch {
      return "cannot write \(path): \(error)"
    }
  }

  private mutating func step(_ body: (inout Sandbox) -> CommandOutput) -> CommandOutput {
    sandbox.shell.docker.now = clock.now
    let result = body(&sandbox)
    clock.catchUp(to: sandbox.shell.docker.now)
    clock.advance()
    // A full disk must not stop what only reads: the clock is then a second behind next time.
    if keepsClock { try? store.saveClock(clock) }
    return result
  }
}
