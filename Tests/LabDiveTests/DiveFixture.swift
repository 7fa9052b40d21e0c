import Foundation
import LabDive
import LabFiles
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// A sandbox with three images built from alpine:3.20, the same program three ways.
///
/// `demo:later` deletes its big file in a later `RUN`; `demo:same` in the `RUN` that made
/// it; `demo:multi` makes it in a build stage and copies only a count out of it.
struct DiveFixture {
  let workspace: String
  let store: ImageStore
  var session: SandboxSession

  /// `seq 1 20000` writes 9 one-digit lines of 2 bytes, 90 of 3, 900 of 4, 9000 of 5 and
  /// 10001 of 6: 18 + 270 + 3600 + 45000 + 60006 = 108894 bytes.
  static let bigSize: UInt64 = 108_894
  /// `app.txt` is "hello from the app\n": 19 bytes.
  static let appSize: UInt64 = 19
  /// The files of alpine:3.20's one layer in the sandbox's registry: busybox 808712,
  /// ld-musl 645768, libapk 100864, libcrypto 5452906, libssl 619632, libz 99904, apk 68600,
  /// and /etc's alpine-release 7, repositories 103, hostname 10, motd 284, os-release 188,
  /// passwd 702: 7797680 bytes.
  static let baseSize: UInt64 = 7_797_680

  static let files = [
    "app.txt": "hello from the app\n",
    "Dockerfile.later": """
    FROM alpine:3.20
    RUN seq 1 20000 > /big.txt
    COPY app.txt /srv/app.txt
    RUN rm /big.txt

    """,
    "Dockerfile.same": """
    FROM alpine:3.20
    RUN seq 1 20000 > /big.txt && rm /big.txt
    COPY app.txt /srv/app.txt

    """,
    "Dockerfile.multi": """
    FROM alpine:3.20 AS build
    RUN seq 1 20000 > /big.txt
    RUN wc -c /big.txt > /count.txt
    FROM alpine:3.20
    COPY --from=build /count.txt /count.txt

    """,
  ]

  init(build tags: [String] = ["later", "same", "multi"]) throws {
    workspace = try TestSupport.scratchDirectory("dive")
    store = ImageStore(root: try TestSupport.scratchDirectory("dive-store"))
    for (path, text) in Self.files {
      try HostPaths.createFile("\(workspace)/\(path)", contents: Array(text.utf8))
    }
    session = try SandboxSession(
      store: store, workspace: workspace,
      registry: EmbeddedRegistry(root: TestSupport.registryRoot), clock: VirtualClock(),
      keepsClock: false)
    for tag in tags {
      let built = session.run("docker build -q -f Dockerfile.\(tag) -t demo:\(tag) .")
      #expect(built.status == 0, "\(built.stderr)")
    }
  }

  func analysis(_ name: String) throws -> DiveAnalysis {
    let id = try store.resolveImage(name)
    return DiveAnalysis(try DiveImage.load(from: store, id: id, name: name))
  }
}
