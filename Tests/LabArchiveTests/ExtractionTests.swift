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

  /// A writer that extracts as it writes leaves what writing the tar and extracting it
  /// leaves: the same files, modes, times and summary, and the same tar bytes.
  @Test func aTarExtractedAsItIsWrittenMatchesOneExtractedAfter() throws {
    let entries = [
      TarEntry(path: "app", kind: .directory, mode: 0o750, modificationTime: 1_700_000_000),
      TarEntry(
        path: "app/run.sh", kind: .file(Array("#!/bin/sh\necho hi\n".utf8)), mode: 0o755,
        modificationTime: 1_700_000_001),
      TarEntry(path: "app/empty", kind: .file([]), modificationTime: 1_700_000_002),
      TarEntry(path: "app/link", kind: .symlink(target: "run.sh"), modificationTime: 1_700_000_003),
      TarEntry(path: "app/holes", kind: .sparseFile(size: 5_000_000)),
    ]
    let (after, afterSummary) = try extract(entries)
    let directory = try TestSupport.scratchDirectory("extract-while-writing")
    let during = "\(directory)/diff"
    try FileManager.default.createDirectory(atPath: during, withIntermediateDirectories: true)
    var streamed: [UInt8] = []
    let writer = try TarWriter(
      streamingTo: { streamed.append(contentsOf: $0) }, extractingInto: during)
    for entry in entries { try writer.append(entry) }
    try writer.finish()
    #expect(writer.extracted == afterSummary)
    let plain = try TarWriter()
    for entry in entries { try plain.append(entry) }
    #expect(streamed == (try plain.finish()))
    for path in ["app", "app/run.sh", "app/empty", "app/link", "app/holes"] {
      var one = stat()
      var two = stat()
      #expect(lstat("\(after)/\(path)", &one) == 0 && lstat("\(during)/\(path)", &two) == 0)
      #expect(one.st_mode == two.st_mode, "\(path)")
      #expect(one.st_size == two.st_size, "\(path)")
      #expect(one.st_mtim.tv_sec == two.st_mtim.tv_sec, "\(path)")
    }
    #expect(
      FileManager.default.contents(atPath: "\(during)/app/run.sh")
        == FileManager.default.contents(atPath: "\(after)/app/run.sh"))
    var holes = stat()
    #expect(stat("\(during)/app/holes", &holes) == 0)
    #expect(holes.st_blocks * 512 < 1_000_000, "the zeros are holes on disk")
  }

  /// A file streamed through one reused buffer arrives whole, and a short one is refused.
  @Test func aFileReadIntoTheWritersBufferArrivesWhole() throws {
    let content = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let directory = try TestSupport.scratchDirectory("extract-read-buffer")
    var offset = 0
    let writer = try TarWriter(streamingTo: { _ in }, extractingInto: directory)
    try writer.append(TarEntry(path: "data", kind: .file([])), size: Int64(content.count)) {
      buffer in
      let count = min(buffer.count, content.count - offset, 700_001)
      content[offset..<offset + count].withUnsafeBytes { buffer.copyMemory(from: $0) }
      offset += count
      return count
    }
    #expect(throws: ArchiveError.self) {
      try writer.append(TarEntry(path: "short", kind: .file([])), size: 10) { _ in 0 }
    }
    #expect(FileManager.default.contents(atPath: "\(directory)/data") == Data(content))
  }
}
