import Foundation
import LabImage
import LabJSON
import LabTestSupport
import Testing

/// Checks the store on disk the way a person walks `/var/lib/docker`, with code that shares
/// nothing with the store's own: digests come from `sha256sum` when it is installed.
@Suite("The overlay2 store on disk")
struct StoreLayoutTests {
  let registry = EmbeddedRegistry(root: TestSupport.registryRoot)

  func sha256(_ text: String) throws -> String {
    if let tool = TestSupport.tool("sha256sum") {
      let output = try TestSupport.run(tool, [], input: text)
      return String(output.stdout.prefix(64))
    }
    return Digest.of(text).hex
  }

  func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
  }

  /// Docker's `directory.Size`: lstat sizes of everything but directories, hard links once.
  func duSize(_ root: String) -> Int64 {
    var total: Int64 = 0
    var inodes: Set<UInt64> = []
    let walker = FileManager.default.enumerator(atPath: root)
    while let relative = walker?.nextObject() as? String {
      var status = stat()
      guard lstat("\(root)/\(relative)", &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR else {
        continue
      }
      if status.st_nlink > 1 {
        guard inodes.insert(UInt64(status.st_ino)).inserted else { continue }
      }
      total += Int64(status.st_size)
    }
    return total
  }

  @Test func pullWritesDockersLayout() throws {
    let root = try TestSupport.scratchDirectory("store")
    let store = ImageStore(root: root)
    let report = try store.pull(try ImageReference(parsing: "nginx"), from: registry)
    let image = "\(root)/image/overlay2"

    // The image config is stored under its own digest.
    let config = try #require(read("\(image)/imagedb/content/sha256/\(report.imageID.hex)"))
    #expect(try sha256(config) == report.imageID.hex)
    #expect(
      read("\(image)/repositories.json")
        == #"{"Repositories":{"nginx":{"nginx:latest":"\#(report.imageID)","nginx@\#(report.digest)":"\#(report.imageID)"}}}"#
    )
    // A pulled image has no metadata until it is tagged.
    #expect(
      !FileManager.default.fileExists(
        atPath: "\(image)/imagedb/metadata/sha256/\(report.imageID.hex)"))

    let diffIDs = try #require(JSONValue(parsing: config)["rootfs"]?["diff_ids"]?.arrayValue)
      .compactMap(\.stringValue)
    #expect(diffIDs.count == 7)
    var chain: String?
    var links: [String] = []
    var cacheIDs: [String] = []
    for (index, diffID) in diffIDs.enumerated() {
      let chainHex =
        try chain.map { try sha256("sha256:\($0) \(diffID)") } ?? String(diffID.dropFirst(7))
      let layer = "\(image)/layerdb/sha256/\(chainHex)"
      #expect(read("\(layer)/diff") == diffID)
      #expect(read("\(layer)/parent") == chain.map { "sha256:\($0)" })
      let cacheID = try #require(read("\(layer)/cache-id"))
      #expect(cacheID.count == 64 && cacheID.allSatisfy(\.isHexDigit))
      #expect(FileManager.default.fileExists(atPath: "\(layer)/tar-split.json.gz"))
      let overlay = "\(root)/overlay2/\(cacheID)"
      #expect(read("\(layer)/size") == String(duSize("\(overlay)/diff")))
      let link = try #require(read("\(overlay)/link"))
      #expect(link.count == 26 && link.allSatisfy { $0.isUppercase || ("2"..."7").contains($0) })
      #expect(
        try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/overlay2/l/\(link)")
          == "../\(cacheID)/diff")
      if index == 0 {
        #expect(!FileManager.default.fileExists(atPath: "\(overlay)/lower"))
        #expect(!FileManager.default.fileExists(atPath: "\(overlay)/work"))
      } else {
        #expect(
          read("\(overlay)/lower") == links.reversed().map { "l/\($0)" }.joined(separator: ":"))
        #expect(FileManager.default.fileExists(atPath: "\(overlay)/work"))
      }
      // Every layer but the top has a child, so it is committed.
      #expect(FileManager.default.fileExists(atPath: "\(overlay)/committed") == (index < 6))
      links.append(link)
      cacheIDs.append(cacheID)
      chain = chainHex
    }
    // The registry blob that held each layer is remembered.
    for layer in report.layers {
      let diff = read("\(image)/distribution/diffid-by-digest/sha256/\(layer.blob.hex)")
      #expect(diff.map { diffIDs.contains($0) } == true)
    }
    // The layers hold the image's files.
    let top = "\(root)/overlay2/\(cacheIDs[6])/diff"
    #expect(
      FileManager.default.fileExists(
        atPath: "\(top)/docker-entrypoint.d/30-tune-worker-processes.sh"))
    let base = try FileManager.default.contentsOfDirectory(
      atPath: "\(root)/overlay2/\(cacheIDs[0])/diff")
    #expect(
      base.sorted() == [
        "bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root",
        "run", "sbin", "srv", "sys", "tmp", "usr", "var",
      ])
    #expect(try store.check().problems.isEmpty)
  }

  @Test func sharedLayersAreStoredOnce() throws {
    let store = ImageStore(root: try TestSupport.scratchDirectory("store"))
    _ = try store.pull(try ImageReference(parsing: "nginx"), from: registry)
    let python = try store.pull(try ImageReference(parsing: "python:3.9-slim"), from: registry)
    #expect(python.layers.map(\.status) == [.alreadyExists, .pulled, .pulled, .pulled, .pulled])
    let layers = try FileManager.default.contentsOfDirectory(
      atPath: "\(store.root)/image/overlay2/layerdb/sha256")
    #expect(layers.filter { $0 != "tmp" }.count == 11)
  }

  @Test func removingAnImageKeepsLayersOthersUse() throws {
    let store = ImageStore(root: try TestSupport.scratchDirectory("store"))
    _ = try store.pull(try ImageReference(parsing: "nginx"), from: registry)
    let before = TestSupport.treeSnapshot(store.root)
    _ = try store.pull(try ImageReference(parsing: "python:3.9-slim"), from: registry)
    let records = try store.removeImage("python:3.9-slim", force: false, prune: true)
    #expect(records.count == 2 + 1 + 4, "two untags, the image, four own layers")
    // Distribution metadata stays, as Docker keeps it; images and layers are as before.
    func kept(_ path: String) -> Bool {
      !path.hasPrefix(".layerlab") && !path.contains("distribution")
    }
    let after = TestSupport.treeSnapshot(store.root).filter { kept($0.key) }
    #expect(after.keys.sorted() == before.filter { kept($0.key) }.keys.sorted())
    #expect(try store.check().problems.isEmpty)
  }

  @Test func aCorruptedBlobIsRefusedAndChangesNothing() throws {
    let copy = try TestSupport.scratchDirectory("registry")
    try FileManager.default.createDirectory(
      atPath: "\(copy)/library", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: "\(TestSupport.registryRoot)/library/alpine", toPath: "\(copy)/library/alpine")
    // Damage the layer blob that the amd64 manifest names.
    let blobs = "\(copy)/library/alpine/blobs/sha256"
    func json(_ path: String) throws -> JSONValue {
      try JSONValue(parsing: Array(try #require(FileManager.default.contents(atPath: path))))
    }
    let indexDigest = try #require(
      json("\(copy)/library/alpine/index.json")["manifests"]?.arrayValue?.first?["digest"]?
        .stringValue)
    let manifestDigest = try #require(
      json("\(blobs)/\(indexDigest.dropFirst(7))")["manifests"]?.arrayValue?.first?["digest"]?
        .stringValue)
    let layerDigest = try #require(
      json("\(blobs)/\(manifestDigest.dropFirst(7))")["layers"]?.arrayValue?.first?["digest"]?
        .stringValue)
    let layer = String(layerDigest.dropFirst(7))
    var bytes = try #require(FileManager.default.contents(atPath: "\(blobs)/\(layer)"))
    bytes[bytes.count / 2] ^= 0xFF
    try bytes.write(to: URL(fileURLWithPath: "\(blobs)/\(layer)"))

    let store = ImageStore(root: try TestSupport.scratchDirectory("store"))
    try store.initialize()
    let before = TestSupport.treeSnapshot(store.root)
    #expect {
      _ = try store.pull(try ImageReference(parsing: "alpine"), from: EmbeddedRegistry(root: copy))
    } throws: { error in
      if case ImageError.digestMismatch(_, let expected, _) = error { return expected.hex == layer }
      return false
    }
    let after = TestSupport.treeSnapshot(store.root).filter { !$0.key.hasPrefix(".layerlab") }
    #expect(after == before.filter { !$0.key.hasPrefix(".layerlab") })
  }

  @Test func unknownImagesFailWithDockersErrors() throws {
    let store = ImageStore(root: try TestSupport.scratchDirectory("store"))
    #expect(throws: ImageError.repositoryNotFound("nosuch")) {
      _ = try store.pull(try ImageReference(parsing: "nosuch"), from: registry)
    }
    #expect(throws: ImageError.manifestUnknown("nginx:nope")) {
      _ = try store.pull(try ImageReference(parsing: "nginx:nope"), from: registry)
    }
    #expect(throws: ImageError.registryUnreachable("ghcr.io")) {
      _ = try store.pull(try ImageReference(parsing: "ghcr.io/a/b"), from: registry)
    }
    #expect(throws: ImageError.noMatchingPlatform("windows/amd64")) {
      _ = try store.pull(
        try ImageReference(parsing: "alpine"), platform: Platform(parsing: "windows/amd64"),
        from: registry)
    }
  }

  @Test func twoRunsOnOneStoreTakeTurns() async throws {
    let store = ImageStore(root: try TestSupport.scratchDirectory("store"))
    let registry = self.registry
    try await withThrowingTaskGroup(of: Void.self) { group in
      for name in ["nginx", "python:3.9-slim", "nginx:1.27.1", "alpine"] {
        group.addTask { _ = try store.pull(try ImageReference(parsing: name), from: registry) }
      }
      try await group.waitForAll()
    }
    #expect(try store.imageIDs().count == 3)
    #expect(try store.check().problems.isEmpty)
  }
}
