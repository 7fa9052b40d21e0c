import Foundation
import LabDocker
import LabFiles
import LabImage
import LabJSON
import LabLesson
import LabShell
import LabSnapshot
import LabWorkshop

/// The parsers and interpreters a lesson from the internet reaches, each as a function of
/// arbitrary bytes: what the fuzzer drives, and what the regression tests replay.
///
/// A target may reject its input with an error; it must never crash, hang or exhaust memory.
public enum FuzzTarget: String, CaseIterable, Sendable {
  case lesson, dockerfile, shellSyntax, shell, reference, template, json, awk, sed, jq, tar
  case matcher

  /// Feeds one input to the target.
  public func run(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    switch self {
    case .lesson:
      if let lesson = try? LessonParser.parse(text, path: "fuzz.md") {
        _ = lesson.steps.count
      }
      _ = LessonLinter.lint(path: FuzzSandbox.shared.lessonFile(bytes))
    case .dockerfile:
      _ = try? DockerfileParser.parse(text)
    case .shellSyntax:
      _ = try? ShellParser.parse(text)
      _ = ShellParser.needsMoreInput(text)
    case .shell:
      FuzzSandbox.shared.run(line: text)
    case .reference:
      _ = try? ImageReference(parsing: text)
    case .template:
      guard let template = try? GoTemplate(text) else { return }
      _ = try? template.execute(FuzzSandbox.templateDot)
    case .json:
      _ = try? JSONValue(parsing: bytes).indented()
    case .awk:
      FuzzSandbox.shared.run(arguments: ["awk", text, "data.txt"])
    case .sed:
      FuzzSandbox.shared.run(arguments: ["sed", "-E", text, "data.txt"])
    case .jq:
      FuzzSandbox.shared.run(arguments: ["jq", text, "data.json"])
    case .tar:
      FuzzSandbox.shared.run(archive: bytes)
    case .matcher:
      // The expected text, then the actual one, split at the first NUL.
      let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
      let expected = String(decoding: parts[0], as: UTF8.self)
      let actual = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
      var bindings = Bindings()
      for comparison in [Comparison.normal, .approximate, .excerpt, .exact] {
        _ = Matcher().match(
          expected: expected, actual: actual, comparison: comparison, command: "docker images",
          bindings: &bindings, origin: "fuzz.md:1")
      }
    }
  }
}

/// One sandbox the shell-driven targets share, reset now and then so its files stay small.
final class FuzzSandbox: @unchecked Sendable {
  static let shared = FuzzSandbox()

  static let templateDot = TemplateValue(
    rawJSON: (try? JSONValue(
      parsing:
        #"{"Id":"sha256:3f2a","RepoTags":["nginx:latest"],"Config":{"Cmd":["nginx","-g"],"Env":["A=1"]},"Size":1234,"RootFS":{"Layers":["sha256:aa","sha256:bb"]}}"#
    )) ?? .null)

  /// The session; `nil` only when its scratch store could not be made, and then nothing runs.
  private var session: SandboxSession?
  private let workspace: String
  private var runs = 0

  private init() {
    let root = (try? ScratchDirectory.make("fuzz")) ?? NSTemporaryDirectory()
    workspace = root + "/workspace"
    session = try? SandboxSession(
      store: ImageStore(root: root + "/store", durable: false), workspace: workspace,
      registry: EmbeddedRegistry.locate(), clock: VirtualClock(), keepsClock: false)
    // A tenth of a lesson's loop budget: an endless loop of slow commands still ends within
    // libFuzzer's time limit in a debug build (100,000 rounds of two unknown commands took
    // 24 s there), and the fuzzer looks for crashes, not for where budgets stop.
    session?.sandbox.loopRounds = 10_000
    seed()
  }

  private func seed() {
    try? Data("name size\nnginx 188\nalpine 8\n".utf8).write(
      to: URL(fileURLWithPath: workspace + "/data.txt"))
    try? Data(#"{"a":[1,2,{"b":"c"}],"n":null}"#.utf8).write(
      to: URL(fileURLWithPath: workspace + "/data.json"))
  }

  private func tick() {
    runs += 1
    guard runs % 500 == 0 else { return }
    // A fresh workspace, so what inputs wrote does not pile up.
    for name in (try? FileManager.default.contentsOfDirectory(atPath: workspace)) ?? [] {
      try? HostDirectory(workspace).remove(name, recursive: true)
    }
    seed()
  }

  /// Writes a lesson to the same scratch file each time, for code that reads lessons by path.
  func lessonFile(_ bytes: [UInt8]) -> String {
    let path = workspace + "/../fuzz.md"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }

  func run(line: String) {
    tick()
    _ = session?.run(line)
  }

  func run(arguments: [String]) {
    tick()
    _ = session?.run(arguments: arguments)
  }

  func run(archive: [UInt8]) {
    tick()
    _ = session?.run(arguments: ["tar", "-tvf", "-"], input: archive)
    _ = session?.run(arguments: ["tar", "-xf", "-", "-C", "/tmp"], input: archive)
  }
}
