import Foundation
import LabJSON

/// The tags and digests that name images: `repositories.json`.
public struct ReferenceTable: Equatable, Sendable {
  /// Repository familiar name → reference familiar string → image ID.
  public var repositories: [String: [String: Digest]] = [:]

  /// Every reference with the image it names, in lexical order of the full reference,
  /// as Docker's reference store sorts them.
  public var all: [(reference: ImageReference, image: Digest)] {
    repositories.values.flatMap { $0 }.compactMap { key, id in
      (try? ImageReference(parsing: key)).map { ($0, id) }
    }.sorted { $0.0.description < $1.0.description }
  }

  public func references(to image: Digest) -> [ImageReference] {
    all.filter { $0.image == image }.map(\.reference)
  }

  public func image(for reference: ImageReference) -> Digest? {
    repositories[reference.familiarName]?[reference.familiarString]
  }

  public mutating func add(_ reference: ImageReference, image: Digest) {
    repositories[reference.familiarName, default: [:]][reference.familiarString] = image
  }

  /// Removes a reference; an emptied repository is dropped, as Docker does.
  public mutating func remove(_ reference: ImageReference) {
    repositories[reference.familiarName]?[reference.familiarString] = nil
    if repositories[reference.familiarName]?.isEmpty == true {
      repositories[reference.familiarName] = nil
    }
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
        table.repositories[name, default: [:]][key] = id
      }
    }
    return table
  }

  /// Writes `repositories.json` compactly with sorted keys and no trailing newline.
  public func saveReferenceTable(_ table: ReferenceTable) throws {
    try writeFileAtomically(repositoriesPath, Array(table.json.compact().utf8), mode: 0o600)
  }
}
