import Foundation
import LabImage
import LabLesson
import LabTestSupport
import LabWorkshop
import Testing

/// The authoring guide's examples are lessons, and they pass: the guide cannot drift from the
/// tool.
@Suite("The authoring guide")
struct GuideTests {
  static let guide = "\(TestSupport.packageRoot)/docs/authoring.md"

  /// Each `<!-- example: NAME -->` and the ````markdown block after it.
  static var examples: [(name: String, text: String)] {
    guard let text = try? String(contentsOfFile: guide, encoding: .utf8) else { return [] }
    var examples: [(String, String)] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var index = 0
    while index < lines.count {
      let line = lines[index].trimmingCharacters(in: .whitespaces)
      index += 1
      guard line.hasPrefix("<!-- example:"), line.hasSuffix("-->") else { continue }
      let name = line.dropFirst(13).dropLast(3).trimmingCharacters(in: .whitespaces)
      while index < lines.count, !lines[index].hasPrefix("````") { index += 1 }
      index += 1
      var body: [String] = []
      while index < lines.count, lines[index] != "````" {
        body.append(lines[index])
        index += 1
      }
      examples.append((name, body.joined(separator: "\n") + "\n"))
    }
    return examples
  }

  @Test func theGuideHasExamples() {
    #expect(Self.examples.count >= 3)
  }

  @Test(arguments: examples.map(\.name))
  func everyExamplePasses(name: String) throws {
    let text = try #require(Self.examples.first { $0.name == name }?.text)
    let path = try TestSupport.scratchDirectory("guide") + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let report = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))
      .check(path: path)
    #expect(report.error == nil, "\(name): \(report.error ?? "")")
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    #expect(!report.steps.isEmpty)
  }
}
