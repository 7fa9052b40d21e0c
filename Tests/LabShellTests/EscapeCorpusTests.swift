import Foundation
import LabArchive
import LabDocker
import LabFiles
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// A host directory outside the sandbox with a secret in it: what an escape would read or write.
struct Canary {
  let directory: String
  let secret: String
  let marker: String

  init() throws {
    directory = try TestSupport.scratchDirectory("canary")
    marker = "CANARY-\(UUID().uuidString)"
    secret = "\(directory)/secret.txt"
    try Data("\(marker)\n".utf8).write(to: URL(fileURLWithPath: secret))
    try FileManager.default.createDirectory(
      atPath: "\(directory)/inner", withIntermediateDirectories: true)
    try Data("\(marker) inner\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/inner/x.txt"))
    mkfifo("\(directory)/fifo", 0o644)
    let archive = try TarWriter(path: "\(directory)/inner.tar")
    try archive.append(TarEntry(path: "leaked.txt", kind: .file(Array("\(marker)\n".utf8))))
    try archive.finish()
  }

  /// The canary directory's entries with their sizes, modes and times, to see that nothing
  /// wrote there.
  func listing() -> [String] {
    var lines: [String] = []
    let walker = FileManager.default.enumerator(atPath: directory)
    while let relative = walker?.nextObject() as? String {
      var status = stat()
      lstat("\(directory)/\(relative)", &status)
      lines.append(
        "\(relative) \(status.st_mode) \(status.st_size) \(status.st_mtim.tv_sec) \(status.st_nlink)"
      )
    }
    return lines.sorted()
  }

  /// Every regular file under `root` (without following links) whose bytes, or whose gunzipped
  /// bytes, hold the marker.
  func leaks(under root: String) -> [String] {
    var found: [String] = []
    let walker = FileManager.default.enumerator(atPath: root)
    let needle = Array(marker.utf8)
    while let relative = walker?.nextObject() as? String {
      let path = "\(root)/\(relative)"
      var status = stat()
      guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
        let data = FileManager.default.contents(atPath: path)
      else { continue }
      var bytes = Array(data)
      if let unzipped = try? Gzip.decompress(bytes) { bytes += unzipped }
      if Self.contains(bytes, needle) { found.append(relative) }
    }
    return found
  }

  static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count)
    where haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle
    {
      return true
    }
    return false
  }
}

