import Foundation
import LabImage
import LabJSON
import LabLesson
import LabSnapshot
import LabTestSupport
import LabWorkshop
import Testing

@Suite("layerlab check on lessons")
struct CheckTests {
  let runner = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

  func report(_ path: String) -> LessonReport { runner.check(path: path) }

  /// The text report with the machine's paths taken out.
  func text(_ reports: [LessonReport], replacing prefix: String) -> String {
    ReportRenderer.text(reports, color: false).replacingOccurrences(of: prefix + "/", with: "")
  }

  @Test func aLessonOfOurOwnPasses() {
    let result = report("\(Self.fixtures)/layers.md")
    #expect(result.error == nil)
    #expect(result.failed == 0)
    #expect(result.passed == 10)
    if let difference = TestSupport.golden(
      text([result], replacing: Self.fixtures), named: "layers-report.txt")
    {
      Issue.record(Comment(rawValue: difference))
    }
  }

  @Test func theSeedLessonPassesUnmodified() throws {
    guard let shared = TestSupport.sharedRoot,
      FileManager.default.fileExists(atPath: "\(shared)/seed/images.md")
    else {
      return
    }
    let result = report("\(shared)/seed/images.md")
    #expect(result.error == nil)
    #expect(result.failed == 0, "\(ReportRenderer.text([result], color: false))")
    #expect(result.passed == 13)
    // The layer walk ran against the learner's own layer, rewritten from the author's.
    let walk = result.steps.filter {
      $0.text.hasPrefix("sudo ls /var/lib/docker/image/overlay2/layerdb/sha256/")
    }
    #expect(walk.count == 1)
    #expect(walk.first?.text.contains("9853575bc4f9") == false)
  }

  /// Copies of the seed, each with one real mistake, fail at that step.
  static let mistakes: [(name: String, line: Int, edit: @Sendable (String) -> String)] = [
    (
      "a misspelt image name in a table", 62,
      {
        $0.replacingOccurrences(
          of: "example     latest    78d35b56c06c   8 seconds ago",
          with: "exmaple     latest    78d35b56c06c   8 seconds ago")
      }
    ),
    (
      "six layers instead of seven", 104,
      {
        $0.replacingOccurrences(
          of:
            ",\n        \"sha256:6bfd14ad8ccc8b286d3a639fb289f9470055fe73c562b0f7d0092d6d5501fe42\"",
          with: "")
      }
    ),
    (
      "committed  diff instead of committed  diff  link", 154,
      { $0.replacingOccurrences(of: "committed  diff  link", with: "committed  diff") }
    ),
    (
      "a cache-id that contradicts the one printed before", 154,
      { text in
        guard
          let range = text.range(
            of:
              "sudo ls /var/lib/docker/overlay2/8c1792bbae4483c0a4b5664c5e9b5cda891f295399442b2a98474de7854ee257"
          )
        else { return text }
        return text.replacingCharacters(
          in: range,
          with:
            "sudo ls /var/lib/docker/overlay2/1c1792bbae4483c0a4b5664c5e9b5cda891f295399442b2a98474de7854ee257"
        )
      }
    ),
  ]

