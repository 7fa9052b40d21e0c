import Foundation
import LabArchive
import LabImage
import LabOutput
import LabTestSupport
import Testing

/// `docker save` rebuilds each layer's tar from the layer's files and tar-split.
@Suite("save rebuilds layers from their files")
struct SaveRebuildTests {
  static let longName = "long/" + String(repeating: "n", count: 130) + ".txt"

  /// An image whose layers hold a file of several MB, hard links (busybox's), a symbolic link,
  /// empty directories, a whiteout and a name longer than 100 bytes.
  static func scenarioWithImage() throws -> Scenario {
    var scenario = try Scenario()
    var seed: UInt64 = 42
    let big = (0..<(6 << 20)).map { _ -> UInt8 in
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: seed >> 33)
    }
    try Data(big).write(to: URL(fileURLWithPath: "\(scenario.workspace)/big.bin"))
    try scenario.write(Self.longName, "a long name\n")
    try scenario.write("small.txt", "small\n")
    try FileManager.default.createSymbolicLink(
      atPath: "\(scenario.workspace)/link", withDestinationPath: "big.bin")
    try FileManager.default.createDirectory(
      atPath: "\(scenario.workspace)/empty/inner", withIntermediateDirectories: true)
    try scenario.write(
      "Dockerfile",
      "FROM busybox\nCOPY . /data/\nRUN rm /bin/cat && mkdir -p /srv/empty/inner\n")
    let build = scenario.run("docker build -q -t rebuilt .")
    #expect(build.status == 0, "\(build.stderr)")
    return scenario
  }

  /// The layer files of a saved archive, by the name the manifest gives them.
  static func layers(of archive: String, in scenario: inout Scenario) throws -> [String] {
    let folder = "unpacked-\(PathName.name(archive))"
    let unpack = scenario.run("mkdir \(folder) && tar -xf \(archive) -C \(folder)")
    #expect(unpack.status == 0, "\(unpack.stderr)")
    let manifest = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: "\(scenario.workspace)/\(folder)/manifest.json")))
    let layers = ((manifest as? [[String: Any]])?.first?["Layers"] as? [String]) ?? []
    return layers.map { "\(scenario.workspace)/\(folder)/\($0)" }
  }

  @Test func savedLayersHashToTheirDiffIDsAndSurviveALoad() throws {
    var scenario = try Self.scenarioWithImage()
    #expect(scenario.run("docker save -o one.tar rebuilt").status == 0)
    let layers = try Self.layers(of: "one.tar", in: &scenario)
    #expect(layers.count == 3)
    var kinds: Set<String> = []
    for path in layers {
      // The member's name is its diff ID, and so must its content's digest be.
      #expect(try Digest.ofFile(at: path).hex == PathName.name(path))
      let reader = try TarReader(path: path)
      while let header = try reader.next() {
        switch header.type {
        case .hardlink: kinds.insert("hard link")
        case .symlink: kinds.insert("symlink")
        case .directory where header.path.hasPrefix("srv/empty/inner"): kinds.insert("empty dir")
        case .file where header.size > 5 << 20: kinds.insert("big file")
        case .file where header.path.hasSuffix(".wh.cat"): kinds.insert("whiteout")
        case .file where header.path.utf8.count > 100: kinds.insert("long name")
        default: break
        }
      }
    }
    #expect(
      kinds == ["hard link", "symlink", "empty dir", "big file", "whiteout", "long name"])
    // Loaded back and saved again: the same bytes.
    #expect(scenario.run("docker rmi rebuilt").status == 0)
    #expect(scenario.run("docker load -i one.tar").status == 0)
    #expect(scenario.run("docker save -o two.tar rebuilt").status == 0)
    let one = try Data(contentsOf: URL(fileURLWithPath: "\(scenario.workspace)/one.tar"))
    let two = try Data(contentsOf: URL(fileURLWithPath: "\(scenario.workspace)/two.tar"))
    #expect(one == two)
  }

  @Test func aLayerFileChangedBehindTheStoresBackFailsTheSave() throws {
    var scenario = try Self.scenarioWithImage()
    let overlay = scenario.store.overlayDirectory
    let holder = try FileManager.default.contentsOfDirectory(atPath: overlay).first {
      FileManager.default.fileExists(atPath: "\(overlay)/\($0)/diff/data/big.bin")
    }
    let big = "\(overlay)/\(try #require(holder))/diff/data/big.bin"
    let handle = try #require(FileHandle(forWritingAtPath: big))
    try handle.seek(toOffset: 3 << 20)
    try handle.write(contentsOf: Data("changed".utf8))
    try handle.close()
    let save = scenario.run("docker save -o broken.tar rebuilt")
    #expect(save.status == 1)
    #expect(
      save.stderr.contains("file integrity checksum failed for \"data/big.bin\""), "\(save.stderr)")
    #expect(save.stderr.contains("layer sha256:"), "\(save.stderr)")
    // No archive is left, whole or not.
    #expect(!FileManager.default.fileExists(atPath: "\(scenario.workspace)/broken.tar"))
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: "\(scenario.store.root)/tmp")
    #expect(leftovers.isEmpty)
  }
}

/// The last component of a path.
private enum PathName {
  static func name(_ path: String) -> String {
    String(path.split(separator: "/").last ?? "")
  }
}
