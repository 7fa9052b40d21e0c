import Foundation
import LabArchive
import LabDocker
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Synchronization
import Testing

@testable import LabFiles
@testable import LabLimits

/// Nothing on the host that a learner would not expect: no setuid or world-writable file, no
/// scratch folder left open or behind, no host path in a message.
@Suite("The host keeps no trace a lesson did not ask for")
struct HostSafetyTests {
  /// Every entry under `root` whose host mode has setuid, setgid or o+w.
  static func unsafeModes(under root: String) -> [String] {
    var found: [String] = []
    let walker = FileManager.default.enumerator(atPath: root)
    while let relative = walker?.nextObject() as? String {
      var status = stat()
      guard lstat("\(root)/\(relative)", &status) == 0, status.st_mode & S_IFMT != S_IFLNK else {
        continue
      }
      if status.st_mode & (S_ISUID | S_ISGID | S_IWOTH) != 0 { found.append(relative) }
    }
    return found
  }

  @Test func specialModesAreTheSandboxsNotTheHosts() throws {
    let fixture = try ShellFixture()
    var session = try fixture.session()
    let made = session.run(
      "touch evil group open; mkdir shared; chmod 4755 evil; chmod 2755 group; chmod 777 open; chmod 1777 shared; ls -ld evil group open shared"
    )
    #expect(
      made.stdout.split(separator: "\n").map { $0.prefix(10) } == [
        "-rwsr-xr-x", "-rwxr-sr-x", "-rwxrwxrwx", "drwxrwxrwt",
      ], "\(made.stdout)\(made.stderr)")
    #expect(Self.unsafeModes(under: fixture.workspace).isEmpty)
    // cp keeps the mode, and a copy is no more setuid on the host than its original.
    #expect(session.run("cp evil evil2; stat -c %a evil2").stdout == "4755\n")
    #expect(Self.unsafeModes(under: fixture.workspace).isEmpty)
    #expect(session.run("chmod 755 evil; stat -c %a evil").stdout == "755\n")
  }

  @Test func setuidFilesInImagesStayInTheirLayers() throws {
    let fixture = try ShellFixture()
    try Data(
      "FROM busybox\nRUN touch /suid-probe && chmod 4755 /suid-probe && chmod 1777 /tmp\n".utf8
    ).write(
      to: URL(fileURLWithPath: "\(fixture.workspace)/Dockerfile"))
    var session = try fixture.session()
    let build = session.run("docker build -q -t suid .")
    #expect(build.status == 0, "\(build.stderr)")
    // The layer's tar has the image's modes; the host's files do not.
    let saved = session.run(
      "docker save suid -o s.tar && tar -xf s.tar && cat manifest.json | jq -r '.[0].Layers[-1]' | xargs tar -tvf"
    )
    #expect(saved.stdout.contains("-rwsr-xr-x 0/0               0"), "\(saved.stdout)")
    #expect(saved.stdout.contains("drwxrwxrwt 0/0"), "\(saved.stdout)")
    #expect(Self.unsafeModes(under: fixture.store.root).isEmpty)
    // Loaded into a fresh store, the layer is extracted without the bits, and shows them.
    let other = try ShellFixture()
    try FileManager.default.copyItem(
      atPath: "\(fixture.workspace)/s.tar", toPath: "\(other.workspace)/s.tar")
    var second = try other.session()
    #expect(second.run("docker load -q -i s.tar").status == 0)
    #expect(Self.unsafeModes(under: other.store.root).isEmpty)
    let layer = second.run("sudo ls -l $(sudo find /var/lib/docker/overlay2 -name suid-probe)")
    #expect(layer.stdout.hasPrefix("-rwsr-xr-x"), "\(layer.stdout)\(layer.stderr)")
  }

  @Test func scratchDirectoriesArePrivateAndStaleOnesGo() throws {
    let path = try ScratchDirectory.make("probe")
    defer { ScratchDirectory.remove(path) }
    var status = stat()
    #expect(lstat(path, &status) == 0)
    #expect(status.st_mode & 0o777 == 0o700)
    // One of a process that is gone, and one of this process.
    let stale = NSTemporaryDirectory() + "layerlab-probe-2147483646-\(UUID().uuidString)"
    #expect(mkdir(stale, 0o700) == 0)
    let removed = ScratchDirectory.removeStale()
    #expect(removed.contains(PathText.name(stale)))
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(FileManager.default.fileExists(atPath: path))
  }

  @Test func removingATreeFollowsNoLinkAndReachesAnyDepth() throws {
    let root = try ScratchDirectory.make("remove")
    defer { ScratchDirectory.remove(root) }
    let outside = root + "/outside"
    #expect(mkdir(outside, 0o700) == 0)
    #expect(FileManager.default.createFile(atPath: outside + "/keep", contents: Data("k".utf8)))
    // Deeper than the folders kept open, with files, links and an empty folder on the way.
    var folder = root + "/tree"
    for depth in 0..<(HostDirectory.openFolderLimit + 10) {
      #expect(mkdir(folder, 0o700) == 0)
      #expect(FileManager.default.createFile(atPath: folder + "/f", contents: Data([1, 2])))
      if depth % 7 == 0 {
        #expect(symlink(outside, folder + "/out") == 0)
        #expect(link(outside + "/keep", folder + "/hard") == 0)
        #expect(mkdir(folder + "/empty", 0o700) == 0)
      }
      folder += "/d"
    }
    try HostDirectory(root).remove("tree", recursive: true)
    #expect(!FileManager.default.fileExists(atPath: root + "/tree"))
    #expect(FileManager.default.contents(atPath: outside + "/keep") == Data("k".utf8))
    // A link named as the thing to remove is removed itself, not what it points at.
    #expect(symlink(outside, root + "/link") == 0)
    try HostDirectory(root).remove("link", recursive: true)
    #expect(FileManager.default.fileExists(atPath: outside + "/keep"))
    #expect(throws: FileSystemError.self) {
      try HostDirectory(root).remove("missing", recursive: true)
    }
  }

  @Test func throwAwayStoresGoToMemoryWhenItHasRoomTwiceOver() {
    let roomy = ScratchDirectory.MemoryFolder(path: "/dev/shm", freeBytes: 8 << 30)
    let tight = ScratchDirectory.MemoryFolder(path: "/dev/shm", freeBytes: 6 << 30)
    let temporary = ScratchDirectory.temporaryFolder
    #expect(
      ScratchDirectory.throwawayFolder(room: 4 << 30, override: nil, memory: roomy) == "/dev/shm")
    #expect(
      ScratchDirectory.throwawayFolder(room: 4 << 30, override: nil, memory: tight) == temporary)
    #expect(
      ScratchDirectory.throwawayFolder(room: 4 << 30, override: nil, memory: nil) == temporary)
    #expect(
      ScratchDirectory.throwawayFolder(room: 4 << 30, override: "/srv/x/", memory: roomy)
        == "/srv/x")
    #expect(
      ScratchDirectory.throwawayFolder(room: 4 << 30, override: "", memory: roomy) == "/dev/shm")
    // The probe takes only a tmpfs: procfs and a missing folder are not one.
    #expect(ScratchDirectory.MemoryFolder.probe("/proc") == nil)
    #expect(ScratchDirectory.MemoryFolder.probe("/nonexistent-\(UUID().uuidString)") == nil)
  }

  @Test(.enabled(if: ScratchDirectory.MemoryFolder.probe(ScratchDirectory.memoryFolder) != nil))
  func staleScratchInMemoryIsSweptToo() throws {
    let stale = "\(ScratchDirectory.memoryFolder)/layerlab-check-2147483646-\(UUID().uuidString)"
    #expect(mkdir(stale, 0o700) == 0)
    #expect(mkdir(stale + "/store", 0o700) == 0)
    let removed = ScratchDirectory.removeStale()
    #expect(removed.contains(PathText.name(stale)))
    #expect(!FileManager.default.fileExists(atPath: stale))
  }

  @Test func savingLeavesNoTemporaryFileBesideTheArchive() throws {
    let fixture = try ShellFixture()
    var session = try fixture.session()
    #expect(
      session.run("docker pull -q alpine && docker save -o out.tar alpine").status == 0
    )
    let names = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace)
    #expect(!names.contains { $0.contains("tmp") || $0.hasPrefix(".docker_temp") }, "\(names)")
    var status = stat()
    #expect(lstat("\(fixture.workspace)/out.tar", &status) == 0)
    #expect(status.st_mode & 0o777 == 0o600)
  }

  @Test(arguments: [
    "ln -s /tmp/nowhere d; tar -cf a.tar Dockerfile; tar -xf a.tar -C d",
    "mkdir d; tar -xf d",
    "echo junk > bad.tar; docker load -i bad.tar",
    "printf '{\"a\":1}' > manifest.json; tar -cf m.tar manifest.json; docker load -i m.tar",
    "mkdir dir; docker load -i dir",
    "mkdir dir; docker pull -q busybox; docker save -o dir busybox",
    "echo junk > bad.tar; printf 'FROM scratch\\nADD bad.tar /\\n' > Dockerfile; docker build .",
    "printf 'FROM scratch\\nCOPY nothing /\\n' > Dockerfile; docker build . ; DOCKER_BUILDKIT=0 docker build .",
  ])
  func messagesNeverShowAHostPath(_ line: String) throws {
    let fixture = try ShellFixture()
    var session = try fixture.session()
    let result = session.run(line)
    let text = result.stdout + result.stderr
    #expect(!text.contains(fixture.workspace), "\(text)")
    #expect(!text.contains(fixture.store.root), "\(text)")
    #expect(!text.contains(NSTemporaryDirectory() + "layerlab-"), "\(text)")
  }
}

