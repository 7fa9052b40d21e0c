import Crypto
import Foundation

/// A content digest in the `sha256:<64 hex>` form Docker and OCI use.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
  /// The 64 lowercase hex characters.
  public let hex: String

  /// Parses `sha256:<64 hex>`.
  public init(_ string: String) throws(ImageError) {
    guard string.hasPrefix("sha256:"), Self.isHex64(string.dropFirst(7)) else {
      throw .invalidDigest(string)
    }
    hex = String(string.dropFirst(7))
  }

  /// Wraps 64 hex characters without the algorithm prefix.
  public init(hex: String) throws(ImageError) {
    guard Self.isHex64(Substring(hex)) else { throw .invalidDigest(hex) }
    self.hex = hex
  }

  private init(trustedHex: String) {
    hex = trustedHex
  }

  /// The digest of `bytes`.
  public static func of<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
    var hasher = DigestHasher()
    hasher.update(Array(bytes))
    return hasher.finalize()
  }

  /// The digest of the string's UTF-8 bytes.
  public static func of(_ string: String) -> Digest { of(Array(string.utf8)) }

  /// The digest of a file's bytes, read a chunk at a time.
  public static func ofFile(at path: String) throws -> Digest {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw ImageError.io(path: path, reason: "cannot open file")
    }
    defer { try? handle.close() }
    var hasher = DigestHasher()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hasher.update(chunk)
    }
    return hasher.finalize()
  }

  public var description: String { "sha256:\(hex)" }

  /// The 12-character short form Docker prints (`TruncateID`).
  public var shortID: String { String(hex.prefix(12)) }

  public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }

  static func isHex64(_ text: Substring) -> Bool {
    text.utf8.count == 64
      && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    self = try Digest(try container.decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Makes a digest from hex the caller has just computed.
  static func computed(_ hex: String) -> Digest { Digest(trustedHex: hex) }
}

/// Hashes a stream of bytes into a ``Digest``.
public struct DigestHasher: Sendable {
  private var hash = SHA256()

  public init() {}

  public mutating func update(_ bytes: UnsafeRawBufferPointer) { hash.update(bufferPointer: bytes) }
  public mutating func update(_ bytes: [UInt8]) { hash.update(data: bytes) }
  public mutating func update(_ data: Data) { hash.update(data: data) }

  public func finalize() -> Digest {
    Digest.computed(
      hash.finalize().map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 15)] }.joined())
  }
}

private let hexDigits = [
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
]

/// The chain ID of a layer stack, as Docker computes it: `sha256("<parent> <diffID>")`.
public func chainIDs(of diffIDs: [Digest]) -> [Digest] {
  var result: [Digest] = []
  for diffID in diffIDs {
    if let parent = result.last {
      result.append(Digest.of("\(parent) \(diffID)"))
    } else {
      result.append(diffID)
    }
  }
  return result
}
