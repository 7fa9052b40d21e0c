import Foundation
import LabArchive
import LabFiles
import LabJSON

/// What `docker load` did, for the lines it prints.
public struct LoadReport: Sendable {
  /// `Loaded image: nginx:latest`, or `Loaded image ID: sha256:…` for untagged images.
  public var lines: [String] = []
}

extension ImageStore {
  /// Writes images to a tar archive as `docker save` does: an OCI layout with Docker's
  /// `manifest.json` and `repositories` beside it.
  ///
  /// - Parameters:
  ///   - images: Each image with the references to record for it.
  ///   - path: The archive to write; it is written under a temporary name and renamed.
  /// - Throws: Store and archive failures.
  public func save(_ images: [(id: Digest, references: [ImageReference])], to path: String) throws {
    // Staged in the store, so a killed run leaves nothing beside the target; fsck removes it.
    try createDirectories(temporaryDirectory)
    let staged = "\(temporaryDirectory)/save-\(UUID().uuidString).tar"
    defer { try? FileManager.default.removeStoreItem(atPath: staged) }
    try withLock {
      let writer = try TarWriter(path: staged)
      var written: Set<Digest> = []
      var indexEntries: [JSONValue] = []
      var manifestEntries: [JSONValue] = []
      var repositories: [(String, [(String, JSONValue)])] = []
      try writer.append(TarEntry(path: "blobs", kind: .directory, mode: 0o755))
      try writer.append(TarEntry(path: "blobs/sha256", kind: .directory, mode: 0o755))
      for (id, references) in images {
        let image = try self.image(id)
        let mtime = Int64(image.created?.timeIntervalSince1970 ?? 0)
        func blob(_ bytes: [UInt8]) throws -> Digest {
          let digest = Digest.of(bytes)
          if written.insert(digest).inserted {
            try writer.append(
              TarEntry(
                path: "blobs/sha256/\(digest.hex)", kind: .file(bytes), mode: 0o644,
                modificationTime: mtime))
          }
          return digest
        }
        _ = try blob(image.configBytes)
        var layerDescriptors: [JSONValue] = []
        for diffID in image.diffIDs {
          let size = try layerTarSize(diffID)
          if written.insert(diffID).inserted {
            // Rebuilt from the layer's files and tar-split as it is written; a layer that
            // cannot be rebuilt as it was fails the save, and the staged file goes.
            try writer.append(
              TarEntry(
                path: "blobs/sha256/\(diffID.hex)", kind: .file([]), mode: 0o644,
                modificationTime: mtime),
              size: size
            ) { write in try readLayerTar(diffID, chunk: write) }
          }
          layerDescriptors.append(
            .object([
              ("mediaType", .string(MediaType.ociLayer)), ("digest", .string(diffID.description)),
              ("size", .int(size)),
            ]))
        }
        let manifest = JSONValue.object([
          ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociManifest)),
          (
            "config",
            .object([
              ("mediaType", .string(MediaType.ociConfig)), ("digest", .string(id.description)),
              ("size", .int(image.configBytes.count)),
            ])
          ),
          ("layers", .array(layerDescriptors)),
        ])
        let manifestBytes = Array(manifest.compact().utf8)
        let manifestDigest = try blob(manifestBytes)
        let tags = references.filter { $0.tag != nil }
        if tags.isEmpty {
          indexEntries.append(
            .object([
              ("mediaType", .string(MediaType.ociManifest)),
              ("digest", .string(manifestDigest.description)),
              ("size", .int(manifestBytes.count)),
            ]))
        }
        for tag in tags {
          indexEntries.append(
            .object([
              ("mediaType", .string(MediaType.ociManifest)),
              ("digest", .string(manifestDigest.description)),
              ("size", .int(manifestBytes.count)),
              (
                "annotations",
                .object([
                  ("io.containerd.image.name", .string(tag.description)),
                  ("org.opencontainers.image.ref.name", .string(tag.tag ?? "")),
                ])
              ),
            ]))
          if let top = image.diffIDs.last, let tagName = tag.tag {
            if let index = repositories.firstIndex(where: { $0.0 == tag.familiarName }) {
              repositories[index].1.append((tagName, .string(top.hex)))
            } else {
              repositories.append((tag.familiarName, [(tagName, .string(top.hex))]))
            }
          }
        }
        manifestEntries.append(
          .object([
            ("Config", .string("blobs/sha256/\(id.hex)")),
            ("RepoTags", tags.isEmpty ? .null : .array(tags.map { .string($0.familiarString) })),
            ("Layers", .array(image.diffIDs.map { .string("blobs/sha256/\($0.hex)") })),
          ]))
      }
      let index = JSONValue.object([
        ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociIndex)),
        ("manifests", .array(indexEntries)),
      ])
      try writer.append(
        TarEntry(path: "index.json", kind: .file(Array((index.compact() + "\n").utf8))))
      try writer.append(
        TarEntry(
          path: "manifest.json",
          kind: .file(Array((JSONValue.array(manifestEntries).compact() + "\n").utf8))))
      try writer.append(
        TarEntry(path: "oci-layout", kind: .file(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))))
      if !repositories.isEmpty {
        let json = JSONValue.object(repositories.map { ($0.0, .object($0.1)) })
        try writer.append(
          TarEntry(path: "repositories", kind: .file(Array((json.compact() + "\n").utf8))))
      }
      try writer.finish()
    }
    // libarchive creates the file under whatever umask holds at that instant; Docker's CLI
    // writes it through a temporary file, 0600.
    chmod(staged, 0o600)
    if rename(staged, path) != 0 {
      let failure = errno
      guard failure == EXDEV else {
        throw ImageError.io(path: PathText.name(path), reason: String(cString: strerror(failure)))
      }
      // Another file system: copy beside the target, then rename there.
      let beside = PathText.parent(path) + "/.docker_temp_\(UUID().uuidString)"
      defer { try? FileManager.default.removeStoreItem(atPath: beside) }
      try FileManager.default.copyItem(atPath: staged, toPath: beside)
      chmod(beside, 0o600)
      guard rename(beside, path) == 0 else {
        throw ImageError.io(path: PathText.name(path), reason: String(cString: strerror(errno)))
      }
    }
  }

  /// Loads the images of a `docker save` archive (Docker's or ours) at `path`.
  public func load(archiveAt path: String, at date: Date) throws -> LoadReport {
    let reader: TarReader
    do {
      reader = try TarReader(path: path)
    } catch {
      throw ImageError.archive("\(error)")
    }
    return try load(reader, at: date)
  }

  /// Loads the images of a `docker save` archive (Docker's or ours).
  ///
  /// Every layer is checked against the diff ID its config lists before the image is stored.
  /// Messages never name the archive's file: the daemon does not know it.
  ///
  /// - Parameters:
  ///   - reader: The archive, compressed or not, opened.
  ///   - date: When the images are tagged.
  /// - Returns: The lines `docker load` prints.
  /// - Throws: ``ImageError`` for a damaged or foreign archive.
  public func load(_ reader: TarReader, at date: Date) throws -> LoadReport {
    let scratch = "\(temporaryDirectory)/load-\(UUID().uuidString)"
    defer { try? FileManager.default.removeStoreItem(atPath: scratch) }
    try createDirectories(scratch)
    // The archive's members, a member at a time: one that is an uncompressed tar (a layer)
    // is extracted as it streams, hashed and indexed into its tar-split on the way, so a
    // layer is read once and written once; the others go to scratch files.
    var members: [String: String] = [:]
    var staged: [String: StagedLayer] = [:]
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    do {
      while let header = try reader.next() as TarHeader? {
        guard header.type == .file else { continue }
        let name = try LayerExtractor.safeRelativePath(header.path)
        let target = "\(scratch)/member-\(members.count)"
        members[name] = target
        var headCount = 0
        while headCount < 512 {
          let count = try reader.read(
            into: UnsafeMutableRawBufferPointer(rebasing: buffer[headCount..<512]))
          if count == 0 { break }
          headCount += count
        }
        let head = UnsafeRawBufferPointer(rebasing: buffer[0..<headCount])
        if headCount == 512, TarSplitWriter.checksumMatches(Array(head)) {
          staged[name] = try stageLayer(
            head: Array(head), from: reader, label: name, at: target, buffer: buffer)
          continue
        }
        let output: FileWriter
        do {
          output = try HostDirectory(scratch).writer("member-\(members.count - 1)")
        } catch {
          throw ImageError.io(path: "tmp", reason: "cannot create file")
        }
        func write(_ chunk: UnsafeRawBufferPointer) throws {
          do throws(FileSystemError) {
            try output.write(chunk)
          } catch {
            throw ImageError.scratchWrite(error)
          }
        }
        try write(head)
        while case let count = try reader.read(into: buffer), count > 0 {
          try write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
      }
    } catch let error as ImageError {
      throw error
    } catch {
      throw ImageError.archive("\(error)")
    }
    let manifest: JSONValue
    if let manifestPath = members["manifest.json"] {
      manifest = try JSONValue(parsing: readFile(manifestPath))
      try Self.checkManifest(manifest)
    } else if let indexPath = members["index.json"] {
      // An OCI archive (skopeo, buildah, `docker save` of containerd): read as Docker 25 does.
      manifest = try Self.dockerManifest(fromIndexAt: indexPath, members: members)
    } else {
      throw ImageError.archive("neither manifest.json nor index.json: not an image archive")
    }
    // Every tag must name a tag before anything is stored.
    var references: [[ImageReference]] = []
    for entry in manifest.arrayValue ?? [] {
      references.append(
        try (entry["RepoTags"]?.arrayValue ?? []).compactMap(\.stringValue).map(Self.loadedTag))
    }
    var report = LoadReport()
    return try withLock {
      try initializeLocked()
      for (entry, tags) in zip(manifest.arrayValue ?? [], references) {
        guard let configName = entry["Config"]?.stringValue, let configPath = members[configName]
        else {
          throw ImageError.archive("manifest.json names a config the archive lacks")
        }
        let configBytes = try readFile(configPath)
        let config = StoredImage(
          id: Digest.of(configBytes), configBytes: configBytes,
          config: try JSONValue(parsing: configBytes))
        let layerNames = (entry["Layers"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard layerNames.count == config.diffIDs.count else {
          throw ImageError.archive(
            "\(configName) lists \(config.diffIDs.count) layers but the manifest has \(layerNames.count)"
          )
        }
        var parent: Digest?
        for (index, name) in layerNames.enumerated() {
          guard let layerPath = members[name] else {
            throw ImageError.archive("the archive lacks layer \(name)")
          }
          let expected = config.diffIDs[index]
          let layer: StoredLayer
          if let stage = staged[name] {
            layer = try addLayer(stage, expectedDiffID: expected, parent: parent)
          } else {
            layer = try addLayer(
              from: .file(layerPath), expectedDiffID: expected, parent: parent)
          }
          parent = layer.chainID
        }
        let id = try storeImage(config: configBytes)
        var table = try referenceTable()
        if tags.isEmpty { report.lines.append("Loaded image ID: \(id)") }
        for reference in tags {
          if let old = table.image(for: reference), old != id {
            report.lines.append(
              "The image \(reference.familiarString) already exists, renaming the old one with ID \(old) to empty string"
            )
          }
          table.add(reference, image: id)
          report.lines.append("Loaded image: \(reference.familiarString)")
        }
        try saveReferenceTable(table)
        if !tags.isEmpty { try setLastUpdated(id, to: date) }
      }
      return report
    }
  }

  /// Checks `manifest.json` as Go decodes it into Docker's `[]manifestItem`, with Go's message
  /// for the first value of the wrong type.
  static func checkManifest(_ manifest: JSONValue) throws {
    func kind(_ value: JSONValue) -> String {
      switch value {
      case .null: "null"
      case .bool: "bool"
      case .number: "number"
      case .string: "string"
      case .array: "array"
      case .object: "object"
      }
    }
    func mismatch(_ value: JSONValue, _ type: String) -> ImageError {
      .archive("json: cannot unmarshal \(kind(value)) into \(type)")
    }
    if case .null = manifest {
      throw ImageError.archive("invalid manifest, manifest cannot be null (but can be [])")
    }
    guard let entries = manifest.arrayValue else {
      throw mismatch(manifest, "Go value of type []tarexport.manifestItem")
    }
    for entry in entries {
      if case .null = entry { continue }
      guard let fields = entry.objectValue else {
        throw mismatch(entry, "Go value of type tarexport.manifestItem")
      }
      for (name, value) in fields {
        let field = "Go struct field manifestItem.\(name) of type"
        switch (name, value) {
        case (_, .null): continue
        case ("Config", .string), ("Parent", .string): continue
        case ("Config", _): throw mismatch(value, "\(field) string")
        case ("Parent", _): throw mismatch(value, "\(field) image.ID")
        case ("RepoTags", _), ("Layers", _):
          guard let items = value.arrayValue else { throw mismatch(value, "\(field) []string") }
          if let item = items.first(where: { $0.stringValue == nil && $0 != .null }) {
            throw mismatch(item, "\(field) string")
          }
        default: continue
        }
      }
    }
  }

  /// A `RepoTags` entry as Docker reads it: a valid reference with a tag, or Docker's error.
  static func loadedTag(_ text: String) throws -> ImageReference {
    let reference: ImageReference
    do {
      reference = try ImageReference(parsing: text)
    } catch {
      throw ImageError.invalidReference(error)
    }
    guard reference.tag != nil else {
      throw ImageError.archive("invalid tag \(JSONValue.quote(text, escapingHTML: false))")
    }
    return reference
  }

  /// The `manifest.json` entries an OCI archive's `index.json` stands for: each image manifest
  /// (the first of a multi-platform index), its config and layers, and its name from the
  /// `io.containerd.image.name` or `org.opencontainers.image.ref.name` annotation.
  static func dockerManifest(
    fromIndexAt indexPath: String, members: [String: String]
  ) throws -> JSONValue {
    /// The archive member a descriptor points at.
    func blobName(_ descriptor: JSONValue) throws -> String {
      guard let digest = descriptor["digest"]?.stringValue, digest.hasPrefix("sha256:") else {
        throw ImageError.archive("index.json has a descriptor without a digest")
      }
      let name = "blobs/sha256/\(digest.dropFirst(7))"
      guard members[name] != nil else {
        throw ImageError.archive("the archive lacks \(name)")
      }
      return name
    }
    func blobJSON(_ descriptor: JSONValue) throws -> JSONValue {
      try JSONValue(parsing: readFile(members[try blobName(descriptor)] ?? ""))
    }
    var entries: [JSONValue] = []
    for descriptor in try JSONValue(parsing: readFile(indexPath))["manifests"]?.arrayValue ?? [] {
      var manifest = try blobJSON(descriptor)
      // A multi-platform index inside: its first manifest.
      if let nested = manifest["manifests"]?.arrayValue, let first = nested.first {
        manifest = try blobJSON(first)
      }
      guard let config = manifest["config"] else {
        throw ImageError.archive("a manifest without a config")
      }
      let layers = try (manifest["layers"]?.arrayValue ?? []).map(blobName)
      let annotations = descriptor["annotations"]
      // `org.opencontainers.image.ref.name` is often a bare tag (`3.20`): a name only with a
      // repository in it.
      let refName = annotations?["org.opencontainers.image.ref.name"]?.stringValue.flatMap {
        $0.contains("/") || $0.contains(":") ? $0 : nil
      }
      let name = annotations?["io.containerd.image.name"]?.stringValue ?? refName
      let tags =
        name.flatMap { try? ImageReference(parsing: $0) }.map { [$0.withDefaultTag.description] }
        ?? []
      entries.append(
        .object([
          ("Config", .string(try blobName(config))),
          ("RepoTags", .array(tags.map(JSONValue.string))),
          ("Layers", .array(layers.map(JSONValue.string))),
        ]))
    }
    return .array(entries)
  }
}

extension ImageStore {
  /// Extracts the current member of `reader`, a tar, as it streams, beside `path`.
  ///
  /// The member's first 512 bytes were read already (`head`); every byte is hashed and indexed
  /// into a tar-split on its way to the extractor. A failure of the member's own (an unsafe
  /// path, a tar the tar-split cannot index) is kept for when the member is taken as a layer;
  /// a failure to read the archive is thrown.
  func stageLayer(
    head: [UInt8], from reader: TarReader, label: String, at path: String,
    buffer: UnsafeMutableRawBufferPointer
  ) throws -> StagedLayer {
    let stage = StagedLayer(directory: path + ".layer", tarSplit: path + ".tar-split.json.gz")
    try createLayerStaging(stage.directory)
    var splitter: TarSplitWriter?
    do {
      splitter = try TarSplitWriter(path: stage.tarSplit)
    } catch {
      stage.splitFailure = error
    }
    var hasher = DigestHasher()
    func pass(_ bytes: UnsafeRawBufferPointer) {
      hasher.update(bytes)
      guard let current = splitter else { return }
      do {
        try current.consume(bytes)
      } catch {
        stage.splitFailure = error
        splitter = nil
      }
    }
    var headPending = true
    var readFailure: (any Error)?
    do {
      let inner = try TarReader(label: label) { output in
        if headPending {
          headPending = false
          head.withUnsafeBytes { output.copyMemory(from: $0) }
          pass(UnsafeRawBufferPointer(rebasing: output[0..<head.count]))
          return head.count
        }
        do {
          let count = try reader.read(into: output)
          pass(UnsafeRawBufferPointer(rebasing: output[0..<count]))
          return count
        } catch {
          readFailure = error
          throw error
        }
      }
      stage.size = try LayerExtractor.extract(inner, into: "\(stage.directory)/diff", label: label)
        .size
    } catch {
      stage.extractFailure = error
    }
    if let readFailure { throw readFailure }
    // What the extractor left unread: the end of the tar, and anything after it.
    if headPending { head.withUnsafeBytes { pass($0) } }
    while case let count = try reader.read(into: buffer), count > 0 {
      pass(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    if let splitter {
      do {
        try splitter.finish()
      } catch {
        stage.splitFailure = error
      }
    }
    stage.digest = hasher.finalize()
    return stage
  }

  /// Stores a layer that ``stageLayer(head:from:reader:label:at:buffer:)`` extracted, checked
  /// against the diff ID its config lists, as ``addLayer(from:expectedDiffID:parent:)`` would
  /// store the member's tar.
  func addLayer(_ stage: StagedLayer, expectedDiffID expected: Digest, parent: Digest?) throws
    -> StoredLayer
  {
    let chainID = Self.chainID(expected, parent: parent)
    if let failure = stage.splitFailure {
      // A tar the tar-split cannot index cannot be stored, unless it is stored already.
      if hasLayer(chainID) { return try layer(chainID) }
      throw failure
    }
    guard stage.digest == expected else {
      throw ImageError.digestMismatch(
        what: "layer content", expected: expected, actual: stage.digest)
    }
    if hasLayer(chainID) { return try layer(chainID) }
    if let failure = stage.extractFailure {
      if let failure = failure as? ArchiveError { throw ImageError.archive(failure.description) }
      throw failure
    }
    // The store takes the tar-split it is handed; another image may need it too.
    let handed = "\(stage.tarSplit)-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: handed) }
    try FileManager.default.copyItem(atPath: stage.tarSplit, toPath: handed)
    if let first = stage.stored {
      // The files went into the first chain that took them: this one is extracted again
      // from that layer's tar.
      let tar = "\(stage.directory)-\(UUID().uuidString).tar"
      defer { try? FileManager.default.removeStoreItem(atPath: tar) }
      let output: FileWriter
      do {
        output = try HostDirectory(PathText.parent(tar)).writer(PathText.name(tar))
      } catch {
        throw ImageError.io(path: "tmp", reason: "cannot create temporary file")
      }
      try readTar(of: first) { chunk in
        do throws(FileSystemError) {
          try output.write(chunk)
        } catch {
          throw ImageError.scratchWrite(error)
        }
      }
      return try addLayer(tarAt: tar, diffID: expected, parent: parent, tarSplit: handed)
    }
    let layer = try addLayer(
      extractedAt: stage.directory, size: stage.size, diffID: expected, parent: parent,
      tarSplit: handed)
    stage.stored = layer
    return layer
  }
}

/// A layer of an archive being loaded, extracted while the archive was read and waiting for
/// the manifest to say which chain it belongs to.
final class StagedLayer {
  /// The folder holding `diff`, the layer's files.
  let directory: String
  let tarSplit: String
  var digest = Digest.of("")
  var size: Int64 = 0
  /// Why the member could not be indexed into a tar-split, or extracted.
  var splitFailure: (any Error)?
  var extractFailure: (any Error)?
  /// The layer its files became, once stored.
  var stored: StoredLayer?

  init(directory: String, tarSplit: String) {
    self.directory = directory
    self.tarSplit = tarSplit
  }
}

@available(*, unavailable)
extension StagedLayer: Sendable {}