  @Test(arguments: mistakes.indices)
  func aMistakeFailsAtItsStep(index: Int) throws {
    guard let shared = TestSupport.sharedRoot,
      let seed = FileManager.default.contents(atPath: "\(shared)/seed/images.md")
    else {
      return
    }
    let mistake = Self.mistakes[index]
    let original = String(decoding: seed, as: UTF8.self)
    let edited = mistake.edit(original)
    #expect(edited != original, "the edit for \(mistake.name) changed nothing")
    let directory = try TestSupport.scratchDirectory("mistake")
    try Data(edited.utf8).write(to: URL(fileURLWithPath: "\(directory)/images.md"))
    let result = report("\(directory)/images.md")
    let failed = result.steps.filter { $0.outcome == .failed }
    #expect(
      failed.map(\.location.line) == [mistake.line],
      "\(mistake.name): \(ReportRenderer.text([result], color: false))")
    #expect(failed.first?.differences.contains { $0.kind == .semantic } == true)
  }

  @Test func reportsForCISystems() throws {
    let passing = report("\(Self.fixtures)/layers.md")
    let directory = try TestSupport.scratchDirectory("report")
    let broken = "\(directory)/broken.md"
    try Data("# Broken\n\n```console\n$ docker pull alpine\nnot what docker prints\n```\n".utf8)
      .write(to: URL(fileURLWithPath: broken))
    let failing = report(broken)
    #expect(failing.failed == 1)
    let reports = [passing, failing]

    let json = try JSONValue(parsing: ReportRenderer.render(reports, as: .json))
    #expect(json["passed"]?.intValue == 10)
    #expect(json["failed"]?.intValue == 1)
    #expect(json["lessons"]?.arrayValue?.count == 2)

    let junit = ReportRenderer.render(reports, as: .junit)
    #expect(
      junit.hasPrefix(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"layerlab\" tests=\"11\" failures=\"1\">"
      ))
    #expect(junit.contains("<failure message=\"the line differs\">"))

    let tap = ReportRenderer.render(reports, as: .tap)
    #expect(tap.hasPrefix("TAP version 13\n1..11\nok 1 - "))
    #expect(tap.contains("not ok 11 - \(broken):4 docker pull alpine"))
    #expect(ReportRenderer.text(reports, color: false).hasSuffix("10 passed, 1 failed\n"))
  }

  @Test func badLessonsAreReportedWithTheirLine() throws {
    let directory = try TestSupport.scratchDirectory("bad")
    let path = "\(directory)/bad.md"
    try Data("# Bad\n\n<!-- layerlab: frobnicate -->\n".utf8).write(to: URL(fileURLWithPath: path))
    #expect(report(path).error == "\(path):3: error: unknown directive 'layerlab: frobnicate'")
  }

  @Test func anOutputBlockAfterNoCommandIsAWarningAndTheLessonRunsOn() throws {
    let directory = try TestSupport.scratchDirectory("orphan")
    let path = "\(directory)/orphan.md"
    try Data("# Orphan\n\n```\norphan\n```\n\n```sh\necho on\n```\n".utf8).write(
      to: URL(fileURLWithPath: path))
    let result = report(path)
    #expect(result.error == nil)
    #expect(
      result.warnings == [
        "\(path):3:1: warning: an output block follows no command: it is read as prose [LL014]"
      ])
    #expect(result.steps.map(\.text) == ["echo on"])
    #expect(result.passed == 1)
  }

  @Test func lintFindsWhatWouldGoWrong() throws {
    let directory = try TestSupport.scratchDirectory("lint")
    let path = "\(directory)/lint.md"
    let text = """
      # Lint

      First create `app.py` and `config.yaml`.

      ```python title="app.py"
      print(1)
      ```

      ```sh
      sudo ls /var/lib/docker/overlay2/4444444444444444444444444444444444444444444444444444444444444444
      ```
      """
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let messages = LessonLinter.lint(path: path).map(\.description)
    #expect(
      messages.contains(
        "\(path):10:1: warning: 4444444444444444444444444444444444444444444444444444444444444444 is used before any output shows it [LL004]"
      ))
    #expect(
      messages.contains(
        "\(path):3:1: warning: the prose mentions config.yaml but no step creates it [LL005]")
    )
    #expect(!messages.contains { $0.contains("app.py") })
  }

  @Test func aContainersPromptBindsItsIDToTheContainer() throws {
    let root = try TestSupport.scratchDirectory("prompt-id")
    let lesson = """
      # Inside

      ```console
      $ docker pull -q busybox
      docker.io/library/busybox:latest
      $ docker run -it ubuntu bash
      root@3f2a4c1d9e0b:/# touch /inside
      root@3f2a4c1d9e0b:/# exit
      exit
      $ docker diff 3f2a4c1d9e0b
      A /inside
      ```
      """
    let report = runner.run(try LessonParser.parse(lesson, path: root + "/inside.md"))
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    let pair = try #require(report.bindings.first { $0.author == "3f2a4c1d9e0b" })
    #expect(pair.actual.count == 12)
    #expect(pair.origin == root + "/inside.md:7")
    #expect(report.steps.last?.text == "docker diff \(pair.actual)")
  }

  @Test func anOutputBlockMayShowTheWholeBlockOrItsLastCommand() throws {
    let directory = try TestSupport.scratchDirectory("blocks")
    let path = "\(directory)/blocks.md"
    let text = """
      # Blocks

      ```sh
      mkdir site && cd site
      echo hello > index.html
      cat index.html
      ls
      ```

      ```
      hello
      index.html
      ```

      ```sh
      cd ~
      ls site
      ```

      ```
      index.html
      ```

      ```sh
      echo one
      echo two
      ```

      ```
      two
      one
      ```
      """
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let result = report(path)
    let outcomes = result.steps.map { "\($0.location.line) \($0.outcome)" }
    #expect(
      outcomes == [
        "4 passed", "5 passed", "6 passed", "7 passed", "16 passed", "17 passed", "25 passed",
        "26 failed",
      ])
    #expect(result.steps[3].notes == ["the output shown is the whole block's"])
    #expect(result.steps[5].notes.isEmpty)
  }

  @Test func statusLinesAreChecked() throws {
    let directory = try TestSupport.scratchDirectory("status")
    let path = "\(directory)/status.md"
    let text = """
      # Status

      ```console
      $ docker rmi nosuch
      Error response from daemon: No such image: nosuch:latest
      [1]
      $ docker image ls -q
      [1]
      $ docker pull nosuch
      ? success
      Using default tag: latest
      [..]
      ```
      """
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let result = report(path)
    #expect(result.steps.map(\.outcome) == [.passed, .failed, .failed])
    #expect(
      result.steps[1].differences.map(\.reason) == [
        "the command exited with status 0; the lesson expects status 1"
      ])
  }
}

