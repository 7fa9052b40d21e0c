import Foundation

/// Which registries a session may reach over the network.
///
/// `docker.io` is always the embedded registry and needs no network. Other registries are
/// contacted only when named here: the hosts in `LAYERLAB_REGISTRIES` or the registries file,
/// and, for the commands a user types, registries on this machine (`localhost:5000`,
/// `127.0.0.1:5000`). Any other host is answered as one that does not resolve, without a
/// single packet sent, so a lesson from the internet cannot make LayerLab contact a host.
public struct RegistryAccess: Equatable, Sendable {
  /// One configured registry: its host (with port) and the schemes to try, in order.
  public struct Registry: Equatable, Sendable {
    public var host: String
    public var schemes: [String]

    public init(host: String, schemes: [String]) {
      self.host = host
      self.schemes = schemes
    }
  }

  public var registries: [Registry]
  /// Whether registries on this machine may be reached without being configured.
  public var allowsLoopback: Bool
  /// Bytes sent per request when a blob is uploaded in chunks; smaller blobs go in one request.
  public var chunkSize: Int
  /// How long a request may wait for an answer, in seconds.
  public var requestTimeout: Double

  /// No registry but the embedded one.
  public static let offline = RegistryAccess(registries: [], allowsLoopback: false)

  public init(
    registries: [Registry], allowsLoopback: Bool, chunkSize: Int = 8 << 20,
    requestTimeout: Double = 30
  ) {
    self.registries = registries
    self.allowsLoopback = allowsLoopback
    self.chunkSize = max(1, chunkSize)
    self.requestTimeout = requestTimeout
  }

  /// The schemes to try for `host`, HTTPS first.
  ///
  /// - Throws: ``RegistryError/notConfigured(host:)`` or
  ///   ``RegistryError/loopbackNotAllowed(host:)`` when the host may not be contacted.
  public func schemes(for host: String) throws(RegistryError) -> [String] {
    if let registry = registries.first(where: { $0.host == host }) { return registry.schemes }
    if Self.isLoopback(host) {
      // Docker treats registries on this machine as insecure: HTTPS, then plain HTTP.
      guard allowsLoopback else { throw .loopbackNotAllowed(host: host) }
      return ["https", "http"]
    }
    throw .notConfigured(host: host)
  }

  /// Whether `host` (with or without a port) names this machine.
  public static func isLoopback(_ host: String) -> Bool {
    let name = RegistryError.hostName(host)
    if name == "localhost" || name == "::1" { return true }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }

  // MARK: - Configuration

  /// The registries named by `LAYERLAB_REGISTRIES` and by the registries file.
  ///
  /// Entries are `host:port`, optionally with `https://` (the default) or `http://` for a
  /// registry that speaks plain HTTP. In the file, one or more per line, `#` starts a comment.
  ///
  /// - Parameters:
  ///   - variable: The value of `LAYERLAB_REGISTRIES`, comma-separated.
  ///   - file: The registries file; a missing file names no registry.
  /// - Returns: The registries, in the order they were named.
  /// - Throws: A message naming the variable, or the file and line, of an entry that is not
  ///   a registry host.
  public static func configuredRegistries(variable: String?, file: String?)
    throws(ConfigurationError) -> [Registry]
  {
    var registries: [Registry] = []
    for entry in (variable ?? "").split(whereSeparator: { $0 == "," || $0 == " " }) {
      guard let registry = parseEntry(String(entry)) else {
        throw ConfigurationError(
          "LAYERLAB_REGISTRIES: '\(entry)' is not a registry (host:port, http://host:port)")
      }
      registries.append(registry)
    }
    if let file, let data = FileManager.default.contents(atPath: file) {
      let lines = String(decoding: data, as: UTF8.self).split(
        separator: "\n", omittingEmptySubsequences: false)
      for (number, line) in lines.enumerated() {
        let content =
          line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
          .first ?? ""
        for entry in content.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
          guard let registry = parseEntry(String(entry)) else {
            throw ConfigurationError(
              "\(file):\(number + 1): '\(entry)' is not a registry (host:port, http://host:port)"
            )
          }
          registries.append(registry)
        }
      }
    }
    return registries
  }

  static func parseEntry(_ text: String) -> Registry? {
    var host = text
    var schemes = ["https"]
    if host.hasPrefix("https://") {
      host.removeFirst(8)
    } else if host.hasPrefix("http://") {
      host.removeFirst(7)
      schemes = ["http"]
    }
    if host.hasSuffix("/") { host.removeLast() }
    guard isHost(host) else { return nil }
    return Registry(host: host, schemes: schemes)
  }

  /// A registry domain as references have it: a name or an address, maybe with a port.
  static func isHost(_ text: String) -> Bool {
    guard !text.isEmpty, text.count <= 255 else { return false }
    var name = Substring(text)
    if name.hasPrefix("[") {
      guard let end = name.firstIndex(of: "]") else { return false }
      let address = name[name.index(after: name.startIndex)..<end]
      guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" }) else {
        return false
      }
      name = name[name.index(after: end)...]
      if name.isEmpty { return true }
      guard name.hasPrefix(":") else { return false }
      return isPort(name.dropFirst())
    }
    let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    if parts.count == 2 && !isPort(parts[1]) { return false }
    let labels = parts[0].split(separator: ".", omittingEmptySubsequences: false)
    return labels.allSatisfy { label in
      !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
        && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
  }

  static func isPort(_ text: Substring) -> Bool {
    guard let port = Int(text), text.allSatisfy(\.isNumber) else { return false }
    return (1...65535).contains(port)
  }
}

/// A registry configuration that cannot be read, with the place that says so.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}
