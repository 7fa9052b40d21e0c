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

  /// Adds a layer from a registry's blob, an uncompressed or gzip'd tar, verifying its diff ID.
  ///
  /// The tar is streamed: it is decompressed to a temporary file while being hashed, then
  /// extracted; no layer is held in memory. The layer becomes visible only at the end, when its
  /// `layerdb` directory is renamed into place; a failure leaves nothing behind.
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
    try createDirectories(temporaryDirectory)
    let tarPath = "\(temporaryDirectory)/layer-\(UUID().uuidString).tar"
    var staged: Int64 = 0
    defer {
      try? FileManager.default.removeStoreItem(atPath: tarPath)
      Budget.current?.disk?.credit(staged)
    }
    guard (try? HostPaths.createFile(tarPath)) != nil,
      let output = FileHandle(forWritingAtPath: tarPath)
    else { throw ImageError.io(path: "tmp", reason: "cannot create temporary file") }
    var hasher = DigestHasher()
    do {
      defer { try? output.close() }
      try blob.decompress { chunk in
        hasher.update(chunk)
        try Self.chargeDisk(chunk.count)
        staged += Int64(chunk.count)
        try output.write(contentsOf: Data(chunk))
      }
    } catch let error as ArchiveError {
      throw ImageError.archive("\(error)")
    }
    let diffID = hasher.finalize()
    if let expectedDiffID, expectedDiffID != diffID {
      throw ImageError.digestMismatch(
        what: "layer content", expected: expectedDiffID, actual: diffID)
    }
    return try addLayer(uncompressedTarAt: tarPath, diffID: diffID, parent: parent)
  }

  /// Adds a layer from an uncompressed tar whose diff ID is already known.
  @discardableResult
  public func addLayer(
    uncompressedTarAt tarPath: String, diffID: Digest, parent: Digest?
  ) throws -> StoredLayer {
    let chainID = parent.map { Digest.of("\($0) \(diffID)") } ?? diffID
    if hasLayer(chainID) { return try layer(chainID) }
    let manager = FileManager.default
    // The layer's tar is kept, compressed, so `docker save` can write it back byte for byte.
    let archive = layerArchivePath(diffID)
    if !manager.fileExists(atPath: archive) {
      try createDirectories(PathText.parent(archive))
      let staged = archive + ".tmp-\(UUID().uuidString)"
      do {
        try Gzip.compress(fileAt: tarPath, to: staged)
        chmod(staged, 0o644)
      } catch let error as ArchiveError {
        throw ImageError.archive(error.description)
      }
      guard rename(staged, archive) == 0 else {
        throw ImageError.io(path: archive, reason: String(cString: strerror(errno)))
      }
      StoreJournal.shared.noteWrite(archive, walk: false)
    }
    let cacheID = SeededID.cacheID(for: chainID)
    let linkID = SeededID.linkID(for: cacheID)
    let parentLayer = try parent.map { try layer($0) }

    // 1. The overlay2 directory, extracted under a temporary name and renamed.
    let overlay = "\(overlayDirectory)/\(cacheID)"
    let staging = "\(temporaryDirectory)/overlay-\(cacheID)"
    try? manager.removeStoreItem(atPath: staging)
    try? manager.removeStoreItem(atPath: overlay)
    try createDirectories("\(staging)/diff")
    // A layer's folder is the daemon's; its diff is the image's, 0755.
    chmod(staging, 0o710)
    let summary: ExtractionSummary
    do {
      summary = try LayerExtractor.extract(archiveAt: tarPath, into: "\(staging)/diff")
    } catch let error as ArchiveError {
      try? manager.removeStoreItem(atPath: staging)
      throw ImageError.archive(error.description)
    }
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
    try writeFileAtomically("\(writeSet)/size", Array(String(summary.size).utf8))
    try writeFileAtomically("\(writeSet)/cache-id", Array(cacheID.utf8))
    if let parent { try writeFileAtomically("\(writeSet)/parent", Array(parent.description.utf8)) }
    try writeFileAtomically("\(writeSet)/tar-split.json.gz", try TarSplit.make(fromTarAt: tarPath))
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
      chainID: chainID, diffID: diffID, parent: parent, cacheID: cacheID, size: summary.size)
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
  public func readLayerTar(_ diffID: Digest, chunk: (UnsafeRawBufferPointer) throws -> Void)
    throws
  {
    try Gzip.decompress(fileAt: layerArchivePath(diffID), chunk: chunk)
  }

  /// The size in bytes of the layer's uncompressed tar.
  public func layerTarSize(_ diffID: Digest) throws -> Int64 {
    var size: Int64 = 0
    try readLayerTar(diffID) { size += Int64($0.count) }
    return size
  }

  /// Where the layer with `diffID` is kept as a gzip'd tar.
  public func layerArchivePath(_ diffID: Digest) -> String {
    "\(stateDirectory)/layers/\(diffID.hex).tar.gz"
  }

  /// Deletes a layer no image uses any more: its layerdb entry first, so it stops existing
  /// at once, then its overlay2 directory and link.
  func removeLayer(_ chainID: Digest) throws {
    let stored = try layer(chainID)
    let manager = FileManager.default
    defer {
      let chains = (try? manager.contentsOfDirectory(atPath: layerDirectory)) ?? []
      let stillKept = chains.contains {
        readText("\(layerDirectory)/\($0)/diff") == stored.diffID.description
      }
      if !stillKept { try? manager.removeStoreItem(atPath: layerArchivePath(stored.diffID)) }
    }
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

  /// Records that a registry blob holds a diff ID, as the daemon does after a download.
  func recordDistribution(blob: Digest, diffID: Digest, repository: String) throws {
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

  /// The diff ID a registry blob was last seen to hold.
  func diffID(forBlob blob: Digest) -> Digest? {
    readText("\(diffIDByDigestDirectory)/\(blob.hex)").flatMap { try? Digest($0) }
  }
}
