import Foundation
import LabArchive
import LabTestSupport
import Testing

@Suite("Tar writing and reading")
struct TarTests {
  let entries = [
    TarEntry(path: "etc", kind: .directory, modificationTime: 1_723_507_220),
    TarEntry(
      path: "etc/hostname", kind: .file(Array("localhost\n".utf8)), modificationTime: 1_723_507_220),
    TarEntry(path: "bin", kind: .symlink(target: "usr/bin")),
    TarEntry(path: "usr/lib/big", kind: .sparseFile(size: 50_000_000), mode: 0o755),
  ]

  func write(_ entries: [TarEntry], compression: Compression = .none) throws -> [UInt8] {
    let writer = try TarWriter(compression: compression)
    for entry in entries { try writer.append(entry) }
    return try writer.finish()
  }

  @Test func equalEntriesGiveEqualBytes() throws {
    #expect(try write(entries) == write(entries))
    #expect(try write(entries, compression: .gzip) == write(entries, compression: .gzip))
  }

  @Test func readsBackWhatItWrote() throws {
    let reader = try TarReader(bytes: try write(entries, compression: .gzip))
    var seen: [(String, TarHeader.FileType, Int64)] = []
    while let header = try reader.next() {
      seen.append((header.path, header.type, header.size))
      if header.path == "etc/hostname" {
        #expect(String(decoding: try reader.readData(), as: UTF8.self) == "localhost\n")
      }
    }
    #expect(seen.map(\.0) == ["etc/", "etc/hostname", "bin", "usr/lib/big"])
    #expect(seen.map(\.1) == [.directory, .file, .symlink, .file])
    #expect(seen[3].2 == 50_000_000)
  }

  @Test func sparseFilesCostNothingInTheArchive() throws {
    let bytes = try write(
      [TarEntry(path: "zeros", kind: .sparseFile(size: 100_000_000))], compression: .gzip)
    #expect(bytes.count < 4096)
  }

  @Test(.enabled(if: TestSupport.tool("bsdtar") != nil, "bsdtar is not installed"))
  func bsdtarReadsOurArchives() throws {
    let bsdtar = try #require(TestSupport.tool("bsdtar"))
    let directory = try TestSupport.scratchDirectory("tar")
    let path = "\(directory)/layer.tar"
    try Data(try write(entries)).write(to: URL(fileURLWithPath: path))
    let listing = try TestSupport.run(
      bsdtar, ["-tvf", path], environment: ["LC_ALL": "C", "TZ": "UTC"])
    #expect(listing.status == 0)
    let lines = listing.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    #expect(lines[1].hasPrefix("-rw-r--r--  0 0      0          10 Aug 13  2024 etc/hostname"))
    #expect(lines[2].hasSuffix("bin -> usr/bin"))
    #expect(lines[3].contains("50000000"))
  }

  @Test func gzipRoundTripsAndIsDeterministic() throws {
    let text = Array(String(repeating: "layer ", count: 1000).utf8)
    let compressed = try Gzip.compress(text)
    #expect(compressed.count < text.count)
    #expect(try Gzip.compress(text) == compressed)
    #expect(compressed[4..<8] == [0, 0, 0, 0], "no timestamp in the gzip header")
    #expect(try Gzip.decompress(compressed) == text)
    #expect(try Gzip.decompress(text) == text, "plain input passes through")
  }

  @Test func streamsAFileInChunks() throws {
    let directory = try TestSupport.scratchDirectory("gzip")
    let path = "\(directory)/blob.gz"
    let payload = [UInt8]((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
    try Data(try Gzip.compress(payload)).write(to: URL(fileURLWithPath: path))
    var chunks = 0
    var total: [UInt8] = []
    try Gzip.decompress(fileAt: path) { chunk in
      chunks += 1
      total.append(contentsOf: chunk)
    }
    #expect(total == payload)
    #expect(chunks > 1, "a large stream arrives in several chunks")
  }

  @Test func aBrokenArchiveIsAnErrorNotACrash() throws {
    var bytes = try write(entries, compression: .gzip)
    bytes = Array(bytes.prefix(bytes.count / 2))
    #expect(throws: ArchiveError.self) {
      let reader = try TarReader(bytes: bytes)
      while (try reader.next()) != nil { _ = try reader.readData() }
    }
  }
}
