import Foundation
import LabArchive
import LabFiles
import LabJSON

/// Turns the recipes in `sandbox/recipes` into the embedded registry's OCI layouts.
///
/// Generation is reproducible: tar entries are sorted with fixed owners and times, gzip headers
/// carry no timestamp, and JSON is printed in a fixed key order, so regenerating gives
/// byte-identical blobs.
public struct RegistryGenerator {
  public let recipesDirectory: String
  public let outputDirectory: String

  public init(recipesDirectory: String, outputDirectory: String) {
    self.recipesDirectory = recipesDirectory
    self.outputDirectory = outputDirectory
  }

  /// One generated tag, for the summary the generator prints.
  public struct Generated: Sendable {
    public var reference: String
    public var indexDigest: Digest
    public var layers: Int
  }

  /// A layer ready to publish: its compressed blob and the digest of its uncompressed tar.
  struct BuiltLayer {
    var blob: [UInt8]
    var diffID: Digest
  }

  struct HistoryRecord {
    var created: String
    var createdBy: String
    var comment: String?
    var emptyLayer: Bool
  }

  /// An image as far as one recipe takes it: inherited plus its own layers and history.
  struct Stack {
    var layers: [BuiltLayer]
    var history: [HistoryRecord]
  }

  /// Loads every recipe, builds every image, and writes one layout per repository.
  public func generate() throws -> [Generated] {
    let recipes = try loadRecipes()
    var byName: [String: (file: String, recipe: Recipe)] = [:]
    for (file, recipe) in recipes {
      let short =
        recipe.repository.hasPrefix("library/")
        ? String(recipe.repository.dropFirst(8)) : recipe.repository
      for tag in recipe.tags { byName["\(short):\(tag)"] = (file, recipe) }
    }
    var stacks: [String: Stack] = [:]
    var layouts: [String: [Descriptor]] = [:]
    var generated: [Generated] = []
    for (file, recipe) in recipes {
      let stack = try self.stack(
        for: recipe, file: file, byName: byName, cache: &stacks, visiting: [])
      let layout = OCILayout(root: "\(outputDirectory)/\(recipe.repository)")
      let index = try publish(recipe, file: file, stack: stack, to: layout)
      for tag in recipe.tags {
        var descriptor = index
        descriptor.annotations = [(refNameAnnotation, tag)]
        layouts[recipe.repository, default: []].append(descriptor)
        generated.append(
          Generated(
            reference: "\(recipe.repository):\(tag)", indexDigest: index.digest,
            layers: stack.layers.count))
      }
    }
    for (repository, manifests) in layouts {
      try OCILayout(root: "\(outputDirectory)/\(repository)").writeIndex(manifests)
    }
    return generated.sorted { $0.reference < $1.reference }
  }

  func loadRecipes() throws -> [(String, Recipe)] {
    let names = try FileManager.default.contentsOfDirectory(atPath: recipesDirectory)
      .filter { $0.hasSuffix(".json") }.sorted()
    return try names.map { name in
      let path = "\(recipesDirectory)/\(name)"
      do {
        let recipe = try JSONDecoder().decode(Recipe.self, from: Data(try readFile(path)))
        return (path, recipe)
      } catch let error as DecodingError {
        throw ImageError.invalidRecipe(file: path, reason: describe(error))
      }
    }
  }

  private func stack(
    for recipe: Recipe, file: String, byName: [String: (file: String, recipe: Recipe)],
    cache: inout [String: Stack], visiting: Set<String>
  ) throws -> Stack {
    if let cached = cache[recipe.name] { return cached }
    guard !visiting.contains(recipe.name) else {
      throw ImageError.invalidRecipe(
        file: file, reason: "recipes inherit from each other in a loop")
    }
    var stack = Stack(layers: [], history: [])
    if let base = recipe.from {
      guard let parent = byName[base] else {
        throw ImageError.invalidRecipe(file: file, reason: "no recipe for base image \(base)")
      }
      stack = try self.stack(
        for: parent.recipe, file: parent.file, byName: byName, cache: &cache,
        visiting: visiting.union([recipe.name]))
      // Reproducible builds clamp inherited times to the new image's epoch.
      for index in stack.history.indices where stack.history[index].created > recipe.created {
        stack.history[index].created = recipe.created
      }
    }
    for step in recipe.history {
      let created = step.created ?? recipe.created
      let comment = step.comment ?? (recipe.builder == "buildkit" ? "buildkit.dockerfile.v0" : nil)
      var createdBy = step.createdBy
      if let layer = step.layer {
        let built = try build(layer, created: created, file: file)
        stack.layers.append(built)
        // A miniature's `ADD file:<hash>` names the content it really added.
        createdBy = createdBy.replacingOccurrences(of: "${diffID}", with: built.diffID.hex)
      }
      stack.history.append(
        HistoryRecord(
          created: created, createdBy: createdBy, comment: comment,
          emptyLayer: step.layer == nil))
    }
    cache[recipe.name] = stack
    return stack
  }

