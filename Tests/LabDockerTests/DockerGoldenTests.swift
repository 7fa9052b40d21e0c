import Foundation
import LabDocker
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// Runs command lines in a fresh store, as `layerlab exec` does, and records a transcript.
struct Scenario {
  var session: SandboxSession
  var transcript = ""
  var store: ImageStore { session.store }
  var workspace: String { session.workspace }
  var registry: EmbeddedRegistry? { session.registry }

  init() throws {
    session = try SandboxSession(
      store: ImageStore(root: try TestSupport.scratchDirectory("docker")),
      workspace: try TestSupport.scratchDirectory("workspace"),
      registry: EmbeddedRegistry(root: TestSupport.registryRoot), clock: VirtualClock(),
      keepsClock: false)
  }

  /// Writes a file into the workspace.
  func write(_ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: "\(workspace)/\(path)")
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o755])
    try Data(text.utf8).write(to: url)
    // An explicit mode: the process umask must not decide the image IDs.
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
  }

  @discardableResult
  mutating func run(_ line: String, input: String? = nil) -> CommandOutput {
    let result = session.run(line, input: Array((input ?? "").utf8))
    transcript += "$ \(line)\n" + result.stdout
    for errorLine in result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
      .dropLast()
    {
      transcript += "! \(errorLine)\n"
    }
    if result.status != 0 { transcript += "[exit \(result.status)]\n" }
    return result
  }

  mutating func run(_ lines: [String]) {
    for line in lines { run(line) }
  }

  func expectGolden(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    if let difference = TestSupport.golden(transcript, named: name) {
      Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation)
    }
  }
}

@Suite("docker commands against golden transcripts")
struct DockerGoldenTests {
  @Test func pullAndList() throws {
    var scenario = try Scenario()
    scenario.run([
      "docker pull nginx",
      "docker image ls",
      "docker image pull nginx:1.27.1",
      "docker images",
      "docker pull nginx",
      "docker pull -q alpine",
      "docker pull python:3.9-slim",
      "docker images -q",
      "docker images --no-trunc",
      "docker images --digests",
      "docker images --format json",
      "docker images --format 'table {{.Repository}}\\t{{.ID}}\\t{{.CreatedAt}}'",
      "docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}'",
      "docker images nginx",
      "docker images 'ng*:1.*'",
      "docker image ls -f reference=alpine",
      "docker image ls --filter dangling=true",
      "docker image ls --filter label=maintainer",
      "docker image ls --filter before=nginx",
      "docker image ls --filter since=python:3.9-slim",
      "docker image ls -f foo=bar",
      "docker image ls -f dangling=xyz",
      "docker images nginx python",
    ])
    scenario.expectGolden("pull-and-list.txt")
  }

  @Test func inspect() throws {
    var scenario = try Scenario()
    scenario.run([
      "docker pull nginx",
      "docker pull hello-world",
      "docker inspect nginx",
      "docker image inspect hello-world nosuch",
      "docker inspect nosuch",
      "docker inspect -f '{{.Config.Cmd}}' nginx",
      "docker inspect -f '{{json .RootFS}}' hello-world",
      "docker inspect --format '{{.Id}} {{.ID}}' hello-world",
      "docker inspect -f '{{len .RootFS.Layers}}' nginx",
      "docker inspect -f '{{.Config.ExposedPorts}} {{.Config.Entrypoint}} {{.Config.Volumes}}' nginx",
      "docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' nginx",
      "docker inspect -f '{{.Metadata.LastTagTime}}' nginx",
      "docker tag nginx web:1",
      "docker inspect -f '{{.Metadata.LastTagTime}} {{.RepoTags}}' nginx",
      "docker inspect -f '{{.GraphDriver.Data.UpperDir}}' hello-world",
      "docker inspect -f '{{.Nope}}' nginx",
      "docker inspect -f '{{.Config' nginx",
      "docker inspect -f json hello-world",
    ])
    scenario.expectGolden("inspect.txt")
  }

