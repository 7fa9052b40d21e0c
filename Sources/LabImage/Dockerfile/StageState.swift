import Foundation
import LabJSON

/// The `config` object of an image config, kept in Docker's field order.
struct ContainerSettings {
  static let order = [
    "User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels",
    "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell",
  ]

  var values: [String: JSONValue] = [:]

  init(_ json: JSONValue?) {
    for (key, value) in json?.objectValue ?? [] where value != .null { values[key] = value }
  }

  subscript(key: String) -> JSONValue? {
    get { values[key] }
    set { values[key] = newValue }
  }

  var environment: [String] { values["Env"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

  var environmentMap: [String: String] {
    var map: [String: String] = [:]
    for item in environment {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      map[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return map
  }

  mutating func setEnvironment(_ name: String, _ value: String) {
    var list = environment
    if let index = list.firstIndex(where: { $0.hasPrefix(name + "=") || $0 == name }) {
      list[index] = "\(name)=\(value)"
    } else {
      list.append("\(name)=\(value)")
    }
    values["Env"] = .array(list.map(JSONValue.string))
  }

  mutating func setLabel(_ key: String, _ value: String) {
    var labels = values["Labels"]?.objectValue ?? []
    labels.removeAll { $0.0 == key }
    labels.append((key, .string(value)))
    values["Labels"] = .object(labels.sorted { $0.0 < $1.0 })
  }

  mutating func addToSet(_ key: String, _ item: String) {
    var members = values[key]?.objectValue ?? []
    if !members.contains(where: { $0.0 == item }) { members.append((item, .object([]))) }
    values[key] = .object(members.sorted { $0.0 < $1.0 })
  }

  /// The object as BuildKit writes it: set fields only, in order.
  var ociJSON: JSONValue {
    .object(Self.order.compactMap { key in values[key].map { (key, $0) } })
  }

  /// The full `container.Config` the legacy builder writes.
  func containerJSON(image: String, cmd: JSONValue? = nil) -> JSONValue {
    .object(
      ContainerConfig.fields(
        user: values["User"]?.stringValue ?? "", exposedPorts: values["ExposedPorts"],
        env: values["Env"] ?? .null, cmd: cmd ?? values["Cmd"] ?? .null, image: .string(image),
        volumes: values["Volumes"] ?? .null, workingDir: values["WorkingDir"]?.stringValue ?? "",
        entrypoint: values["Entrypoint"] ?? .null, labels: values["Labels"] ?? .null,
        stopSignal: values["StopSignal"]?.stringValue,
        argsEscaped: values["ArgsEscaped"]?.boolValue,
        healthcheck: values["Healthcheck"], onBuild: values["OnBuild"] ?? .null,
        shell: values["Shell"]))
  }
}

/// A stage as far as the build has taken it.
struct StageState {
  var architecture = "amd64"
  var os = "linux"
  var variant: String?
  var author: String?
  var config: ContainerSettings
  var history: [JSONValue] = []
  var diffIDs: [Digest] = []
  /// The image this state is stored as (legacy builds), or the base image.
  var imageID: Digest?
  /// The legacy build container of the last step.
  var container: String?
  var arguments: [String: String] = [:]
  var baseKey = "scratch"
  var stageKey = ""
  /// The cache key of the last step, which every later key builds on.
  var lastStepKey = ""
  var fromVertex: BuildVertex?
  var pullLines: [String] = []
  /// The legacy builder's `container_config` Cmd of the last step.
  var lastCommand: [String] = []
  var commandWasSet = false

  init(platform: Platform) {
    architecture = platform.architecture
    os = platform.os
    variant = platform.variant
    config = ContainerSettings(nil)
  }

  init(baseConfig: JSONValue) {
    architecture = baseConfig["architecture"]?.stringValue ?? "amd64"
    os = baseConfig["os"]?.stringValue ?? "linux"
    variant = baseConfig["variant"]?.stringValue
    author = baseConfig["author"]?.stringValue
    config = ContainerSettings(baseConfig["config"])
    history = baseConfig["history"]?.arrayValue ?? []
    diffIDs = (baseConfig["rootfs"]?["diff_ids"]?.arrayValue ?? []).compactMap {
      $0.stringValue.flatMap { try? Digest($0) }
    }
  }

  var chainIDs: [Digest] { LabImage.chainIDs(of: diffIDs) }

  /// Takes over a cached legacy image as the current state.
  mutating func adopt(_ image: StoredImage) {
    config = ContainerSettings(image.config["config"])
    history = image.config["history"]?.arrayValue ?? []
    diffIDs = image.diffIDs
    imageID = image.id
  }

  mutating func appendHistory(_ createdBy: String, created: String, emptyLayer: Bool, legacy: Bool)
  {
    var members: [(String, JSONValue)] = [
      ("created", .string(created)), ("created_by", .string(createdBy)),
    ]
    if !legacy { members.append(("comment", .string("buildkit.dockerfile.v0"))) }
    if emptyLayer { members.append(("empty_layer", .bool(true))) }
    history.append(.object(members))
  }

  /// The image config as the exporter writes it: top-level keys sorted.
  func imageConfigBytes(legacy: Bool, created: String, parent: Digest? = nil) -> [UInt8] {
    let last = history.last?["created"]?.stringValue ?? created
    var top: [(String, JSONValue)] = [
      ("architecture", .string(architecture)),
      ("created", .string(legacy ? created : last)),
      ("history", .array(history)),
      ("os", .string(os)),
      (
        "rootfs",
        .object([
          ("type", .string("layers")),
          ("diff_ids", .array(diffIDs.map { .string($0.description) })),
        ])
      ),
    ]
    if let author { top.append(("author", .string(author))) }
    if let variant { top.append(("variant", .string(variant))) }
    if legacy {
      top.append(("config", config.containerJSON(image: parent?.description ?? "")))
      top.append(("container", .string(container ?? "")))
      top.append(
        (
          "container_config",
          config.containerJSON(
            image: parent?.description ?? "", cmd: .array(lastCommand.map(JSONValue.string)))
        ))
      top.append(("docker_version", .string("27.5.1")))
    } else {
      top.append(("config", config.ociJSON))
    }
    return Array(JSONValue.object(top.sorted { $0.0 < $1.0 }).compact().utf8)
  }
}