  // MARK: - Layers

  private func build(_ spec: Recipe.LayerSpec, created: String, file: String) throws -> BuiltLayer {
    guard let time = parseRFC3339(created) else {
      throw ImageError.invalidRecipe(file: file, reason: "created time \(created) is not RFC 3339")
    }
    let mtime = Int64(time.timeIntervalSince1970)
    var entries: [String: TarEntry] = [:]
    // The fill file's own mode: it has no content to add, so no entry carries it until the end.
    var fill: (path: String, mode: UInt32?)?
    for item in spec.files {
      let path = item.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
      let mode = item.mode.flatMap { UInt32($0, radix: 8) }
      func add(_ path: String, _ kind: TarEntry.Kind, _ mode: UInt32?) {
        var parent = PathText.parent(path)
        while !parent.isEmpty, entries[parent] == nil {
          entries[parent] = TarEntry(path: parent, kind: .directory, modificationTime: mtime)
          parent = PathText.parent(parent)
        }
        entries[path] = TarEntry(
          path: path, kind: kind, mode: mode, modificationTime: mtime, uid: item.uid ?? 0,
          gid: item.gid ?? 0)
      }
      if let dirs = item.dirs {
        for name in dirs {
          add(path.isEmpty ? name : "\(path)/\(name)", .directory, nil)
        }
        continue
      }
      if item.fill == true { fill = (path, mode) }
      if item.dir == true {
        add(path, .directory, mode)
      } else if let target = item.symlink {
        add(path, .symlink(target: target), mode)
      } else if let target = item.hardlink {
        add(path, .hardlink(target: target), mode)
      } else if let zeros = item.zeros {
        add(path, .sparseFile(size: zeros), mode)
      } else if let source = item.source {
        add(path, .file(try readFile("\(recipesDirectory)/files/\(source)")), mode)
      } else if let text = item.text {
        add(path, .file(Array(text.utf8)), mode)
      } else if item.fill != true {
        throw ImageError.invalidRecipe(file: file, reason: "file \(item.path) has no content")
      }
    }
    if let fill {
      let fillPath = fill.path
      let used = entries.values.reduce(Int64(0)) { total, entry in
        if case .symlink(let target) = entry.kind { return total + Int64(target.utf8.count) }
        return total + entry.size
      }
      guard let size = spec.size, size >= used else {
        throw ImageError.invalidRecipe(
          file: file, reason: "layer size must be given and at least \(used) to fill \(fillPath)")
      }
      let mode = fill.mode ?? entries[fillPath]?.mode ?? 0o644
      entries[fillPath] = TarEntry(
        path: fillPath, kind: .sparseFile(size: size - used), mode: mode, modificationTime: mtime)
    }
    let writer = try TarWriter()
    for path in entries.keys.sorted() {
      if let entry = entries[path] { try writer.append(entry) }
    }
    let tar = try writer.finish()
    return BuiltLayer(blob: try Gzip.compress(tar), diffID: Digest.of(tar))
  }

  // MARK: - Publishing

