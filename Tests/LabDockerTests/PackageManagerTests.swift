import Foundation
import LabDocker
import LabImage
import LabOutput
import LabTestSupport
import Testing

/// The images' package managers over the offline indexes: what they print, what they leave
/// in a layer, and how the build cache treats them — the things image lessons teach.
@Suite("apt-get, apk, pip and npm in builds and containers")
struct PackageManagerTests {
  /// The sizes `docker history` reports, top layer first, in bytes as the store counts them.
  func layerSizes(_ scenario: inout Scenario, _ image: String) -> [Int64] {
    let output = scenario.run(
      "docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' \(image)")
    let diffIDs = output.stdout.split(separator: "\n").compactMap { try? Digest(String($0)) }
    var sizes: [Int64] = []
    var parent: Digest?
    for diffID in diffIDs {
      let chain = parent.map { Digest.of(Array("\($0) \(diffID)".utf8)) } ?? diffID
      sizes.append(scenario.store.layerSize(chain))
      parent = chain
    }
    return sizes.reversed()
  }

  @Test func aptListsRemovedInTheSameRunShrinkTheLayerAndInALaterRunDoNot() throws {
    var scenario = try Scenario()
    try scenario.write(
      "one/Dockerfile",
      """
      FROM debian:bookworm-slim
      RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*

      """)
    try scenario.write(
      "two/Dockerfile",
      """
      FROM debian:bookworm-slim
      RUN apt-get update && apt-get install -y --no-install-recommends curl
      RUN rm -rf /var/lib/apt/lists/*

      """)
    #expect(scenario.run("docker build -q -t one one").status == 0)
    #expect(scenario.run("docker build -q -t two two").status == 0)
    let one = layerSizes(&scenario, "one")
    let two = layerSizes(&scenario, "two")
    // The lists (9.4 MB for bookworm) stay in the install layer of `two`; the later `rm`
    // adds a layer of whiteouts and frees nothing.
    let lists: Int64 = 151_000 + 55_400 + 34_800 + 8_790_000 + 6_924 + 383_000
    #expect(two[1] - one[0] == lists)
    #expect(two[0] < 4_096)
    // curl and its libraries without recommends: their installed sizes, as apt reports them.
    // curl and its libraries without recommends: apt says 12.0 MB, and so does the layer.
    #expect((11_900_000...12_100_000).contains(one[0]), "\(one)")
    let history = scenario.run("docker history --format '{{.Size}}' two").stdout
    #expect(history.hasPrefix("0B\n"), "\(history)")
  }

