import Foundation
import LabDocker
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

@Suite("Nothing escapes the sandbox")
struct ShellSafetyTests {
  @Test func hostFilesDoNotExist() throws {
    let fixture = try ShellFixture()
    let result = fixture.ours("cat /etc/passwd")
    #expect(result.stderr == "cat: /etc/passwd: No such file or directory\n")
    #expect(result.status == 1)
  }

  @Test func climbingOutStopsAtTheSandboxRoot() throws {
    let fixture = try ShellFixture()
    let result = fixture.ours("cd ../../..; pwd; ls")
    #expect(result.stdout == "/\nhome  tmp  var\n")
  }

  @Test func aLinkToTheHostLeadsInsideTheSandbox() throws {
    let fixture = try ShellFixture()
    let made = fixture.ours("ln -s /etc x; cat x/passwd")
    #expect(made.stderr == "cat: x/passwd: No such file or directory\n")
    // A link planted on the host side resolves inside the sandbox too.
    try FileManager.default.createSymbolicLink(
      atPath: "\(fixture.workspace)/planted", withDestinationPath: "/etc")
    #expect(
      fixture.ours("cat planted/hostname").stderr
        == "cat: planted/hostname: No such file or directory\n")
    #expect(fixture.ours("ls planted").status == 2)
  }

  @Test func aLayerLinkToRootShowsTheSandboxRoot() throws {
    let fixture = try ShellFixture()
    let layer = "\(fixture.store.root)/overlay2/fake/diff"
    try FileManager.default.createDirectory(atPath: layer, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: "\(layer)/root-link", withDestinationPath: "/")
    let result = fixture.ours("sudo ls /var/lib/docker/overlay2/fake/diff/root-link/")
    #expect(result.stdout == "home  tmp  var\n")
    #expect(
      fixture.ours("sudo cat /var/lib/docker/overlay2/fake/diff/root-link/etc/passwd").status == 1)
  }

  @Test func theStoreIsReadOnlyAndRootOnly() throws {
    let fixture = try ShellFixture()
    let touched = fixture.ours("sudo touch /var/lib/docker/planted")
    #expect(
      touched.stderr == "touch: cannot touch '/var/lib/docker/planted': Read-only file system\n")
    let written = fixture.ours(
      "sudo sh -c 'echo x > /var/lib/docker/image/overlay2/repositories.json'")
    #expect(written.stderr.contains("Read-only file system"))
    #expect(
      fixture.ours("ls /var/lib/docker").stderr
        == "ls: cannot open directory '/var/lib/docker': Permission denied\n")
    #expect(
      fixture.ours("sudo rm -rf /var/lib/docker/image").stderr.contains("Read-only file system"))
    #expect(
      FileManager.default.fileExists(
        atPath: "\(fixture.store.root)/image/overlay2/repositories.json"))
    // LayerLab's own state is not part of the sandbox.
    #expect(!fixture.ours("sudo ls -a /var/lib/docker").stdout.contains(".layerlab"))
  }

  @Test func theStoresFoldersHaveDockersModes() throws {
    let fixture = try ShellFixture()
    _ = fixture.ours("docker pull -q alpine")
    func mode(_ line: Substring) -> Substring { line.prefix { $0 != " " } }
    // daemon_unix.go: the root is 0710; overlay2/overlay.go: the driver's home and each
    // layer's folder 0710, its link folder 0700, a layer's diff 0755.
    #expect(mode(Substring(fixture.ours("ls -ld /var/lib/docker").stdout)) == "drwx--x---")
    let root = fixture.ours("sudo ls -l /var/lib/docker").stdout.split(separator: "\n")
    #expect(root.filter { $0.hasSuffix(" overlay2") }.map(mode) == ["drwx--x---"])
    let home = fixture.ours("sudo ls -l /var/lib/docker/overlay2").stdout.split(separator: "\n")
    #expect(home.filter { $0.hasSuffix(" l") }.map(mode) == ["drwx------"])
    let layers = home.dropFirst().filter { !$0.hasSuffix(" l") }
    #expect(!layers.isEmpty && layers.allSatisfy { mode($0) == "drwx--x---" })
    let layer = layers.first.map { String($0.split(separator: " ").last ?? "") } ?? ""
    #expect(
      mode(Substring(fixture.ours("sudo ls -ld /var/lib/docker/overlay2/\(layer)/diff").stdout))
        == "drwxr-xr-x")
    // Without sudo the root lets no one through: its folders cannot even be looked up.
    #expect(
      fixture.ours("ls /var/lib/docker/overlay2").stderr
        == "ls: cannot access '/var/lib/docker/overlay2': Permission denied\n")
  }

  @Test(arguments: [
    ("echo |", "bash: syntax error near unexpected token `newline'"),
    ("| echo", "bash: syntax error near unexpected token `|'"),
    ("echo 'open", "bash: unexpected EOF while looking for matching `''"),
    ("echo \"open", "bash: unexpected EOF while looking for matching `\"'"),
    ("echo a && ;", "bash: syntax error near unexpected token `;'"),
    ("if true; then echo x", "bash: syntax error: unexpected end of file"),
    ("for x in a; echo $x", "bash: syntax error near unexpected token `echo'"),
    ("done", "bash: syntax error near unexpected token `done'"),
    ("while true; done", "bash: syntax error near unexpected token `done'"),
    ("if; then echo; fi", "bash: syntax error near unexpected token `;'"),
  ])
  func syntaxErrorsReadAsBash(line: String, message: String) throws {
    let result = try ShellFixture().ours(line)
    #expect(result.stderr == message + "\n")
    #expect(result.status == 2)
  }

  @Test func unknownCommandsAreNotFound() throws {
    let result = try ShellFixture().ours("apt-get install vim")
    #expect(result.stderr == "bash: apt-get: command not found\n")
    #expect(result.status == 127)
  }

  @Test func theLayerWalkOfABuiltImage() throws {
    let fixture = try ShellFixture()
    var session = try fixture.session()
    #expect(session.run("docker build -q -t example .").status == 0)
    let base = session.run("docker inspect -f '{{index .RootFS.Layers 0}}' example")
      .stdout
      .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "sha256:", with: "")
    let layer = "/var/lib/docker/image/overlay2/layerdb/sha256/\(base)"
    #expect(
      session.run("sudo ls \(layer)").stdout
        == "cache-id  diff\tsize  tar-split.json.gz\n")
    let cacheID = session.run("sudo cat \(layer)/cache-id").stdout
    #expect(cacheID.count == 64)
    #expect(
      session.run("sudo ls /var/lib/docker/overlay2/\(cacheID)").stdout
        == "committed  diff  link\n")
    #expect(
      session.run("sudo ls /var/lib/docker/overlay2/\(cacheID)/diff").stdout.contains(
        "bin   dev"))
  }
}

