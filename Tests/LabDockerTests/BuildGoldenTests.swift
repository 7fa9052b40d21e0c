import Foundation
import LabDocker
import LabImage
import LabOutput
import LabTestSupport
import Testing

@Suite("docker build, save and load against golden transcripts")
struct BuildGoldenTests {
  static let appDockerfile = """
    FROM python:3.9-slim

    # Everything below happens in /app
    WORKDIR /app

    # Bring in the whole build context
    COPY . /app

    CMD ["python", "app.py"]

    """

  @Test func buildKitBuildAndCache() throws {
    var scenario = try Scenario()
    try scenario.write("app.py", "print('hello from layerlab')\n")
    try scenario.write("Dockerfile", Self.appDockerfile)
    scenario.run([
      "docker pull nginx",
      "docker build -t example .",
      "docker image ls",
      "docker build -t example:v1 .",
      "docker image ls",
      "docker inspect -f '{{len .RootFS.Layers}} {{.Config.WorkingDir}} {{.Config.Cmd}} {{.Comment}}' example",
      "docker history example",
      "docker build --progress=plain -t example:v2 .",
    ])
    try scenario.write("app.py", "print('changed')\n")
    scenario.run([
      "docker build -t example:v3 .",
      "docker build -q --no-cache -t example:v4 .",
      "docker images",
    ])
    scenario.expectGolden("build-buildkit.txt")
  }

