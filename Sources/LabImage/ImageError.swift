/// A failure of the image toolkit: the store, the registry, or an image's content.
///
/// Messages are lower-case phrases; where Docker has a message for the case, it is Docker's.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
  case invalidDigest(String)
  case invalidJSON(String)
  case invalidReference(ReferenceError)
  /// Docker's `No such image: nginx:latest`.
  case noSuchImage(String)
  /// The registry has no repository of that name.
  case repositoryNotFound(String)
  /// The registry has the repository but not that tag or digest.
  case manifestUnknown(String)
  /// An index has no manifest for the requested platform.
  case noMatchingPlatform(String)
  /// A registry other than the embedded one was named, and this sandbox has no network.
  case registryUnreachable(String)
  /// A blob's content does not match its digest.
  case digestMismatch(what: String, expected: Digest, actual: Digest)
  /// Docker's conflict messages, already formatted.
  case conflict(String)
  /// Docker's `No such container: web`.
  case noSuchContainer(String)
  case unsupportedMediaType(String)
  case invalidRecipe(file: String, reason: String)
  case corruptStore(String)
  /// A layer's tar cannot be rebuilt as it was stored: a file of it changed or went away.
  case layerContent(layer: Digest, reason: String)
  case io(path: String, reason: String)
  case archive(String)

  public var description: String {
    switch self {
    case .invalidDigest(let text): "invalid digest \"\(text)\""
    case .invalidJSON(let reason): "invalid JSON: \(reason)"
    case .invalidReference(let error): error.description
    case .noSuchImage(let reference): "No such image: \(reference)"
    case .repositoryNotFound(let name):
      "pull access denied for \(name), repository does not exist or may require 'docker login': "
        + "denied: requested access to the resource is denied"
    case .manifestUnknown(let reference):
      "manifest for \(reference) not found: manifest unknown: manifest unknown"
    case .noMatchingPlatform(let platform):
      "no matching manifest for \(platform) in the manifest list entries"
    case .registryUnreachable(let host):
      "Get \"https://\(host)/v2/\": dial tcp: lookup \(host): no such host"
    case .digestMismatch(let what, let expected, let actual):
      "filesystem layer verification failed for digest \(expected): \(what) has digest \(actual)"
    case .conflict(let message): message
    case .noSuchContainer(let name): "No such container: \(name)"
    case .unsupportedMediaType(let type): "unsupported media type \(type)"
    case .invalidRecipe(let file, let reason): "\(file): \(reason)"
    case .corruptStore(let reason): "the store is damaged: \(reason)"
    case .layerContent(let layer, let reason): "layer \(layer): \(reason)"
    case .io(let path, let reason): "\(path): \(reason)"
    case .archive(let message): message
    }
  }
}