  @Test func aptTranscriptIsAptsAndCurlRuns() throws {
    var scenario = try Scenario()
    let before = scenario.run("docker run --rm debian:bookworm-slim apt-get install -y curl")
    #expect(before.status == 100)
    #expect(
      before.stdout == "Reading package lists...\nBuilding dependency tree...\n"
        && before.stderr.hasSuffix("E: Unable to locate package curl\n"), "\(before.interleaved)")
    let run = scenario.run(
      "docker run --rm -e DEBIAN_FRONTEND=noninteractive debian:bookworm-slim sh -c 'apt-get update -qq && apt-get install -y --no-install-recommends curl && curl --version'"
    )
    #expect(run.status == 0, "\(run.interleaved)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "Reading package lists...")
    #expect(lines.contains("The following NEW packages will be installed:"))
    #expect(lines.contains { $0.hasPrefix("0 upgraded, 16 newly installed, 0 to remove") })
    #expect(lines.contains("Recommended packages:"))
    #expect(lines.contains("After this operation, 12.0 MB of additional disk space will be used."))
    #expect(lines.contains("Setting up curl (7.88.1-10+deb12u15) ..."))
    #expect(lines.contains { $0.hasPrefix("curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1") })
    let unknown = scenario.run(
      "docker run --rm debian:bookworm-slim sh -c 'apt-get update -qq && apt-get install -y nosuchpackage'"
    )
    #expect(unknown.status == 100)
    #expect(unknown.stderr.contains("E: Unable to locate package nosuchpackage\n"))
  }

  @Test func ubuntuUpdatesFromItsOwnArchive() throws {
    var scenario = try Scenario()
    let run = scenario.run(
      "docker run --rm ubuntu:24.04 sh -c 'apt-get update && apt-get install -y curl >/dev/null && curl --version'"
    )
    #expect(run.status == 0, "\(run.interleaved)")
    #expect(run.stdout.hasPrefix("Get:1 http://archive.ubuntu.com/ubuntu noble InRelease ["))
    #expect(run.stdout.contains("Reading package lists...\n"))
    #expect(run.stdout.contains("curl 8.5.0 (x86_64-pc-linux-gnu)"), "\(run.stdout)")
  }

  @Test func pipKeepsItsWheelsUnlessToldNot() throws {
    var scenario = try Scenario()
    try scenario.write("kept/Dockerfile", "FROM python:3.12-slim\nRUN pip install requests\n")
    try scenario.write(
      "dropped/Dockerfile", "FROM python:3.12-slim\nRUN pip install --no-cache-dir requests\n")
    #expect(scenario.run("docker build -q -t kept kept").status == 0)
    let dropped = scenario.run("docker build --progress=plain -t dropped dropped")
    #expect(dropped.status == 0)
    // requests' wheels, kept in ~/.cache/pip: their download sizes.
    let wheels = layerSizes(&scenario, "kept")[0] - layerSizes(&scenario, "dropped")[0]
    #expect((400_000...600_000).contains(wheels), "\(wheels)")
    #expect(
      dropped.interleaved.contains(
        "Collecting charset-normalizer<4,>=2 (from requests)"), "\(dropped.interleaved)")
  }

  @Test func apkNoCacheLeavesNoIndexAndCurlArrives() throws {
    var scenario = try Scenario()
    try scenario.write("cached/Dockerfile", "FROM alpine:3.20\nRUN apk add curl\n")
    try scenario.write("plain/Dockerfile", "FROM alpine:3.20\nRUN apk add --no-cache curl\n")
    #expect(scenario.run("docker build -q -t cached cached").status == 0)
    let plain = scenario.run("docker build --progress=plain -t plain plain")
    #expect(plain.status == 0)
    for line in [
      "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz",
      "(10/10) Installing curl (8.10.1-r0)", "OK: 13 MiB in 24 packages",
    ] {
      #expect(plain.interleaved.contains(line), "\(line)")
    }
    // Without --no-cache the two repositories' indexes stay in /var/cache/apk.
    #expect(layerSizes(&scenario, "cached")[0] - layerSizes(&scenario, "plain")[0] == 1_663_000)
    let missing = scenario.run("docker run --rm plain apk add --no-cache -q nosuch")
    #expect(missing.status == 1)
    #expect(
      missing.stderr
        == "ERROR: unable to select packages:\n  nosuch (no such package):\n    required by: world[nosuch]\n"
    )
    // The sandbox's own curl is not the image's: alpine has none until it is installed.
    let bare = scenario.run("docker run --rm alpine:3.20 curl --version")
    #expect(bare.status == 127)
    #expect(scenario.run("docker run --rm plain curl --version").stdout.hasPrefix("curl 8.10.1 "))
  }

  @Test func pipRerunsOnlyWhenRequirementsChange() throws {
    var scenario = try Scenario()
    try scenario.write("app/requirements.txt", "flask==3.0.3\n")
    try scenario.write("app/app.py", "print('hello')\n")
    try scenario.write(
      "app/Dockerfile",
      """
      FROM python:3.12-slim
      WORKDIR /app
      COPY requirements.txt .
      RUN pip install --no-cache-dir -r requirements.txt
      COPY . .
      CMD ["python", "app.py"]

      """)
    let first = scenario.run("docker build --progress=plain -t app app")
    #expect(first.status == 0, "\(first.interleaved)")
    #expect(
      first.interleaved.contains(
        "Successfully installed Jinja2-3.1.4 MarkupSafe-2.1.5 Werkzeug-3.0.4 blinker-1.8.2 click-8.1.7 flask-3.0.3 itsdangerous-2.2.0"
      ))
    #expect(first.interleaved.contains("WARNING: Running pip as the 'root' user"))
    try scenario.write("app/app.py", "print('hello again')\n")
    let code = scenario.run("docker build --progress=plain -t app app").interleaved
    #expect(
      code.contains("RUN pip install --no-cache-dir -r requirements.txt\n#8 CACHED"), "\(code)")
    try scenario.write("app/requirements.txt", "flask==3.0.3\nrequests\n")
    let requirements = scenario.run("docker build --progress=plain -t app app").interleaved
    #expect(!requirements.contains("requirements.txt\n#8 CACHED"))
    #expect(requirements.contains("Collecting requests (from -r requirements.txt (line 2))"))
    #expect(scenario.run("docker run --rm app").stdout == "hello again\n")
    let none = scenario.run("docker run --rm python:3.12-slim pip install nosuchpkg")
    #expect(none.status == 1)
    #expect(
      none.stderr.hasSuffix(
        "ERROR: Could not find a version that satisfies the requirement nosuchpkg (from versions: none)\nERROR: No matching distribution found for nosuchpkg\n"
      ))
  }

  @Test func npmCiNeedsALockAndInstallsTheTree() throws {
    var scenario = try Scenario()
    try scenario.write(
      "web/package.json",
      "{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"express\": \"^4.19.2\"\n  }\n}\n")
    try scenario.write(
      "web/Dockerfile", "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n")
    let refused = scenario.run("docker build --progress=plain -t web web")
    #expect(refused.status == 1)
    #expect(
      refused.interleaved.contains(
        "npm error The `npm ci` command can only install with an existing package-lock.json or"))
    try scenario.write(
      "web/Dockerfile",
      "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nRUN npm ci\nRUN ls node_modules | wc -l\n"
    )
    let built = scenario.run("docker build --progress=plain -t web web")
    #expect(built.status == 0, "\(built.interleaved)")
    #expect(built.interleaved.contains("added 64 packages, and audited 65 packages in 2s"))
    #expect(built.interleaved.contains("found 0 vulnerabilities"))
  }

  /// dpkg's answers, compared with the real dpkg 1.21 of Debian 12 on a pipe (the same
  /// packages, the version the offline index holds).
  @Test func dpkgAnswersFromThePackageDatabase() throws {
    var scenario = try Scenario()
    try scenario.write(
      "Dockerfile",
      """
      FROM debian:bookworm-slim
      RUN apt-get update -qq && apt-get install -qq -y --no-install-recommends curl jq >/dev/null

      """)
    #expect(scenario.run("docker build -q -t tools .").status == 0)
    #expect(scenario.run("docker run --rm tools dpkg --print-architecture").stdout == "amd64\n")
    let list = scenario.run("docker run --rm tools dpkg -l 'curl*' nosuch")
    #expect(
      list.stdout == """
        Desired=Unknown/Install/Remove/Purge/Hold
        | Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
        |/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)
        ||/ Name           Version            Architecture Description
        +++-==============-==================-============-=======================================================
        ii  curl           7.88.1-10+deb12u15 amd64        command line tool for transferring data with URL syntax

        """)
    #expect(list.stderr == "dpkg-query: no packages found matching nosuch\n")
    #expect(list.status == 1)
    let status = scenario.run("docker run --rm tools dpkg -s curl").stdout
    #expect(status.hasPrefix("Package: curl\nStatus: install ok installed\nPriority: optional\n"))
    #expect(
      status.contains(
        "Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u15), zlib1g (>= 1:1.1.4)\n"))
    let files = scenario.run("docker run --rm tools dpkg -L jq").stdout
    #expect(files.hasPrefix("/.\n/usr\n/usr/bin\n/usr/bin/jq\n/usr/share\n/usr/share/doc\n"))
    #expect(scenario.run("docker run --rm tools dpkg -S bin/jq").stdout == "jq: /usr/bin/jq\n")
    let shown = scenario.run(
      "docker run --rm tools dpkg-query -W -f='${Package} ${Version}\\n' curl jq")
    #expect(shown.stdout == "curl 7.88.1-10+deb12u15\njq 1.6-2.1+deb12u3\n")
    // The image's own packages are listed too, from the release's records.
    let all = scenario.run("docker run --rm tools dpkg -l").stdout
    #expect(
      all.contains(
        "ii  bash                   5.2.15-2+b13                   amd64        GNU Bourne Again SHell\n"
      ),
      "\(all)")
    let missing = scenario.run("docker run --rm tools dpkg -s nginx")
    #expect(missing.status == 1)
    #expect(
      missing.stderr
        == "dpkg-query: package 'nginx' is not installed and no information is available\nUse dpkg --info (= dpkg-deb --info) to examine archive files.\n"
    )
    let archive = scenario.run("docker run --rm tools dpkg -i nginx.deb")
    #expect(
      archive.stderr
        == "dpkg: error: cannot access archive 'nginx.deb': No such file or directory\n")
  }
}
