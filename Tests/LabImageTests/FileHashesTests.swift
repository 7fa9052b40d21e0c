import Foundation
import LabFiles
import LabTestSupport
import Testing

@testable import LabImage

/// A rebuild reads no unchanged file again, and never trusts a hash for a file that changed.
@Suite("The hashes of the files builds copy")
struct FileHashesTests {
  static let second: Int64 = 1_000_000_000

  func key(changed: Int64, inode: UInt64 = 7, size: Int64 = 3) -> FileHashes.Key {
    FileHashes.Key(device: 1, inode: inode, size: size, changed: changed)
  }

  @Test func aSettledFilesHashIsRememberedAndKeptOnDisk() throws {
    let path = try TestSupport.scratchDirectory("file-hashes") + "/file-hashes"
    let now: Int64 = 1_700_000_000 * Self.second
    let settled = key(changed: now - 10 * Self.second)
    var hashes = FileHashes(path: path)
    var reads = 0
    let read = {
      reads += 1
      return Digest.of("abc")
    }
    #expect(hashes.digest(of: settled, now: now, hash: read) == Digest.of("abc"))
    #expect(hashes.digest(of: settled, now: now, hash: read) == Digest.of("abc"))
    #expect(reads == 1)
    try hashes.save()

    var reloaded = FileHashes(path: path)
    #expect(reloaded.digest(of: settled, now: now, hash: read) == Digest.of("abc"))
    #expect(reads == 1)
    // Any other change time, inode or size is another file: it is read.
    _ = reloaded.digest(of: key(changed: now - 9 * Self.second), now: now, hash: read)
    _ = reloaded.digest(of: key(changed: now - 10 * Self.second, inode: 8), now: now, hash: read)
    _ = reloaded.digest(of: key(changed: now - 10 * Self.second, size: 4), now: now, hash: read)
    #expect(reads == 4)
  }

  @Test func aFileChangedInTheLastTwoSecondsIsReadEveryTime() throws {
    let path = try TestSupport.scratchDirectory("file-hashes-fresh") + "/file-hashes"
    let now: Int64 = 1_700_000_000 * Self.second
    var hashes = FileHashes(path: path)
    var reads = 0
    let read = {
      reads += 1
      return Digest.of("abc")
    }
    let fresh = key(changed: now - Self.second)
    _ = hashes.digest(of: fresh, now: now, hash: read)
    _ = hashes.digest(of: fresh, now: now, hash: read)
    // No key (an archive's member, a heredoc): always read.
    _ = hashes.digest(of: nil, now: now, hash: read)
    #expect(reads == 3)
    try hashes.save()
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func aDamagedFileOfHashesIsReadAsFarAsItMakesSense() throws {
    let path = try TestSupport.scratchDirectory("file-hashes-damaged") + "/file-hashes"
    let hex = Digest.of("abc").hex
    try Array("1 7 3 5 \(hex)\nnot a line\n1 8 3 5 zz\n1 9 3\n".utf8).write(to: path)
    var hashes = FileHashes(path: path)
    var reads = 0
    let read = {
      reads += 1
      return Digest.of("other")
    }
    #expect(hashes.digest(of: key(changed: 5), now: 0, hash: read) == Digest.of("abc"))
    #expect(hashes.digest(of: key(changed: 5, inode: 8), now: 0, hash: read) == Digest.of("other"))
    #expect(reads == 1)
  }

  @Test func aFilesKeyComesFromItsHostStatus() throws {
    let directory = try TestSupport.scratchDirectory("file-hashes-status")
    try Array("abc".utf8).write(to: directory + "/a")
    let first = try HostDirectory(directory).status("a")
    let key = try #require(FileHashes.Key(first))
    #expect(key.inode == first.inode && key.size == 3 && key.changed > 0)
    // Rewriting the file to the same size gives it a new change time: the key no longer
    // matches.
    usleep(20_000)
    try Array("xyz".utf8).write(to: directory + "/a")
    let second = try HostDirectory(directory).status("a")
    #expect(FileHashes.Key(second) != key)
    try FileManager.default.createDirectory(
      atPath: directory + "/d", withIntermediateDirectories: false)
    #expect(FileHashes.Key(try HostDirectory(directory).status("d")) == nil)
  }
}

extension Array where Element == UInt8 {
  fileprivate func write(to path: String) throws {
    try Data(self).write(to: URL(fileURLWithPath: path))
  }
}
