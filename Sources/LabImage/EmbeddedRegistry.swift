import Foundation
import LabJSON

/// Where images are pulled from.
public protocol RegistrySource: Sendable {
  /// The descriptor (an index or a manifest) a tag or digest names.
  func resolve(_ reference: ImageReference) throws -> Descriptor
  /// The path of a local file holding the blob, verified against its digest or not yet.
  func blobPath(_ digest: Digest, in reference: ImageReference) throws -> String
  /// Every `repository:tag` the registry serves, sorted.
  func catalog() throws -> [String]
  /// The offline package index of a release (`debian-bookworm`, `pypi`), as JSON.
  func packageIndex(_ release: String) throws -> [UInt8]
}

/// The offline registry: one OCI layout per repository under `sandbox/registry`.
///
/// It serves `docker.io` only; any other registry is out of reach, as it would be on a
/// machine with no network.
public struct EmbeddedRegistry: RegistrySource {
  public let root: String

  public init(root: String) { self.root = root }

  /// Finds `sandbox/registry`: `LAYERLAB_REGISTRY`, else beside the executable or the
  /// current directory or one of their parents.
  public static func locate(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    executablePath: String = CommandLine.arguments.first ?? ""
  ) -> EmbeddedRegistry? {
    if let path = environment["LAYERLAB_REGISTRY"], !path.isEmpty {
      return EmbeddedRegistry(root: path)
    }
    let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
    let starts = [
      executable.deletingLastPathComponent(),
      URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
    ]
    for start in starts {
      var directory = start
      for _ in 0..<8 {
        let candidate = directory.appendingPathComponent("sandbox/registry").path
        if FileManager.default.fileExists(atPath: candidate) {
          return EmbeddedRegistry(root: candidate)
        }
        directory.deleteLastPathComponent()
      }
    }
    return nil
  }

  func layout(for reference: ImageReference) throws -> OCILayout {
    guard reference.domain == ImageReference.defaultDomain else {
      throw ImageError.registryUnreachable(reference.domain)
    }
    let layout = OCILayout(root: "\(root)/\(reference.path)")
    guard layout.exists else { throw ImageError.repositoryNotFound(reference.familiarName) }
    return layout
  }

  public func resolve(_ reference: ImageReference) throws -> Descriptor {
    let layout = try layout(for: reference)
    let entries = try layout.index()
    if let digest = reference.digest {
      if let entry = entries.first(where: { $0.digest == digest }) { return entry }
      // A platform manifest named by its own digest.
      for entry in entries where MediaType.isIndex(entry.mediaType) {
        let index = try JSONValue(parsing: try layout.verifiedBlob(entry.digest))
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

  public func blobPath(_ digest: Digest, in reference: ImageReference) throws -> String {
    let path = try layout(for: reference).blobPath(digest)
    guard FileManager.default.fileExists(atPath: path) else {
      throw ImageError.io(path: path, reason: "blob \(digest) is missing from the registry")
    }
    return path
  }

  /// Every `repository:tag` the registry serves, sorted.
  public func catalog() throws -> [String] {
    var names: [String] = []
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    while let item = walker.nextObject() as? String {
      guard item.hasSuffix("/index.json"), !item.contains("/blobs/") else { continue }
      let repository = String(item.dropLast("/index.json".count))
      for entry in try OCILayout(root: "\(root)/\(repository)").index() {
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
    let path = "\(root)/packages/\(release).json"
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ImageError.io(path: "packages/\(release).json", reason: "no such package index")
    }
    return Array(data)
  }
}
