import Foundation
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// Stamping visits what a command wrote, not the whole store, and still leaves every entry of
/// the store on the virtual clock.
@Suite("The store's entries take the virtual clock")
struct StoreStampTests {
  /// Entries whose time has nanoseconds: written and never stamped.
  ///
  /// Layer contents keep their archive's times and are not looked at.
  static func unstamped(_ root: String) -> [String] {
    var found: [String] = []
    func walk(_ directory: String) {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
        let path = "\(directory)/\(name)"
        guard path != "\(root)/.layerlab" else { continue }
        var status = stat()
        guard lstat(path, &status) == 0 else { continue }
        if status.st_mtim.tv_nsec != 0 { found.append(path) }
        if status.st_mode & S_IFMT == S_IFDIR,
          !(directory.hasPrefix("\(root)/overlay2/") && name == "diff")
        {
          walk(path)
        }
      }
    }
    walk(root)
    return found
  }

  @Test func everyWritingCommandLeavesNoEntryUnstamped() throws {
    let root = try TestSupport.scratchDirectory("stamp-store")
    var session = try SandboxSession(
      store: ImageStore(root: root), workspace: try TestSupport.scratchDirectory("stamp"),
      registry: EmbeddedRegistry(root: TestSupport.registryRoot), clock: VirtualClock(),
      keepsClock: false)
    let steps = [
      "docker pull -q busybox", "docker tag busybox mine:v1", "docker tag busybox mine:v2",
      "mkdir app && echo hi > app/hello.txt && printf 'FROM busybox\\nCOPY hello.txt /\\nRUN echo built > /built\\n' > app/Dockerfile",
      "docker build -q -t app app", "docker run --name c1 busybox echo hello",
      "docker commit c1 committed", "docker rm c1", "docker save -o all.tar app busybox",
      "docker rmi mine:v1", "docker rmi app", "docker load -q -i all.tar",
      "docker image prune -a -f", "docker system prune -f",
    ]
    for step in steps {
      let result = session.run(step)
      #expect(result.isSuccess, "\(step): \(result.stderr)")
      #expect(Self.unstamped(root) == [], "\(step)")
    }
    // And what `ls -l` shows of it is on the clock.
    let listing = session.run("sudo ls -l /var/lib/docker /var/lib/docker/image/overlay2")
    for line in listing.stdout.split(separator: "\n")
    where line.hasPrefix("d") || line.hasPrefix("-") {
      #expect(line.contains(" Sep  1 "), "\(line)")
    }
  }
}
