import Foundation
import LabArchive
import LabBundle
import LabJSON

/// Where images are pulled from.
public protocol RegistrySource: Sendable {
  /// The descriptor (an index or a manifest) a tag or digest names.
  func resolve(_ reference: ImageReference) throws -> Descriptor
  /// The blob's bytes as the registry holds them, verified against its digest or not yet.
  func blob(_ digest: Digest, in reference: ImageReference) throws -> RegistryBlob
  /// Every `repository:tag` the registry serves, sorted.
  func catalog() throws -> [String]
  /// The offline package index of a release (`debian-bookworm`, `pypi`), as JSON.
  func packageIndex(_ release: String) throws -> [UInt8]
}

/// A blob as a registry holds it: a file on this machine, or bytes in memory.
public enum RegistryBlob: Sendable {
  /// A local file.
  case file(String)
  /// Bytes that live as long as the process: the registry carried inside the executable.
  case memory(StaticBytes, name: String)

  /// What error messages call the blob.
  public var name: String {
    switch self {
    case .file(let path): path
    case .memory(_, let name): name
    }
  }

  /// The whole blob (a manifest, a config).
  public func bytes() throws -> [UInt8] {
    switch self {
    case .file(let path): try readFile(path)
    case .memory(let bytes, _): bytes.array
    }
  }

  /// The digest of the blob's bytes, read a chunk at a time.
  public func digest() throws -> Digest {
    switch self {
    case .file(let path): try Digest.ofFile(at: path)
    case .memory(let bytes, _):
      {
        var hasher = DigestHasher()
        hasher.update(bytes.buffer)
        return hasher.finalize()
      }()
    }
  }

  /// Streams the decompressed bytes of a layer (gzip'd or not), a chunk at a time.
  public func decompress(chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
    switch self {
    case .file(let path): try Gzip.decompress(fileAt: path, chunk: chunk)
    case .memory(let bytes, let name):
      try Gzip.decompress(bytes.buffer, label: name, chunk: chunk)
    }
  }
}

/// The offline registry: one OCI layout per repository, as in the package's
/// `sandbox/registry`.
///
/// It serves `docker.io` only; any other registry is out of reach, as it would be on a
/// machine with no network. Its files travel inside the executable and are read in place;
/// `LAYERLAB_REGISTRY` names a folder to read instead, for work on the registry itself.
public struct EmbeddedRegistry: RegistrySource {
  /// Where the registry's files are.
  public enum Location: Equatable, Sendable {
    /// A folder on disk.
    case folder(String)
    /// The copy carried inside the executable.
    case bundled
  }

  /// The registry's folder in the package, and in the executable's bundled files.
  public static let packagePath = "sandbox/registry"

  public let location: Location

  /// The registry in the folder `root`.
  public init(root: String) { location = .folder(root) }

  init(location: Location) { self.location = location }

  /// The registry carried inside the executable.
  public static let bundled = EmbeddedRegistry(location: .bundled)

