import ArgumentParser
import Foundation
import LabDocker
import LabImage
import LabShell

/// Where the store is and what time it is: shared by every command that runs the toolkit.
struct StoreOptions: ParsableArguments {
  @Option(
    help: "The store directory (default: $LAYERLAB_STORE, else under the user's data directory).")
  var store: String?

  @Option(help: "Set the virtual clock: RFC 3339 time or Unix seconds (default: $LAYERLAB_NOW).")
  var now: String?

  func validate() throws {
    if let text = now ?? environment["LAYERLAB_NOW"], VirtualClock.parse(text) == nil {
      throw ValidationError(
        "'\(text)' is not a time: use RFC 3339 (2024-09-01T12:00:00Z) or Unix seconds, in the years 1 to 9999"
      )
    }
  }

  private var environment: [String: String] { ProcessInfo.processInfo.environment }

  /// The store root, made absolute.
  var storeRoot: String {
    if let store { return absolute(store) }
    if let path = environment["LAYERLAB_STORE"], !path.isEmpty { return absolute(path) }
    let data =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
    return "\(data)/layerlab/store"
  }

  func imageStore() throws -> ImageStore {
    let store = ImageStore(root: storeRoot)
    try store.initialize()
    return store
  }

  /// The clock for the next command: the store's, unless a time was given.
  func clock(for store: ImageStore) -> VirtualClock {
    if let text = now ?? environment["LAYERLAB_NOW"], let date = VirtualClock.parse(text) {
      return VirtualClock(now: date)
    }
    return store.clock()
  }

  private func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  }
}

/// Runs commands in the sandbox with the store's clock, advancing it once per command.
struct SandboxSession {
  let store: ImageStore
  var clock: VirtualClock
  let registry: EmbeddedRegistry?
  let workingDirectory: String

  init(options: StoreOptions, workingDirectory: String) throws {
    store = try options.imageStore()
    clock = options.clock(for: store)
    registry = EmbeddedRegistry.locate()
    self.workingDirectory = workingDirectory
  }

  /// Runs one command line (one word) or one command given as words.
  mutating func run(
    _ words: [String], standardInput: @escaping @Sendable () -> String?, isTerminal: Bool
  ) throws -> CommandResult {
    var sandbox = Sandbox(
      environment: DockerEnvironment(
        store: store, registry: registry, now: clock.now, standardInput: standardInput,
        isTerminal: isTerminal, workingDirectory: workingDirectory))
    let result =
      words.count == 1 ? sandbox.run(commandLine: words[0]) : sandbox.run(arguments: words)
    clock.catchUp(to: sandbox.shell.docker.now)
    clock.advance()
    try store.saveClock(clock)
    return result
  }
}

/// Writes text to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data(text.utf8))
}

/// Writes what a command printed to the two streams, in the order it was written.
func emit(_ result: CommandResult) {
  if let binary = result.binaryOutput {
    FileHandle.standardOutput.write(Data(binary))
    printError(result.stderr)
    return
  }
  for chunk in result.chunks {
    if chunk.isError { printError(chunk.text) } else { printOut(chunk.text) }
  }
}

/// Writes text to standard output without adding a newline.
func printOut(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}
