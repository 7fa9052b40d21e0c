import Foundation
import LabArchive
import LabFiles
import LabJSON
import LabLimits

/// A layer in the store: `layerdb/sha256/<chain ID>` and its `overlay2/<cache ID>` directory.
public struct StoredLayer: Equatable, Sendable {
  public var chainID: Digest
  public var diffID: Digest
  public var parent: Digest?
  public var cacheID: String
  public var size: Int64
}

extension ImageStore {
  public func hasLayer(_ chainID: Digest) -> Bool { exists("\(layerDirectory)/\(chainID.hex)") }

  public func layer(_ chainID: Digest) throws -> StoredLayer {
    let directory = "\(layerDirectory)/\(chainID.hex)"
    guard let diff = readText("\(directory)/diff"), let diffID = try? Digest(diff),
      let cacheID = readText("\(directory)/cache-id")
    else { throw ImageError.corruptStore("layer \(chainID) is incomplete") }
    return StoredLayer(
      chainID: chainID, diffID: diffID,
      parent: readText("\(directory)/parent").flatMap { try? Digest($0) }, cacheID: cacheID,
      size: layerSize(chainID))
  }

  /// The layer's `size` file: bytes of its extracted files.
  public func layerSize(_ chainID: Digest) -> Int64 {
    readText("\(layerDirectory)/\(chainID.hex)/size").flatMap { Int64($0) } ?? 0
  }

  /// The directory holding a layer's files (`overlay2/<cache-id>/diff`).
  public func diffDirectory(of chainID: Digest) throws -> String {
    "\(overlayDirectory)/\(try layer(chainID).cacheID)/diff"
  }

  /// Adds a layer from a registry's blob, an uncompressed or compressed tar, verifying its
  /// diff ID.
  ///
  /// The tar is streamed once, hashed and indexed into its tar-split as it goes by (a
  /// compressed one is decompressed to a temporary file on the way), then extracted; no
  /// layer is held in memory, and nothing is compressed but the small tar-split. The layer
  /// becomes visible only at the end, when its `layerdb` directory is renamed into place; a
  /// failure leaves nothing behind.
  ///
  /// - Parameters:
  ///   - blob: The layer archive, compressed or not: a file, or bytes in memory.
  ///   - expectedDiffID: The diff ID the image config lists for this layer, if known.
  ///   - parent: The chain ID of the layer below, or `nil` for a base layer.
  /// - Returns: The new layer, or the existing one if the chain is already stored.
  /// - Throws: ``ImageError/digestMismatch(what:expected:actual:)`` when the content is not
  ///   the expected diff ID, ``ImageError/archive(_:)`` for a bad or unsafe archive.
  @discardableResult
  public func addLayer(
    from blob: RegistryBlob, expectedDiffID: Digest?, parent: Digest?
  ) throws -> StoredLayer {
    if let expectedDiffID, hasLayer(Self.chainID(expectedDiffID, parent: parent)) {
      return try layer(Self.chainID(expectedDiffID, parent: parent))
    }
    try createDirectories(temporaryDirectory)
    let scratch = "\(temporaryDirectory)/layer-\(UUID().uuidString)"
    let tarSplit = scratch + ".tar-split.json.gz"
    var staged: Int64 = 0
    defer {
      try? FileManager.default.removeStoreItem(atPath: scratch + ".tar")
      try? FileManager.default.removeStoreItem(atPath: tarSplit)
      Budget.current?.disk?.credit(staged)
    }
    // An uncompressed tar in a file is extracted where it is; anything else is written out.
    var inPlace: String?
    if case .file(let path) = blob, !Self.isCompressed(path) { inPlace = path }
    var output: FileWriter?
    if inPlace == nil {
      do {
        output = try HostDirectory(temporaryDirectory).writer(PathText.name(scratch) + ".tar")
      } catch {
        throw ImageError.io(path: "tmp", reason: "cannot create temporary file")
      }
    }
    let splitter = try TarSplitWriter(path: tarSplit)
    var hasher = DigestHasher()
    do {
      try blob.decompress { chunk in
        hasher.update(chunk)
        try splitter.consume(chunk)
        if let output {
          do throws(FileSystemError) {
            try output.write(chunk)
          } catch {
            throw ImageError.scratchWrite(error)
          }
          staged += Int64(chunk.count)
        }
      }
      try splitter.finish()
    } catch let error as ArchiveError {
      throw ImageError.archive("\(error)")
    }
    output = nil
    let diffID = hasher.finalize()
    if let expectedDiffID, expectedDiffID != diffID {
      throw ImageError.digestMismatch(
        what: "layer content", expected: expectedDiffID, actual: diffID)
    }
    return try addLayer(
      tarAt: inPlace ?? scratch + ".tar", diffID: diffID, parent: parent, tarSplit: tarSplit)
  }

