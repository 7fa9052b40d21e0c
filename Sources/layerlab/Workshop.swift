import ArgumentParser
import Foundation
import LabBundle
import LabFiles
import LabImage
import LabLesson
import LabTerminal
import LabWorkshop

/// The bundled workshop in `lessons/`, and finding lessons by name.
enum Workshop {
  /// The workshop's lessons, in order: every `.md` but the README of `$LAYERLAB_LESSONS`
  /// when it names a folder, else of the copy of `lessons/` inside the executable
  /// (`bundled:lessons/01-images.md`).
  static func lessons() -> [String] {
    let isLesson = { (name: String) in name.hasSuffix(".md") && name != "README.md" }
    if let folder = ProcessInfo.processInfo.environment["LAYERLAB_LESSONS"], !folder.isEmpty {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      return names.filter(isLesson).sorted().map { folder + "/" + $0 }
    }
    return BundledFiles.paths(under: "lessons").filter { !$0.contains("/") && isLesson($0) }
      .sorted().map { BundledFiles.pathPrefix + "lessons/" + $0 }
  }

  /// A lesson file from what the learner typed: a path, or a bundled lesson's name or number.
  static func resolve(_ name: String) throws -> String {
    if BundledFiles.file(named: name) != nil { return name }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { return name }
      // A folder: its first lesson not finished yet.
      let lessons = try LessonFiles.find(name).filter { !$0.hasSuffix("README.md") }
      guard let first = lessons.first else { throw BadInput("\(name): no lessons in this folder") }
      return lessons.first { !isFinished($0) } ?? first
    }
    let bundled = lessons()
    if let number = Int(name), number >= 1, number <= bundled.count { return bundled[number - 1] }
    if let match = bundled.first(where: {
      PathText.name($0) == name || PathText.name($0) == name + ".md"
        || PathText.name($0).dropFirst(3).hasPrefix(name)
    }) {
      return match
    }
    throw BadInput("\(name): no such lesson file, and no bundled lesson of that name")
  }

  static func isFinished(_ lesson: String) -> Bool {
    guard let options = try? StoreOptions.parse([]) else { return false }
    return LessonPlace(lessonPath: lesson, dataDirectory: options.dataDirectory).loadProgress()?
      .isFinished ?? false
  }

  /// The heading the step stands under: the last one in the prose up to it.
  static func section(before step: Int, in lesson: Lesson) -> String {
    for index in stride(from: min(step, lesson.prose.before.count - 1), through: 0, by: -1) {
      let lines = lesson.prose.before[index].split(separator: "\n")
      if let heading = lines.last(where: { $0.hasPrefix("#") }) {
        return heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
      }
    }
    return lesson.title
  }

  /// `:list`: every step the learner acts on, with where they are.
  static func stepList(_ stepper: Stepper) -> String {
    var out = ""
    var number = 0
    for (index, step) in stepper.lesson.steps.enumerated() where Stepper.isInteractive(step) {
      number += 1
      let mark =
        switch stepper.outcomes[index] {
        case _ where index == stepper.position: "▸"
        case .done, .solved: "✓"
        case .skipped: "–"
        case nil: "·"
        }
      let text: String
      switch step {
      case .command(let command): text = "$ " + command.command.split(separator: "\n")[0]
      case .file(let path, _, _): text = "create " + path
      case .addToFile(let path, _, _): text = "add to " + path
      case .clock: text = ""
      case .exercise(let exercise):
        let state = stepper.exercises[index]
        var details: [String] = []
        if stepper.outcomes[index] == .solved, let state {
          details.append("solved in \(state.commands), par \(exercise.solution.count)")
        }
        if let state, state.hintsShown > 0 {
          details.append("\(state.hintsShown) hint\(state.hintsShown == 1 ? "" : "s")")
        }
        if state?.solutionShown == true { details.append("solution shown") }
        text =
          "exercise: " + exercise.title
          + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")
      }
      out += "  \(mark) \(String(number).leftPadded(to: 2)) \(text)\n"
    }
    return out
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}

extension LayerLab {
  /// `layerlab` alone: the bundled workshop, its lessons and where the learner is.
  struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "workshop",
      abstract: "The bundled workshop: pick a lesson, or go on where you left off.")

    @OptionGroup var options: StoreOptions

    func run() throws {
      let lessons = Workshop.lessons()
      guard !lessons.isEmpty else {
        let folder = ProcessInfo.processInfo.environment["LAYERLAB_LESSONS"] ?? ""
        throw BadInput(
          "no lessons in \(folder) (LAYERLAB_LESSONS); unset it for the bundled workshop, "
            + "or run a lesson of your own with: layerlab run LESSON.md")
      }
      printOut("LayerLab workshop: container images, hands on.\n\n")
      for (index, path) in lessons.enumerated() {
        let title = (try? LessonParser.parse(contentsOf: path))?.title ?? PathText.name(path)
        let place = LessonPlace(lessonPath: path, dataDirectory: options.dataDirectory)
        var state = ""
        if let progress = place.loadProgress() {
          state =
            progress.isFinished
            ? "done" : "at step \(progress.log.last.map { $0.step + 1 } ?? 1)"
          let (solved, reached) = progress.exerciseTally
          if reached > 0 { state += " · exercises \(solved)/\(reached) solved" }
        }
        printOut(
          "  \(String(index + 1).leftPadded(to: 2)). \(title)\(state.isEmpty ? "" : "  (\(state))")\n"
        )
      }
      guard Terminal.isInteractive else {
        printOut("\nStart a lesson with: layerlab run 1   (or its number, or its file)\n")
        return
      }
      printOut("\nWhich lesson? (a number, Enter for the next one, q to leave) ")
      guard let answer = readLine(strippingNewline: true), answer != "q" else { return }
      let next =
        Int(answer)
        ?? (lessons.firstIndex { !Workshop.isFinished($0) }.map { $0 + 1 } ?? 1)
      guard next >= 1, next <= lessons.count else {
        throw BadInput("there is no lesson \(answer)")
      }
      var run = try LayerLab.Run.parse([lessons[next - 1]])
      run.options = options
      try run.run()
    }
  }
}