  @Test func theLegacyBuilderSendsTheContextsTarSize() throws {
    var scenario = try Scenario()
    try scenario.write("Dockerfile", "FROM busybox\nCOPY . /srv/\n")
    try scenario.write("a.txt", String(repeating: "a", count: 600))
    try scenario.write(".dockerignore", "ignored.txt\nDockerfile\n")
    try scenario.write("ignored.txt", String(repeating: "i", count: 10_000))
    try scenario.write("src/b.txt", "b")
    scenario.run("docker pull -q busybox")
    // Go's tar of the context: .dockerignore 512+512, Dockerfile (sent although ignored)
    // 512+512, a.txt 512+1024, src/ 512, src/b.txt 512+512, and two zero blocks.
    let build = scenario.run("DOCKER_BUILDKIT=0 docker build .")
    #expect(build.status == 0, "\(build.stderr)")
    #expect(
      build.stdout.hasPrefix("Sending build context to Docker daemon   6.144kB\r\r\n"),
      "\(build.stdout)")
  }

  @Test func legacyCopyHistoryNamesItsSourcesAsMobyDoes() throws {
    var scenario = try Scenario()
    try scenario.write("index.html", "<h1>hello</h1>\n")
    try scenario.write("site/a.txt", "a\n")
    try scenario.write(
      "Dockerfile",
      """
      FROM busybox
      COPY index.html /usr/share/nginx/html/
      COPY site /srv/
      COPY --chown=1:1 index.html site/a.txt /opt/

      """)
    scenario.run(["docker pull -q busybox", "DOCKER_BUILDKIT=0 docker build -q -t copies ."])
    let history = scenario.run("docker history --no-trunc --format '{{.CreatedBy}}' copies")
    // moby's tarsum (v1) of one entry of the context's tar: its header fields, then its bytes.
    func tarsum(_ name: String, mode: Int, type: String, content: String = "") -> String {
      let size = type == "0" ? content.utf8.count : 0
      return Digest.of(
        "name\(name)mode\(mode)uid0gid0size\(size)typeflag\(type)linknameunamegname"
          + "devmajor0devminor0\(content)"
      ).hex
    }
    let index = "file:" + tarsum("index.html", mode: 0o644, type: "0", content: "<h1>hello</h1>\n")
    let file = "file:" + tarsum("site/a.txt", mode: 0o644, type: "0", content: "a\n")
    let entries = [
      tarsum("site/", mode: 0o755, type: "5"),
      tarsum("site/a.txt", mode: 0o644, type: "0", content: "a\n"),
    ]
    let directory = "dir:" + Digest.of(entries.sorted().joined(separator: ",")).hex
    let multi = "multi:" + Digest.of("\(index),\(file)").hex
    #expect(
      history.stdout.split(separator: "\n").prefix(3) == [
        "/bin/sh -c #(nop) COPY --chown=1:1 \(multi) in /opt/ ",
        "/bin/sh -c #(nop) COPY \(directory) in /srv/ ",
        "/bin/sh -c #(nop) COPY \(index) in /usr/share/nginx/html/ ",
      ])
  }

  @Test func legacyBuilder() throws {
    var scenario = try Scenario()
    try scenario.write("app.py", "print('hello from layerlab')\n")
    try scenario.write("Dockerfile", Self.appDockerfile)
    scenario.run([
      "DOCKER_BUILDKIT=0 docker build -t hello .",
      "DOCKER_BUILDKIT=0 docker build -t hello:2 .",
      "docker images",
      "docker history hello",
      "docker inspect -f '{{.Parent}} {{.DockerVersion}} {{.Config.Image}}' hello",
      "docker rmi python:3.9-slim",
    ])
    scenario.expectGolden("build-legacy.txt")
  }

  @Test func multiStageIgnoreAndTarget() throws {
    var scenario = try Scenario()
    try scenario.write("app.txt", "the app\n")
    try scenario.write("notes/readme.md", "notes\n")
    try scenario.write("secret.txt", "do not ship\n")
    try scenario.write("debug.log", "noise\n")
    try scenario.write("keep.log", "kept\n")
    try scenario.write(".dockerignore", "# not for the image\nsecret.txt\n*.log\n!keep.log\n")
    try scenario.write(
      "Dockerfile",
      """
      ARG BASE=alpine:3.20
      FROM ${BASE} AS builder
      WORKDIR /src
      COPY . .
      RUN ["true"]

      FROM busybox
      LABEL org.example.stage="final" maintainer="LayerLab"
      ENV GREETING="hello there" PATH=/usr/bin:/bin
      EXPOSE 8080 53/udp
      USER 1000:1000
      COPY --from=builder /src/app.txt /srv/app.txt
      ENTRYPOINT ["cat"]
      CMD ["/srv/app.txt"]

      """)
    scenario.run([
      "docker build -t multi .",
      "docker history multi",
      "docker inspect -f '{{json .Config}}' multi",
      "docker build --target builder -t builder-only --progress=plain .",
      "docker build --build-arg BASE=alpine:latest -q --target builder .",
    ])
    scenario.expectGolden("build-multistage.txt")
    let store = scenario.store
    let builder = try store.image(try store.resolveImage("builder-only"))
    let top = try #require(builder.topChainID)
    let files = try FileManager.default.subpathsOfDirectory(
      atPath: try store.diffDirectory(of: top))
    #expect(
      files.sorted() == [
        "src", "src/.dockerignore", "src/Dockerfile", "src/app.txt", "src/keep.log", "src/notes",
        "src/notes/readme.md",
      ])
  }

  @Test func buildErrors() throws {
    var scenario = try Scenario()
    func attempt(_ dockerfile: String, _ commands: [String]) throws {
      try scenario.write("Dockerfile", dockerfile)
      scenario.run(commands)
    }
    try scenario.write("data.txt", "data\n")
    try attempt("FROM alpine\nCOPPY . .\n", ["docker build .", "DOCKER_BUILDKIT=0 docker build ."])
    try attempt("RUN echo hi\nFROM alpine\n", ["docker build ."])
    try attempt("\n# only a comment\n", ["docker build ."])
    try attempt(
      "FROM alpine\nCOPY missing.txt /\n", ["docker build .", "DOCKER_BUILDKIT=0 docker build ."])
    try attempt("FROM alpine\nCOPY ../outside.txt /\n", ["docker build ."])
    try FileManager.default.createSymbolicLink(
      atPath: "\(scenario.workspace)/leak", withDestinationPath: "/etc/passwd")
    try attempt(
      "FROM alpine\nCOPY leak /leak\n", ["docker build .", "DOCKER_BUILDKIT=0 docker build ."])
    try attempt("FROM alpine\nADD https://example.com/x.tgz /x\n", ["docker build ."])
    try attempt(
      "FROM alpine\nRUN apk add --no-cache kurl\n",
      ["docker build .", "DOCKER_BUILDKIT=0 docker build ."])
    try attempt("FROM nosuchimage\n", ["docker build ."])
    try attempt(
      "FROM alpine\n",
      [
        "docker build -t MyApp .", "DOCKER_BUILDKIT=0 docker build -t MyApp .",
        "docker build nowhere", "docker build /etc", "docker build -f Other.dockerfile .",
      ])
    try FileManager.default.removeItem(atPath: "\(scenario.workspace)/Dockerfile")
    scenario.run(["docker build .", "DOCKER_BUILDKIT=0 docker build ."])
    scenario.expectGolden("build-errors.txt")
  }

  @Test func saveAndLoadRoundTrip() throws {
    var scenario = try Scenario()
    try scenario.write("app.py", "print('hello from layerlab')\n")
    try scenario.write("Dockerfile", Self.appDockerfile)
    scenario.run([
      "docker build -q -t example .",
      "docker save -o example.tar example",
      "docker rmi example",
      "docker load -i example.tar",
      "docker images",
      "docker save example | tar -t | sort",
      "docker save example > again.tar && docker rmi -f example > /dev/null && docker load < again.tar",
      "docker save -o /etc/example.tar example",
      "docker load",
      "docker load -i nowhere.tar",
      "echo 'not an archive' > junk.tar && docker load -i junk.tar",
    ])
    scenario.expectGolden("save-and-load.txt")
  }

  @Test func aRepositoryNameSavesEveryTagOfIt() throws {
    var scenario = try Scenario()
    scenario.run([
      "docker pull -q alpine", "docker pull -q busybox", "docker tag alpine alpine:mine",
      "docker tag busybox alpine:other", "docker save -o a.tar alpine", "mkdir a",
      "tar -xf a.tar -C a",
    ])
    let manifest = scenario.run("jq -c '.[].RepoTags' a/manifest.json")
    #expect(
      manifest.stdout == #"["alpine:latest","alpine:mine"]"# + "\n" + #"["alpine:other"]"# + "\n")
    let index = scenario.run(
      "jq -r '.manifests[].annotations[\"io.containerd.image.name\"]' a/index.json")
    #expect(
      index.stdout
        == "docker.io/library/alpine:latest\ndocker.io/library/alpine:mine\n"
        + "docker.io/library/alpine:other\n")
    // A tag or an ID still saves just that image.
    scenario.run(["docker save -o b.tar alpine:other", "mkdir b", "tar -xf b.tar -C b"])
    let single = scenario.run("jq -c '.[].RepoTags' b/manifest.json")
    #expect(single.stdout == #"["alpine:other"]"# + "\n")
    // Written through a temporary file, as the CLI does: 0600, and as long as Go's tar
    // writer makes it (512-byte headers, data padded to 512, two zero blocks at the end).
    let path = "\(scenario.workspace)/a.tar"
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    let listing = scenario.run("tar -tvf a.tar").stdout.split(separator: "\n")
    let expected = listing.reduce(Int64(1024)) { total, line in
      let size = Int64(line.split(separator: " ", omittingEmptySubsequences: true)[2]) ?? 0
      return total + 512 + (size + 511) / 512 * 512
    }
    #expect((attributes[.size] as? Int64) == expected)
  }

  @Test(
    .enabled(
      if: TestSupport.tool("skopeo") != nil && TestSupport.tool("umoci") != nil,
      "skopeo or umoci is not installed"))
  func savedArchivesAreReadByPeerTools() throws {
    let skopeo = try #require(TestSupport.tool("skopeo"))
    let umoci = try #require(TestSupport.tool("umoci"))
    var scenario = try Scenario()
    try scenario.write("app.py", "print('hello from layerlab')\n")
    try scenario.write("Dockerfile", Self.appDockerfile)
    scenario.run(["docker build -q -t example .", "docker save -o example.tar example"])
    let archive = "\(scenario.workspace)/example.tar"
    let inspect = try TestSupport.run(skopeo, ["inspect", "docker-archive:\(archive)"])
    #expect(inspect.status == 0, "\(inspect.stderr)")
    #expect(inspect.stdout.contains("\"Created\": \"2024-09-01T12:00:00Z\""))
    let layout = try TestSupport.scratchDirectory("layout")
    let copy = try TestSupport.run(
      skopeo, ["copy", "docker-archive:\(archive)", "oci:\(layout)/oci:example"])
    #expect(copy.status == 0, "\(copy.stderr)")
    let unpack = try TestSupport.run(
      umoci, ["unpack", "--rootless", "--image", "\(layout)/oci:example", "\(layout)/bundle"])
    #expect(unpack.status == 0, "\(unpack.stderr)")
    let app = try String(contentsOfFile: "\(layout)/bundle/rootfs/app/app.py", encoding: .utf8)
    #expect(app == "print('hello from layerlab')\n")
    // An OCI archive another tool wrote loads as Docker 25 loads it.
    let oci = try TestSupport.run(
      skopeo,
      [
        "copy", "docker-archive:\(archive)",
        "oci-archive:\(scenario.workspace)/oci.tar:docker.io/library/example:oci",
      ])
    #expect(oci.status == 0, "\(oci.stderr)")
    // skopeo rewrites the config (so the image ID changes), never the layers.
    let layers = "docker inspect -f '{{json .RootFS.Layers}}' "
    let before = scenario.run(layers + "example").stdout
    let load = scenario.run("docker load -i oci.tar")
    #expect(load.stdout == "Loaded image: example:oci\n", "\(load.stderr)")
    #expect(scenario.run(layers + "example:oci").stdout == before)
  }
}