  /// Adds a layer from an uncompressed tar whose diff ID is already known.
  @discardableResult
  public func addLayer(
    uncompressedTarAt tarPath: String, diffID: Digest, parent: Digest?
  ) throws -> StoredLayer {
    let chainID = Self.chainID(diffID, parent: parent)
    if hasLayer(chainID) { return try layer(chainID) }
    try createDirectories(temporaryDirectory)
    let tarSplit = "\(temporaryDirectory)/layer-\(UUID().uuidString).tar-split.json.gz"
    defer { try? FileManager.default.removeItem(atPath: tarSplit) }
    let splitter = try TarSplitWriter(path: tarSplit)
    do {
      try Gzip.decompress(fileAt: tarPath) { try splitter.consume($0) }
    } catch let error as ArchiveError {
      throw ImageError.archive("\(error)")
    }
    try splitter.finish()
    return try addLayer(tarAt: tarPath, diffID: diffID, parent: parent, tarSplit: tarSplit)
  }

  /// Adds a layer from an uncompressed tar whose diff ID and tar-split are already made; the
  /// tar-split file is moved into the store.
  @discardableResult
  func addLayer(
    tarAt tarPath: String, diffID: Digest, parent: Digest?, tarSplit: String
  ) throws -> StoredLayer {
    let chainID = Self.chainID(diffID, parent: parent)
    if hasLayer(chainID) { return try layer(chainID) }
    let staging = "\(temporaryDirectory)/overlay-\(SeededID.cacheID(for: chainID))"
    try? FileManager.default.removeStoreItem(atPath: staging)
    try createLayerStaging(staging)
    let summary: ExtractionSummary
    do {
      summary = try LayerExtractor.extract(archiveAt: tarPath, into: "\(staging)/diff")
    } catch let error as ArchiveError {
      try? FileManager.default.removeStoreItem(atPath: staging)
      throw ImageError.archive(error.description)
    }
    return try addLayer(
      extractedAt: staging, size: summary.size, diffID: diffID, parent: parent,
      tarSplit: tarSplit)
  }

  /// Makes the folder a layer is extracted into before it is stored: `diff` inside it.
  func createLayerStaging(_ staging: String) throws {
    try createDirectories("\(staging)/diff")
    // A layer's folder is the daemon's; its diff is the image's, 0755.
    chmod(staging, 0o710)
  }

