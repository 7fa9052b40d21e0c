import Foundation
import LabArchive
import LabFiles
import LabTestSupport
import Testing

@testable import LabImage

/// A layer's tar is rebuilt from its extracted files and its tar-split, byte for byte.
@Suite("Layer tars rebuilt from diff and tar-split")
struct LayerTarTests {
  // MARK: - CRC-64

  /// Go's `crc64.Checksum(data, crc64.MakeTable(crc64.ISO))`, one bit at a time.
  static func referenceCRC(_ bytes: [UInt8]) -> UInt64 {
    var crc = ~UInt64(0)
    for byte in bytes {
      crc ^= UInt64(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xD800_0000_0000_0000 : crc >> 1 }
    }
    return ~crc
  }

  @Test func crc64MatchesGosISOTable() {
    var crc = CRC64()
    crc.update(Array("123456789".utf8))
    // The CRC-64/GO-ISO check value.
    #expect(crc.value == 0xB909_56C7_75A4_1001)
    #expect(crc.bigEndianBytes == [0xB9, 0x09, 0x56, 0xC7, 0x75, 0xA4, 0x10, 0x01])
    #expect(CRC64().value == 0)
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    let data = (0..<4099).map { _ -> UInt8 in
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: seed >> 33)
    }
    // Every length and alignment, and in pieces: eight bytes at a step agrees with one bit.
    for (start, end) in [(0, 0), (0, 7), (1, 9), (3, 64), (5, 1000), (0, 4099), (7, 4098)] {
      let slice = Array(data[start..<end])
      var whole = CRC64()
      whole.update(slice)
      #expect(whole.value == Self.referenceCRC(slice), "bytes \(start)..<\(end)")
      var pieces = CRC64()
      var offset = 0
      for size in [1, 13, 8, 100].cycled(until: slice.count) {
        pieces.update(Array(slice[offset..<min(offset + size, slice.count)]))
        offset = min(offset + size, slice.count)
      }
      #expect(pieces.value == whole.value)
    }
  }

  // MARK: - Hand-made tars

  /// One 512-byte tar header, ustar format.
  static func header(
    _ name: String, type: Character = "0", size: Int = 0, link: String = "", mode: Int = 0o644
  ) -> [UInt8] {
    var block = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int, width: Int) {
      for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
    }
    func octal(_ value: Int, at offset: Int, width: Int) {
      let digits = String(value, radix: 8)
      put(
        String(repeating: "0", count: width - 1 - digits.count) + digits, at: offset, width: width)
    }
    put(name, at: 0, width: 100)
    octal(mode, at: 100, width: 8)
    octal(0, at: 108, width: 8)
    octal(0, at: 116, width: 8)
    octal(size, at: 124, width: 12)
    octal(1_700_000_000, at: 136, width: 12)
    put(String(type), at: 156, width: 1)
    put(link, at: 157, width: 100)
    put("ustar\u{0}00", at: 257, width: 8)
    put("        ", at: 148, width: 8)
    let sum = block.reduce(0) { $0 + Int($1) }
    octal(sum, at: 148, width: 7)
    return block
  }

  static func padded(_ bytes: [UInt8]) -> [UInt8] {
    bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
  }

  static func pax(_ records: [(String, String)]) -> [UInt8] {
    var data: [UInt8] = []
    for (key, value) in records {
      let body = " \(key)=\(value)\n"
      var length = body.utf8.count + 1
      while String(length).utf8.count + body.utf8.count != length { length += 1 }
      data += Array("\(length)\(body)".utf8)
    }
    return data
  }

  /// A member with content.
  static func file(_ name: String, _ content: [UInt8], type: Character = "0") -> [UInt8] {
    header(name, type: type, size: content.count) + padded(content)
  }

  /// A tar with what layers from elsewhere hold: pax headers with xattrs and long paths, a GNU
  /// long name, hard and symbolic links, a whiteout, a device, empty directories.
  static func foreignLayer() -> [UInt8] {
    let long = String(repeating: "deep/", count: 24) + "file-with-a-long-name.txt"
    let gnuLong = String(repeating: "g", count: 120) + ".bin"
    let xattrs = pax([("SCHILY.xattr.user.origin", "layerlab"), ("path", "etc/with-xattr")])
    let longPax = pax([("path", long)])
    var tar: [UInt8] = []
    tar += header("etc/", type: "5", mode: 0o755)
    tar += header("PaxHeaders/with-xattr", type: "x", size: xattrs.count) + padded(xattrs)
    tar += file("etc/with-xattr", Array("xattr content\n".utf8))
    tar += header("PaxHeaders/long", type: "x", size: longPax.count) + padded(longPax)
    tar += file("deep/placeholder", Array(repeating: 0x41, count: 700))
    tar +=
      header("././@LongLink", type: "L", size: gnuLong.utf8.count + 1)
      + padded(Array(gnuLong.utf8) + [0])
    tar += file("gnu-truncated", Array("gnu long\n".utf8))
    tar += header("etc/hard", type: "1", link: "etc/with-xattr")
    tar += header("etc/soft", type: "2", link: "with-xattr")
    tar += header("etc/.wh.gone", type: "0")
    tar += header("empty/", type: "5", mode: 0o755)
    tar += header("empty/inner/", type: "5", mode: 0o755)
    tar += header("dev/null", type: "3")
    tar += file("etc/zero", [])
    tar += file("etc/exact", Array(repeating: 0x42, count: 1024))
    // The end, with more zero blocks than two, as some writers leave.
    tar += [UInt8](repeating: 0, count: 512 * 5)
    return tar
  }

  static func rebuild(_ store: ImageStore, _ diffID: Digest) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try store.readLayerTar(diffID) { bytes.append(contentsOf: $0) }
    return bytes
  }

  static func store() throws -> ImageStore {
    let store = ImageStore(root: try TestSupport.scratchDirectory("layer-tar") + "/store")
    try store.initialize()
    return store
  }

  static func write(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  @Test func aForeignLayerComesBackByteForByte() throws {
    let store = try Self.store()
    let tar = Self.foreignLayer()
    let path = store.root + "/../foreign.tar"
    try Self.write(tar, path)
    let layer = try store.addLayer(from: .file(path), expectedDiffID: nil, parent: nil)
    #expect(layer.diffID == Digest.of(tar))
    // The store keeps no copy of the tar: only the files and the tar-split.
    #expect(!FileManager.default.fileExists(atPath: store.stateDirectory + "/layers"))
    let rebuilt = try Self.rebuild(store, layer.diffID)
    #expect(rebuilt == tar)
    #expect(try store.layerTarSize(layer.diffID) == Int64(tar.count))
    let diff = try store.diffDirectory(of: layer.chainID)
    let long = String(repeating: "deep/", count: 24) + "file-with-a-long-name.txt"
    #expect(FileManager.default.contents(atPath: "\(diff)/\(long)")?.count == 700)
    #expect(
      FileManager.default.fileExists(atPath: "\(diff)/\(String(repeating: "g", count: 120)).bin"))
  }

  @Test func compressedAndSparseLayersComeBackAsTheirTar() throws {
    let store = try Self.store()
    // libarchive's pax writer stores a sparse file as a map and its data regions.
    let writer = try TarWriter()
    try writer.append(TarEntry(path: "usr/", kind: .directory, mode: 0o755))
    try writer.append(TarEntry(path: "usr/big-and-empty", kind: .sparseFile(size: 3 << 20)))
    try writer.append(TarEntry(path: "usr/small", kind: .file(Array("small\n".utf8))))
    let tar = try writer.finish()
    let path = store.root + "/../sparse.tar.gz"
    try Self.write(try Gzip.compress(tar), path)
    let layer = try store.addLayer(from: .file(path), expectedDiffID: Digest.of(tar), parent: nil)
    #expect(try Self.rebuild(store, layer.diffID) == tar)
  }

  @Test func aChangedFileFailsTheRebuildNamingTheLayerAndTheFile() throws {
    let store = try Self.store()
    let tar = Self.foreignLayer()
    let path = store.root + "/../changed.tar"
    try Self.write(tar, path)
    let layer = try store.addLayer(from: .file(path), expectedDiffID: nil, parent: nil)
    let diff = try store.diffDirectory(of: layer.chainID)
    #expect(try store.check().problems.isEmpty)

    // Same size, other content.
    try Self.write(Array(repeating: 0x43, count: 1024), "\(diff)/etc/exact")
    #expect {
      try Self.rebuild(store, layer.diffID)
    } throws: { error in
      "\(error)"
        == "layer \(layer.diffID): file integrity checksum failed for \"etc/exact\""
    }
    #expect(
      try store.check().problems == [
        "layer \(layer.chainID.shortID): file integrity checksum failed for \"etc/exact\""
      ])
    // Shorter.
    try Self.write(Array(repeating: 0x42, count: 10), "\(diff)/etc/exact")
    #expect {
      try Self.rebuild(store, layer.diffID)
    } throws: { error in
      "\(error)" == "layer \(layer.diffID): \"etc/exact\": unexpected EOF"
    }
    // Gone.
    try FileManager.default.removeItem(atPath: "\(diff)/etc/exact")
    #expect(throws: ImageError.self) { try Self.rebuild(store, layer.diffID) }
    // Replaced by a link that leads out of the layer: never followed.
    try FileManager.default.createSymbolicLink(
      atPath: "\(diff)/etc/exact", withDestinationPath: "/etc/passwd")
    #expect {
      try Self.rebuild(store, layer.diffID)
    } throws: { error in
      "\(error)".hasPrefix("layer \(layer.diffID): \"etc/exact\": ")
    }
  }

  @Test func aDamagedTarSplitIsAClearError() throws {
    let store = try Self.store()
    let tar = Self.foreignLayer()
    let path = store.root + "/../damaged.tar"
    try Self.write(tar, path)
    let layer = try store.addLayer(from: .file(path), expectedDiffID: nil, parent: nil)
    let split = "\(store.root)/image/overlay2/layerdb/sha256/\(layer.chainID.hex)/tar-split.json.gz"
    // A tar-split that names a file outside the layer.
    let line =
      #"{"type":1,"name":"../../../../etc/passwd","size":5,"payload":"AAAAAAAAAAA=","position":0}"#
    try Self.write(try Gzip.compress(Array((line + "\n").utf8)), split)
    #expect {
      try Self.rebuild(store, layer.diffID)
    } throws: { error in
      "\(error)".contains("its tar-split is damaged")
    }
    try Self.write(Array("not gzip, not json".utf8), split)
    #expect(throws: ImageError.self) { try Self.rebuild(store, layer.diffID) }
  }

  /// A `docker save` archive of `images`, each a tag and its layers, bottom first.
  static func saveArchive(_ images: [(tag: String, layers: [[UInt8]])], at path: String) throws {
    let archive = try TarWriter(path: path)
    var written: Set<Digest> = []
    var manifest: [String] = []
    for (tag, layers) in images {
      let diffIDs = layers.map { "\"\(Digest.of($0))\"" }.joined(separator: ",")
      let config = Array(
        #"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[\#(diffIDs)]}}"#
          .utf8)
      for blob in layers + [config] where written.insert(Digest.of(blob)).inserted {
        try archive.append(
          TarEntry(path: "blobs/sha256/\(Digest.of(blob).hex)", kind: .file(blob)))
      }
      let names = layers.map { "\"blobs/sha256/\(Digest.of($0).hex)\"" }.joined(separator: ",")
      manifest.append(
        #"{"Config":"blobs/sha256/\#(Digest.of(config).hex)","RepoTags":["\#(tag)"],"Layers":[\#(names)]}"#
      )
    }
    try archive.append(
      TarEntry(
        path: "manifest.json", kind: .file(Array("[\(manifest.joined(separator: ","))]".utf8))))
    try archive.finish()
  }

  static func layer(_ entries: [TarEntry]) throws -> [UInt8] {
    let writer = try TarWriter()
    for entry in entries { try writer.append(entry) }
    return try writer.finish()
  }

  /// `docker load` extracts each layer as the archive streams by; a layer that two images
  /// stack at different heights is stored under both chains, each with the layer's files.
  @Test func aLoadedLayerUnderTwoParentsIsStoredForBoth() throws {
    let store = try Self.store()
    let shared = try Self.layer([TarEntry(path: "shared.txt", kind: .file(Array("s\n".utf8)))])
    let base = try Self.layer([TarEntry(path: "base.txt", kind: .file(Array("b\n".utf8)))])
    let path = store.root + "/../two.tar"
    try Self.saveArchive([("one:1", [shared]), ("two:1", [base, shared])], at: path)
    let report = try store.load(archiveAt: path, at: Date(timeIntervalSince1970: 0))
    #expect(report.lines == ["Loaded image: one:1", "Loaded image: two:1"])
    for chain in [Digest.of(shared), chainIDs(of: [Digest.of(base), Digest.of(shared)])[1]] {
      let diff = try store.diffDirectory(of: chain)
      #expect(FileManager.default.contents(atPath: "\(diff)/shared.txt") == Data("s\n".utf8))
    }
    #expect(try Self.rebuild(store, Digest.of(shared)) == shared)
    // Nothing of the load is left behind in the store's scratch folder.
    let left = try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory)
    #expect(left.allSatisfy { !$0.hasPrefix("load-") }, "\(left)")
  }

  /// A member that cannot be extracted fails the load only when an image uses it as a layer,
  /// after its digest is checked.
  @Test func anUnsafeMemberFailsTheLoadOnlyAsALayer() throws {
    let store = try Self.store()
    let unsafe = Array(
      Self.file("../escape.txt", Array("x".utf8)) + [UInt8](repeating: 0, count: 1024))
    let good = try Self.layer([TarEntry(path: "ok.txt", kind: .file(Array("ok\n".utf8)))])
    let unused = store.root + "/../unused.tar"
    try Self.saveArchive([("good:1", [good])], at: unused)
    // The unsafe tar rides along as a member no manifest names.
    let extra = try TarReader(path: unused)
    let rewritten = try TarWriter(path: unused + ".2")
    try rewritten.append(TarEntry(path: "stray.tar", kind: .file(unsafe)))
    while let header = try extra.next() {
      try rewritten.append(TarEntry(path: header.path, kind: .file(try extra.readData())))
    }
    try rewritten.finish()
    #expect(
      try store.load(archiveAt: unused + ".2", at: Date(timeIntervalSince1970: 0)).lines
        == ["Loaded image: good:1"])
    let used = store.root + "/../used.tar"
    try Self.saveArchive([("bad:1", [unsafe])], at: used)
    #expect {
      _ = try store.load(archiveAt: used, at: Date(timeIntervalSince1970: 0))
    } throws: { error in
      "\(error)".contains("refusing to extract \"../escape.txt\"")
    }
  }

  @Test func tarSplitLinesAreDockersFormat() throws {
    let store = try Self.store()
    let tar =
      Self.header("a.txt", size: 3) + Self.padded(Array("hi\n".utf8))
      + [UInt8](
        repeating: 0, count: 1024)
    let path = store.root + "/../one.tar"
    try Self.write(tar, path)
    let layer = try store.addLayer(from: .file(path), expectedDiffID: nil, parent: nil)
    let split = "\(store.root)/image/overlay2/layerdb/sha256/\(layer.chainID.hex)/tar-split.json.gz"
    let lines = String(
      decoding: try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: split)))),
      as: UTF8.self
    ).split(separator: "\n")
    var crc = CRC64()
    crc.update(Array("hi\n".utf8))
    let checksum = Data(crc.bigEndianBytes).base64EncodedString()
    #expect(lines.count == 3)
    #expect(lines[0].hasPrefix(#"{"type":2,"payload":""#) && lines[0].hasSuffix(#","position":0}"#))
    #expect(
      lines[1] == #"{"type":1,"name":"a.txt","size":3,"payload":"\#(checksum)","position":1}"#)
    #expect(lines[2].hasPrefix(#"{"type":2,"#) && lines[2].hasSuffix(#","position":2}"#))
  }
}