/// The session's disk is bounded: writes past the quota fail as a full disk does, and what
/// only reads goes on working.
@Suite("A disk quota per session")
struct DiskQuotaTests {
  /// A gzip'd tar of `megabytes` of zeros: a few kilobytes that expand a thousandfold.
  static func bomb(megabytes: Int) throws -> [UInt8] {
    let writer = try TarWriter(compression: .gzip)
    try writer.append(
      TarEntry(path: "zeros", kind: .file([UInt8](repeating: 0, count: megabytes << 20))))
    return try writer.finish()
  }

  @Test func anArchiveThatExpandsPastTheQuotaStops() throws {
    let fixture = try ShellFixture()
    try Data(try Self.bomb(megabytes: 48)).write(
      to: URL(fileURLWithPath: "\(fixture.workspace)/bomb.tar.gz"))
    var session = try fixture.session()
    session.sandbox.quota = DiskQuota(bytes: 16 << 20)
    let result = session.run("tar -xzf bomb.tar.gz")
    #expect(result.status == 2)
    #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
    // What only reads still works, and so does freeing space.
    #expect(session.run("ls bomb.tar.gz").status == 0)
    #expect(session.run("docker images -q").status == 0)
    #expect(
      session.run("rm -f zeros && echo small > note && cat note").stdout == "small\n")
  }

  @Test func aLayerThatExpandsPastTheQuotaIsNotLoaded() throws {
    let fixture = try ShellFixture()
    let layer = try Self.bomb(megabytes: 48)
    var unzipped: [UInt8] = []
    unzipped = try Gzip.decompress(layer)
    let config = Array(
      """
      {"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["\(Digest.of(unzipped))"]}}
      """.utf8)
    let image = try TarWriter(path: "\(fixture.workspace)/image.tar")
    try image.append(TarEntry(path: "config.json", kind: .file(config)))
    try image.append(TarEntry(path: "layer.tar.gz", kind: .file(layer)))
    try image.append(
      TarEntry(
        path: "manifest.json",
        kind: .file(
          Array(#"[{"Config":"config.json","RepoTags":["bomb:1"],"Layers":["layer.tar.gz"]}]"#.utf8)
        )))
    try image.finish()
    var session = try fixture.session()
    session.sandbox.quota = DiskQuota(bytes: 16 << 20)
    let load = session.run("docker load -i image.tar")
    #expect(load.status == 1)
    #expect(load.stderr.contains("no space left on device"), "\(load.stderr)")
    #expect(session.run("docker images -q").stdout == "")
  }

  @Test func aDoublingLoopStopsAtTheQuota() throws {
    let fixture = try ShellFixture()
    var session = try fixture.session()
    session.sandbox.quota = DiskQuota(bytes: 4 << 20)
    _ = session.run("echo 0123456789abcdef > f; for i in $(seq 24); do cat f f > g; mv g f; done")
    let size = session.run("stat -c %s f")
    #expect((Int(size.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max) <= 4 << 20)
    #expect(session.sandbox.quota.available >= 0)
  }
}

