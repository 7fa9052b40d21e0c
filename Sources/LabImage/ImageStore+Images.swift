import Foundation
import LabJSON
import Synchronization

/// An image in the store: its config and what Docker keeps beside it.
public struct StoredImage: Sendable {
  public var id: Digest
  /// The config exactly as stored; the image ID is its digest.
  public var configBytes: [UInt8]
  public var config: JSONValue
  /// `imagedb/metadata/…/parent`, set for legacy-built images.
  public var parent: Digest?
  /// `imagedb/metadata/…/lastUpdated`, set by tag and build.
  public var lastUpdated: String?

  public var created: Date? { config["created"]?.stringValue.flatMap(parseRFC3339) }
  public var createdText: String { config["created"]?.stringValue ?? "" }

  public var diffIDs: [Digest] {
    (config["rootfs"]?["diff_ids"]?.arrayValue ?? []).compactMap {
      $0.stringValue.flatMap { try? Digest($0) }
    }
  }

  public var chainIDs: [Digest] { LabImage.chainIDs(of: diffIDs) }
  public var topChainID: Digest? { chainIDs.last }

  /// The `config` object: Cmd, Env, Labels and the rest.
  public var containerConfig: JSONValue? { config["config"] }

  public var labels: [(String, String)] {
    (containerConfig?["Labels"]?.objectValue ?? []).compactMap { key, value in
      value.stringValue.map { (key, $0) }
    }
  }
}

extension ImageStore {
  /// Every image ID in the store.
  public func imageIDs() throws -> [Digest] {
    guard exists(contentDirectory) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: contentDirectory)
      .compactMap { try? Digest(hex: $0) }.sorted()
  }

  /// An image's config and what Docker keeps beside it.
  ///
  /// - Parameters:
  ///   - id: The image ID.
  ///   - withLastUpdated: Whether to read when it was last tagged; a listing, which never shows
  ///     it, saves a file read per image.
  /// - Returns: The image, its `lastUpdated` `nil` when not read.
  /// - Throws: ``ImageError/io(path:reason:)`` when its config cannot be read, or a JSON error
  ///   when the config is not JSON.
  public func image(_ id: Digest, withLastUpdated: Bool = true) throws -> StoredImage {
    let bytes = try readFile("\(contentDirectory)/\(id.hex)")
    let metadata = "\(metadataDirectory)/\(id.hex)"
    return StoredImage(
      id: id, configBytes: bytes, config: try ParsedConfigs.shared.config(of: bytes, id: id),
      parent: readText("\(metadata)/parent").flatMap { try? Digest($0) },
      lastUpdated: withLastUpdated ? readText("\(metadata)/lastUpdated") : nil)
  }

  public func hasImage(_ id: Digest) -> Bool { exists("\(contentDirectory)/\(id.hex)") }

  /// Stores a config; its digest is the image ID.
  ///
  /// The layers must already be in the store, so an image is never listed without them.
  @discardableResult
  public func storeImage(config bytes: [UInt8]) throws -> Digest {
    let id = Digest.of(bytes)
    let path = "\(contentDirectory)/\(id.hex)"
    if !exists(path) { try writeFileAtomically(path, bytes, mode: 0o600) }
    return id
  }

  /// Records when an image was last tagged, as `docker tag` and `build -t` do.
  public func setLastUpdated(_ id: Digest, to date: Date) throws {
    try writeFileAtomically(
      "\(metadataDirectory)/\(id.hex)/lastUpdated", Array(formatRFC3339Nano(date).utf8),
      mode: 0o600)
  }

  public func setParent(_ id: Digest, to parent: Digest) throws {
    try writeFileAtomically(
      "\(metadataDirectory)/\(id.hex)/parent", Array(parent.description.utf8), mode: 0o600)
  }

  /// Finds the image a user's text names, in the daemon's order: a digest, then a
  /// reference (with `latest` added), then a prefix of an image ID.
  public func resolveImage(_ text: String) throws -> Digest {
    let lookup: ImageLookup
    do {
      lookup = try ImageLookup.parse(text).0
    } catch {
      throw ImageError.invalidReference(error)
    }
    switch lookup {
    case .digest(let digest):
      if hasImage(digest) { return digest }
      throw ImageError.noSuchImage(digest.description)
    case .named(let reference):
      let table = try referenceTable()
      if let id = table.image(for: reference.withDefaultTag) { return id }
      if let id = try imageID(withPrefix: text) { return id }
      throw ImageError.noSuchImage(reference.withDefaultTag.familiarString)
    }
  }

  /// The one image whose ID starts with `prefix` (with or without `sha256:`).
  public func imageID(withPrefix prefix: String) throws -> Digest? {
    let hex = prefix.hasPrefix("sha256:") ? String(prefix.dropFirst(7)) : prefix
    guard !hex.isEmpty, hex.allSatisfy(\.isHexDigit), hex == hex.lowercased() else { return nil }
    let matches = try imageIDs().filter { $0.hex.hasPrefix(hex) }
    return matches.count == 1 ? matches[0] : nil
  }

  /// The images whose parent (legacy builds) is `id`.
  public func children(of id: Digest) throws -> [Digest] {
    try imageIDs().filter { (try? image($0, withLastUpdated: false).parent) == id }
  }

  /// The size Docker shows for an image: the bytes of every layer in its chain.
  public func size(of image: StoredImage) -> Int64 {
    image.chainIDs.reduce(0) { $0 + layerSize($1) }
  }
}

/// Image configs already parsed, by image ID: a lesson asks for the same images' configs at
/// every step, and `image ls` for every image's.
///
/// An entry is used only when the bytes read now are the bytes it was parsed from, so a config
/// changed on disk is parsed again. The cache is emptied when it reaches ``capacity``.
final class ParsedConfigs: Sendable {
  static let shared = ParsedConfigs()
  static let capacity = 4_096

  private let entries = Mutex<[Digest: (bytes: [UInt8], config: JSONValue)]>([:])

  func config(of bytes: [UInt8], id: Digest) throws -> JSONValue {
    if let entry = entries.withLock({ $0[id] }), entry.bytes == bytes { return entry.config }
    let config = try JSONValue(parsing: bytes)
    entries.withLock { entries in
      if entries.count >= Self.capacity { entries.removeAll() }
      entries[id] = (bytes, config)
    }
    return config
  }
}
