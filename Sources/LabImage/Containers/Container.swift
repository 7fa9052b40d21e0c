import Foundation
import LabJSON

/// A container: a writable layer on an image, its configuration and its state.
///
/// It is kept as Docker keeps it, in `containers/<id>/config.v2.json` and `hostconfig.json`,
/// with its layers in `overlay2/<mount ID>-init` and `overlay2/<mount ID>`.
public struct Container: Equatable, Sendable {
  public enum Status: String, Sendable {
    case created, running, exited
  }

  /// 64 hex digits.
  public var id: String
  /// The name without Docker's leading `/`.
  public var name: String
  public var image: Digest
  public var created: Date
  /// The program and its arguments: the entrypoint and command, merged.
  public var path: String
  public var args: [String]
  /// Docker's container `Config` (Hostname, Env, Cmd, Image, WorkingDir…).
  public var config: JSONValue
  /// Docker's `HostConfig` (AutoRemove, PortBindings, Binds…).
  public var hostConfig: JSONValue
  public var status: Status = .created
  public var exitCode: Int32 = 0
  /// Why it could not start, as Docker records it in `State.Error`.
  public var error = ""
  public var startedAt: Date?
  public var finishedAt: Date?
  /// The overlay2 directory of its writable layer (`<mount ID>-init` is below it).
  public var mountID: String
  public var restartCount = 0

  public init(
    id: String, name: String, image: Digest, created: Date, path: String,
    args: [String], config: JSONValue, hostConfig: JSONValue, mountID: String
  ) {
    self.id = id
    self.name = name
    self.image = image
    self.created = created
    self.path = path
    self.args = args
    self.config = config
    self.hostConfig = hostConfig
    self.mountID = mountID
  }

  public var shortID: String { String(id.prefix(12)) }
  /// The image as `run` was given it (`alpine`), which `docker ps` shows: Docker keeps it in
  /// `Config.Image`.
  public var imageName: String { config["Image"]?.stringValue ?? image.shortID }
  public var isRunning: Bool { status == .running }
  public var autoRemove: Bool { hostConfig["AutoRemove"]?.boolValue ?? false }

  /// The sandbox folders bound into the container (`-v ./site:/usr/share/nginx/html:ro`), as
  /// `HostConfig.Binds` keeps them.
  public var binds: [(source: String, target: String, isReadOnly: Bool)] {
    (hostConfig["Binds"]?.arrayValue ?? []).compactMap(\.stringValue).compactMap { spec in
      let parts = spec.split(separator: ":").map(String.init)
      guard parts.count >= 2 else { return nil }
      return (parts[0], parts[1], parts.count > 2 && parts[2] == "ro")
    }
  }

  /// Go's zero time, which Docker writes for a time that has not happened.
  public static let zeroTime = "0001-01-01T00:00:00Z"

  static func time(_ date: Date?) -> JSONValue {
    .string(date.map(formatRFC3339Nano) ?? zeroTime)
  }

  /// Docker's `State` object.
  public var stateJSON: JSONValue {
    .object([
      ("Status", .string(status.rawValue)), ("Running", .bool(isRunning)),
      ("Paused", .bool(false)), ("Restarting", .bool(false)), ("OOMKilled", .bool(false)),
      ("Dead", .bool(false)), ("Pid", .int(isRunning ? pid : 0)), ("ExitCode", .int(exitCode)),
      ("Error", .string(error)), ("StartedAt", Self.time(startedAt)),
      ("FinishedAt", Self.time(finishedAt)),
    ])
  }

  /// A process ID for a running container, the same on every machine.
  public var pid: Int {
    Int(id.prefix(4), radix: 16).map { 1000 + $0 % 30000 } ?? 1000
  }

  /// `config.v2.json`, in the order the daemon writes it.
  public func configV2(root: String) -> JSONValue {
    let directory = "\(root)/containers/\(id)"
    return .object([
      ("StreamConfig", .object([])),
      (
        "State",
        .object([
          ("Running", .bool(isRunning)), ("Paused", .bool(false)), ("Restarting", .bool(false)),
          ("OOMKilled", .bool(false)), ("RemovalInProgress", .bool(false)), ("Dead", .bool(false)),
          ("Pid", .int(isRunning ? pid : 0)), ("ExitCode", .int(exitCode)),
          ("Error", .string(error)), ("StartedAt", Self.time(startedAt)),
          ("FinishedAt", Self.time(finishedAt)), ("Health", .null),
        ])
      ),
      ("ID", .string(id)), ("Created", .string(formatRFC3339Nano(created))),
      ("Managed", .bool(false)), ("Path", .string(path)),
      ("Args", .array(args.map(JSONValue.string))),
      ("Config", config), ("Image", .string(image.description)),
      ("ImageManifest", .null), ("NetworkSettings", .object([])),
      ("LogPath", .string("\(directory)/\(id)-json.log")), ("Name", .string("/" + name)),
      ("Driver", .string("overlay2")), ("OS", .string("linux")),
      ("RestartCount", .int(restartCount)), ("HasBeenStartedBefore", .bool(startedAt != nil)),
      ("HasBeenManuallyStopped", .bool(false)), ("MountPoints", .object([])),
      ("SecretReferences", .null), ("ConfigReferences", .null), ("MountLabel", .string("")),
      ("ProcessLabel", .string("")), ("AppArmorProfile", .string("")),
      ("SeccompProfile", .string("")), ("NoNewPrivileges", .bool(false)),
      ("HostnamePath", .string("\(directory)/hostname")),
      ("HostsPath", .string("\(directory)/hosts")), ("ShmPath", .string("")),
      ("ResolvConfPath", .string("\(directory)/resolv.conf")),
      ("LocalLogCacheMeta", .object([("HaveNotifyEnabled", .bool(false))])),
    ])
  }

  /// Reads a container back from its `config.v2.json`, `hostconfig.json` and the mount ID
  /// the layer store keeps for it.
  public init(configV2 json: JSONValue, hostConfig: JSONValue, mountID: String) throws {
    func text(_ value: JSONValue?, _ what: String) throws -> String {
      guard let text = value?.stringValue else {
        throw ImageError.corruptStore("a container's \(what) is missing")
      }
      return text
    }
    let id = try text(json["ID"], "ID")
    guard id.count == 64, id.allSatisfy(\.isHexDigit) else {
      throw ImageError.corruptStore("a container's ID is not 64 hex digits")
    }
    self.id = id
    name = String(try text(json["Name"], "name").drop { $0 == "/" })
    image = try Digest(try text(json["Image"], "image"))
    self.mountID = mountID
    created =
      parseRFC3339(try text(json["Created"], "creation time"))
      ?? Date(
        timeIntervalSince1970: 0)
    path = json["Path"]?.stringValue ?? ""
    args = (json["Args"]?.arrayValue ?? []).compactMap(\.stringValue)
    config = json["Config"] ?? .object([])
    self.hostConfig = hostConfig
    let state = json["State"]
    let running = state?["Running"]?.boolValue ?? false
    exitCode = Int32(clamping: state?["ExitCode"]?.intValue ?? 0)
    error = state?["Error"]?.stringValue ?? ""
    func date(_ key: String) -> Date? {
      guard let text = state?[key]?.stringValue, text != Self.zeroTime else { return nil }
      return parseRFC3339(text)
    }
    startedAt = date("StartedAt")
    finishedAt = date("FinishedAt")
    status = running ? .running : startedAt == nil ? .created : .exited
    restartCount = Int(json["RestartCount"]?.intValue ?? 0)
  }
}
