import Foundation
import LabLesson
import LabTestSupport
import Testing

/// The lesson's prose as the stepper prints it, with and without colour.
@Suite("Markdown for a terminal")
struct RendererTests {
  static let fixture = "\(TestSupport.packageRoot)/Tests/LabLessonTests/Fixtures/rendering.md"

  @Test(arguments: [false, true])
  func aLessonRendersAsItsGoldenFile(color: Bool) throws {
    let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
    let rendered = TerminalRenderer(width: 60, color: color).render(text)
    let shown = color ? rendered.replacingOccurrences(of: "\u{1B}", with: "\\e") : rendered
    let difference = TestSupport.golden(
      shown, named: color ? "rendering-color.txt" : "rendering-plain.txt")
    #expect(difference == nil, "\(difference ?? "")")
  }

  @Test func linesFitTheWidthAndEscapesNeverSplit() throws {
    let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
    for width in [40, 60, 100] {
      let rendered = TerminalRenderer(width: width, color: true).render(text)
      for line in rendered.split(separator: "\n") {
        let visible = line.replacingOccurrences(
          of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        // Prose wraps; code blocks, tables and a single word too long keep their lines.
        let words = visible.split(separator: " ").count
        if !visible.hasPrefix("    sudo"), !visible.contains("docker "), !visible.contains("Shows"),
          words > 1
        {
          #expect(visible.count <= width, "\(width): \(visible)")
        }
        // Every escape that opens a style closes it on the same line.
        #expect(
          line.components(separatedBy: "\u{1B}[0m").count - 1
            >= line.components(separatedBy: "\u{1B}[").count - 1
            - (line.components(separatedBy: "\u{1B}[0m").count - 1),
          "\(line)")
      }
    }
  }

  @Test func deeplyNestedMarkdownRendersWithoutExhaustingTheStack() {
    let quotes = String(repeating: "> ", count: 5_000) + "deep"
    let emphasis = String(repeating: "*a ", count: 20_000)
    let rendered = TestSupport.onSmallStack {
      [
        TerminalRenderer(width: 60, color: false).render(quotes),
        TerminalRenderer(width: 60, color: true).render(emphasis),
      ]
    }
    #expect(rendered[0].contains("deep"))
    #expect(!rendered[1].isEmpty)
  }
}