@Suite("No source file starts a process")
struct NoHostProcessTests {
  /// The one file that starts a process: LayerLab's own binary, as a lesson's worker.
  static let worker = "layerlab/Worker.swift"

  @Test func sourcesNeverSpawn() throws {
    let sources = "\(TestSupport.packageRoot)/Sources"
    let forbidden = [
      "Process(", "posix_spawn", "popen(", "system(", "execv", "execl", "fork(", "NSTask",
    ]
    var offenders: [String] = []
    let walker = FileManager.default.enumerator(atPath: sources)
    while let relative = walker?.nextObject() as? String {
      guard relative.hasSuffix(".swift") || relative.hasSuffix(".h") else { continue }
      let text = try String(contentsOfFile: "\(sources)/\(relative)", encoding: .utf8)
      if relative == Self.worker { continue }
      for word in forbidden where text.contains(word) { offenders.append("\(relative): \(word)") }
    }
    #expect(offenders.isEmpty, "\(offenders)")
  }

  @Test func theWorkerStartsOnlyLayerLabItself() throws {
    let text = try String(
      contentsOfFile: "\(TestSupport.packageRoot)/Sources/\(Self.worker)", encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines.filter { $0.contains("Process()") }.count == 1)
    #expect(
      lines.filter { $0.contains("executableURL") } == [
        "    process.executableURL = URL(fileURLWithPath: executable)"
      ])
    #expect(text.contains(#"static let executable = "/proc/self/exe""#))
  }
}

extension ShellSafetyTests {
  @Test func sudoCarriesIntoTheShellItStarts() throws {
    var session = try ShellFixture().session()
    _ = session.run("docker pull -q busybox")
    let inner = session.run(
      "sudo sh -c 'cat /var/lib/docker/image/overlay2/repositories.json' | jq -r '.Repositories | keys[]'"
    )
    #expect(inner.stdout == "busybox\n", "\(inner.stderr)")
    // Without sudo, the store stays closed, inside a shell too.
    #expect(!session.run("sh -c 'ls /var/lib/docker/overlay2'").isSuccess)
  }
}
