import Foundation
import LabImage
import LabLesson
import LabSnapshot
import LabTestSupport
import LabWorkshop
import Testing

/// Lessons written the way tutorials on the web are, with no LayerLab directive.
///
/// Each fixture in `Fixtures/web` is one style (a command with its output and no prompt, a Dockerfile in a
/// `bash` block, a file announced in prose, an editor opened, a placeholder, a question
/// answered…). They must read as a person reads them, and pass.
@Suite("Lessons written as on the web")
struct WebStyleTests {
  static let folder = "\(TestSupport.packageRoot)/Tests/LabWorkshopTests/Fixtures/web"

  static var fixtures: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
      .filter { $0.hasSuffix(".md") }.sorted()
  }

  static var runner: LessonRunner {
    LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))
  }

  @Test func thereIsAFixtureForEachStyle() {
    #expect(Self.fixtures.count >= 25)
  }

  @Test(arguments: fixtures)
  func everyStepPasses(fixture: String) {
    let report = Self.runner.check(path: "\(Self.folder)/\(fixture)")
    #expect(report.error == nil, "\(report.error ?? "")")
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    #expect(!report.steps.isEmpty || fixture.contains("katacoda"))
  }

  /// The reading — which blocks are files, which lines are commands and which their output —
  /// is kept as a golden file, checked by hand against what a careful reader takes each to be.
  @Test(arguments: fixtures)
  func eachIsReadAsAPersonReadsIt(fixture: String) throws {
    let reading = try LessonParser.read(contentsOf: "\(Self.folder)/\(fixture)")
    #expect(reading.errors.isEmpty)
    let text = Self.describe(reading.lesson)
    if let difference = TestSupport.golden(
      text, named: "web-" + fixture.replacingOccurrences(of: ".md", with: ".txt"))
    {
      Issue.record("\(difference)")
    }
  }

  /// One line per step and per note: `12 file Dockerfile`, `24 $ docker build -t x .`.
  static func describe(_ lesson: Lesson) -> String {
    var lines: [String] = ["title: \(lesson.title)"]
    for warning in lesson.warnings {
      lines.append(
        "\(warning.location.line) \(warning.severity) \(warning.code): \(warning.message)")
    }
    for step in lesson.steps {
      let line = step.location.line
      switch step {
      case .file(let path, let content, _):
        lines.append("\(line) file \(path) (\(content.split(separator: "\n").count) lines)")
      case .addToFile(let path, let content, _):
        lines.append("\(line) add to \(path) (\(content.split(separator: "\n").count) lines)")
      case .clock(let time, _):
        lines.append("\(line) clock \(time)")
      case .exercise(let exercise):
        lines.append("\(line) exercise \(exercise.title)")
      case .command(let command):
        let shown = command.command.split(separator: "\n", omittingEmptySubsequences: false)
        lines.append("\(line) $ " + shown[0])
        lines += shown.dropFirst().map { "     > " + $0 }
        var marks: [String] = []
        if let expected = command.expected {
          let count =
            expected.text.split(separator: "\n", omittingEmptySubsequences: false)
            .count - 1
          marks.append("output: \(count) lines from \(expected.location.line)")
        }
        if command.isImplied { marks.append("named in prose") }
        if command.asRoot { marks.append("as root") }
        if let input = command.input { marks.append("answers \(input.debugDescription)") }
        if command.failureExpected { marks.append("may fail") }
        if !command.assumedImages.isEmpty {
          marks.append("assumes \(command.assumedImages.joined(separator: ", "))")
        }
        if let container = command.promptContainer { marks.append("in container \(container)") }
        if !marks.isEmpty { lines.append("     [" + marks.joined(separator: "; ") + "]") }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func aFileWhoseTextDoesNotFitItsNameIsFlagged() throws {
    let directory = try TestSupport.scratchDirectory("misnamed")
    let path = "\(directory)/misnamed.md"
    let text = """
      # Misnamed

      <!-- layerlab: file requirements.txt -->

      ```
      FROM python:3.12-slim
      COPY . /app
      ```

      Our dependencies live in `requirements.txt`. Here is the Dockerfile:

      ```
      FROM python:3.12-slim
      COPY requirements.txt /app/
      ```
      """
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let lesson = try LessonParser.parse(contentsOf: path)
    // The block after the cue is the Dockerfile, not the file an earlier sentence named.
    #expect(lesson.steps.compactMap { $0.fileWrite?.path } == ["requirements.txt", "Dockerfile"])
    #expect(
      LessonLinter.lint(path: path).map(\.description) == [
        "\(path):5:1: warning: the text written to requirements.txt reads as Dockerfile instructions: is the name from an earlier, unrelated mention? Name the file with <!-- layerlab: file PATH --> [LL017]"
      ])
  }

  /// Lessons that install packages: apt-get's lists and layers, apk's cache, pip's order for
  /// the build cache, npm's lock file.
  static let packageFolder = "\(TestSupport.packageRoot)/Tests/LabWorkshopTests/Fixtures/packages"

  @Test(arguments: ["apt-layers.md", "apk-no-cache.md", "pip-cache-order.md", "npm-ci.md"])
  func everyPackageLessonPasses(fixture: String) {
    let report = Self.runner.check(path: "\(Self.packageFolder)/\(fixture)")
    #expect(report.error == nil, "\(report.error ?? "")")
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    #expect(report.passed >= 4)
  }

  // MARK: - False passes closed

  func check(_ text: String, named name: String) throws -> LessonReport {
    let directory = try TestSupport.scratchDirectory("web")
    let path = "\(directory)/\(name).md"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return Self.runner.check(path: path)
  }

  @Test func aCommandThatFailsWithoutOutputShownFailsUnlessTheProseExpectsIt() throws {
    let quiet = try check(
      "# Quiet\n\nRemove the old image:\n\n```bash\ndocker rmi nosuch:1\n```\n\n"
        + "Look for it through a pipe:\n\n"
        + "```bash\ndocker images nosuch:1 --format '{{.ID}}' | cat\n"
        + "docker image inspect nosuch:1 | cat\n```\n",
      named: "quiet")
    #expect(quiet.steps.map(\.outcome) == [.failed, .passed, .failed])
    #expect(
      quiet.steps[2].differences.first?.reason
        == "the command printed an error: Error response from daemon: No such image: nosuch:1")
    let expected = try check(
      "# Expected\n\nThis fails with an error, since there is no such image:\n\n"
        + "```bash\ndocker rmi nosuch:1\n```\n",
      named: "expected")
    #expect(expected.steps.map(\.outcome) == [.passed])
    #expect(expected.steps[0].notes == ["it fails, as the prose says it does"])
  }

  @Test func anImageTheLessonBuildsMayNotBeTwiceTheSizeTheLessonShows() throws {
    let lesson = """
      # Sizes

      ```dockerfile
      FROM alpine:3.20
      COPY note.txt /
      ```

      ```console
      $ echo hi > note.txt
      $ docker build -q -t note:1 .
      sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      $ docker images note
      REPOSITORY   TAG       IMAGE ID       CREATED          SIZE
      note         1         0123456789ab   10 seconds ago   SIZE_SHOWN
      $ docker pull -q busybox:1.36
      docker.io/library/busybox:1.36
      $ docker images busybox
      REPOSITORY   TAG       IMAGE ID       CREATED         SIZE
      busybox      1.36      1992d32a9dc3   15 months ago   130MB
      ```
      """
    let far = try check(lesson.replacingOccurrences(of: "SIZE_SHOWN", with: "130MB"), named: "far")
    #expect(far.steps.map(\.outcome) == [.passed, .passed, .passed, .failed, .passed, .passed])
    #expect(
      far.steps[3].differences.filter { $0.kind == .semantic }.map(\.reason) == [
        "note:1, which the lesson builds, is 7.8MB here but 130MB in the lesson: more than twice apart"
      ])
    #expect(far.steps[3].differences.last?.expectedLine == 14)
    // Within twice: pulled or built, sizes may differ.
    let near = try check(lesson.replacingOccurrences(of: "SIZE_SHOWN", with: "12MB"), named: "near")
    #expect(near.failed == 0, "\(ReportRenderer.text([near], color: false))")
  }
}
