import LabJSON

/// OCI and Docker media types this toolkit reads and writes.
public enum MediaType {
  public static let ociIndex = "application/vnd.oci.image.index.v1+json"
  public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
  public static let ociConfig = "application/vnd.oci.image.config.v1+json"
  public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
  public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
  public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
  public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
  public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
  public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
  public static let inToto = "application/vnd.in-toto+json"

  static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }
  static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }
}

/// An OS and CPU pair, such as `linux/arm64/v8`.
public struct Platform: Hashable, Sendable, CustomStringConvertible {
  public var os: String
  public var architecture: String
  public var variant: String?

  public init(os: String, architecture: String, variant: String? = nil) {
    self.os = os
    self.architecture = architecture
    self.variant = variant
  }

  /// Parses `os/arch[/variant]`, normalising as containerd does (`arm64` is `arm64/v8`).
  public init?(parsing text: String) {
    let parts = text.lowercased().split(separator: "/").map(String.init)
    guard (2...3).contains(parts.count) else { return nil }
    os = parts[0]
    architecture = parts[1]
    variant = parts.count == 3 ? parts[2] : nil
    switch architecture {
    case "x86_64", "x86-64": architecture = "amd64"
    case "aarch64": architecture = "arm64"
    case "i386": architecture = "386"
    default: break
    }
    if architecture == "arm64" && variant == nil { variant = "v8" }
    if architecture == "arm" && variant == nil { variant = "v7" }
  }

  public static let linuxAMD64 = Platform(os: "linux", architecture: "amd64")

  public var description: String {
    [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
  }

  /// Whether an index entry's platform serves a request for this one.
  func matches(_ other: Platform) -> Bool {
    guard os == other.os, architecture == other.architecture else { return false }
    let mine = variant ?? (architecture == "arm64" ? "v8" : nil)
    let theirs = other.variant ?? (other.architecture == "arm64" ? "v8" : nil)
    return mine == theirs
  }

  var json: JSONValue {
    var members: [(String, JSONValue)] = [
      ("architecture", .string(architecture)), ("os", .string(os)),
    ]
    if let variant { members.append(("variant", .string(variant))) }
    return .object(members)
  }

  init?(json: JSONValue?) {
    guard let json, let os = json["os"]?.stringValue,
      let architecture = json["architecture"]?.stringValue
    else { return nil }
    self.init(os: os, architecture: architecture, variant: json["variant"]?.stringValue)
  }
}

/// A content descriptor: what a blob is, its digest and its size.
public struct Descriptor: Equatable, Sendable {
  public var mediaType: String
  public var digest: Digest
  public var size: Int64
  public var platform: Platform?
  public var annotations: [(String, String)] = []

  public init(
    mediaType: String, digest: Digest, size: Int64, platform: Platform? = nil,
    annotations: [(String, String)] = []
  ) {
    self.mediaType = mediaType
    self.digest = digest
    self.size = size
    self.platform = platform
    self.annotations = annotations
  }

  public static func == (lhs: Descriptor, rhs: Descriptor) -> Bool {
    lhs.mediaType == rhs.mediaType && lhs.digest == rhs.digest && lhs.size == rhs.size
      && lhs.platform == rhs.platform && lhs.annotations.elementsEqual(rhs.annotations, by: ==)
  }

  public func annotation(_ key: String) -> String? { annotations.first { $0.0 == key }?.1 }

  var json: JSONValue {
    var members: [(String, JSONValue)] = [
      ("mediaType", .string(mediaType)), ("digest", .string(digest.description)),
      ("size", .int(size)),
    ]
    if !annotations.isEmpty {
      members.append(("annotations", .object(annotations.map { ($0.0, .string($0.1)) })))
    }
    if let platform { members.append(("platform", platform.json)) }
    return .object(members)
  }

  public init(json: JSONValue) throws(ImageError) {
    guard let type = json["mediaType"]?.stringValue, let digestText = json["digest"]?.stringValue,
      let size = json["size"]?.intValue
    else { throw .invalidJSON("descriptor lacks mediaType, digest or size") }
    mediaType = type
    digest = try Digest(digestText)
    self.size = size
    platform = Platform(json: json["platform"])
    annotations = (json["annotations"]?.objectValue ?? []).compactMap { key, value in
      value.stringValue.map { (key, $0) }
    }
  }
}

/// The annotation that names a tag in an OCI layout's `index.json`.
public let refNameAnnotation = "org.opencontainers.image.ref.name"
