import Foundation
import LabFiles
import LabJSON

/// The build cache: what each step produced, keyed by the step and everything it depends on.
///
/// A hit reuses the step's layer and its created time, so an unchanged rebuild writes the same
/// config and gets the same image ID.
struct BuildCache {
  struct Entry {
    var diffID: Digest?
    var created: String
  }

  let path: String
  var entries: [String: Entry] = [:]
  var legacyImages: [String: Digest] = [:]
  /// The hashes of the files earlier builds copied, beside the cache.
  var fileHashes: FileHashes

  init(path: String) {
    self.path = path
    fileHashes = FileHashes(path: PathText.parent(path) + "/file-hashes")
    guard let data = FileManager.default.contents(atPath: path),
      let json = try? JSONValue(parsing: Array(data))
    else { return }
    for (key, value) in json["steps"]?.objectValue ?? [] {
      entries[key] = Entry(
        diffID: value["diffID"]?.stringValue.flatMap { try? Digest($0) },
        created: value["created"]?.stringValue ?? "")
    }
    for (key, value) in json["legacy"]?.objectValue ?? [] {
      if let id = value.stringValue.flatMap({ try? Digest($0) }) { legacyImages[key] = id }
    }
  }

  func entry(for key: String) -> Entry? { entries[key] }

  mutating func record(_ entry: Entry, for key: String) { entries[key] = entry }

  func legacyImage(for key: String) -> Digest? { legacyImages[key] }

  mutating func recordLegacyImage(_ id: Digest, for key: String) { legacyImages[key] = id }

  func save() throws {
    let steps = entries.keys.sorted().map { key -> (String, JSONValue) in
      let entry = entries[key]
      var members: [(String, JSONValue)] = [("created", .string(entry?.created ?? ""))]
      if let diffID = entry?.diffID { members.append(("diffID", .string(diffID.description))) }
      return (key, .object(members))
    }
    let legacy = legacyImages.keys.sorted().map {
      ($0, JSONValue.string(legacyImages[$0]?.description ?? ""))
    }
    let json = JSONValue.object([("steps", .object(steps)), ("legacy", .object(legacy))])
    try writeFileAtomically(path, Array(json.compact().utf8))
    try fileHashes.save()
  }
}