/// Every way out that links, `..`, absolute paths, archives and builds offer.
///
/// Lessons come from the internet: each attempt runs against a canary, and none may read or
/// write a host byte.
@Suite("Escape attempts read no host byte")
struct EscapeCorpusTests {
  /// One attempt: files planted in the workspace, then command lines.
  struct Attempt: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String] = [:]
    var lines: [String]
    var testDescription: String { name }
  }

  static let attempts: [Attempt] = [
    Attempt(name: "cat through a link", lines: ["ln -s @SECRET n.txt", "cat n.txt"]),
    Attempt(name: "cat through a directory link", lines: ["ln -s @DIR d", "cat d/secret.txt"]),
    Attempt(name: "cd through a link", lines: ["ln -s @DIR d", "cd d && cat secret.txt && ls"]),
    Attempt(name: "ls through a link", lines: ["ln -s @DIR d", "ls -la d/ d/inner"]),
    Attempt(
      name: "relative link climbing out",
      lines: ["ln -s ../../../../../../../../..@SECRET up", "cat up", "head -c 100 up"]),
    Attempt(
      name: "utilities that read",
      lines: [
        "ln -s @SECRET n.txt",
        "sha256sum n.txt; grep . n.txt; wc -c n.txt; base64 n.txt; awk 1 n.txt; sed p n.txt; tail n.txt; sort n.txt; od -c n.txt; tac n.txt",
        "jq . n.txt; cut -c1-5 n.txt; tr a b < n.txt; cat < n.txt; xargs echo < n.txt",
      ]),
    Attempt(
      name: "cp and mv of a link",
      lines: ["ln -s @SECRET n.txt", "cp n.txt c.txt; mv n.txt m.txt; cat c.txt m.txt"]),
    Attempt(name: "cp -r of a directory link", lines: ["ln -s @DIR d", "cp -r d e; ls -R e"]),
    Attempt(
      name: "tar -c of a link and a directory link",
      lines: ["ln -s @SECRET n.txt; ln -s @DIR d", "tar -cf out.tar n.txt d; tar -tvf out.tar"]),
    Attempt(
      name: "writes through a directory link",
      lines: [
        "ln -s @DIR d", "echo pwned > d/new.txt", "mkdir d/newdir", "touch d/secret.txt",
        "chmod 777 d/secret.txt", "rm -f d/secret.txt", "rm -rf d/inner", "mv d/secret.txt x",
        "echo more >> d/secret.txt", "ln -s x d/newlink", "cp /dev/null d/secret.txt",
      ]),
    Attempt(
      name: "the FIFO and device reads never hang",
      lines: [
        "ln -s @DIR/fifo f; ln -s /dev/zero z", "cat f; cat z; head -c 1 z; wc -c f",
      ]),
    Attempt(
      name: "COPY with a wildcard over a link",
      files: ["Dockerfile": "FROM scratch\nCOPY *.txt /\n"],
      lines: ["ln -s @SECRET n.txt", "docker build -t leak .", "docker save -o out.tar leak"]),
    Attempt(
      name: "COPY with a wildcard over a directory link",
      files: ["Dockerfile": "FROM scratch\nCOPY d* /e/\n"],
      lines: ["ln -s @DIR d", "docker build -t leak .", "docker save -o out.tar leak"]),
    Attempt(
      name: "COPY of a linked file by name",
      files: ["Dockerfile": "FROM scratch\nCOPY n.txt /\n"],
      lines: ["ln -s @SECRET n.txt", "docker build -t leak .", "docker save leak > out.tar"]),
    Attempt(
      name: "COPY of the whole context with a link inside",
      files: ["Dockerfile": "FROM scratch\nCOPY . /ctx/\n"],
      lines: [
        "ln -s @SECRET n.txt; ln -s @DIR d", "DOCKER_BUILDKIT=0 docker build -t leak .",
        "docker save -o out.tar leak",
      ]),
    Attempt(
      name: "COPY of a link to a device",
      files: ["Dockerfile": "FROM scratch\nCOPY z f /\n"],
      lines: ["ln -s /dev/zero z; ln -s @DIR/fifo f", "docker build -t leak ."]),
    Attempt(
      name: "COPY through a link in the middle of a path",
      files: [
        "Dockerfile": "FROM busybox\nCOPY sub/ /\nCOPY sub2/ /\nRUN cat /a/secret.txt; ls /a\n",
        "sub2/a/x": "x\n",
      ],
      lines: [
        "mkdir -p sub; ln -s @DIR sub/a", "docker build -t leak .", "docker save -o o.tar leak",
      ]),
    Attempt(
      name: "COPY --from through a layer's link",
      files: [
        "Dockerfile":
          "FROM busybox AS base\nCOPY sub/ /\nCOPY sub2/ /\nFROM scratch\nCOPY --from=base /a/secret.txt /s\n",
        "sub2/a/x": "x\n",
      ],
      lines: [
        "mkdir -p sub; ln -s @DIR sub/a", "docker build -t leak .", "docker save -o o.tar leak",
      ]),
    Attempt(
      name: "COPY of a parent or absolute path",
      files: ["Dockerfile": "FROM scratch\nCOPY ../x @SECRET /\n"],
      lines: ["docker build -t leak .", "DOCKER_BUILDKIT=0 docker build -t leak ."]),
    Attempt(
      name: "RUN reading through links it makes",
      files: [
        "Dockerfile":
          "FROM busybox\nRUN ln -s @DIR /x && cat /x/secret.txt; cat @SECRET; cat /../../..@SECRET\n"
      ],
      lines: ["docker build -t leak .", "docker save -o o.tar leak"]),
    Attempt(
      name: "a Dockerfile through a link",
      lines: ["ln -s @SECRET Dockerfile", "docker build -t leak .", "docker build -f Dockerfile ."]),
    Attempt(
      name: "a .dockerignore through a link",
      files: ["Dockerfile": "FROM scratch\nCOPY Dockerfile /\n"],
      lines: [
        "ln -s @SECRET .dockerignore", "docker build -t leak . 2>&1", "docker save -o o.tar leak",
      ]),
    Attempt(
      name: "a build context through a link",
      lines: ["ln -s @DIR ctx", "docker build -t leak ctx", "docker build -t leak ctx/inner"]),
    Attempt(
      name: "docker load through a link",
      lines: [
        "ln -s @SECRET n.tar; ln -s @DIR/fifo f.tar", "docker load -i n.tar",
        "docker load -i f.tar",
      ]),
    Attempt(
      name: "docker save through a directory link",
      lines: ["ln -s @DIR d", "docker pull -q busybox", "docker save -o d/out.tar busybox"]),
    Attempt(
      name: "ADD of an archive with a hard link out",
      files: ["Dockerfile": "FROM scratch\nADD evil.tar /\n"],
      lines: ["docker build -t leak .", "docker save -o o.tar leak"]),
    Attempt(
      name: "ADD of an archive that writes through its own link",
      files: ["Dockerfile": "FROM scratch\nADD through.tar /\n"],
      lines: ["docker build -t leak .", "docker save -o o.tar leak"]),
    Attempt(
      name: "ADD of a linked archive",
      files: ["Dockerfile": "FROM scratch\nADD a.tar /\n"],
      lines: ["ln -s @DIR/inner.tar a.tar", "docker build -t leak ."]),
    Attempt(
      name: "tar -x through a link in the archive",
      lines: ["tar -xf through.tar", "tar -xvf evil.tar", "ls -R ."]),
    Attempt(
      name: "tar -x over a planted directory link",
      lines: ["mkdir l; rmdir l; ln -s @DIR l", "tar -xf plain.tar", "cat l/secret.txt"]),
    Attempt(
      name: "docker load of a layer with a link, then builds over it",
      files: [
        "Dockerfile":
          "FROM evil\nRUN cat /a/secret.txt; echo pwned > /a/new.txt\nFROM scratch\nCOPY --from=0 /a/secret.txt /s\n"
      ],
      lines: [
        "docker load -i image.tar", "docker build -t leak .", "docker save -o o.tar leak",
        "sudo find /var/lib/docker/overlay2 -name secret.txt",
      ]),
    Attempt(
      name: "the store's own links",
      lines: [
        "docker pull -q busybox", "sudo ls -l /var/lib/docker/overlay2/l",
        "sudo cat /var/lib/docker/overlay2/l/*/bin/sh | head -c 10",
        "sudo ls /var/lib/docker/../../../..@DIR",
      ]),
  ]

  @Test(arguments: attempts)
  func attemptReadsAndWritesNothingOfTheHost(_ attempt: Attempt) throws {
    let canary = try Canary()
    let before = canary.listing()
    let fixture = try ShellFixture()
    try Self.plantArchives(in: fixture.workspace, canary: canary)
    for (path, text) in attempt.files {
      let url = URL(fileURLWithPath: "\(fixture.workspace)/\(path)")
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(
        text.replacingOccurrences(of: "@SECRET", with: canary.secret)
          .replacingOccurrences(of: "@DIR", with: canary.directory).utf8
      ).write(to: url)
    }
    var session = try fixture.session()
    var shown = ""
    for line in attempt.lines {
      let command = line.replacingOccurrences(of: "@SECRET", with: canary.secret)
        .replacingOccurrences(of: "@DIR", with: canary.directory)
      let result = session.run(command)
      shown += result.stdout + result.stderr
    }
    #expect(!shown.contains(canary.marker), "output shows the canary: \(shown)")
    // The attempts type the canary's path themselves; LayerLab's own paths never show.
    #expect(!shown.contains(fixture.workspace), "output shows the workspace's host path")
    #expect(!shown.contains(fixture.store.root), "output shows the store's host path")
    #expect(canary.leaks(under: fixture.workspace).isEmpty)
    #expect(canary.leaks(under: fixture.store.root).isEmpty)
    #expect(canary.listing() == before, "the canary directory changed")
  }

  /// Archives the attempts use: a hard link out, a link then a file through it, a plain one,
  /// and a saved image whose layer has a link to the canary.
  static func plantArchives(in workspace: String, canary: Canary) throws {
    let evil = try TarWriter(path: "\(workspace)/evil.tar")
    try evil.append(TarEntry(path: "hard", kind: .hardlink(target: canary.secret)))
    try evil.append(TarEntry(path: "up", kind: .hardlink(target: "../../../../..\(canary.secret)")))
    try evil.append(TarEntry(path: "../../escape.txt", kind: .file(Array("x".utf8))))
    try evil.append(TarEntry(path: "\(canary.directory)/abs.txt", kind: .file(Array("x".utf8))))
    try evil.finish()

    let through = try TarWriter(path: "\(workspace)/through.tar")
    try through.append(TarEntry(path: "l", kind: .symlink(target: canary.directory)))
    try through.append(TarEntry(path: "l/pwned.txt", kind: .file(Array("pwned".utf8))))
    try through.append(TarEntry(path: "l/secret.txt", kind: .file(Array("pwned".utf8))))
    try through.finish()

    let plain = try TarWriter(path: "\(workspace)/plain.tar")
    try plain.append(TarEntry(path: "l/", kind: .directory, mode: 0o755))
    try plain.append(TarEntry(path: "l/pwned.txt", kind: .file(Array("pwned".utf8))))
    try plain.finish()

    let layerWriter = try TarWriter()
    try layerWriter.append(TarEntry(path: "a", kind: .symlink(target: canary.directory)))
    let layer = try layerWriter.finish()
    let diffID = Digest.of(layer)
    let config = Array(
      """
      {"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["\(diffID)"]}}
      """.utf8)
    let manifest = Array(
      #"[{"Config":"config.json","RepoTags":["evil:latest"],"Layers":["layer.tar"]}]"#.utf8)
    let image = try TarWriter(path: "\(workspace)/image.tar")
    try image.append(TarEntry(path: "config.json", kind: .file(config)))
    try image.append(TarEntry(path: "layer.tar", kind: .file(layer)))
    try image.append(TarEntry(path: "manifest.json", kind: .file(manifest)))
    try image.finish()
  }
}
