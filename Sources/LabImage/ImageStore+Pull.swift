import Foundation
import LabJSON

/// What a pull did, for the lines `docker pull` prints.
public struct PullReport: Equatable, Sendable {
  public enum LayerStatus: Equatable, Sendable {
    case pulled
    case alreadyExists
  }

  public struct Layer: Equatable, Sendable {
    /// The registry blob's digest, whose short form names the layer in pull output.
    public var blob: Digest
    public var status: LayerStatus
  }

  /// The reference pulled, with `latest` added when none was named.
  public var reference: ImageReference
  /// The layers, bottom first; empty when the image was already in the store.
  public var layers: [Layer]
  /// The digest the tag resolved to: the index digest for a multi-platform image.
  public var digest: Digest
  public var imageID: Digest
  /// Whether the reference already named this image before the pull.
  public var wasUpToDate: Bool
}

extension ImageStore {
  /// Pulls an image from a registry into the store.
  ///
  /// Every blob is verified against its digest before anything is written, and the layers
  /// added by a pull that fails later are removed again, so a failed pull leaves the store
  /// as it found it.
  ///
  /// - Parameters:
  ///   - reference: The image to pull; `latest` is added when it names no tag or digest.
  ///   - platform: The platform to pick from a multi-platform index; `linux/amd64` if `nil`.
  ///   - registry: Where the blobs come from.
  /// - Returns: What was pulled, for the lines `docker pull` prints.
  /// - Throws: ``ImageError`` for unknown images, bad content and store failures.
  public func pull(
    _ reference: ImageReference, platform: Platform? = nil, from registry: any RegistrySource
  ) throws -> PullReport {
    try withLock {
      try initializeLocked()
      return try pullLocked(reference.withDefaultTag, platform, registry)
    }
  }

  func pullLocked(
    _ reference: ImageReference, _ platform: Platform?, _ registry: any RegistrySource
  ) throws -> PullReport {
    let fetched = try fetchLocked(reference, platform, registry)
    if !hasImage(fetched.imageID) { try storeImage(config: fetched.configBytes) }
    var table = try referenceTable()
    let wasUpToDate = table.image(for: reference) == fetched.imageID
    table.add(reference, image: fetched.imageID)
    if reference.tag != nil {
      var digestReference = reference.repository
      digestReference.digest = fetched.digest
      table.add(digestReference, image: fetched.imageID)
    }
    try saveReferenceTable(table)
    return PullReport(
      reference: reference, layers: fetched.layers, digest: fetched.digest,
      imageID: fetched.imageID, wasUpToDate: wasUpToDate)
  }

  /// An image fetched for a build: its layers are in the store, its config is not, so it is
  /// not listed — BuildKit keeps base images out of `docker images` the same way.
  public struct FetchedImage: Sendable {
    public var configBytes: [UInt8]
    public var imageID: Digest
    /// The digest the reference resolved to (the index digest for a multi-platform image).
    public var digest: Digest
    public var layers: [PullReport.Layer]
  }

  /// Fetches an image's layers into the store without listing the image; the caller holds
  /// the lock.
  func fetchLocked(
    _ reference: ImageReference, _ platform: Platform?, _ registry: any RegistrySource
  ) throws -> FetchedImage {
    let top = try registry.resolve(reference)
    let wanted = platform ?? .linuxAMD64
    var manifestDescriptor = top
    if MediaType.isIndex(top.mediaType) {
      let index = try JSONValue(parsing: try verifiedBlob(top.digest, reference, registry))
      let candidates = try (index["manifests"]?.arrayValue ?? []).map { item throws(ImageError) in
        try Descriptor(json: item)
      }
      guard
        let match = candidates.first(where: { $0.platform.map { $0.matches(wanted) } ?? false })
      else { throw ImageError.noMatchingPlatform(wanted.description) }
      manifestDescriptor = match
    }
    guard MediaType.isManifest(manifestDescriptor.mediaType) else {
      throw ImageError.unsupportedMediaType(manifestDescriptor.mediaType)
    }
    let manifest = try JSONValue(
      parsing: try verifiedBlob(manifestDescriptor.digest, reference, registry))
    guard let configJSON = manifest["config"] else {
      throw ImageError.invalidJSON("manifest \(manifestDescriptor.digest) has no config")
    }
    let configDescriptor = try Descriptor(json: configJSON)
    let layerDescriptors = try (manifest["layers"]?.arrayValue ?? []).map {
      item throws(ImageError) in try Descriptor(json: item)
    }
    let imageID = configDescriptor.digest
    let configBytes = try verifiedBlob(imageID, reference, registry)
    var layers: [PullReport.Layer] = []
    if hasImage(imageID) {
      return FetchedImage(
        configBytes: configBytes, imageID: imageID, digest: top.digest, layers: [])
    }
    let config = StoredImage(
      id: imageID, configBytes: configBytes, config: try JSONValue(parsing: configBytes))
    let diffIDs = config.diffIDs
    guard diffIDs.count == layerDescriptors.count else {
      throw ImageError.invalidJSON(
        "image \(imageID.shortID) lists \(diffIDs.count) layers but its manifest has \(layerDescriptors.count)"
      )
    }
    let chains = chainIDs(of: diffIDs)
    // Verify every blob that must be downloaded before writing anything.
    var blobs: [Digest: RegistryBlob] = [:]
    for (index, descriptor) in layerDescriptors.enumerated() where !hasLayer(chains[index]) {
      let blob = try registry.blob(descriptor.digest, in: reference)
      let actual = try blob.digest()
      guard actual == descriptor.digest else {
        throw ImageError.digestMismatch(what: "blob", expected: descriptor.digest, actual: actual)
      }
      blobs[descriptor.digest] = blob
    }
    var added: [Digest] = []
    do {
      for (index, descriptor) in layerDescriptors.enumerated() {
        if hasLayer(chains[index]) {
          layers.append(.init(blob: descriptor.digest, status: .alreadyExists))
          continue
        }
        guard let blob = blobs[descriptor.digest] else { continue }
        try addLayer(
          from: blob, expectedDiffID: diffIDs[index],
          parent: index > 0 ? chains[index - 1] : nil)
        added.append(chains[index])
        try recordDistribution(
          blob: descriptor.digest, diffID: diffIDs[index], repository: reference.name)
        layers.append(.init(blob: descriptor.digest, status: .pulled))
      }
    } catch {
      for chain in added.reversed() { try? removeLayer(chain) }
      throw error
    }
    return FetchedImage(
      configBytes: configBytes, imageID: imageID, digest: top.digest, layers: layers)
  }

  private func verifiedBlob(
    _ digest: Digest, _ reference: ImageReference, _ registry: any RegistrySource
  ) throws -> [UInt8] {
    let bytes = try registry.blob(digest, in: reference).bytes()
    let actual = Digest.of(bytes)
    guard actual == digest else {
      throw ImageError.digestMismatch(what: "blob", expected: digest, actual: actual)
    }
    return bytes
  }
}
