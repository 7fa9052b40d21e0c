import Foundation
import LabImage
import LabJSON
import LabOutput
import Synchronization

/// What a container's program runs with: its command, environment and files.
public struct ContainerRequest: Sendable {
  /// The program and its arguments (the entrypoint and command, merged).
  public var command: [String]
  /// `NAME=value` pairs: the image's `Env` with `run -e` over it.
  public var environment: [String]
  public var workingDirectory: String
  public var user: String
  public var hostname: String
  /// The container's read-only layers, top first (its init layer, then the image's).
  public var lowerDirectories: [String]
  /// Where its writes go: deletions become `.wh.` files, as overlayfs leaves them.
  public var upperDirectory: String
  /// Files the daemon bind-mounts over the image's (`etc/hostname`, `etc/hosts`…).
  public var boundFiles: [String: [UInt8]]
  /// Standard input, with `-i`.
  public var input: [UInt8]
  public var isTerminal: Bool
  public var now: Date
  /// Sandbox folders bound into the container: its path, the host folder, read-only.
  public var binds: [(path: String, hostDirectory: String, isReadOnly: Bool)] = []
  /// Where the image's package managers find their offline indexes.
  public var registry: (any RegistrySource)?

  public init(
    command: [String], environment: [String], workingDirectory: String, user: String,
    hostname: String, lowerDirectories: [String], upperDirectory: String,
    boundFiles: [String: [UInt8]], input: [UInt8], isTerminal: Bool, now: Date
  ) {
    self.command = command
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.user = user
    self.hostname = hostname
    self.lowerDirectories = lowerDirectories
    self.upperDirectory = upperDirectory
    self.boundFiles = boundFiles
    self.input = input
    self.isTerminal = isTerminal
    self.now = now
  }
}

extension ContainerRequest {
  /// What a container's program runs with, from the container as the store keeps it.
  ///
  /// Its environment, directory, user, host name and layers; `command` replaces its own
  /// (`exec`).
  public init(
    container: Container, store: ImageStore, command: [String]? = nil, input: [UInt8] = [],
    isTerminal: Bool, now: Date
  ) throws {
    let config = container.config
    // The program changes the container's layer: its folder's time is stamped after the command.
    StoreJournal.shared.noteWrite(store.upperDirectory(of: container), walk: false)
    self.init(
      command: command ?? [container.path] + container.args,
      environment: (config["Env"]?.arrayValue ?? []).compactMap(\.stringValue),
      workingDirectory: config["WorkingDir"]?.stringValue ?? "",
      user: config["User"]?.stringValue ?? "",
      hostname: config["Hostname"]?.stringValue ?? container.shortID,
      lowerDirectories: try store.lowerDirectories(of: container),
      upperDirectory: store.upperDirectory(of: container),
      boundFiles: store.boundFiles(of: container), input: input, isTerminal: isTerminal, now: now)
  }
}

/// What a container's program did.
public struct ContainerOutcome: Sendable {
  /// Its output, in order, and its exit status.
  public var output: CommandOutput
  /// Set when the program could not start at all: the runtime's reason and Docker's status
  /// (127 for a missing program, 126 for one that cannot run).
  public var startError: (message: String, status: Int32)?
  /// A modelled server that keeps running (`nginx`), with the port it listens on.
  public var server: String?
  /// The clock after the program (it may have slept).
  public var now: Date?

  public init(
    output: CommandOutput, startError: (message: String, status: Int32)?, server: String? = nil,
    now: Date? = nil
  ) {
    self.output = output
    self.startError = startError
    self.server = server
    self.now = now
  }
}

/// Where `docker run -it IMAGE sh` leaves the container it opened, for the shell to enter.
public final class ContainerAttachment: Sendable {
  private let opened = Mutex<(id: String, isExec: Bool, command: [String])?>(nil)

  public init() {}

  /// Records the container whose shell the learner now types into.
  public func open(_ id: String, isExec: Bool, command: [String]) {
    opened.withLock { $0 = (id, isExec, command) }
  }

  /// The container opened, once.
  public func take() -> (id: String, isExec: Bool, command: [String])? {
    opened.withLock { value in
      defer { value = nil }
      return value
    }
  }
}

/// Runs a container's program; the sandbox shell provides one.
public typealias ContainerRunner = @Sendable (ContainerRequest) -> ContainerOutcome
