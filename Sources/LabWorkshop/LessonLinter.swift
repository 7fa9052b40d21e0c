import Foundation
import LabFiles
import LabImage
import LabLesson
import LabSnapshot

/// Static checks of a lesson: what would make it fail or mislead, found without running it.
public enum LessonLinter {
  public static func lint(path: String) -> [LessonDiagnostic] {
    let lesson: Lesson
    do {
      lesson = try LessonParser.parse(contentsOf: path)
    } catch {
      let location = error.location ?? SourceLocation(file: path, line: 1)
      return [LessonDiagnostic(location: location, severity: .error, message: error.message)]
    }
    var diagnostics = lesson.warnings
    // Author IDs in commands that no earlier output shows.
    var shown: [String] = []
    var created: Set<String> = []
    for step in lesson.steps {
      switch step {
      case .file(let file, _, _): created.insert(PathText.name(file))
      case .clock(let text, let location):
        if VirtualClock.parse(text) == nil {
          diagnostics.append(
            LessonDiagnostic(
              location: location, severity: .error,
              message: "'\(text)' is not a time in the years 1 to 9999"))
        }
      case .command(let command):
        var bindings = Bindings()
        for id in shown {
          _ = bindings.bind(id, to: id, kind: id.count == 12 ? .shortID : .digest, origin: "")
        }
        for id in bindings.unbound(in: command.command) {
          diagnostics.append(
            LessonDiagnostic(
              location: command.location, severity: .warning,
              message: "\(id) is used before any output shows it"))
        }
        if let expected = command.expected {
          shown += Tokenizer.identifiers(in: expected.text)
        }
      }
    }
    // Files the prose mentions as things to create, but no step creates.
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    for block in MarkdownReader.blocks(text) {
      guard case .paragraph(let prose, let spans, let line) = block else { continue }
      let lower = prose.lowercased()
      guard lower.contains("create") else { continue }
      for span in spans
      where span.contains(".") && !span.contains(" ") && !created.contains(PathText.name(span)) {
        diagnostics.append(
          LessonDiagnostic(
            location: SourceLocation(file: path, line: line), severity: .warning,
            message: "the prose mentions \(span) but no step creates it"))
      }
    }
    return diagnostics
  }
}
