import Foundation
import LabImage
import LabJSON

/// A registry reached over HTTP, as a source for the store's pull.
///
/// Manifests and blobs are downloaded into a scratch directory the caller owns and removes;
/// every one is checked against its digest before the store sees it, and the store checks
/// again as it adds layers.
public final class RemoteRegistry: RegistrySource, @unchecked Sendable {
  let client: RegistryClient
  let downloads: String
  private let lock = NSLock()
  private var files: [Digest: String] = [:]
  private var manifestDigests: Set<Digest> = []

  /// - Parameters:
  ///   - client: The client for the registry's host.
  ///   - downloads: An empty directory for downloaded content.
  public init(client: RegistryClient, downloads: String) {
    self.client = client
    self.downloads = downloads
  }

  public func resolve(_ reference: ImageReference) throws -> Descriptor {
    let target = reference.digest?.description ?? reference.tag ?? ImageReference.defaultTag
    let answer: (bytes: [UInt8], mediaType: String, digestHeader: String?)
    do {
      answer = try client.manifest(reference.path, target)
    } catch {
      throw Self.pullError(error, reference)
    }
    let digest = Digest.of(answer.bytes)
    if let expected = reference.digest, expected != digest {
      throw RegistryError.digestMismatch(expected: expected, actual: digest)
    }
    if let header = answer.digestHeader, let stated = try? Digest(header), stated != digest {
      throw RegistryError.digestMismatch(expected: stated, actual: digest)
    }
    try keep(answer.bytes, as: digest)
    return Descriptor(mediaType: answer.mediaType, digest: digest, size: Int64(answer.bytes.count))
  }

  public func blob(_ digest: Digest, in reference: ImageReference) throws -> RegistryBlob {
    .file(try blobPath(digest, in: reference))
  }

  /// The downloaded file holding the blob, verified against its digest.
  func blobPath(_ digest: Digest, in reference: ImageReference) throws -> String {
    if let path = lock.withLock({ files[digest] }) { return path }
    if lock.withLock({ manifestDigests.contains(digest) }) {
      let answer: (bytes: [UInt8], mediaType: String, digestHeader: String?)
      do {
        answer = try client.manifest(reference.path, digest.description)
      } catch {
        throw Self.pullError(error, reference)
      }
      let actual = Digest.of(answer.bytes)
      guard actual == digest else {
        throw RegistryError.digestMismatch(expected: digest, actual: actual)
      }
      return try keep(answer.bytes, as: digest)
    }
    let path = "\(downloads)/\(digest.hex)"
    try client.downloadBlob(reference.path, digest, to: path)
    let actual = try Digest.ofFile(at: path)
    guard actual == digest else {
      try? FileManager.default.removeItem(atPath: path)
      throw ImageError.digestMismatch(what: "blob", expected: digest, actual: actual)
    }
    lock.withLock { files[digest] = path }
    return path
  }

  /// A remote registry is not listed: pull completion offers the embedded registry's images.
  public func catalog() throws -> [String] { [] }

  public func packageIndex(_ release: String) throws -> [UInt8] {
    throw ImageError.io(path: release, reason: "package indexes come with the embedded registry")
  }

  /// Writes a manifest to the downloads; an index's manifests become known as manifests.
  @discardableResult
  private func keep(_ bytes: [UInt8], as digest: Digest) throws -> String {
    let path = "\(downloads)/\(digest.hex)"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
      throw ImageError.io(path: path, reason: "cannot write the downloaded manifest")
    }
    let children = ((try? JSONValue(parsing: bytes))?["manifests"]?.arrayValue ?? []).compactMap {
      $0["digest"]?.stringValue.flatMap { try? Digest($0) }
    }
    lock.withLock {
      files[digest] = path
      manifestDigests.formUnion(children)
    }
    return path
  }

  /// Docker's pull errors: an unknown tag, or a repository that is missing or hidden.
  static func pullError(_ error: RegistryError, _ reference: ImageReference) -> RegistryError {
    guard case .registry(let code, _) = error else { return error }
    switch code {
    case "MANIFEST_UNKNOWN":
      return .manifestUnknown(reference: reference.familiarString)
    case "NAME_UNKNOWN", "UNAUTHORIZED", "DENIED":
      return .pullAccessDenied(repository: reference.familiarName, cause: error.description)
    default:
      return error
    }
  }
}
