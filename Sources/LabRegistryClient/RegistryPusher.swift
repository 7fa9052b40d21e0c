import Foundation
import LabArchive
import LabImage
import LabJSON

/// How one layer reached the registry, in `docker push`'s words.
public enum PushedLayerStatus: Equatable, Sendable {
  /// Uploaded: `Pushed`.
  case pushed
  /// The repository had it: `Layer already exists`.
  case alreadyExists
  /// Mounted from another repository of the registry: `Mounted from library/alpine`.
  case mounted(from: String)

  public var text: String {
    switch self {
    case .pushed: "Pushed"
    case .alreadyExists: "Layer already exists"
    case .mounted(let source): "Mounted from \(source)"
    }
  }
}

/// What pushing one tag did.
public struct PushReport: Equatable, Sendable {
  /// The manifest's digest and size, for `1.0: digest: sha256:… size: 1570`.
  public var digest: Digest
  public var size: Int
  /// How many requests carried layer content (chunks count one each).
  public var uploadRequests: Int
}

/// Pushes images from the store to a registry as Docker's daemon does.
///
/// Layers are sent gzip'd, compressed the same way every time so a layer always has the same
/// blob digest. The store's distribution metadata remembers which blob holds which layer in
/// which repository: a layer the repository already has is only checked with `HEAD`, one
/// another repository of the registry has is mounted from it, and only the rest is uploaded.
public struct RegistryPusher {
  let store: ImageStore
  let client: RegistryClient
  /// A private directory for compressed layers on their way out.
  let scratch: String

  public init(store: ImageStore, client: RegistryClient, scratch: String) {
    self.store = store
    self.client = client
    self.scratch = scratch
  }

  /// Finds the scheme the registry answers on and its authentication, before any layer.
  public func connect() throws(RegistryError) { try client.ping() }

  /// The layers `docker push` lists for an image, top first, each once.
  public static func layerOrder(_ image: StoredImage) -> [Digest] {
    var seen: Set<Digest> = []
    return image.diffIDs.reversed().filter { seen.insert($0).inserted }
  }

  /// Pushes the image `imageID` as `reference` (which has a tag).
  ///
  /// - Parameters:
  ///   - imageID: The image to push.
  ///   - reference: Where to push it, with its tag.
  ///   - layerDone: Called as each layer is in the registry, with how it got there.
  /// - Returns: The manifest's digest and size.
  /// - Throws: ``RegistryError`` for the registry's refusals, ``ImageError`` for the store's.
  public func push(
    _ imageID: Digest, as reference: ImageReference,
    layerDone: (Digest, PushedLayerStatus) -> Void
  ) throws -> PushReport {
    let image = try store.image(imageID)
    let repository = reference.path
    var blobs: [Digest: (digest: Digest, size: Int64)] = [:]
    var requests = 0
    for diffID in Self.layerOrder(image) {
      let (blob, status, sent) = try pushLayer(diffID, to: reference)
      blobs[diffID] = blob
      requests += sent
      try store.withLock {
        try store.recordDistribution(blob: blob.digest, diffID: diffID, repository: reference.name)
      }
      layerDone(diffID, status)
    }
    // The config, then the manifest that names it and the layers, bottom first.
    let configDigest = imageID
    if try client.blobSize(repository, configDigest) == nil {
      let path = "\(scratch)/config-\(configDigest.hex)"
      guard FileManager.default.createFile(atPath: path, contents: Data(image.configBytes)) else {
        throw RegistryError.io("\(path): cannot write the image config")
      }
      defer { try? FileManager.default.removeItem(atPath: path) }
      let location = try client.startUpload(repository)
      try client.upload(repository, fileAt: path, digest: configDigest, location: location)
    }
    let layers: [JSONValue] = image.diffIDs.compactMap { diffID in
      blobs[diffID].map { blob in
        Self.descriptor(MediaType.dockerLayerGzip, blob.size, blob.digest)
      }
    }
    let manifest = JSONValue.object([
      ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.dockerManifest)),
      (
        "config",
        Self.descriptor(MediaType.dockerConfig, Int64(image.configBytes.count), configDigest)
      ),
      ("layers", .array(layers)),
    ])
    let bytes = Array(manifest.indented("   ", escapingHTML: true).utf8)
    let digest = Digest.of(bytes)
    let tag = reference.tag ?? ImageReference.defaultTag
    if let stated = try client.putManifest(
      repository, tag, bytes, mediaType: MediaType.dockerManifest),
      let statedDigest = try? Digest(stated), statedDigest != digest
    {
      throw RegistryError.digestMismatch(expected: digest, actual: statedDigest)
    }
    // As the daemon does, the pushed digest becomes a name of the image (its RepoDigests).
    try store.withLock {
      var table = try store.referenceTable()
      var digestReference = reference.repository
      digestReference.digest = digest
      table.add(digestReference, image: imageID)
      try store.saveReferenceTable(table)
    }
    return PushReport(digest: digest, size: bytes.count, uploadRequests: requests)
  }

  static func descriptor(_ mediaType: String, _ size: Int64, _ digest: Digest) -> JSONValue {
    .object([
      ("mediaType", .string(mediaType)), ("size", .int(size)),
      ("digest", .string(digest.description)),
    ])
  }

  /// Gets one layer into the repository the cheapest way that works.
  private func pushLayer(_ diffID: Digest, to reference: ImageReference) throws -> (
    (digest: Digest, size: Int64), PushedLayerStatus, Int
  ) {
    let repository = reference.path
    let known = store.distributionRecords(for: diffID).reversed().compactMap {
      record -> (blob: Digest, path: String)? in
      guard let source = try? ImageReference(parsing: record.repository),
        source.domain == client.host
      else { return nil }
      return (record.blob, source.path)
    }
    // A blob this repository was seen to have: one HEAD confirms it.
    for record in known where record.path == repository {
      if let size = try client.blobSize(repository, record.blob) {
        return ((record.blob, size), .alreadyExists, 0)
      }
    }
    // A blob another repository of the registry has: mount it.
    var location: String?
    for record in known.filter({ $0.path != repository }).prefix(3) {
      switch try client.mount(repository, record.blob, from: record.path) {
      case .mounted:
        let size = try client.blobSize(repository, record.blob) ?? 0
        return ((record.blob, size), .mounted(from: record.path), 0)
      case .upload(let started):
        location = location ?? started
      }
    }
    // Otherwise compress, check once more by digest, and upload.
    let tar = "\(scratch)/\(diffID.hex).tar"
    let compressed = tar + ".gz"
    defer {
      try? FileManager.default.removeItem(atPath: tar)
      try? FileManager.default.removeItem(atPath: compressed)
    }
    guard FileManager.default.createFile(atPath: tar, contents: nil),
      let output = FileHandle(forWritingAtPath: tar)
    else { throw RegistryError.io("\(tar): cannot write the layer") }
    do {
      defer { try? output.close() }
      try store.readLayerTar(diffID) { try output.write(contentsOf: Data($0)) }
    }
    try Gzip.compress(fileAt: tar, to: compressed)
    let digest = try Digest.ofFile(at: compressed)
    let size = Int64(
      (try FileManager.default.attributesOfItem(atPath: compressed)[.size] as? Int) ?? 0)
    if try client.blobSize(repository, digest) != nil {
      return ((digest, size), .alreadyExists, 0)
    }
    let uploadLocation = try location ?? client.startUpload(repository)
    let requests = try client.upload(
      repository, fileAt: compressed, digest: digest, location: uploadLocation)
    return ((digest, size), .pushed, requests)
  }
}