  @Test func tagAndRemove() throws {
    var scenario = try Scenario()
    scenario.run([
      "docker pull nginx",
      "docker pull nginx:1.27.1",
      "docker tag nginx web:1",
      "docker image tag web:1 web:2",
      "docker images",
      "docker rmi web:1",
      "docker rmi d16d33742a33",
      "docker rmi nosuch",
      "docker rmi -f nosuch",
      "docker rmi Nosuch",
      "docker tag nosuch x",
      "docker tag nginx MyApp",
      "docker tag nginx x@sha256:447a8665cc1dab95b1ca778e162215839ccbb9189104c79d7ec3a81e14577add",
      "docker tag nginx",
      "docker rmi web:2",
      "docker rmi nginx",
      "docker images",
      "docker rmi nginx:1.27.1",
      "docker images",
      "docker pull alpine",
      "docker tag alpine a:1",
      "docker rmi -f alpine",
      "docker image rm a:1",
      "docker images -a",
    ])
    scenario.expectGolden("tag-and-remove.txt")
  }

  @Test func history() throws {
    var scenario = try Scenario()
    scenario.run([
      "docker pull nginx",
      "docker pull python:3.9-slim",
      "docker pull busybox",
      "docker pull ubuntu",
      "docker history nginx",
      "docker image history --no-trunc python:3.9-slim",
      "docker history -q busybox",
      "docker history -H=false busybox",
      "docker history --format json ubuntu",
      "docker history --format '{{.ID}}: {{.CreatedBy}}' ubuntu",
      "docker history nosuch",
    ])
    scenario.expectGolden("history.txt")
  }

  @Test func prune() throws {
    var scenario = try Scenario()
    scenario.run("docker pull alpine")
    scenario.run("docker image prune")
    scenario.run("docker image prune", input: "n\n")
    // Docker takes only `y` (any case) as a yes.
    let cancelled = scenario.run("docker image prune", input: "yes\n")
    #expect(
      cancelled.stdout
        == "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
    )
    #expect(cancelled.stderr.isEmpty)
    #expect(cancelled.status == 0)
    scenario.run("docker image prune -f")
    scenario.run("docker image prune -a", input: "y\n")
    scenario.run("docker images")
    // `system prune`: the stopped container goes, then the image it kept.
    scenario.run("docker run --name done busybox echo finished")
    scenario.run("docker tag busybox spare && docker rmi busybox spare >/dev/null; docker ps -aq")
    scenario.run("docker system prune", input: "n\n")
    scenario.run("docker system prune -a", input: "y\n")
    scenario.run("docker ps -a; docker images -a")
    scenario.expectGolden("prune.txt")
  }

  @Test func errorsAndOtherCommands() throws {
    var scenario = try Scenario()
    scenario.run([
      "docker pull Nginx",
      "docker pull nginx:",
      "docker pull 5ef79149e0ecf2fb4d3a3d2ed87a3b07dc8ba0dc1ebbf59dd6cbcd1fb2cc26f1",
      "docker pull nosuch",
      "docker pull nginx:nope",
      "docker pull ghcr.io/acme/tool:1",
      "docker pull --platform windows/amd64 alpine",
      "docker pull --platform linux/arm64 alpine",
      "docker pull",
      "docker images --bogus",
      "docker images -z",
      // Docker 27's save, load, history and rmi have no --platform (28 added it).
      "docker save --platform linux/amd64 -o a.tar alpine",
      "docker image load --platform linux/amd64 -i a.tar",
      "docker history --platform linux/amd64 alpine",
      "docker rmi --platform linux/amd64 alpine",
      "docker rmi -f=maybe alpine",
      "docker image",
      "docker image frobnicate",
      "docker exec web ls",
      "docker network ls",
      "docker volume ls",
      "docker frobnicate",
      "docker --version",
      "docker build -t x .",
      "docker tag --help",
      "podman images",
      "sudo docker images",
      "DOCKER_BUILDKIT=0 docker images -q",
      "docker images 'unterminated",
    ])
    scenario.expectGolden("errors.txt")
  }
}
