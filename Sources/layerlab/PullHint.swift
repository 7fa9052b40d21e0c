import Foundation
import LabImage
import LabOutput

/// The images the registry has, for a learner whose pull found nothing.
///
/// One line after Docker's own error, which stays unchanged, at the shell or the stepper with
/// a terminal; `check`, `exec` and runs without a terminal never add it.
enum PullHint {
  /// What Docker says when the registry lacks the image, a tag of it, or the registry itself.
  static let markers = [
    "Error response from daemon: pull access denied for ",
    "not found: manifest unknown: manifest unknown",
    "/v2/\": dial tcp: lookup ",
  ]

  /// The hint for a command's result, or `nil` when it pulled nothing that was missing: the
  /// repository's tags when only the tag was missing, else the repositories.
  static func line(after result: CommandOutput, registry: (any RegistrySource)?) -> String? {
    guard !result.isSuccess, let registry else { return nil }
    let errors = result.stderr
    guard markers.contains(where: errors.contains),
      let catalog = try? registry.catalog(), !catalog.isEmpty
    else { return nil }
    if let tags = tags(missingFrom: errors, in: catalog) {
      return "layerlab: the embedded registry has \(tags.joined(separator: ", "))"
    }
    var repositories: [String] = []
    for name in catalog {
      let repository = String(name[..<(name.lastIndex(of: ":") ?? name.endIndex)])
      if repositories.last != repository { repositories.append(repository) }
    }
    return "layerlab: the embedded registry has \(repositories.joined(separator: ", "))"
  }

  /// The tags of the repository a `manifest for NAME:TAG not found` error names.
  static func tags(missingFrom errors: String, in catalog: [String]) -> [String]? {
    guard let start = errors.range(of: "manifest for "),
      let end = errors[start.upperBound...].range(of: " not found: manifest unknown"),
      let reference = try? ImageReference(
        parsing: String(errors[start.upperBound..<end.lowerBound]))
    else { return nil }
    let tags = catalog.filter { $0.hasPrefix(reference.familiarName + ":") }
    return tags.isEmpty ? nil : tags
  }
}