@Suite("RUN over the image's files")
struct RunStepTests {
  @Test func runChangesBecomeTheLayerWithWhiteouts() throws {
    var scenario = try Scenario()
    try scenario.write(
      "Dockerfile",
      """
      FROM --platform=linux/arm64 alpine:3.20
      RUN echo hello > /etc/motd && rm /etc/alpine-release && mkdir -p /opt/tool/bin
      RUN printf '#!/bin/sh\\necho tool says $1\\n' > /opt/tool/bin/run && chmod 755 /opt/tool/bin/run && /opt/tool/bin/run hi
      RUN cat /etc/motd && test ! -e /etc/alpine-release && echo release gone
      COPY --chown=nobody --chmod=600 Dockerfile /opt/Dockerfile
      RUN apk add kurl

      """)
    scenario.run(["docker build --progress=plain -t tool ."])
    scenario.expectGolden("build-run.txt")
    // The image was not made, but the first RUN's layer is in the store: its changes and a
    // whiteout for the file it removed.
    let layers = try FileManager.default.contentsOfDirectory(
      atPath: "\(scenario.store.root)/overlay2")
    let diffs = layers.filter { $0 != "l" }.map { "\(scenario.store.root)/overlay2/\($0)/diff" }
    let first = try #require(
      diffs.first { FileManager.default.fileExists(atPath: "\($0)/etc/.wh.alpine-release") })
    #expect(try String(contentsOfFile: "\(first)/etc/motd", encoding: .utf8) == "hello\n")
    #expect(FileManager.default.fileExists(atPath: "\(first)/opt/tool/bin"))
    #expect(!FileManager.default.fileExists(atPath: "\(first)/etc/alpine-release"))
  }

  @Test func addExtractsLocalArchives() throws {
    var scenario = try Scenario()
    try scenario.write("site/index.html", "<p>hello</p>\n")
    try scenario.write("site/css/main.css", "p { color: teal; }\n")
    try scenario.write(
      "Dockerfile", "FROM busybox\nADD site.tgz /srv/\nADD site/index.html /srv/copy.html\n")
    scenario.run(["tar -czf site.tgz site", "docker build -q -t site ."])
    let image = try scenario.store.image(try scenario.store.resolveImage("site"))
    let chains = image.chainIDs
    let archiveLayer = try scenario.store.diffDirectory(of: chains[1])
    #expect(FileManager.default.fileExists(atPath: "\(archiveLayer)/srv/site/css/main.css"))
    #expect(!FileManager.default.fileExists(atPath: "\(archiveLayer)/srv/site.tgz"))
    let copyLayer = try scenario.store.diffDirectory(of: chains[2])
    #expect(
      try String(contentsOfFile: "\(copyLayer)/srv/copy.html", encoding: .utf8) == "<p>hello</p>\n")
  }

  @Test func onBuildTriggersRunInTheChild() throws {
    var scenario = try Scenario()
    try scenario.write(
      "base/Dockerfile", "FROM busybox\nONBUILD COPY . /srv/\nONBUILD RUN echo triggered\n")
    try scenario.write("app/Dockerfile", "FROM onbase\nCMD [\"ls\", \"/srv\"]\n")
    try scenario.write("app/file.txt", "hi\n")
    scenario.run([
      "docker build -q -t onbase base > /dev/null",
      "docker build --progress=plain -t onapp app 2>&1 | grep -E '^#[0-9]+ (\\[|[0-9])'",
      "docker inspect -f '{{json .Config.OnBuild}}' onbase onapp",
      "DOCKER_BUILDKIT=0 docker build -t onlegacy app 2>/dev/null | head -4",
    ])
    #expect(
      scenario.transcript.contains(
        "#6 [2/3] COPY . /srv/\n#7 [3/3] RUN echo triggered\n#7 0.000 triggered\n"))
    #expect(scenario.transcript.contains("[\"COPY . /srv/\",\"RUN echo triggered\"]\nnull\n"))
    #expect(
      scenario.transcript.contains(
        "Step 1/2 : FROM onbase\n# Executing 2 build triggers\ntriggered\n"))
  }
}
