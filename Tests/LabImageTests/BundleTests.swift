import Foundation
import LabBundle
import LabImage
import LabTestSupport
import Testing

@Suite("The registry and the workshop inside the executable")
struct BundleTests {
  @Test func theBundleSourceListsThePackagesFilesAsTheyAre() throws {
    let committed = try String(
      contentsOfFile: "\(TestSupport.packageRoot)/\(BundleSource.path)", encoding: .utf8)
    let fresh = try BundleSource.generate(packageRoot: TestSupport.packageRoot)
    #expect(
      committed == fresh,
      "\(BundleSource.path) is stale: run `swift run layerlab sandbox bundle` in the package's root"
    )
  }

  @Test func everyBundledFileIsTheFileOnDisk() throws {
    let listed = try BundleSource.files(packageRoot: TestSupport.packageRoot)
    #expect(BundledFiles.files.map(\.path) == listed.map(\.path))
    #expect(listed.contains { $0.path == "lessons/01-images.md" })
    #expect(listed.contains { $0.path == "sandbox/registry/packages/debian-bookworm.json" })
    for file in BundledFiles.files {
      let disk = try Data(
        contentsOf: URL(fileURLWithPath: "\(TestSupport.packageRoot)/\(file.path)"))
      #expect(file.bytes.array == Array(disk), "\(file.path) differs from the executable's copy")
    }
  }

  @Test func bundledPathsNameTheExecutablesCopy() throws {
    let lesson = try #require(BundledFiles.file(named: "bundled:lessons/01-images.md"))
    #expect(String(decoding: lesson.buffer, as: UTF8.self).hasPrefix("#"))
    #expect(BundledFiles.file(named: "lessons/01-images.md") == nil)
    #expect(BundledFiles.file(named: "bundled:lessons/nosuch.md") == nil)
    #expect(BundledFiles.isFolder("sandbox/registry/library"))
    #expect(!BundledFiles.isFolder("sandbox/recipes"))
  }

  @Test func theBundledRegistryServesWhatTheFolderServes() throws {
    let folder = EmbeddedRegistry(root: TestSupport.registryRoot)
    #expect(try EmbeddedRegistry.bundled.catalog() == folder.catalog())
    #expect(
      try EmbeddedRegistry.bundled.packageIndex("debian-bookworm")
        == folder.packageIndex("debian-bookworm"))
    #expect(throws: (any Error).self) { try EmbeddedRegistry.bundled.packageIndex("nosuch") }

    // A pull from the executable's copy, read in place, makes the same store as one from disk.
    let reference = try ImageReference(parsing: "nginx:latest")
    let bundledStore = ImageStore(root: try TestSupport.scratchDirectory("store"))
    let folderStore = ImageStore(root: try TestSupport.scratchDirectory("store"))
    let bundled = try bundledStore.pull(reference, from: EmbeddedRegistry.bundled)
    let fromFolder = try folderStore.pull(reference, from: folder)
    #expect(bundled.imageID == fromFolder.imageID)
    #expect(bundled.digest == fromFolder.digest)
    #expect(bundled.layers == fromFolder.layers)
    #expect(bundled.layers.count == 7)
    let top = try #require(try bundledStore.image(bundled.imageID).topChainID)
    #expect(bundledStore.layerSize(top) > 0)
  }

  @Test func theOverrideComesFirstThenTheExecutablesCopy() {
    #expect(EmbeddedRegistry.locate(environment: [:]).location == .bundled)
    #expect(EmbeddedRegistry.locate(environment: ["LAYERLAB_REGISTRY": ""]).location == .bundled)
    #expect(
      EmbeddedRegistry.locate(environment: ["LAYERLAB_REGISTRY": "/srv/registry"]).location
        == .folder("/srv/registry"))
  }
}
