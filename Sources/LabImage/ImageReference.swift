/// An image reference parsed and normalised as Docker's `distribution/reference` does.
///
/// `nginx` becomes `docker.io/library/nginx`; the familiar form strips those defaults again.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
  /// The registry host, with its port (`docker.io`, `localhost:5000`).
  public var domain: String
  /// The repository path inside the registry (`library/nginx`).
  public var path: String
  public var tag: String?
  public var digest: Digest?

  public static let defaultDomain = "docker.io"
  public static let defaultTag = "latest"

  public init(domain: String, path: String, tag: String? = nil, digest: Digest? = nil) {
    self.domain = domain
    self.path = path
    self.tag = tag
    self.digest = digest
  }

  /// Parses a user's reference with Docker's normalisation (`ParseNormalizedNamed`).
  public init(parsing text: String) throws(ReferenceError) {
    if Self.isIdentifier(text) { throw .hexadecimalName(text) }
    let (domain, remainder) = Self.splitDockerDomain(text)
    let remoteName = remainder.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
    if remoteName.lowercased() != remoteName { throw .uppercaseName(remoteName) }
    self = try Self.parseStrict(domain + "/" + remainder)
  }

  /// The full name: `docker.io/library/nginx`.
  public var name: String { "\(domain)/\(path)" }

  /// The name as people write it: `nginx`, `bitnami/redis`, `ghcr.io/a/b`.
  public var familiarName: String {
    guard domain == Self.defaultDomain else { return name }
    if path.hasPrefix("library/") && !path.dropFirst(8).contains("/") {
      return String(path.dropFirst(8))
    }
    return path
  }

  /// The familiar name with its tag and digest: `nginx:latest`, `nginx@sha256:…`.
  public var familiarString: String { familiarName + suffix }

  /// The full reference: `docker.io/library/nginx:latest`.
  public var description: String { name + suffix }

  private var suffix: String {
    var text = ""
    if let tag { text += ":" + tag }
    if let digest { text += "@" + digest.description }
    return text
  }

  /// The reference with `latest` added when it names neither tag nor digest (`TagNameOnly`).
  public var withDefaultTag: ImageReference {
    var copy = self
    if tag == nil && digest == nil { copy.tag = Self.defaultTag }
    return copy
  }

  /// Just the repository, with no tag or digest (`TrimNamed`).
  public var repository: ImageReference { ImageReference(domain: domain, path: path) }

  /// Whether the user's text named no tag and no digest.
  public var isNameOnly: Bool { tag == nil && digest == nil }

  // MARK: - Grammar

  /// 64 lowercase hex characters: an image ID, never a name.
  public static func isIdentifier(_ text: String) -> Bool { Digest.isHex64(Substring(text)) }

  static func splitDockerDomain(_ name: String) -> (String, String) {
    guard let slash = name.firstIndex(of: "/") else {
      return (defaultDomain, "library/" + name)
    }
    var domain = String(name[..<slash])
    var remote = String(name[name.index(after: slash)...])
    switch true {
    case domain == "localhost": break
    case domain == "index.docker.io": domain = defaultDomain
    case domain.contains(".") || domain.contains(":"): break
    case domain.lowercased() != domain: break
    default: return (defaultDomain, name)
    }
    if domain == defaultDomain && !remote.contains("/") { remote = "library/" + remote }
    return (domain, remote)
  }

  /// `reference.Parse`: the grammar with no normalisation.
  static func parseStrict(_ text: String) throws(ReferenceError) -> ImageReference {
    guard let parts = ReferenceGrammar.match(text) else {
      if text.isEmpty { throw .emptyName }
      if ReferenceGrammar.match(text.lowercased()) != nil { throw .uppercase }
      throw .invalidFormat
    }
    var domain = ""
    var path = parts.name
    if let parsed = ReferenceGrammar.splitDomain(parts.name) {
      domain = parsed.domain
      path = parsed.path
    }
    if path.count > 255 { throw .nameTooLong }
    var digest: Digest?
    if let digestText = parts.digest {
      guard let parsed = try? Digest(digestText) else { throw .invalidDigest(digestText) }
      digest = parsed
    }
    return ImageReference(domain: domain, path: path, tag: parts.tag, digest: digest)
  }
}

/// A reference or a digest, as the daemon accepts to name an image (`ParseAnyReference`).
public enum ImageLookup: Hashable, Sendable {
  case named(ImageReference)
  case digest(Digest)
  /// Text that is a valid name, tried also as a prefix of an image ID.
  public static func parse(_ text: String) throws(ReferenceError) -> (ImageLookup, String) {
    if ImageReference.isIdentifier(text), let digest = try? Digest(hex: text) {
      return (.digest(digest), text)
    }
    if let digest = try? Digest(text) { return (.digest(digest), text) }
    return (.named(try ImageReference(parsing: text)), text)
  }
}

/// A reference that does not follow Docker's grammar; the messages are Docker's own.
public enum ReferenceError: Error, Equatable, Sendable, CustomStringConvertible {
  case invalidFormat
  case uppercaseName(String)
  case uppercase
  case emptyName
  case nameTooLong
  case hexadecimalName(String)
  case invalidDigest(String)

