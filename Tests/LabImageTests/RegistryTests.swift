import Foundation
import LabArchive
import LabImage
import LabJSON
import LabPackages
import LabTestSupport
import Testing

@Suite("The embedded registry")
struct RegistryTests {
  @Test func regeneratingGivesByteIdenticalLayouts() throws {
    let output = try TestSupport.scratchDirectory("registry")
    let generator = RegistryGenerator(
      recipesDirectory: "\(TestSupport.packageRoot)/sandbox/recipes", outputDirectory: output)
    _ = try generator.generate()
    _ = try PackageIndexGenerator.generate(
      recipes: "\(TestSupport.packageRoot)/sandbox/recipes", output: output)
    let fresh = try files(under: output)
    let committed = try files(under: TestSupport.registryRoot)
    #expect(fresh.keys.sorted() == committed.keys.sorted())
    for (path, bytes) in fresh { #expect(committed[path] == bytes, "\(path) differs") }
  }

  @Test func servesEveryImageTheLessonsNeed() throws {
    let catalog = try EmbeddedRegistry(root: TestSupport.registryRoot).catalog()
    for name in [
      "nginx:latest", "nginx:1.27.1", "python:3.9-slim", "python:3.12-slim", "alpine:latest",
      "alpine:3.20", "busybox:latest", "ubuntu:22.04", "ubuntu:24.04", "ubuntu:latest",
      "debian:bookworm", "debian:bookworm-slim", "debian:latest", "hello-world:latest",
      "node:20-alpine",
    ] {
      #expect(catalog.contains(name), "\(name) is missing")
    }
  }

  @Test(
    .enabled(if: TestSupport.tool("skopeo") != nil, "skopeo is not installed"),
    arguments: [
      ("nginx:latest", 7), ("python:3.9-slim", 5), ("python:3.12-slim", 5), ("alpine:3.20", 1),
      ("busybox:latest", 1), ("ubuntu:24.04", 1), ("debian:bookworm", 1), ("hello-world:latest", 1),
      ("node:20-alpine", 4),
    ])
  func layerCountsMatchTheRealImages(name: String, layers: Int) throws {
    let skopeo = try #require(TestSupport.tool("skopeo"))
    let parts = name.split(separator: ":")
    let path = "\(TestSupport.registryRoot)/library/\(parts[0]):\(parts[1])"
    let output = try TestSupport.run(skopeo, ["inspect", "oci:\(path)"])
    #expect(output.status == 0, "\(output.stderr)")
    let json = try JSONValue(parsing: output.stdout)
    #expect(json["Layers"]?.arrayValue?.count == layers)
  }

  @Test(
    .enabled(
      if: TestSupport.tool("skopeo") != nil && TestSupport.tool("umoci") != nil,
      "skopeo or umoci is not installed"))
  func umociUnpacksAnImage() throws {
    let skopeo = try #require(TestSupport.tool("skopeo"))
    let umoci = try #require(TestSupport.tool("umoci"))
    let scratch = try TestSupport.scratchDirectory("umoci")
    // umoci unpacks a single-platform layout; skopeo copies the amd64 image out of the index.
    let copy = try TestSupport.run(
      skopeo,
      [
        "copy", "--override-arch", "amd64", "--override-os", "linux",
        "oci:\(TestSupport.registryRoot)/library/alpine:3.20", "oci:\(scratch)/layout:alpine",
      ])
    #expect(copy.status == 0, "\(copy.stderr)")
    let unpack = try TestSupport.run(
      umoci, ["unpack", "--rootless", "--image", "\(scratch)/layout:alpine", "\(scratch)/bundle"])
    #expect(unpack.status == 0, "\(unpack.stderr)")
    let rootfs = try FileManager.default.contentsOfDirectory(atPath: "\(scratch)/bundle/rootfs")
    #expect(
      rootfs.sorted() == [
        "bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin",
        "srv", "sys", "tmp", "usr", "var",
      ])
    let release = try String(
      contentsOfFile: "\(scratch)/bundle/rootfs/etc/alpine-release", encoding: .utf8)
    #expect(release == "3.20.2\n")
  }

  @Test func aBadRecipeNamesItsFile() throws {
    let recipes = try TestSupport.scratchDirectory("recipes")
    try Data(#"{"repository": "library/x", "tags": ["latest"]}"#.utf8)
      .write(to: URL(fileURLWithPath: "\(recipes)/x.json"))
    let generator = RegistryGenerator(
      recipesDirectory: recipes, outputDirectory: try TestSupport.scratchDirectory("out"))
    #expect {
      _ = try generator.generate()
    } throws: { error in
      "\(error)".hasPrefix("\(recipes)/x.json: missing \"created\"")
    }
  }

  @Test func aFillFileKeepsItsMode() throws {
    let recipes = try TestSupport.scratchDirectory("recipes")
    let recipe = """
      {"repository": "library/x", "tags": ["latest"], "created": "2024-01-01T00:00:00Z",
       "builder": "buildkit", "platforms": ["linux/amd64"], "config": {},
       "history": [{"created_by": "ADD x /", "layer": {"size": 4096, "files": [
         {"path": "bin", "dir": true},
         {"path": "bin/tool", "fill": true, "mode": "0755"},
         {"path": "etc/data", "text": "data"}]}}]}
      """
    try Data(recipe.utf8).write(to: URL(fileURLWithPath: "\(recipes)/x.json"))
    let output = try TestSupport.scratchDirectory("out")
    _ = try RegistryGenerator(recipesDirectory: recipes, outputDirectory: output).generate()
    let blobs = "\(output)/library/x/blobs/sha256"
    var modes: [String: UInt32] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: blobs) {
      let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: "\(blobs)/\(name)")))
      guard bytes.starts(with: [0x1f, 0x8b]) else { continue }
      let reader = try TarReader(bytes: try Gzip.decompress(bytes))
      while let header = try reader.next() { modes[header.path] = header.mode & 0o7777 }
    }
    #expect(modes["bin/tool"] == 0o755)
    #expect(modes["etc/data"] == 0o644)
  }

  private func files(under root: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    guard let walker = FileManager.default.enumerator(atPath: root) else { return result }
    while let relative = walker.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        result[relative] = FileManager.default.contents(atPath: "\(root)/\(relative)")
      }
    }
    return result
  }
}