/// What a failing step's report says: where in the lesson, what differs, in plain words.
@Suite("Failure reports people can read")
struct FailureReportTests {
  func check(_ lesson: String) throws -> (report: LessonReport, text: String, path: String) {
    let directory = try TestSupport.scratchDirectory("report")
    let path = "\(directory)/lesson.md"
    try Data(lesson.utf8).write(to: URL(fileURLWithPath: path))
    let report = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))
      .check(path: path)
    return (report, ReportRenderer.text([report], color: false), path)
  }

  @Test func aDifferingLinePointsAtTheLessonsLineWithAHunk() throws {
    let (report, text, path) = try check(
      """
      # Lines

      ```console
      $ printf 'one\\ntwo\\nthree\\nfour\\n'
      one
      two
      THREE
      four
      ```
      """)
    #expect(report.failed == 1)
    #expect(text.contains("       \(path):7: the line differs\n"), "\(text)")
    #expect(
      text.contains(
        """
               @@ \(path):5 @@
                one
                two
               -THREE
               +three
                four

        """), "\(text)")
  }

  @Test func extraAndMissingRowsAreNamed() throws {
    let (_, text, path) = try check(
      """
      # Images

      ```console
      $ docker pull -q alpine && docker pull -q busybox
      docker.io/library/alpine:latest
      docker.io/library/busybox:latest
      $ docker images
      REPOSITORY   TAG       IMAGE ID       CREATED       SIZE
      alpine       latest    91ef0af61f39   2 weeks ago   7.8MB
      ```

      ```console
      $ docker images
      REPOSITORY   TAG       IMAGE ID       CREATED       SIZE
      alpine       latest    91ef0af61f39   2 weeks ago   7.8MB
      busybox      latest    a416a98b71e2   2 weeks ago   4.26MB
      nginx        latest    5ef79149e0ec   2 weeks ago   188MB
      ```
      """)
    #expect(text.contains("1 row more than the lesson shows"), "\(text)")
    #expect(text.contains("\(path):17: the output has no row like this one"), "\(text)")
    // Plain words, no jargon.
    #expect(!text.contains("semantic"))
  }

  @Test func acceptedDifferencesSayWhy() throws {
    let (report, text, _) = try check(
      """
      # Pull

      ```console
      $ docker pull -q alpine && docker images -q
      docker.io/library/alpine:latest
      0123456789ab
      ```
      """)
    #expect(report.failed == 0, "\(text)")
    #expect(text.contains("accepted: image and layer IDs differ from the lesson's — expected"))
  }
}