  public var description: String {
    switch self {
    case .invalidFormat: "invalid reference format"
    case .uppercaseName(let name):
      "invalid reference format: repository name (\(name)) must be lowercase"
    case .uppercase: "invalid reference format: repository name must be lowercase"
    case .emptyName: "invalid reference format: repository name must have at least one component"
    case .nameTooLong:
      "invalid reference format: repository name must not be more than 255 characters"
    case .hexadecimalName(let name):
      "invalid repository name (\(name)), cannot specify 64-byte hexadecimal strings"
    case .invalidDigest: "invalid checksum digest format"
    }
  }
}

/// The regular grammar of `distribution/reference` (regexp.go), matched by hand.
enum ReferenceGrammar {
  struct Parts {
    var name: String
    var tag: String?
    var digest: String?
  }

  /// Matches `name[:tag][@digest]`.
  static func match(_ text: String) -> Parts? {
    var rest = Substring(text)
    var digest: String?
    if let at = rest.firstIndex(of: "@") {
      let digestText = rest[rest.index(after: at)...]
      guard isDigest(digestText) else { return nil }
      digest = String(digestText)
      rest = rest[..<at]
    }
    var tag: String?
    // The tag follows the last ':' that comes after the last '/'.
    let lastSlash = rest.lastIndex(of: "/")
    if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
      let tagText = rest[rest.index(after: colon)...]
      let nameText = rest[..<colon]
      if isTag(tagText) && isName(nameText) {
        tag = String(tagText)
        rest = nameText
      }
    }
    guard isName(rest) else { return nil }
    return Parts(name: String(rest), tag: tag, digest: digest)
  }

  /// Splits `domain/path` when the first component can only be a domain and the rest a path.
  static func splitDomain(_ name: String) -> (domain: String, path: String)? {
    guard let slash = name.firstIndex(of: "/") else { return nil }
    let first = name[..<slash]
    let rest = name[name.index(after: slash)...]
    guard isDomainAndPort(first), isRemoteName(rest) else { return nil }
    return (String(first), String(rest))
  }

  static func isName(_ text: Substring) -> Bool {
    if isRemoteName(text) { return true }
    guard let slash = text.firstIndex(of: "/") else { return false }
    return isDomainAndPort(text[..<slash]) && isRemoteName(text[text.index(after: slash)...])
  }

  static func isRemoteName(_ text: Substring) -> Bool {
    guard !text.isEmpty else { return false }
    return text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPathComponent)
  }

  /// Matches a path component: `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
  static func isPathComponent(_ text: Substring) -> Bool {
    let bytes = Array(text.utf8)
    var index = 0
    func alphanumericRun() -> Bool {
      let start = index
      while index < bytes.count, isLowerAlnum(bytes[index]) { index += 1 }
      return index > start
    }
    guard alphanumericRun() else { return false }
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "."):
        index += 1
      case UInt8(ascii: "_"):
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
      case UInt8(ascii: "-"):
        while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
      default:
        return false
      }
      guard alphanumericRun() else { return false }
    }
    return true
  }

  static func isDomainAndPort(_ text: Substring) -> Bool {
    var host = text
    if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
      let port = text[text.index(after: colon)...]
      guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else {
        return false
      }
      host = text[..<colon]
    }
    if host.hasPrefix("[") {
      guard host.hasSuffix("]"), host.count > 2 else { return false }
      return host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" }
    }
    guard !host.isEmpty else { return false }
    return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
      guard let first = label.first, let last = label.last else { return false }
      return isAlnum(first) && isAlnum(last) && label.allSatisfy { isAlnum($0) || $0 == "-" }
    }
  }

  /// Matches a tag: `[\w][\w.-]{0,127}`.
  static func isTag(_ text: Substring) -> Bool {
    guard let first = text.first, text.count <= 128, isWord(first) else { return false }
    return text.allSatisfy { isWord($0) || $0 == "." || $0 == "-" }
  }

  /// Matches a digest: `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`.
  static func isDigest(_ text: Substring) -> Bool {
    guard let colon = text.firstIndex(of: ":") else { return false }
    let algorithm = text[..<colon]
    let hex = text[text.index(after: colon)...]
    guard hex.count >= 32, hex.allSatisfy(\.isHexDigit) else { return false }
    let components = algorithm.split(
      omittingEmptySubsequences: false, whereSeparator: { "-_+.".contains($0) })
    return components.allSatisfy { component in
      guard let first = component.first, first.isASCII, first.isLetter else { return false }
      return component.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
  }

  private static func isLowerAlnum(_ byte: UInt8) -> Bool {
    (97...122).contains(byte) || (48...57).contains(byte)
  }

  private static func isAlnum(_ character: Character) -> Bool {
    character.isASCII && (character.isLetter || character.isNumber)
  }

  private static func isWord(_ character: Character) -> Bool {
    isAlnum(character) || character == "_"
  }
}