@Suite("Builds are the same on every machine")
struct BuildDeterminismTests {
  @Test func runDateGivesTheSameImageInTwoFreshStores() throws {
    var ids: [String] = []
    for _ in 0..<2 {
      let fixture = try ShellFixture()
      try Data("FROM busybox\nRUN date > /stamp\n".utf8).write(
        to: URL(fileURLWithPath: "\(fixture.workspace)/Dockerfile"))
      var session = try fixture.session()
      let build = session.run("docker build -q -t stamped .")
      #expect(build.status == 0, "\(build.stderr)")
      ids.append(build.stdout)
    }
    #expect(ids[0] == ids[1])
  }

  @Test func dateInsideRunReadsTheVirtualClock() throws {
    let fixture = try ShellFixture()
    try Data("FROM busybox\nRUN date -u +%Y-%m-%dT%H:%M\n".utf8).write(
      to: URL(fileURLWithPath: "\(fixture.workspace)/Dockerfile"))
    var session = try fixture.session()
    let build = session.run("docker build --progress=plain . 2>&1")
    #expect(build.stdout.contains("2024-09-01T12:00"), "\(build.stdout)")
  }
}

/// A command line's budget is the session's, not each loop's: time, rounds and Ctrl-C stop any
/// command cooperatively, however its loops nest.
@Suite("Budgets stop runaway commands")
struct BudgetTests {
  @Test func anEndlessLoopStopsAtTheRoundsBudget() throws {
    var session = try ShellFixture().session()
    let result = session.run("while true; do :; done; echo after")
    #expect(result.status == 1)
    #expect(
      result.stderr == "bash: the sandbox stopped this command after 100000 loop rounds\n",
      "\(result.stderr)")
    #expect(result.stdout == "")
  }

  @Test func nestedLoopsShareOneBudget() throws {
    var session = try ShellFixture().session()
    let result = session.run(
      "for i in $(seq 1000); do for j in $(seq 1000); do for k in $(seq 1000); do :; done; done; done"
    )
    #expect(result.stderr.contains("after 100000 loop rounds"), "\(result.stderr)")
  }

  @Test func aSlowCommandStopsAtTheTimeLimit() throws {
    var session = try ShellFixture().session()
    session.sandbox.timeout = 1
    // Only the clock can stop this loop: its rounds are not counted against it.
    session.sandbox.loopRounds = .max
    let result = session.run("while true; do :; done")
    #expect(result.status == 124)
    #expect(
      result.stderr
        == "bash: the sandbox stopped this command after 1 second, the step's time limit\n")
    // The next command has its own budget.
    #expect(session.run("echo fine").stdout == "fine\n")
  }

  /// The time limit counts processor time, so a busy machine does not stop a step that passes
  /// on an idle one; waiting, which costs none, is cut at four limits on the clock.
  @Test func theTimeLimitCountsProcessorTimeAndWaitingEndsAtFourLimits() {
    final class FakeClocks: Sendable {
      let wall = Atomic<UInt64>(1_000_000_000_000)
      let processor = Atomic<UInt64>(5_000_000_000)
      var clocks: Budget.Clocks {
        Budget.Clocks(
          monotonic: { self.wall.load(ordering: .relaxed) },
          processor: { self.processor.load(ordering: .relaxed) })
      }
      func advance(wall seconds: Double, processor spent: Double = 0) {
        wall.add(UInt64(seconds * 1e9), ordering: .relaxed)
        processor.add(UInt64(spent * 1e9), ordering: .relaxed)
      }
    }
    let busy = FakeClocks()
    let waiting = Budget(seconds: 2, disk: nil, interruption: nil, rounds: 10, clocks: busy.clocks)
    // Past the limit on the clock, little processor time: the machine was busy elsewhere.
    busy.advance(wall: 5, processor: 1)
    #expect(waiting.check() == nil)
    // Two seconds of processor time spent: stopped (after the 10 ms between readings).
    busy.advance(wall: 0.02, processor: 1.5)
    #expect(waiting.check() == .timeout(seconds: 2))

    let idle = FakeClocks()
    let hanging = Budget(seconds: 2, disk: nil, interruption: nil, rounds: 10, clocks: idle.clocks)
    idle.advance(wall: 7.9)
    #expect(hanging.check() == nil)
    idle.advance(wall: 0.2)
    #expect(hanging.check() == .timeout(seconds: 2))
  }

  @Test func ctrlCStopsTheRunningCommand() throws {
    var session = try ShellFixture().session()
    session.sandbox.interruption.raise()
    let result = session.run("while true; do :; done")
    #expect(result.status == 130)
    session.sandbox.interruption.clear()
    #expect(session.run("echo again").stdout == "again\n")
  }
}