extension Array where Element == Int {
  /// The sizes repeated until they add up to at least `total`.
  fileprivate func cycled(until total: Int) -> [Int] {
    var sizes: [Int] = []
    var sum = 0
    while sum < total {
      let size = self[sizes.count % count]
      sizes.append(size)
      sum += size
    }
    return sizes
  }
}

@Suite("Stores from before tar-splits rebuilt layers")
struct LegacyLayerArchiveTests {
  @Test func aKeptTarRemakesTheTarSplitOnceAndGoes() throws {
    let store = try LayerTarTests.store()
    let writer = try TarWriter()
    try writer.append(TarEntry(path: "bin/", kind: .directory, mode: 0o755))
    try writer.append(TarEntry(path: "bin/tool", kind: .sparseFile(size: 1 << 20)))
    let tar = try writer.finish()
    let path = store.root + "/../legacy.tar"
    try LayerTarTests.write(tar, path)
    let layer = try store.addLayer(from: .file(path), expectedDiffID: nil, parent: nil)
    // What an older LayerLab left: the tar kept gzip'd, and a tar-split that cannot rebuild it.
    let legacy = store.stateDirectory + "/layers"
    try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
    try LayerTarTests.write(try Gzip.compress(tar), "\(legacy)/\(layer.diffID.hex).tar.gz")
    let split = "\(store.root)/image/overlay2/layerdb/sha256/\(layer.chainID.hex)/tar-split.json.gz"
    try LayerTarTests.write(try Gzip.compress(Array("{\"type\":9}\n".utf8)), split)
    #expect(throws: ImageError.self) { try LayerTarTests.rebuild(store, layer.diffID) }

    try store.initialize()
    #expect(try LayerTarTests.rebuild(store, layer.diffID) == tar)
    #expect(!FileManager.default.fileExists(atPath: legacy))
  }
}