  private func publish(
    _ recipe: Recipe, file: String, stack: Stack, to layout: OCILayout
  ) throws -> Descriptor {
    var entries: [Descriptor] = []
    var layerDescriptors: [Descriptor] = []
    for layer in stack.layers {
      let digest = try layout.writeBlob(layer.blob)
      layerDescriptors.append(
        Descriptor(mediaType: MediaType.ociLayerGzip, digest: digest, size: Int64(layer.blob.count))
      )
    }
    for platformText in recipe.platforms {
      guard let platform = Platform(parsing: platformText) else {
        throw ImageError.invalidRecipe(file: file, reason: "bad platform \(platformText)")
      }
      let config = configJSON(recipe, stack: stack, platform: platform)
      let configBytes = Array(config.compact().utf8)
      let configDigest = try layout.writeBlob(configBytes)
      let manifest = manifestJSON(
        config: Descriptor(
          mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
        layers: layerDescriptors)
      let manifestBytes = Array(manifest.compact().utf8)
      let manifestDigest = try layout.writeBlob(manifestBytes)
      entries.append(
        Descriptor(
          mediaType: MediaType.ociManifest, digest: manifestDigest,
          size: Int64(manifestBytes.count), platform: platform))
    }
    if recipe.attestations == true {
      for entry in entries {
        entries.append(try attestation(for: entry, recipe: recipe, layout: layout))
      }
    }
    let index = JSONValue.object([
      ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociIndex)),
      ("manifests", .array(entries.map(\.json))),
    ])
    let indexBytes = Array(index.compact().utf8)
    return Descriptor(
      mediaType: MediaType.ociIndex, digest: try layout.writeBlob(indexBytes),
      size: Int64(indexBytes.count))
  }

  private func manifestJSON(config: Descriptor, layers: [Descriptor]) -> JSONValue {
    .object([
      ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociManifest)),
      ("config", config.json), ("layers", .array(layers.map(\.json))),
    ])
  }

  /// The attestation manifest BuildKit adds beside each platform: an in-toto statement.
  private func attestation(
    for entry: Descriptor, recipe: Recipe, layout: OCILayout
  ) throws -> Descriptor {
    let statement = JSONValue.object([
      ("_type", .string("https://in-toto.io/Statement/v0.1")),
      ("predicateType", .string("https://slsa.dev/provenance/v0.2")),
      (
        "subject",
        .array([
          .object([
            ("name", .string("pkg:docker/\(recipe.repository)@\(recipe.tags[0])")),
            ("digest", .object([("sha256", .string(entry.digest.hex))])),
          ])
        ])
      ),
      (
        "predicate",
        .object([
          ("builder", .object([("id", .string(""))])),
          ("buildType", .string("https://mobyproject.org/buildkit@v1")),
        ])
      ),
    ])
    let statementBytes = Array(statement.compact().utf8)
    let statementDigest = try layout.writeBlob(statementBytes)
    let config = JSONValue.object([
      ("architecture", .string("unknown")), ("os", .string("unknown")), ("config", .object([])),
      (
        "rootfs",
        .object([
          ("type", .string("layers")),
          ("diff_ids", .array([.string(statementDigest.description)])),
        ])
      ),
    ])
    let configBytes = Array(config.compact().utf8)
    let configDigest = try layout.writeBlob(configBytes)
    let layer = Descriptor(
      mediaType: MediaType.inToto, digest: statementDigest, size: Int64(statementBytes.count),
      annotations: [("in-toto.io/predicate-type", "https://slsa.dev/provenance/v0.2")])
    let manifest = manifestJSON(
      config: Descriptor(
        mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
      layers: [layer])
    let manifestBytes = Array(manifest.compact().utf8)
    return Descriptor(
      mediaType: MediaType.ociManifest, digest: try layout.writeBlob(manifestBytes),
      size: Int64(manifestBytes.count),
      platform: Platform(os: "unknown", architecture: "unknown"),
      annotations: [
        ("vnd.docker.reference.digest", entry.digest.description),
        ("vnd.docker.reference.type", "attestation-manifest"),
      ])
  }

  /// The image config, keys sorted at the top as the builders' exporters write them.
  func configJSON(_ recipe: Recipe, stack: Stack, platform: Platform) -> JSONValue {
    let fields = recipe.config
    var config: [(String, JSONValue)] = []
    func strings(_ list: [String]?) -> JSONValue? { list.map { .array($0.map(JSONValue.string)) } }
    func set(_ list: [String]?) -> JSONValue? {
      list.map { .object($0.sorted().map { ($0, .object([])) }) }
    }
    if recipe.builder == "classic" {
      config = ContainerConfig.fields(
        user: fields.user ?? "", exposedPorts: set(fields.exposedPorts),
        env: strings(fields.env) ?? .null, cmd: strings(fields.cmd) ?? .null,
        image: .string(""), volumes: set(fields.volumes) ?? .null,
        workingDir: fields.workingDir ?? "", entrypoint: strings(fields.entrypoint) ?? .null,
        labels: fields.labels.map {
          .object($0.sorted { $0.key < $1.key }.map { ($0, .string($1)) })
        }
          ?? .null,
        stopSignal: fields.stopSignal)
    } else {
      let optional: [(String, JSONValue?)] = [
        ("User", fields.user.map(JSONValue.string)),
        ("ExposedPorts", set(fields.exposedPorts)),
        ("Env", strings(fields.env)),
        ("Entrypoint", strings(fields.entrypoint)),
        ("Cmd", strings(fields.cmd)),
        ("Volumes", set(fields.volumes)),
        ("WorkingDir", fields.workingDir.map(JSONValue.string)),
        (
          "Labels",
          fields.labels.map { .object($0.sorted { $0.key < $1.key }.map { ($0, .string($1)) }) }
        ),
        ("StopSignal", fields.stopSignal.map(JSONValue.string)),
        ("ArgsEscaped", fields.argsEscaped.map(JSONValue.bool)),
      ]
      config = optional.compactMap { key, value in value.map { (key, $0) } }
    }
    let history = JSONValue.array(
      stack.history.map { record in
        var members: [(String, JSONValue)] = [
          ("created", .string(record.created)), ("created_by", .string(record.createdBy)),
        ]
        if let comment = record.comment { members.append(("comment", .string(comment))) }
        if record.emptyLayer { members.append(("empty_layer", .bool(true))) }
        return .object(members)
      })
    var top: [(String, JSONValue)] = [
      ("architecture", .string(platform.architecture)),
      ("config", .object(config)),
      ("created", .string(recipe.created)),
      ("history", history),
      ("os", .string(platform.os)),
      (
        "rootfs",
        .object([
          ("type", .string("layers")),
          ("diff_ids", .array(stack.layers.map { .string($0.diffID.description) })),
        ])
      ),
    ]
    if let variant = platform.variant { top.append(("variant", .string(variant))) }
    if recipe.builder == "classic" {
      top.append(("docker_version", .string(recipe.dockerVersion ?? "23.0.11")))
    }
    return JSONValue.object(top).sortedTopLevel
  }
}