  /// The registry to use: the folder `LAYERLAB_REGISTRY` names, else the one inside the
  /// executable.
  public static func locate(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> EmbeddedRegistry {
    if let path = environment["LAYERLAB_REGISTRY"], !path.isEmpty {
      return EmbeddedRegistry(root: path)
    }
    return .bundled
  }

  // MARK: - Files

  /// A file's bytes, by its path inside the registry.
  private func read(_ path: String) throws -> [UInt8] {
    switch location {
    case .folder(let root): return try readFile("\(root)/\(path)")
    case .bundled:
      guard let bytes = BundledFiles.contents(of: "\(Self.packagePath)/\(path)") else {
        throw ImageError.io(path: path, reason: "no such file in the embedded registry")
      }
      return bytes.array
    }
  }

  private func exists(_ path: String) -> Bool {
    switch location {
    case .folder(let root): FileManager.default.fileExists(atPath: "\(root)/\(path)")
    case .bundled: BundledFiles.contents(of: "\(Self.packagePath)/\(path)") != nil
    }
  }

  /// The repositories (`library/alpine`): every folder holding an `index.json`.
  private func repositories() -> [String] {
    let paths: [String]
    switch location {
    case .folder(let root):
      paths = (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
    case .bundled:
      paths = BundledFiles.paths(under: Self.packagePath)
    }
    return paths.filter { $0.hasSuffix("/index.json") && !$0.contains("/blobs/") }
      .map { String($0.dropLast("/index.json".count)) }.sorted()
  }

  /// The descriptors of a repository's `index.json`; the reference must name `docker.io`.
  private func index(for reference: ImageReference) throws -> [Descriptor] {
    guard reference.domain == ImageReference.defaultDomain else {
      throw ImageError.registryUnreachable(reference.domain)
    }
    let path = "\(reference.path)/index.json"
    guard exists(path) else { throw ImageError.repositoryNotFound(reference.familiarName) }
    return try OCILayout.descriptors(parsing: try read(path))
  }

  // MARK: - RegistrySource

  public func resolve(_ reference: ImageReference) throws -> Descriptor {
    let entries = try index(for: reference)
    if let digest = reference.digest {
      if let entry = entries.first(where: { $0.digest == digest }) { return entry }
      // A platform manifest named by its own digest.
      for entry in entries where MediaType.isIndex(entry.mediaType) {
        let index = try JSONValue(parsing: try verifiedBlob(entry.digest, in: reference))
        for item in index["manifests"]?.arrayValue ?? [] {
          let descriptor = try Descriptor(json: item)
          if descriptor.digest == digest { return descriptor }
        }
      }
      throw ImageError.manifestUnknown(reference.familiarString)
    }
    let tag = reference.tag ?? ImageReference.defaultTag
    guard let entry = entries.first(where: { $0.annotation(refNameAnnotation) == tag }) else {
      throw ImageError.manifestUnknown(reference.familiarString)
    }
    return entry
  }

  private func verifiedBlob(_ digest: Digest, in reference: ImageReference) throws -> [UInt8] {
    let bytes = try blob(digest, in: reference).bytes()
    let actual = Digest.of(bytes)
    guard actual == digest else {
      throw ImageError.digestMismatch(what: "blob", expected: digest, actual: actual)
    }
    return bytes
  }

  public func blob(_ digest: Digest, in reference: ImageReference) throws -> RegistryBlob {
    _ = try index(for: reference)
    let path = "\(reference.path)/blobs/sha256/\(digest.hex)"
    switch location {
    case .folder(let root):
      guard FileManager.default.fileExists(atPath: "\(root)/\(path)") else {
        throw ImageError.io(
          path: "\(root)/\(path)", reason: "blob \(digest) is missing from the registry")
      }
      return .file("\(root)/\(path)")
    case .bundled:
      guard let bytes = BundledFiles.contents(of: "\(Self.packagePath)/\(path)") else {
        throw ImageError.io(path: path, reason: "blob \(digest) is missing from the registry")
      }
      return .memory(bytes, name: path)
    }
  }

  /// Every `repository:tag` the registry serves, sorted.
  public func catalog() throws -> [String] {
    var names: [String] = []
    for repository in repositories() {
      for entry in try OCILayout.descriptors(parsing: try read("\(repository)/index.json")) {
        if let tag = entry.annotation(refNameAnnotation) {
          let short =
            repository.hasPrefix("library/") ? String(repository.dropFirst(8)) : repository
          names.append("\(short):\(tag)")
        }
      }
    }
    return names.sorted()
  }

  /// `packages/RELEASE.json` beside the repositories: the offline package index.
  public func packageIndex(_ release: String) throws -> [UInt8] {
    guard release.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }),
      !release.hasPrefix(".")
    else { throw ImageError.io(path: release, reason: "not a package index") }
    let path = "packages/\(release).json"
    guard exists(path), let bytes = try? read(path) else {
      throw ImageError.io(path: path, reason: "no such package index")
    }
    return bytes
  }
}
