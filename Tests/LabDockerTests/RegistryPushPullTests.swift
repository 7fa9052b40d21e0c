import Foundation
import LabDocker
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

@testable import LabRegistryClient

/// `docker push`, `pull`, `login` and `logout` against a real distribution registry, started
/// on 127.0.0.1 for each test and stopped after it.
@Suite(.serialized)
struct RegistryPushPullTests {
  /// A sandbox whose store is new, that may reach `registry` over plain HTTP.
  static func session(
    reaching registry: TestRegistry?, chunkSize: Int = 8 << 20, allowsLoopback: Bool = false,
    requestTimeout: Double = 30
  ) throws -> SandboxSession {
    let registries = registry.map { [RegistryAccess.Registry(host: $0.host, schemes: ["http"])] }
    return try SandboxSession(
      store: ImageStore(root: try TestSupport.scratchDirectory("registry-store")),
      workspace: try TestSupport.scratchDirectory("registry-workspace"),
      registry: EmbeddedRegistry(root: TestSupport.registryRoot),
      registryAccess: RegistryAccess(
        registries: registries ?? [], allowsLoopback: allowsLoopback, chunkSize: chunkSize,
        requestTimeout: requestTimeout),
      clock: VirtualClock(), keepsClock: false)
  }

  /// Builds `greeter` from alpine with two layers of its own.
  static func buildGreeter(_ session: inout SandboxSession) throws {
    #expect(
      session.writeFile(
        "app/Dockerfile",
        content:
          "FROM alpine\nCOPY hello.txt /hello.txt\nRUN mkdir /data\nCMD [\"cat\", \"/hello.txt\"]\n"
      ) == nil)
    #expect(session.writeFile("app/hello.txt", content: "hello from the registry\n") == nil)
    let build = session.run("cd app && docker build -q -t greeter . && cd ..")
    #expect(build.status == 0, "\(build.stderr)")
  }

  @Test(.enabled(if: TestRegistry.isAvailable))
  func pushThenPullIntoAFreshStoreGivesTheSameImage() throws {
    let registry = try TestRegistry()
    defer { registry.stop() }
    var sender = try Self.session(reaching: registry)
    try Self.buildGreeter(&sender)
    let name = "\(registry.host)/greeter:1.0"
    #expect(sender.run("docker tag greeter \(name)").status == 0)

    let push = sender.run("docker push \(name)")
    #expect(push.status == 0, "\(push.stderr)")
    let lines = push.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "The push refers to repository [\(registry.host)/greeter]")
    let image = try sender.store.image(try sender.store.resolveImage(name))
    let ids = image.diffIDs.reversed().map(\.shortID)
    #expect(Array(lines.dropFirst().prefix(ids.count)) == ids.map { "\($0): Preparing" })
    #expect(Array(lines.dropFirst(1 + ids.count).prefix(ids.count)) == ids.map { "\($0): Pushed" })
    let digestLine = try #require(lines.last)
    let match = try #require(
      digestLine.wholeMatch(of: /1\.0: digest: (sha256:[0-9a-f]{64}) size: (\d+)/))
    let digest = String(match.1)

    // Pushing again uploads nothing: the store remembers which blob each layer is.
    let again = sender.run("docker push \(name)")
    #expect(again.stdout.components(separatedBy: "Layer already exists").count - 1 == ids.count)
    #expect(again.stdout.hasSuffix("1.0: digest: \(digest) size: \(match.2)\n"))

    // Another repository of the registry mounts the layers instead of uploading them.
    #expect(sender.run("docker tag greeter \(registry.host)/team/greeter:2").status == 0)
    let mounted = sender.run("docker push \(registry.host)/team/greeter:2")
    #expect(mounted.stdout.components(separatedBy: "Mounted from greeter").count - 1 == ids.count)
    #expect(mounted.stdout.hasSuffix("2: digest: \(digest) size: \(match.2)\n"))

    // A pushed image has the pushed digest as a name, as Docker records it.
    let repoDigests = sender.run("docker inspect -f '{{json .RepoDigests}}' \(name)").stdout
    #expect(repoDigests.contains("\(registry.host)/greeter@\(digest)"))

    // A fresh store pulls the same image, every blob verified.
    var receiver = try Self.session(reaching: registry)
    let pull = receiver.run("docker pull \(name)")
    #expect(pull.status == 0, "\(pull.stderr)")
    #expect(pull.stdout.hasPrefix("1.0: Pulling from greeter\n"))
    #expect(pull.stdout.contains("Digest: \(digest)\n"))
    #expect(pull.stdout.hasSuffix("Status: Downloaded newer image for \(name)\n\(name)\n"))
    #expect(try receiver.store.resolveImage(name) == image.id)
    let pulledDigests = receiver.run("docker inspect -f '{{json .RepoDigests}}' \(name)").stdout
    #expect(pulledDigests.contains("\(registry.host)/greeter@\(digest)"))
    let run = receiver.run("docker run --rm \(name)")
    #expect(run.stdout == "hello from the registry\n")

    // skopeo reads what was pushed.
    if let skopeo = TestSupport.tool("skopeo") {
      let inspect = try TestSupport.run(
        skopeo, ["inspect", "--tls-verify=false", "docker://\(name)"])
      #expect(inspect.status == 0, "\(inspect.stderr)")
      #expect(inspect.stdout.contains("\"Digest\": \"\(digest)\""))
      let raw = try TestSupport.run(
        skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(name)"])
      #expect(raw.stdout.contains(MediaType.dockerManifest))
      #expect(raw.stdout.contains(image.id.description))
    }
  }

  @Test(.enabled(if: TestRegistry.isAvailable))
  func aLayerLargerThanAChunkIsUploadedInChunks() throws {
    let registry = try TestRegistry()
    defer { registry.stop() }
    var sender = try Self.session(reaching: registry, chunkSize: 100)
    #expect(sender.run("docker pull alpine").status == 0)
    let store = sender.store
    let imageID = try store.resolveImage("alpine")
    let client = try RegistryClient(
      host: registry.host,
      access: RegistryAccess(
        registries: [.init(host: registry.host, schemes: ["http"])], allowsLoopback: false,
        chunkSize: 100),
      credentials: nil)
    let scratch = try TestSupport.scratchDirectory("push")
    let pusher = RegistryPusher(store: store, client: client, scratch: scratch)
    try pusher.connect()
    var statuses: [PushedLayerStatus] = []
    let report = try pusher.push(
      imageID, as: try ImageReference(parsing: "\(registry.host)/chunks:1")
    ) { _, status in statuses.append(status) }
    #expect(statuses == [.pushed])
    #expect(report.uploadRequests > 1)

    var receiver = try Self.session(reaching: registry)
    let pull = receiver.run("docker pull \(registry.host)/chunks:1")
    #expect(pull.status == 0, "\(pull.stderr)")
    #expect(try receiver.store.resolveImage("\(registry.host)/chunks:1") == imageID)
    #expect(sender.run("docker tag alpine \(registry.host)/chunks:1").status == 0)
  }

  /// HTTPS is spoken first and its certificate checked against the system's authorities: a
  /// self-signed registry on this machine is refused with the TLS failure, not with the 400 its
  /// TLS port gives the plain-HTTP retry.
  @Test(.enabled(if: TestRegistry.isAvailable && TestSupport.tool("openssl") != nil))
  func anHTTPSRegistryIsCheckedAgainstTheSystemsAuthorities() throws {
    let registry = try TestRegistry(tls: true)
    defer { registry.stop() }
    var session = try Self.session(reaching: nil, allowsLoopback: true)
    #expect(session.run("docker pull alpine").status == 0)
    #expect(session.run("docker tag alpine \(registry.host)/secure:1").status == 0)
    let push = session.run("docker push \(registry.host)/secure:1")
    #expect(push.status == 1)
    #expect(
      push.stderr
        == "Get \"https://\(registry.host)/v2/\": tls: SSL certificate problem: self-signed certificate\n"
    )
  }

  @Test(.enabled(if: TestRegistry.isAvailable))
  func basicAuthNeedsALogin() throws {
    let registry = try TestRegistry(basicAuth: true)
    defer { registry.stop() }
    var session = try Self.session(reaching: registry)
    #expect(session.run("docker pull alpine").status == 0)
    let name = "\(registry.host)/private/alpine:1"
    #expect(session.run("docker tag alpine \(name)").status == 0)

    let anonymous = session.run("docker push \(name)")
    #expect(anonymous.status == 1)
    #expect(
      anonymous.stderr.hasSuffix("no basic auth credentials\n"), "\(anonymous.stderr)")

    let wrong = session.run("docker login -u \(TestRegistry.username) -p nope \(registry.host)")
    #expect(wrong.status == 1)
    #expect(
      wrong.stderr.hasSuffix(
        "Error response from daemon: login attempt to http://\(registry.host)/v2/ failed with status: 401 Unauthorized\n"
      ))

    let login = session.run(
      "echo \(TestRegistry.password) | docker login -u \(TestRegistry.username) --password-stdin \(registry.host)"
    )
    #expect(login.status == 0, "\(login.stderr)")
    #expect(login.stdout == "Login Succeeded\n")
    #expect(login.stderr.contains("WARNING! Your credentials are stored unencrypted in"))

    let push = session.run("docker push \(name)")
    #expect(push.status == 0, "\(push.stderr)")
    #expect(push.stdout.contains(": Pushed\n"))

    var other = try Self.session(reaching: registry)
    let denied = other.run("docker pull \(name)")
    #expect(denied.status == 1)
    #expect(denied.stderr.contains("no basic auth credentials"))

    #expect(
      session.run("docker logout \(registry.host)").stdout
        == "Removing login credentials for \(registry.host)\n")
    #expect(session.run("docker push \(name)").stderr.hasSuffix("no basic auth credentials\n"))
  }

  @Test func aHostNobodyConfiguredIsNeverContacted() throws {
    let listener = try TestListener()
    let host = "127.0.0.1:\(listener.port)"
    // A lesson's session: loopback registries are out of reach unless configured.
    var lesson = try Self.session(reaching: nil)
    let pull = lesson.run("docker pull \(host)/x")
    #expect(pull.status == 1)
    #expect(
      pull.stderr
        == "Error response from daemon: Get \"http://\(host)/v2/\": dial tcp \(host): connect: connection refused\n"
    )
    #expect(lesson.run("docker pull alpine").status == 0)
    #expect(lesson.run("docker tag alpine \(host)/x").status == 0)
    let push = lesson.run("docker push \(host)/x")
    #expect(
      push.stderr == "Get \"http://\(host)/v2/\": dial tcp \(host): connect: connection refused\n")
    let login = lesson.run("docker login -u a -p b \(host)")
    #expect(login.status == 1)
    #expect(!listener.wasContacted())

    // An arbitrary host answers as one that does not resolve, with no network at all.
    #expect(lesson.run("docker tag alpine evil.example.com/x").status == 0)
    let evil = lesson.run("docker push evil.example.com/x")
    #expect(
      evil.stderr
        == "Get \"https://evil.example.com/v2/\": dial tcp: lookup evil.example.com: no such host\n"
    )
    let evilPull = lesson.run("docker pull evil.example.com/x:1")
    #expect(
      evilPull.stderr
        == "Error response from daemon: Get \"https://evil.example.com/v2/\": dial tcp: lookup evil.example.com: no such host\n"
    )

    // The commands a user types may reach this machine's registries; this one never answers,
    // and the command's time limit ends the wait.
    var typed = try Self.session(reaching: nil, allowsLoopback: true)
    typed.sandbox.timeout = 1
    let hanging = typed.run("docker pull \(host)/x")
    #expect(hanging.status != 0)
    #expect(hanging.stderr.contains("the sandbox stopped this command after 1 second"))
    #expect(listener.wasContacted())
  }

  /// A registry's front door that asks for a Bearer token from its token service, as Docker
  /// Hub and most hosted registries do: only `GET /v2/` and `/token`.
  static let tokenRegistry = #"""
    import base64, http.server, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args): pass
        def do_GET(self):
            port = self.server.server_address[1]
            if self.path.startswith("/token"):
                good = "Basic " + base64.b64encode(b"learner:layerlab-secret").decode()
                ok = self.headers.get("Authorization") == good and "service=test" in self.path
                self.send_response(200 if ok else 401)
                self.end_headers()
                self.wfile.write(b'{"token": "granted"}' if ok else b'{"errors": []}')
            elif self.headers.get("Authorization") == "Bearer granted":
                self.send_response(200)
                self.end_headers()
            else:
                self.send_response(401)
                self.send_header("WWW-Authenticate",
                    'Bearer realm="http://127.0.0.1:%d/token",service="test"' % port)
                self.end_headers()
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    """#

  @Test(.enabled(if: TestSupport.tool("python3") != nil))
  func aBearerChallengeIsAnsweredWithATokenFromTheRealm() throws {
    let port = try TestRegistry.freePort()
    let python = try #require(TestSupport.tool("python3"))
    let server = Process()
    server.executableURL = URL(fileURLWithPath: python)
    server.arguments = ["-c", Self.tokenRegistry, String(port)]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer {
      // SIGKILL: the test runner's threads block SIGTERM, and a child inherits that mask.
      kill(server.processIdentifier, SIGKILL)
      server.waitUntilExit()
    }
    var session = try Self.session(reaching: nil, allowsLoopback: true)
    session.sandbox.timeout = 20
    var login = session.run("docker login -u learner -p layerlab-secret 127.0.0.1:\(port)")
    for _ in 0..<100 where login.stderr.contains("connection refused") {
      usleep(50_000)
      login = session.run("docker login -u learner -p layerlab-secret 127.0.0.1:\(port)")
    }
    #expect(login.status == 0, "\(login.stderr)")
    #expect(login.stdout == "Login Succeeded\n")
    let wrong = session.run("docker login -u learner -p nope 127.0.0.1:\(port)")
    #expect(wrong.status == 1)
    #expect(
      wrong.stderr
        == "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
        + "Error response from daemon: unauthorized: authentication required\n")
  }

  @Test func challengesAreReadAsDockerReadsThem() throws {
    let bearer = try #require(
      Challenge(
        header:
          #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#
      ))
    #expect(bearer.scheme == "bearer")
    #expect(
      bearer.parameters == [
        "realm": "https://auth.example/token", "service": "registry.example",
        "scope": "repository:a/b:pull",
      ])
    let basic = try #require(Challenge(header: #"Basic realm="layerlab \"test\"""#))
    #expect(basic.scheme == "basic")
    #expect(basic.parameters == ["realm": #"layerlab "test""#])
    #expect(Challenge(header: "") == nil)
  }

  @Test func pushNamesWhatIsMissing() throws {
    var session = try Self.session(reaching: nil, allowsLoopback: true)
    let missing = session.run("docker push localhost:5000/greeter")
    #expect(
      missing.stdout
        == "Using default tag: latest\nThe push refers to repository [localhost:5000/greeter]\n")
    #expect(
      missing.stderr == "An image does not exist locally with the tag: localhost:5000/greeter\n")
    #expect(session.run("docker pull alpine").status == 0)
    let hub = session.run("docker push alpine")
    #expect(hub.stdout.hasSuffix("The push refers to repository [docker.io/library/alpine]\n"))
    #expect(hub.stderr.contains("registry-1.docker.io"))
    #expect(
      session.run("docker push -a alpine:latest").stderr == "tag can't be used with --all-tags/-a\n"
    )
    #expect(
      session.run("docker logout localhost:5000").stdout
        == "Removing login credentials for localhost:5000\n")
    #expect(
      session.run("docker login localhost:5000").stderr
        == "Error: Cannot perform an interactive login from a non TTY device\n")
  }

  @Test func registriesAreConfiguredByHostWithAPlaceForEveryMistake() throws {
    let directory = try TestSupport.scratchDirectory("registries")
    let file = directory + "/registries"
    try Data("# the class registry\nclass.example:5000, http://127.0.0.1:5001\n\nbad/host\n".utf8)
      .write(to: URL(fileURLWithPath: file))
    #expect(
      throws: ConfigurationError(
        "\(file):4: 'bad/host' is not a registry (host:port, http://host:port)")
    ) {
      try RegistryAccess.configuredRegistries(variable: nil, file: file)
    }
    try Data("# the class registry\nclass.example:5000, http://127.0.0.1:5001\n".utf8)
      .write(to: URL(fileURLWithPath: file))
    let registries = try RegistryAccess.configuredRegistries(variable: "localhost:5000", file: file)
    #expect(
      registries == [
        .init(host: "localhost:5000", schemes: ["https"]),
        .init(host: "class.example:5000", schemes: ["https"]),
        .init(host: "127.0.0.1:5001", schemes: ["http"]),
      ])
    #expect(throws: ConfigurationError.self) {
      try RegistryAccess.configuredRegistries(variable: "a:99999", file: nil)
    }
    let access = RegistryAccess(registries: registries, allowsLoopback: false)
    #expect(try access.schemes(for: "class.example:5000") == ["https"])
    #expect(throws: RegistryError.notConfigured(host: "other.example")) {
      try access.schemes(for: "other.example")
    }
    #expect(throws: RegistryError.loopbackNotAllowed(host: "localhost:5002")) {
      try access.schemes(for: "localhost:5002")
    }
  }
}
