import ArgumentParser
import Foundation
import LabDocker
import LabFiles
import LabImage
import LabOutput
import LabRegistryClient
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

  /// The store root, made absolute and clean.
  var storeRoot: String {
    if let store { return Self.absolute(store) }
    if let path = environment["LAYERLAB_STORE"], !path.isEmpty { return Self.absolute(path) }
    return dataDirectory + "/store"
  }

  /// The sandbox's home when no `--workdir` is given: beside the store, never the current
  /// directory, so nothing a command does reaches the user's files.
  var workspaceRoot: String {
    if store != nil || !(environment["LAYERLAB_STORE"] ?? "").isEmpty {
      return PathText.parent(storeRoot) + "/" + PathText.name(storeRoot) + "-workspace"
    }
    return dataDirectory + "/workspace"
  }

  /// LayerLab's folder under the user's data directory.
  var dataDirectory: String { Self.dataDirectory(environment) }

  /// LayerLab's folder under the user's data directory: `$XDG_DATA_HOME/layerlab`, else
  /// `~/.local/share/layerlab`.
  static func dataDirectory(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    let data =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
    return Self.absolute(data) + "/layerlab"
  }

  /// The clock given on the command line or in the environment, if any.
  var givenClock: VirtualClock? {
    guard let text = now ?? environment["LAYERLAB_NOW"], let date = VirtualClock.parse(text) else {
      return nil
    }
    return VirtualClock(now: date)
  }

  /// A session on the store, in the workspace `workdir` (which must exist) or the default one.
  func session(workdir: String? = nil, isTerminal: Bool = false) throws -> SandboxSession {
    let workspace: String
    if let workdir {
      workspace = Self.absolute(workdir)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: workspace, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw BadInput("--workdir \(workdir): no such directory")
      }
    } else {
      workspace = workspaceRoot
    }
    return try SandboxSession(
      store: ImageStore(root: storeRoot), workspace: workspace,
      registry: EmbeddedRegistry.locate(),
      registryAccess: try Self.registryAccess(allowsLoopback: true), clock: givenClock,
      isTerminal: isTerminal,
      standardInput: Self.readStandardInput)
  }

  /// The registries `docker push`, `pull` and `login` may reach: those in
  /// `LAYERLAB_REGISTRIES` and in the `registries` file of LayerLab's data folder, and, for
  /// commands the user types, registries on this machine.
  static func registryAccess(allowsLoopback: Bool) throws -> RegistryAccess {
    let environment = ProcessInfo.processInfo.environment
    do {
      let registries = try RegistryAccess.configuredRegistries(
        variable: environment["LAYERLAB_REGISTRIES"],
        file: dataDirectory(environment) + "/registries")
      return RegistryAccess(registries: registries, allowsLoopback: allowsLoopback)
    } catch {
      throw BadInput(error.description)
    }
  }

  /// Standard input, read whole when a command asks; a terminal is not read.
  @Sendable static func readStandardInput() -> String? {
    guard isatty(0) == 0 else { return nil }
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
  }

  /// `path` made absolute against the current directory, with `.` and `..` resolved.
  static func absolute(_ path: String) -> String {
    let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return URL(fileURLWithPath: joined).standardizedFileURL.path
  }
}

/// Writes text to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data(text.utf8))
}

/// Writes what a command printed to the two streams, in the order it was written.
func emit(_ result: CommandOutput) {
  for chunk in result.chunks {
    (chunk.isError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(chunk.bytes))
  }
}

/// Writes text to standard output without adding a newline.
func printOut(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}
