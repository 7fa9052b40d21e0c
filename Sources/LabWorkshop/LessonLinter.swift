import Foundation
import LabDocker
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
      case .exercise(let exercise):
        diagnostics += lint(exercise)
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

  /// An exercise needs a check and a model solution; hints are kind; checks only look.
  static func lint(_ exercise: Exercise) -> [LessonDiagnostic] {
    var diagnostics: [LessonDiagnostic] = []
    func say(_ severity: LessonDiagnostic.Severity, _ message: String, at: SourceLocation? = nil) {
      diagnostics.append(
        LessonDiagnostic(
          location: at ?? exercise.location, severity: severity, message: message))
    }
    if exercise.checks.isEmpty {
      say(.error, "the exercise has no verify block, so nothing can tell it is solved")
    }
    if exercise.solution.isEmpty {
      say(
        .warning,
        "the exercise has no solution block: check cannot prove it solvable, nor a learner see one")
    }
    if exercise.hints.isEmpty {
      say(.note, "the exercise has no hints: a ```hint block helps a learner who is stuck")
    }
    for check in exercise.checks {
      let script: String
      switch check {
      case .script(let text, _): script = text
      case .output(let step): script = step.command
      }
      for command in dockerCommands(in: script) where Docker.changesStore(command) {
        say(
          .error,
          "the check runs `docker \(command.joined(separator: " "))`, which changes images: "
            + "a check may only look (it runs read-only)", at: check.location)
      }
    }
    return diagnostics
  }

  /// The arguments of each `docker` command in a script, read word by word.
  static func dockerCommands(in script: String) -> [[String]] {
    let separators: Set<Character> = [";", "|", "&", "(", ")", "`", "\n", "{", "}"]
    let leaders: Set<String> = [
      "sudo", "!", "if", "then", "else", "elif", "do", "while", "until", "time", "command", "exec",
    ]
    var commands: [[String]] = []
    for piece in script.split(whereSeparator: { separators.contains($0) }) {
      let words = piece.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let index = words.firstIndex(where: { $0 == "docker" }),
        words[..<index].allSatisfy({ leaders.contains($0) || $0.contains("=") })
      else { continue }
      commands.append(Array(words[(index + 1)...]))
    }
    return commands
  }
}
