import ArgumentParser
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
        for index in try PackageIndexGenerator.generate(recipes: recipes, output: output) {
          print("\(index.file)  \(index.packages) packages  \(index.release)")
        }
      }
    }
  }
}
