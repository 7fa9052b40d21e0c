import Foundation
import LabArchive
import LabTestSupport
import Testing

@Suite("Extracting layers safely")
struct ExtractionTests {
  func extract(_ entries: [TarEntry]) throws -> (String, ExtractionSummary) {
    let directory = try TestSupport.scratchDirectory("extract")
    let archive = "\(directory)/layer.tar"
    let writer = try TarWriter(path: archive)
    for entry in entries { try writer.append(entry) }
    try writer.finish()
    let root = "\(directory)/diff"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    return (root, try LayerExtractor.extract(archiveAt: archive, into: root))
  }

  @Test func extractsFilesLinksAndSparseFiles() throws {
    let (root, summary) = try extract([
      TarEntry(path: "etc", kind: .directory),
      TarEntry(path: "etc/os-release", kind: .file(Array("ID=debian\n".utf8))),
      TarEntry(path: "bin", kind: .symlink(target: "usr/bin")),
      TarEntry(path: "var/lock", kind: .symlink(target: "/run/lock")),
      TarEntry(path: "usr/lib/libbig.so", kind: .sparseFile(size: 20_000_000), mode: 0o755),
      TarEntry(path: "usr/lib/libbig.so.1", kind: .hardlink(target: "usr/lib/libbig.so")),
    ])
    #expect(try String(contentsOfFile: "\(root)/etc/os-release", encoding: .utf8) == "ID=debian\n")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/bin") == "usr/bin")
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/var/lock") == "/run/lock")
    var status = stat()
    #expect(stat("\(root)/usr/lib/libbig.so", &status) == 0)
    #expect(status.st_size == 20_000_000)
    #expect(status.st_blocks * 512 < 1_000_000, "the zeros are holes on disk")
    #expect(status.st_nlink == 2)
    // Docker's size: file bytes, link targets, hard links once.
    #expect(summary.size == 10 + 7 + 9 + 20_000_000)
  }

  @Test(arguments: ["../evil", "a/../../evil", "/etc/evil"])
  func refusesPathsThatLeaveTheLayer(path: String) throws {
    #expect(throws: ArchiveError.self) {
      _ = try extract([TarEntry(path: path, kind: .file(Array("x".utf8)))])
    }
  }

  @Test func refusesSymlinksThatClimbOut() throws {
    #expect(throws: ArchiveError.linkEscapes(path: "a/b", target: "../../etc")) {
      _ = try extract([TarEntry(path: "a/b", kind: .symlink(target: "../../etc"))])
    }
  }

  @Test func refusesHardLinksToOutside() throws {
    #expect(throws: ArchiveError.self) {
      _ = try extract([TarEntry(path: "passwd", kind: .hardlink(target: "../../../etc/passwd"))])
    }
  }

  @Test func neverWritesThroughASymlink() throws {
    let outside = try TestSupport.scratchDirectory("outside")
    // The link is replaced by a directory inside the layer; nothing lands outside.
    let (root, _) = try extract([
      TarEntry(path: "escape", kind: .symlink(target: outside)),
      TarEntry(path: "escape/planted", kind: .file(Array("x".utf8))),
    ])
    #expect(!FileManager.default.fileExists(atPath: "\(outside)/planted"))
    #expect(FileManager.default.fileExists(atPath: "\(root)/escape/planted"))
  }
}
