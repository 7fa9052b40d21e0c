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
    // Unpack the archive's members to scratch files, a member at a time; one that is an
    // uncompressed tar is hashed and indexed on the way, so a layer is read once.
    var members: [String: String] = [:]
    var scans: [String: MemberScan.Result] = [:]
    do {
      while let header = try reader.next() as TarHeader? {
        guard header.type == .file else { continue }
        let name = try LayerExtractor.safeRelativePath(header.path)
        let target = "\(scratch)/member-\(members.count)"
        let output: FileWriter
        do {
          output = try HostDirectory(scratch).writer("member-\(members.count)")
        } catch {
          throw ImageError.io(path: "tmp", reason: "cannot create file")
        }
        let scan = MemberScan(tarSplit: target + ".tar-split.json.gz")
        try reader.readData { chunk in
          do throws(FileSystemError) {
            try output.write(chunk)
          } catch {
            throw error == .noSpace
              ? ImageError.io(path: "write", reason: "no space left on device")
              : ImageError.io(path: "tmp", reason: error.description)
          }
          scan.consume(chunk)
        }
        members[name] = target
        scans[name] = scan.finish()
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
          if let scan = scans[name], let tarSplit = scan.tarSplit {
            guard scan.digest == expected else {
              throw ImageError.digestMismatch(
                what: "layer content", expected: expected, actual: scan.digest)
            }
            // The store takes the tar-split it is handed; another image may need it too.
            let handed = "\(tarSplit)-\(index)-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: handed) }
            try FileManager.default.copyItem(atPath: tarSplit, toPath: handed)
            layer = try addLayer(
              tarAt: layerPath, diffID: expected, parent: parent, tarSplit: handed)
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

/// Hashes a member of an archive as it is copied out and, when it starts as an uncompressed
/// tar does, indexes it into a tar-split too: a layer need not be read again to be stored.
final class MemberScan {
  struct Result {
    var digest: Digest
    /// The member's tar-split, when it is a tar.
    var tarSplit: String?
  }

  private enum State { case undecided, tar, other }

  private let tarSplit: String
  private var state = State.undecided
  private var head: [UInt8] = []
  private var splitter: TarSplitWriter?
  private var hasher = DigestHasher()

  init(tarSplit: String) { self.tarSplit = tarSplit }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    hasher.update(bytes)
    switch state {
    case .undecided:
      let take = min(512 - head.count, bytes.count)
      head.append(contentsOf: bytes[0..<take])
      guard head.count == 512 else { return }
      guard TarSplitWriter.checksumMatches(head),
        let writer = try? TarSplitWriter(path: tarSplit)
      else {
        state = .other
        return
      }
      splitter = writer
      state = .tar
      head.withUnsafeBytes { feed($0) }
      feed(UnsafeRawBufferPointer(rebasing: bytes[take...]))
    case .tar:
      feed(bytes)
    case .other:
      break
    }
  }

  private func feed(_ bytes: UnsafeRawBufferPointer) {
    do {
      try splitter?.consume(bytes)
    } catch {
      // Not a tar this store can index: it is read again the ordinary way, if it is a layer.
      state = .other
      splitter = nil
    }
  }

  func finish() -> Result {
    var result = Result(digest: hasher.finalize())
    if state == .tar, let splitter, (try? splitter.finish()) != nil {
      result.tarSplit = tarSplit
    }
    return result
  }
}

@available(*, unavailable)
extension MemberScan: Sendable {}
