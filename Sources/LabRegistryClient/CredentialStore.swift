import Foundation
import LabJSON

/// Where `docker login` keeps a session's credentials: a file shaped like Docker's
/// `config.json` (`{"auths":{"localhost:5000":{"auth":"<base64 user:password>"}}}`), mode 0600.
public struct CredentialStore: Sendable {
  public let path: String

  public init(path: String) { self.path = path }

  /// The credentials stored for `host`, if any.
  public func credentials(for host: String) -> RegistryCredentials? {
    guard let auth = entries()[host], let data = Data(base64Encoded: auth) else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    guard let colon = text.firstIndex(of: ":") else { return nil }
    return RegistryCredentials(
      username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
  }

  /// Stores `credentials` for `host`, replacing any earlier ones.
  public func store(_ credentials: RegistryCredentials, for host: String) throws {
    var all = entries()
    all[host] = credentials.encoded
    try write(all)
  }

  /// Forgets `host`'s credentials; `false` when there were none.
  public func remove(_ host: String) throws -> Bool {
    var all = entries()
    guard all.removeValue(forKey: host) != nil else { return false }
    try write(all)
    return true
  }

  private func entries() -> [String: String] {
    guard let data = FileManager.default.contents(atPath: path),
      let json = try? JSONValue(parsing: Array(data))
    else { return [:] }
    var result: [String: String] = [:]
    for (host, entry) in json["auths"]?.objectValue ?? [] {
      if let auth = entry["auth"]?.stringValue { result[host] = auth }
    }
    return result
  }

  private func write(_ entries: [String: String]) throws {
    let auths = entries.keys.sorted().map { host in
      (host, JSONValue.object([("auth", .string(entries[host] ?? ""))]))
    }
    let text = JSONValue.object([("auths", .object(auths))]).indented("\t")
    let temporary = path + ".tmp"
    guard
      FileManager.default.createFile(
        atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    guard rename(temporary, path) == 0 else {
      try? FileManager.default.removeItem(atPath: temporary)
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
  }
}