  /// Adds a layer whose files are already extracted into `staging/diff`.
  ///
  /// `staging` was made by ``createLayerStaging(_:)``; it becomes the layer's `overlay2`
  /// folder and the tar-split moves into its `layerdb` entry. When the
  /// chain is stored already, the existing layer is returned and `staging` is left alone.
  @discardableResult
  func addLayer(
    extractedAt staging: String, size: Int64, diffID: Digest, parent: Digest?, tarSplit: String
  ) throws -> StoredLayer {
    let chainID = Self.chainID(diffID, parent: parent)
    if hasLayer(chainID) { return try layer(chainID) }
    let manager = FileManager.default
    let cacheID = SeededID.cacheID(for: chainID)
    let linkID = SeededID.linkID(for: cacheID)
    let parentLayer = try parent.map { try layer($0) }

    // 1. The overlay2 directory, extracted under a temporary name and renamed.
    let overlay = "\(overlayDirectory)/\(cacheID)"
    try? manager.removeStoreItem(atPath: overlay)
    try writeFileAtomically("\(staging)/link", Array(linkID.utf8))
    if let parentLayer {
      var lowers = ["l/\(SeededID.linkID(for: parentLayer.cacheID))"]
      let parentLower = readText("\(overlayDirectory)/\(parentLayer.cacheID)/lower")
      if let parentLower, !parentLower.isEmpty { lowers.append(parentLower) }
      try writeFileAtomically("\(staging)/lower", Array(lowers.joined(separator: ":").utf8))
      try createDirectories("\(staging)/work", mode: 0o700)
    }
    try manager.moveStoreItem(atPath: staging, toPath: overlay)
    let linkPath = "\(overlayDirectory)/l/\(linkID)"
    try? manager.removeStoreItem(atPath: linkPath)
    try manager.createStoreSymbolicLink(atPath: linkPath, withDestinationPath: "../\(cacheID)/diff")

    // 2. The layerdb entry, written in layerdb/tmp and renamed into place last.
    let writeSet = "\(layerTemporaryDirectory)/write-set-\(SeededID.randomID(UUID().uuidString))"
    try createDirectories(writeSet)
    try writeFileAtomically("\(writeSet)/diff", Array(diffID.description.utf8))
    try writeFileAtomically("\(writeSet)/size", Array(String(size).utf8))
    try writeFileAtomically("\(writeSet)/cache-id", Array(cacheID.utf8))
    if let parent { try writeFileAtomically("\(writeSet)/parent", Array(parent.description.utf8)) }
    // Created under whatever umask libarchive left: the store's files are 0644.
    chmod(tarSplit, 0o644)
    guard rename(tarSplit, "\(writeSet)/tar-split.json.gz") == 0 else {
      throw ImageError.io(path: "tar-split.json.gz", reason: String(cString: strerror(errno)))
    }
    try manager.moveStoreItem(atPath: writeSet, toPath: "\(layerDirectory)/\(chainID.hex)")

    // 3. A parent with a child is committed.
    if let parentLayer {
      let marker = "\(overlayDirectory)/\(parentLayer.cacheID)/committed"
      if !manager.fileExists(atPath: marker) {
        _ = manager.createFile(
          atPath: marker, contents: nil, attributes: [.posixPermissions: 0o600])
        StoreJournal.shared.noteWrite(marker, walk: false)
      }
    }
    return StoredLayer(
      chainID: chainID, diffID: diffID, parent: parent, cacheID: cacheID, size: size)
  }

  /// Docker's chain ID: the diff ID of a base layer, else the digest of the parent's chain ID
  /// and the diff ID.
  static func chainID(_ diffID: Digest, parent: Digest?) -> Digest {
    parent.map { Digest.of("\($0) \(diffID)") } ?? diffID
  }

