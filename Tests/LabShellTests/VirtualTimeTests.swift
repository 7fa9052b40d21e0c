import Foundation
import LabDocker
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// `ls -l` prints the virtual clock's dates, for the store and the workspace alike.
@Suite("Dates on the virtual clock")
struct VirtualTimeTests {
  static let line = """
    docker pull -q busybox >/dev/null; mkdir site; echo hi > site/index.html; \
    docker save busybox -o busybox.tar; ls -l site busybox.tar; \
    sudo ls -l /var/lib/docker /var/lib/docker/overlay2
    """

  func run(at time: Date) throws -> CommandOutput {
    var session = try SandboxSession(
      store: ImageStore(root: try TestSupport.scratchDirectory("time-store")),
      workspace: try TestSupport.scratchDirectory("time-workspace"),
      registry: EmbeddedRegistry(root: TestSupport.registryRoot), clock: VirtualClock(now: time),
      keepsClock: false)
    return session.run(Self.line)
  }

  @Test func listingsShowTheVirtualClock() throws {
    let start = VirtualClock().now
    let first = try run(at: start)
    #expect(first.isSuccess, "\(first.stderr)")
    let dates = first.stdout.split(separator: "\n").filter {
      $0.hasPrefix("-") || $0.hasPrefix("d")
    }
    #expect(dates.count > 10)
    for line in dates { #expect(line.contains(" Sep  1 12:00 "), "\(line)") }
    // Another machine, another day: the same listing.
    #expect(try run(at: start).stdout == first.stdout)
  }
}

extension VirtualTimeTests {
  @Test func sleepMovesTheClockAndDateReadsIt() throws {
    var session = try SandboxSession(
      store: ImageStore(root: try TestSupport.scratchDirectory("date-store")),
      workspace: try TestSupport.scratchDirectory("date"),
      registry: EmbeddedRegistry(root: TestSupport.registryRoot), clock: VirtualClock(),
      keepsClock: false)
    let result = session.run(
      "date; sleep 90; date -u +%H:%M:%S; sleep 1h; date -I; date -R")
    #expect(
      result.stdout
        == "Sun Sep  1 12:00:00 UTC 2024\n12:01:30\n2024-09-01\nSun, 01 Sep 2024 13:01:30 +0000\n")
  }
}
