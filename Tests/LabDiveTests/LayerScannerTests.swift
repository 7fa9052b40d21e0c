import LabArchive
import LabDive
import Testing

/// Layer tars read as Go's `archive/tar` reads them for dive, and broken ones refused.
@Suite("dive's reading of layer tars")
struct LayerScannerTests {
  @Test func membersKeepTheirRealNamesSizesAndModes() throws {
    let writer = try TarWriter()
    let long = "usr/share/" + String(repeating: "very-long-directory-name/", count: 6) + "file.txt"
    try writer.append(TarEntry(path: "etc/", kind: .directory))
    try writer.append(TarEntry(path: "etc/hosts", kind: .file(Array("127.0.0.1\n".utf8))))
    try writer.append(TarEntry(path: long, kind: .file([1, 2, 3])))
    try writer.append(TarEntry(path: "bin/sh", kind: .symlink(target: "busybox"), uid: 0))
    try writer.append(TarEntry(path: "zeros.img", kind: .sparseFile(size: 1 << 20)))
    try writer.append(TarEntry(path: "tmp/.wh.gone", kind: .file([])))
    try writer.append(TarEntry(path: "run/lock", kind: .file([]), mode: 0o4755, uid: 7, gid: 9))
    let files = try DiveImage.files(inLayerTar: try writer.finish())
    #expect(
      files.map(\.path) == [
        "etc", "etc/hosts", long, "bin/sh", "zeros.img", "tmp/.wh.gone", "run/lock",
      ])
    #expect(files.map(\.size) == [0, 10, 3, 0, 1 << 20, 0, 0])
    // Go's FileMode: a directory has bit 31, a symlink bit 27, setuid bit 23.
    #expect(files[0].mode == 1 << 31 | 0o755 && files[0].isDir)
    #expect(files[3].mode == 1 << 27 | 0o777 && files[3].linkName == "busybox")
    #expect(files[6].mode == 1 << 23 | 0o755 && files[6].uid == 7 && files[6].gid == 9)
    // The same content hashes the same; other content does not.
    #expect(files[5].hash == files[6].hash)
    #expect(files[1].hash != files[2].hash)
  }

  @Test func brokenTarsAreRefusedWithAMessage() throws {
    #expect(throws: DiveError("layer tar: invalid tar header")) {
      try DiveImage.files(inLayerTar: Array(repeating: 0x41, count: 1024))
    }
    let writer = try TarWriter()
    try writer.append(TarEntry(path: "big", kind: .file(Array(repeating: 7, count: 5000))))
    let bytes = try writer.finish()
    #expect(throws: DiveError("layer tar: unexpected end of archive")) {
      try DiveImage.files(inLayerTar: Array(bytes.prefix(2000)))
    }
    // An empty layer (only the end blocks) has no members.
    #expect(try DiveImage.files(inLayerTar: [UInt8](repeating: 0, count: 1024)).isEmpty)
  }
}
