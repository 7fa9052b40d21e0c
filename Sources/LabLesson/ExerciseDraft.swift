import Foundation

/// An exercise as the parser reads it, block by block, from its directive to the next heading.
///
/// Its own blocks are fenced with the info strings `verify`, `solution` and `hint`, so the
/// lesson still reads well on GitHub; every other block is part of the task the learner reads.
struct ExerciseDraft {
  /// The info strings of an exercise's own blocks.
  static let tags: Set<String> = ["verify", "solution", "hint"]

  var title: String
  var location: SourceLocation
  var checks: [ExerciseCheck] = []
  var solution: [CommandStep] = []
  var hints: [String] = []
  /// Lines the learner must not see in the task: the checks, hints and the solution.
  var hidden: [ClosedRange<Int>] = []

  init(title: String, location: SourceLocation) {
    self.title = title
    self.location = location
  }

  /// Takes a fenced block inside the exercise: its own blocks are kept, others stay task text.
  mutating func take(
    tag: String, code: String, lines: ClosedRange<Int>, mode: MatchMode?, path: String
  ) {
    switch tag {
    case "verify":
      hidden.append(lines)
      // `$ ` prompts make it a transcript: each command's output must match. Otherwise it is a
      // script that exits 0 when the exercise is solved.
      let isTranscript = code.split(separator: "\n").contains { $0.hasPrefix("$ ") || $0 == "$" }
      if isTranscript {
        for var step in LessonParser.transcriptSteps(
          code, tag: "", firstLine: lines.lowerBound + 1, path: path
        ).steps {
          if let mode { step.expected?.mode = mode }
          checks.append(.output(step))
        }
      } else {
        checks.append(
          .script(code, location: SourceLocation(file: path, line: lines.lowerBound + 1)))
      }
    case "solution":
      hidden.append(lines)
      solution +=
        LessonParser.transcriptSteps(
          code, tag: "sh", firstLine: lines.lowerBound + 1, path: path
        ).steps
    case "hint":
      hidden.append(lines)
      let text = code.trimmingCharacters(in: .whitespacesAndNewlines)
      if !text.isEmpty { hints.append(text) }
    default:
      break
    }
  }

  /// The exercise, its task being the lines up to `line` that are not its own blocks.
  func finished(endingBefore line: Int, lines source: [String]) -> Exercise {
    let first = location.line + 1
    var last = min(line - 1, source.count)
    // Blank lines at the end belong to no one.
    while last >= first, source[last - 1].trimmingCharacters(in: .whitespaces).isEmpty {
      last -= 1
    }
    var task: [String] = []
    if first <= last {
      for number in first...last where !hidden.contains(where: { $0.contains(number) }) {
        task.append(source[number - 1])
      }
    }
    return Exercise(
      title: title, task: Self.tidy(task), checks: checks, solution: solution, hints: hints,
      location: location, endLine: max(location.line, last))
  }

  /// The task's lines without the runs of blank lines the removed blocks leave, nor the
  /// `<details>` that folded them away on GitHub.
  static func tidy(_ lines: [String]) -> String {
    var result: [String] = []
    // What a `<details>` folds away is for readers who look: the learner asks with `:hint`
    // and `:solution`.
    var folded = false
    for line in lines {
      let trimmed = line.trimmingCharacters(in: .whitespaces).lowercased()
      if trimmed.hasPrefix("<details") {
        folded = !trimmed.contains("</details")
        continue
      }
      if trimmed.hasPrefix("</details") {
        folded = false
        continue
      }
      if folded || trimmed.hasPrefix("<summary") { continue }
      let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
      if blank && (result.last?.isEmpty ?? true) { continue }
      result.append(blank ? "" : line)
    }
    while result.last?.isEmpty == true { result.removeLast() }
    return result.joined(separator: "\n")
  }
}