  /// Whether a file starts as a compressed stream does (gzip, bzip2, xz, zstd), not a tar.
  static func isCompressed(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = Array((try? handle.read(upToCount: 6)) ?? Data())
    return head.starts(with: [0x1F, 0x8B]) || head.starts(with: Array("BZh".utf8))
      || head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00])
      || head.starts(with: [0x28, 0xB5, 0x2F, 0xFD])
  }

  /// Charges a write to the session's disk quota, failing as a full disk does.
  static func chargeDisk(_ count: Int) throws {
    do {
      try Budget.current?.chargeDisk(Int64(count))
    } catch {
      throw ImageError.io(path: "write", reason: "no space left on device")
    }
  }

  /// Streams the uncompressed tar of the layer with `diffID`, byte for byte as it was added,
  /// in chunks; `save` and `push` read layers only through here, so how layers are kept
  /// can change without them.
  ///
  /// The tar is rebuilt from the layer's files (`overlay2/<cache-id>/diff`) and its
  /// `tar-split.json.gz`, as Docker does, and checked against the diff ID as it streams.
  ///
  /// - Throws: ``ImageError/layerContent(layer:reason:)`` when a file of the layer was
  ///   changed or removed since it was stored; what was streamed by then must be discarded.
  public func readLayerTar(_ diffID: Digest, chunk: (UnsafeRawBufferPointer) throws -> Void)
    throws
  {
    try readTar(of: try layer(withDiffID: diffID), chunk: chunk)
  }

  /// Streams a stored layer's tar, rebuilt from its files and tar-split and checked against
  /// its diff ID.
  func readTar(of stored: StoredLayer, chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
    let diffID = stored.diffID
    let tarSplit = "\(layerDirectory)/\(stored.chainID.hex)/tar-split.json.gz"
    let diff = "\(overlayDirectory)/\(stored.cacheID)/diff"
    var hasher = DigestHasher()
    do {
      // The digest of the whole tar vouches for every file; the files' own checksums are
      // read only when it fails, to name the one that changed.
      try TarSplit.assemble(at: tarSplit, contentDirectory: diff, verifying: false) { bytes in
        hasher.update(bytes)
        try chunk(bytes)
      }
      let actual = hasher.finalize()
      guard actual == diffID else {
        try TarSplit.assemble(at: tarSplit, contentDirectory: diff, verifying: true) { _ in }
        throw ImageError.layerContent(
          layer: diffID, reason: "failed to verify layer data: its tar has digest \(actual)")
      }
    } catch let failure as TarSplitFailure {
      throw ImageError.layerContent(layer: diffID, reason: failure.description)
    }
  }

  /// The size in bytes of the layer's uncompressed tar, read from its tar-split alone.
  public func layerTarSize(_ diffID: Digest) throws -> Int64 {
    let stored = try layer(withDiffID: diffID)
    do {
      return try TarSplit.tarSize(at: "\(layerDirectory)/\(stored.chainID.hex)/tar-split.json.gz")
    } catch let failure as TarSplitFailure {
      throw ImageError.layerContent(layer: diffID, reason: failure.description)
    }
  }

  /// A stored layer whose content is `diffID`: the base layer of that name, or any chain
  /// that ends in it (all hold the same files).
  func layer(withDiffID diffID: Digest) throws -> StoredLayer {
    if hasLayer(diffID), let base = try? layer(diffID), base.diffID == diffID { return base }
    let chains = (try? FileManager.default.contentsOfDirectory(atPath: layerDirectory)) ?? []
    for name in chains.sorted()
    where readText("\(layerDirectory)/\(name)/diff") == diffID.description {
      if let chainID = try? Digest(hex: name), let stored = try? layer(chainID) { return stored }
    }
    throw ImageError.corruptStore("layer \(diffID) is not in the store")
  }

  /// Stores written before layers were rebuilt from their files kept each layer's tar, gzip'd,
  /// under `.layerlab/layers`, and tar-splits that cannot rebuild sparse files: the tar-splits
  /// are made again from those tars, once, and the tars removed.
  func migrateLegacyLayerArchives() {
    let legacy = "\(stateDirectory)/layers"
    let manager = FileManager.default
    guard let names = try? manager.contentsOfDirectory(atPath: legacy) else { return }
    let chains = (try? manager.contentsOfDirectory(atPath: layerDirectory)) ?? []
    for name in names where name.hasSuffix(".tar.gz") {
      let archive = "\(legacy)/\(name)"
      guard let diffID = try? Digest(hex: String(name.dropLast(7))) else { continue }
      for chain in chains where readText("\(layerDirectory)/\(chain)/diff") == diffID.description {
        let staged = "\(temporaryDirectory)/migrated-\(UUID().uuidString).json.gz"
        do {
          let splitter = try TarSplitWriter(path: staged)
          try Gzip.decompress(fileAt: archive) { try splitter.consume($0) }
          try splitter.finish()
          chmod(staged, 0o644)
          if rename(staged, "\(layerDirectory)/\(chain)/tar-split.json.gz") != 0 {
            unlink(staged)
          } else {
            StoreJournal.shared.noteWrite(
              "\(layerDirectory)/\(chain)/tar-split.json.gz", walk: false)
          }
        } catch {
          // The tar was damaged: the layer keeps the tar-split it had.
          unlink(staged)
        }
      }
      try? manager.removeStoreItem(atPath: archive)
    }
    try? manager.removeStoreItem(atPath: legacy)
  }

  /// Deletes a layer no image uses any more: its layerdb entry first, so it stops existing
  /// at once, then its overlay2 directory and link.
  func removeLayer(_ chainID: Digest) throws {
    let stored = try layer(chainID)
    let manager = FileManager.default
    let trash = "\(temporaryDirectory)/removed-\(chainID.hex)"
    try? manager.removeStoreItem(atPath: trash)
    try manager.moveStoreItem(atPath: "\(layerDirectory)/\(chainID.hex)", toPath: trash)
    try? manager.removeStoreItem(atPath: trash)
    let overlay = "\(overlayDirectory)/\(stored.cacheID)"
    if let link = readText("\(overlay)/link") {
      try? manager.removeStoreItem(atPath: "\(overlayDirectory)/l/\(link)")
    }
    try? manager.removeStoreItem(atPath: overlay)
  }

  // MARK: - Distribution metadata

  /// Records that a registry blob holds a diff ID, as the daemon does after a download or a
  /// push; the caller holds the lock.
  public func recordDistribution(blob: Digest, diffID: Digest, repository: String) throws {
    try writeFileAtomically(
      "\(diffIDByDigestDirectory)/\(blob.hex)", Array(diffID.description.utf8))
    let path = "\(v2MetadataDirectory)/\(diffID.hex)"
    var entries = (try? JSONValue(parsing: readFile(path)).arrayValue) ?? []
    let entry = JSONValue.object([
      ("Digest", .string(blob.description)), ("SourceRepository", .string(repository)),
      ("HMAC", .string("")),
    ])
    if !entries.contains(entry) { entries.append(entry) }
    try writeFileAtomically(path, Array(JSONValue.array(entries.suffix(50)).compact().utf8))
  }

  /// The registry blobs known to hold `diffID`, oldest first, with the repository each was
  /// seen in (`localhost:5000/greeter`).
  public func distributionRecords(for diffID: Digest) -> [(blob: Digest, repository: String)] {
    let path = "\(v2MetadataDirectory)/\(diffID.hex)"
    let entries = (try? JSONValue(parsing: readFile(path)).arrayValue) ?? []
    return entries.compactMap { entry in
      guard let blob = entry["Digest"]?.stringValue.flatMap({ try? Digest($0) }),
        let repository = entry["SourceRepository"]?.stringValue
      else { return nil }
      return (blob, repository)
    }
  }

  /// The diff ID a registry blob was last seen to hold.
  func diffID(forBlob blob: Digest) -> Digest? {
    readText("\(diffIDByDigestDirectory)/\(blob.hex)").flatMap { try? Digest($0) }
  }
}

extension ImageError {
  /// A failed write to a scratch file: a full disk (or quota) as Docker says it, else the
  /// file system's reason.
  static func scratchWrite(_ error: FileSystemError) -> ImageError {
    error == .noSpace
      ? .io(path: "write", reason: "no space left on device")
      : .io(path: "tmp", reason: error.description)
  }
}
