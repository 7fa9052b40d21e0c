import Foundation
import LabImage
import LabLesson
import LabTestSupport
import LabWorkshop
import Testing

/// Lessons from the internet that once crashed `layerlab check` or `lint`: each gets a clear
/// answer now.
@Suite("Lessons that once crashed the runner")
struct HostileLessonTests {
  let runner = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))

  /// Writes `text` as a lesson and returns its path.
  func lesson(_ text: String) throws -> String {
    let path = try TestSupport.scratchDirectory("hostile") + "/lesson.md"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test(arguments: ["1e300", "nan", "inf", "-1e19", "10000-01-01T00:00:00Z"])
  func aClockOutsideTheYears1To9999FailsItsStep(time: String) throws {
    let path = try lesson(
      "# Clock\n\n<!-- layerlab: clock \(time) -->\n\n```sh\ndate -u\n```\n")
    let report = TestSupport.onSmallStack { [runner] in runner.check(path: path) }
    #expect(report.steps.map(\.outcome) == [.failed, .passed])
    #expect(report.steps.first?.notes == ["'\(time)' is not a time in the years 1 to 9999"])
    // The clock stays at its default start.
    #expect(report.steps.last?.actual == "Sun Sep  1 12:00:00 UTC 2024\n")
    #expect(
      LessonLinter.lint(path: path).map(\.description) == [
        "\(path):3:1: error: '\(time)' is not a time in the years 1 to 9999 [LL003]"
      ])
  }

  @Test func aLessonOf600KBOfEmphasisIsLintedAndChecked() throws {
    let prose =
      String(repeating: "*a ", count: 100_000) + "b" + String(repeating: " a*", count: 100_000)
    let path = try lesson("# Stars\n\n\(prose)\n\n```sh\necho hi\n```\n\n```\nhi\n```\n")
    let (diagnostics, report) = TestSupport.onSmallStack { [runner] in
      (LessonLinter.lint(path: path), runner.check(path: path))
    }
    #expect(diagnostics.isEmpty)
    #expect(report.error == nil)
    #expect(report.steps.map(\.outcome) == [.passed])
  }
}
