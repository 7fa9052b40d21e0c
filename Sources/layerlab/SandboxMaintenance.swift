import ArgumentParser
import Foundation
import LabBundle
import LabImage
import LabPackages

extension LayerLab {
  /// Maintenance of the embedded registry under `sandbox/`, and of what the executable carries.
  struct SandboxMaintenance: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sandbox", abstract: "Maintain the embedded registry of miniature images.",
      subcommands: [Generate.self, Bundle.self])

    struct Generate: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Build the registry's OCI layouts from the recipes, reproducibly.",
        discussion: """
          Run from the package's root, it then lists the registry's and the workshop's files \
          for the executable to carry (as `layerlab sandbox bundle` does).
          """)

      @Option(help: "The directory of recipes.")
      var recipes = "sandbox/recipes"

      @Option(help: "The directory the OCI layouts are written to.")
      var output = "sandbox/registry"

      func run() throws {
        let generator = RegistryGenerator(recipesDirectory: recipes, outputDirectory: output)
        for image in try generator.generate() {
          print("\(image.reference)  \(image.layers) layers  \(image.indexDigest)")
        }
        for index in try PackageIndexGenerator.generate(recipes: recipes, output: output) {
          print("\(index.file)  \(index.packages) packages  \(index.release)")
        }
        if FileManager.default.fileExists(atPath: BundleSource.path) {
          try Bundle.write()
        }
      }
    }

    struct Bundle: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "List sandbox/registry and lessons/ for the executable to carry.",
        discussion: """
          Writes \(BundleSource.path) in the package's root (the current directory): the index \
          of the files the next build pulls into the executable. Run it after adding, removing \
          or emptying a lesson or a registry file; a changed file needs only a rebuild.
          """)

      func run() throws { try Self.write() }

      static func write() throws {
        guard FileManager.default.fileExists(atPath: BundleSource.path) else {
          throw BadInput("\(BundleSource.path): no such file; run this in the package's root")
        }
        let count = try BundleSource.write(packageRoot: ".")
        print("\(BundleSource.path)  \(count) files")
      }
    }
  }
}
