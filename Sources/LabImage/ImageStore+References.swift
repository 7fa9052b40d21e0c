import Foundation
import LabJSON

/// The tags and digests that name images: `repositories.json`, indexed by image.
///
/// A command reads the table once and asks it per image, so the references to an image are
/// kept beside the table, by image; a reference is parsed only when it is asked for, so that
/// `docker tag` in a store of thousands parses none of the others.
public struct ReferenceTable: Equatable, Sendable {
  /// Repository familiar name → reference familiar string → image ID.
  public private(set) var repositories: [String: [String: Digest]] = [:]
  /// Image ID → the references (familiar strings) that name it: the index
  /// ``references(to:)`` reads.
  private var byImage: [Digest: Set<String>] = [:]

  public init() {}

  /// Every reference with the image it names, in lexical order of the full reference,
  /// as Docker's reference store sorts them.
  public var all: [(reference: ImageReference, image: Digest)] {
    byImage.flatMap { image, keys in
      keys.compactMap { key in (try? ImageReference(parsing: key)).map { ($0, image) } }
    }
    .map { (key: $0.0.description, entry: $0) }
    .sorted { $0.key < $1.key }.map(\.entry)
  }

  /// The references that name `image`, in lexical order of the full reference.
  public func references(to image: Digest) -> [ImageReference] {
    guard let keys = byImage[image] else { return [] }
    return keys.compactMap { try? ImageReference(parsing: $0) }
      .map { (key: $0.description, reference: $0) }
      .sorted { $0.key < $1.key }.map(\.reference)
  }

  /// Whether any reference names `image`.
  public func isReferenced(_ image: Digest) -> Bool { !references(to: image).isEmpty }

  public func image(for reference: ImageReference) -> Digest? {
    repositories[reference.familiarName]?[reference.familiarString]
  }

  public mutating func add(_ reference: ImageReference, image: Digest) {
    insert(key: reference.familiarString, repository: reference.familiarName, image: image)
  }

  /// Removes a reference; an emptied repository is dropped, as Docker does.
  public mutating func remove(_ reference: ImageReference) {
    let name = reference.familiarName
    let key = reference.familiarString
    guard let old = repositories[name]?.removeValue(forKey: key) else { return }
    if repositories[name]?.isEmpty == true { repositories[name] = nil }
    unindex(key, from: old)
  }

  /// Records `key` in `repository` as naming `image`.
  mutating func insert(key: String, repository: String, image: Digest) {
    if let old = repositories[repository]?[key] { unindex(key, from: old) }
    repositories[repository, default: [:]][key] = image
    byImage[image, default: []].insert(key)
  }

  private mutating func unindex(_ key: String, from image: Digest) {
    byImage[image]?.remove(key)
    if byImage[image]?.isEmpty == true { byImage[image] = nil }
  }

  var json: JSONValue {
    .object([
      (
        "Repositories",
        .object(
          repositories.keys.sorted().map { name in
            let refs = repositories[name] ?? [:]
            return (
              name, .object(refs.keys.sorted().map { ($0, .string(refs[$0]?.description ?? "")) })
            )
          })
      )
    ])
  }
}

extension ImageStore {
  /// Reads `repositories.json`.
  public func referenceTable() throws -> ReferenceTable {
    guard exists(repositoriesPath) else { return ReferenceTable() }
    let json = try JSONValue(parsing: try readFile(repositoriesPath))
    var table = ReferenceTable()
    for (name, refs) in json["Repositories"]?.objectValue ?? [] {
      for (key, value) in refs.objectValue ?? [] {
        guard let text = value.stringValue, let id = try? Digest(text) else {
          throw ImageError.corruptStore("repositories.json names \(key) with a bad image ID")
        }
        table.insert(key: key, repository: name, image: id)
      }
    }
    return table
  }

  /// Writes `repositories.json` compactly with sorted keys and no trailing newline.
  public func saveReferenceTable(_ table: ReferenceTable) throws {
    try writeFileAtomically(repositoriesPath, Array(table.json.compact().utf8), mode: 0o600)
  }
}
