import ArgumentParser
import Foundation
import LabFiles
import LabImage
import LabLesson
import LabRegistryClient
import LabTerminal
import LabWorkshop

extension LayerLab {
  /// Checks a lesson again each time it is saved, as an author writes it.
  struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a lesson each time it is saved, showing its first difference.",
      discussion: "It looks at the file's modification time a few times a second. Ctrl-C leaves.")

    @Argument(help: "The lesson file.", completion: .file(extensions: ["md"]))
    var lesson: String

    @Flag(help: "Fail on approximate and cosmetic differences too.")
    var strict = false

    @Flag(help: "No colours, and no clearing of the screen.")
    var plain = false

    func run() throws {
      guard FileManager.default.fileExists(atPath: lesson) else {
        throw BadInput("\(lesson): no such file or directory")
      }
      let color = Terminal.usesColor && !plain
      var runner = LessonRunner(strict: strict, registry: EmbeddedRegistry.locate())
      runner.registryAccess = try StoreOptions.registryAccess(allowsLoopback: false)
      var seen: Date?
      while true {
        let modified =
          (try? FileManager.default.attributesOfItem(atPath: lesson)[.modificationDate]) as? Date
        if modified != seen {
          seen = modified
          ScratchDirectory.removeStale()
          printOut(Self.screen(runner.check(path: lesson), color: color, clears: !plain))
        }
        Thread.sleep(forTimeInterval: 0.3)
      }
    }

    /// What the watcher shows: the tally, then the first step that differs, as `check` shows it.
    static func screen(_ report: LessonReport, color: Bool, clears: Bool) -> String {
      func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
      }
      var out = clears ? "\u{1B}[2J\u{1B}[H" : "\n"
      out += paint(report.path, "1") + (report.title.isEmpty ? "" : " — \(report.title)") + "\n"
      if let error = report.error {
        out += paint("error: ", "31") + error + "\n"
      } else if let failing = report.steps.first(where: { $0.outcome == .failed }) {
        out += "\(report.passed) passed, \(report.failed) failed; the first difference:\n"
        let label =
          failing.kind == .command ? "$ " + failing.text : "\(failing.kind) \(failing.text)"
        out += "  " + paint("FAIL", "31") + " line \(failing.location.line): \(label)\n"
        out += ReportRenderer.describe(failing, in: report.path, paint: paint)
      } else {
        out += paint("✓ all \(report.passed) steps pass", "32") + "\n"
      }
      out += paint("Watching \(report.path): save it to check again; Ctrl-C leaves.", "2") + "\n"
      return out
    }
  }
}
