import Foundation

/// Writes the offline package indexes beside the registry: each recipe in
/// `recipes/packages` read, checked and written with sorted keys, so that a regeneration is
/// byte-identical.
public enum PackageIndexGenerator {
  /// What one index holds, for the maintainer's report.
  public struct Generated: Sendable {
    public var file: String
    public var packages: Int
    public var release: String
  }

  /// Generates `output/packages/NAME.json` from each `recipes/packages/NAME.json`.
  public static func generate(recipes: String, output: String) throws -> [Generated] {
    let folder = "\(recipes)/packages"
    let names =
      ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
      .filter { $0.hasSuffix(".json") }.sorted()
    guard !names.isEmpty else { return [] }
    try FileManager.default.createDirectory(
      atPath: "\(output)/packages", withIntermediateDirectories: true)
    var generated: [Generated] = []
    for name in names {
      guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)") else {
        throw PackageError.badIndex("\(folder)/\(name) cannot be read")
      }
      let index: PackageIndex
      do {
        index = try PackageIndex(json: Array(data))
      } catch {
        throw PackageError.badIndex("\(folder)/\(name): \(error)")
      }
      try Data(try index.json()).write(
        to: URL(fileURLWithPath: "\(output)/packages/\(name)"), options: .atomic)
      generated.append(
        Generated(file: "packages/\(name)", packages: index.packages.count, release: index.release))
    }
    return generated
  }
}