@Suite("Throw-away stores")
struct ScratchStoreTests {
  @Test func aStoreThatIsNotFlushedWritesTheSameFiles() throws {
    let root = try TestSupport.scratchDirectory("scratch-store")
    let store = ImageStore(root: root + "/store", durable: false)
    #expect(!store.isDurable)
    try store.initialize()
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    _ = try store.pull(try ImageReference(parsing: "alpine"), from: registry)
    let repositories = "\(store.root)/image/overlay2/repositories.json"
    let attributes = try FileManager.default.attributesOfItem(atPath: repositories)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    #expect(try String(contentsOfFile: repositories, encoding: .utf8).contains("alpine:latest"))
    #expect(try store.check().problems.isEmpty)
  }

  @Test func foldersAreMadeWithTheirModeAndParentsOnlyWhenMissing() throws {
    let root = try TestSupport.scratchDirectory("folders")
    try HostPaths.createDirectories("\(root)/a/b/c", mode: 0o700)
    for path in ["a", "a/b", "a/b/c"] {
      let attributes = try FileManager.default.attributesOfItem(atPath: "\(root)/\(path)")
      #expect((attributes[.posixPermissions] as? Int) == 0o700, "\(path)")
    }
    try HostPaths.createDirectories("\(root)/a/b/c")
    try HostPaths.createDirectories("\(root)/a/b/c/")
    #expect(FileManager.default.createFile(atPath: "\(root)/file", contents: Data()))
    #expect(throws: FileSystemError.self) { try HostPaths.createDirectories("\(root)/file/x/y") }
  }
}