extension JSONValue {
  /// The same object with only its own keys sorted, as a Go map round trip of the top level.
  var sortedTopLevel: JSONValue {
    guard case .object(let members) = self else { return self }
    return .object(members.sorted { $0.0 < $1.0 })
  }
}

/// Docker's `container.Config` in its struct order, as classic builders write it.
enum ContainerConfig {
  static func fields(
    user: String, exposedPorts: JSONValue?, env: JSONValue, cmd: JSONValue, image: JSONValue,
    volumes: JSONValue, workingDir: String, entrypoint: JSONValue, labels: JSONValue,
    stopSignal: String?, argsEscaped: Bool? = nil, healthcheck: JSONValue? = nil,
    onBuild: JSONValue = .null, shell: JSONValue? = nil
  ) -> [(String, JSONValue)] {
    var members: [(String, JSONValue)] = [
      ("Hostname", .string("")), ("Domainname", .string("")), ("User", .string(user)),
      ("AttachStdin", .bool(false)), ("AttachStdout", .bool(false)),
      ("AttachStderr", .bool(false)),
    ]
    if let exposedPorts { members.append(("ExposedPorts", exposedPorts)) }
    members += [
      ("Tty", .bool(false)), ("OpenStdin", .bool(false)), ("StdinOnce", .bool(false)),
      ("Env", env), ("Cmd", cmd),
    ]
    if let healthcheck { members.append(("Healthcheck", healthcheck)) }
    if argsEscaped == true { members.append(("ArgsEscaped", .bool(true))) }
    members += [
      ("Image", image), ("Volumes", volumes), ("WorkingDir", .string(workingDir)),
      ("Entrypoint", entrypoint), ("OnBuild", onBuild), ("Labels", labels),
    ]
    if let stopSignal { members.append(("StopSignal", .string(stopSignal))) }
    if let shell { members.append(("Shell", shell)) }
    return members
  }
}

/// Parses RFC 3339 times with or without fractional seconds, to the millisecond.
public func parseRFC3339(_ text: String) -> Date? {
  RFC3339Time(parsing: text)?.date
}

func describe(_ error: DecodingError) -> String {
  switch error {
  case .keyNotFound(let key, let context):
    "missing \"\(key.stringValue)\" at \(path(context))"
  case .typeMismatch(_, let context), .valueNotFound(_, let context):
    "\(context.debugDescription) at \(path(context))"
  case .dataCorrupted(let context):
    "\(context.debugDescription) at \(path(context))"
  @unknown default:
    "\(error)"
  }
}

private func path(_ context: DecodingError.Context) -> String {
  let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
    .joined()
  return text.isEmpty ? "the top level" : text
}
