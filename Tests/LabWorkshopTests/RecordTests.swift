import Foundation
import LabImage
import LabLesson
import LabTestSupport
import LabWorkshop
import Testing

/// `layerlab record`: the outputs that changed, and nothing else.
@Suite("Recording lessons")
struct RecordTests {
  static let stale = """
    # Stale

    Some prose that must stay byte for byte.\\u{20}\\u{20}

    ```console
    $ docker pull -q alpine
    docker.io/library/alpine:latest
    $ docker images
    REPOSITORY   TAG       IMAGE ID       CREATED       SIZE
    alpine       latest    0123456789ab   5 weeks ago   7.8MB
    $ printf 'one\\ntwo\\nthree\\nfour\\n'
    one
    ...
    four
    $ printf 'alpha\\nbeta\\ngamma\\n'
    alpha
    BETA
    gamma
    $ docker image inspect -f '{{.Id}} {{.Os}}' 0123456789ab
    sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef windows
    $ echo unseen
    ```
    """

  let runner = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))

  func lessonFile(_ text: String = stale) throws -> String {
    let path = try TestSupport.scratchDirectory("record") + "/lesson.md"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func onlyTheLinesThatDifferChangeAndTheAuthorsPatternsAndIDsStay() throws {
    let path = try lessonFile()
    let recording = try LessonRecorder.record(path: path, runner: runner, fill: false)
    #expect(recording.changedBlocks == 2)
    // Recording computes; only `write` touches the file.
    #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.stale)
    try LessonRecorder.write(recording)
    let updated = try String(contentsOfFile: path, encoding: .utf8)
    let lines = updated.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let old = Self.stale.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.count == old.count)
    let changed = zip(old, lines).enumerated().filter { $0.element.0 != $0.element.1 }
    #expect(changed.map(\.offset) == [16, 19], "\(changed)")
    #expect(lines[16] == "beta")
    // The learner's ID where the author's short one stands, and the platform as it is.
    #expect(lines[19].hasPrefix("sha256:"))
    #expect(lines[19].hasSuffix(" linux"))
    let report = runner.check(path: path)
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    // Nothing left to record.
    #expect(try LessonRecorder.record(path: path, runner: runner, fill: false).isUpToDate)
  }

  @Test func fillWritesTheOutputsTheLessonDoesNotShow() throws {
    let path = try lessonFile()
    let recording = try LessonRecorder.record(path: path, runner: runner, fill: true)
    #expect(recording.changedBlocks == 3)
    #expect(recording.updated.hasSuffix("$ echo unseen\nunseen\n```"))
  }

  @Test func aLessonChangedDuringTheRecordIsNotOverwritten() throws {
    let path = try lessonFile()
    let recording = try LessonRecorder.record(path: path, runner: runner, fill: false)
    try Data((Self.stale + "\nA late edit.\n").utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: LessonError.self) { try LessonRecorder.write(recording) }
    #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("A late edit.\n"))
  }

  @Test func theDiffIsUnifiedAndNamesTheLesson() throws {
    let path = try lessonFile()
    let recording = try LessonRecorder.record(path: path, runner: runner, fill: false)
    let diff = LessonRecorder.unifiedDiff(recording)
    #expect(diff.hasPrefix("--- \(path)\n+++ \(path)\n@@ -14,"))
    #expect(diff.contains("\n-BETA\n"))
    #expect(diff.contains("\n+beta\n"))
  }
}

extension RecordTests {
  @Test func anElisionInABlockThatChangedStays() throws {
    let lesson = """
      # Elided

      ```console
      $ printf 'one\\ntwo\\nthree\\nfour\\nfive\\n'
      one
      ...
      FIVE
      ```
      """
    let path = try lessonFile(lesson)
    let recording = try LessonRecorder.record(path: path, runner: runner, fill: false)
    #expect(recording.updated == lesson.replacingOccurrences(of: "FIVE", with: "five"))
  }
}
