import ArgumentParser
import Foundation
import LabImage
import LabPackages

extension LayerLab {
  /// Maintenance of the embedded registry under `sandbox/`.
  struct SandboxMaintenance: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sandbox", abstract: "Maintain the embedded registry of miniature images.",
      subcommands: [Generate.self])

    struct Generate: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Build the registry's OCI layouts from the recipes, reproducibly.")

      @Option(help: "The directory of recipes.")
      var recipes = "sandbox/recipes"

      @Option(help: "The directory the OCI layouts are written to.")
      var output = "sandbox/registry"

      func run() throws {
        let generator = RegistryGenerator(recipesDirectory: recipes, outputDirectory: output)
        for image in try generator.generate() {
          print("\(image.reference)  \(image.layers) layers  \(image.indexDigest)")
        }
        try generatePackageIndexes()
      }

      /// The offline package indexes: each recipe in `recipes/packages` read, checked and
      /// written with sorted keys, so that a regeneration is byte-identical.
      func generatePackageIndexes() throws {
        let folder = "\(recipes)/packages"
        let names =
          ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
          .filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { return }
        try FileManager.default.createDirectory(
          atPath: "\(output)/packages", withIntermediateDirectories: true)
        for name in names {
          guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)") else {
            throw BadInput("\(folder)/\(name): cannot be read")
          }
          let index: PackageIndex
          do {
            index = try PackageIndex(json: Array(data))
          } catch {
            throw BadInput("\(folder)/\(name): \(error)")
          }
          try Data(try index.json()).write(
            to: URL(fileURLWithPath: "\(output)/packages/\(name)"), options: .atomic)
          print("packages/\(name)  \(index.packages.count) packages  \(index.release)")
        }
      }
    }
  }
}
