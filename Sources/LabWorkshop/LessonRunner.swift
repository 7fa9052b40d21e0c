import Foundation
import LabDocker
import LabImage
import LabLesson
import LabShell
import LabSnapshot

/// What happened at one step of a lesson.
public struct StepReport: Sendable {
  public enum Outcome: String, Sendable {
    case passed, failed, skipped
  }

  public var location: SourceLocation
  /// `command`, `file` or `clock`.
  public var kind: String
  /// The command as run, after bindings rewrote it; the file path for a file step.
  public var text: String
  public var outcome: Outcome
  public var expected: String?
  public var actual: String?
  public var status: Int32 = 0
  public var differences: [Difference] = []
  /// Remarks: author IDs nothing bound, implied steps.
  public var notes: [String] = []
}

/// What happened in one lesson.
public struct LessonReport: Sendable {
  public var path: String
  public var title: String
  public var steps: [StepReport] = []
  public var bindings: [Bindings.Pair] = []
  /// Set when the lesson could not be read or parsed.
  public var error: String?

  public var passed: Int { steps.filter { $0.outcome == .passed }.count }
  public var failed: Int { steps.filter { $0.outcome == .failed }.count }
}

/// Runs lessons in fresh sandboxes and checks every step's output.
public struct LessonRunner: Sendable {
  public var strict: Bool
  public var registry: EmbeddedRegistry?

  public init(strict: Bool = false, registry: EmbeddedRegistry?) {
    self.strict = strict
    self.registry = registry
  }

  /// Reads, parses and runs the lesson at `path`.
  public func check(path: String) -> LessonReport {
    guard let data = FileManager.default.contents(atPath: path) else {
      return LessonReport(path: path, title: "", error: LessonError.unreadable(path).description)
    }
    do {
      let lesson = try LessonParser.parse(String(decoding: data, as: UTF8.self), path: path)
      return run(lesson, directory: PathText.parent(path))
    } catch {
      return LessonReport(path: path, title: "", error: error.description)
    }
  }

  /// Runs a parsed lesson in a fresh store and workspace.
  public func run(_ lesson: Lesson, directory: String = ".") -> LessonReport {
    var report = LessonReport(path: lesson.path, title: lesson.title)
    let scratch = NSTemporaryDirectory() + "layerlab-check-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let store = ImageStore(root: scratch + "/store")
    let workspace = scratch + "/workspace"
    do {
      try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
      try store.initialize()
    } catch {
      report.error = "cannot create a scratch store: \(error)"
      return report
    }
    var clock = VirtualClock()
    var sandbox = Sandbox(
      environment: DockerEnvironment(
        store: store, registry: registry, now: clock.now, workingDirectory: workspace))
    var bindings = Bindings()
    let matcher = Matcher(strict: strict)
    /// What the commands of the current block printed, for an output block that shows them all.
    var blockOutputs: [String] = []
    for step in lesson.steps {
      switch step {
      case .clock(let text, let location):
        guard let date = VirtualClock.parse(text) else {
          report.steps.append(
            StepReport(
              location: location, kind: "clock", text: text, outcome: .failed,
              notes: ["'\(text)' is not a time"]))
          continue
        }
        clock = VirtualClock(now: date)
      case .file(let path, let content, let location):
        var outcome = StepReport.Outcome.passed
        var notes: [String] = []
        if let failure = sandbox.shell.writeFile(path, content: content) {
          outcome = .failed
          notes.append(failure)
        }
        report.steps.append(
          StepReport(location: location, kind: "file", text: path, outcome: outcome, notes: notes))
      case .command(let commandStep):
        var notes: [String] = []
        let unbound = bindings.unbound(in: commandStep.command)
        if !unbound.isEmpty {
          notes.append("uses \(unbound.joined(separator: ", ")), which no earlier output showed")
        }
        if commandStep.isImplied { notes.append("the prose names this command") }
        let command = bindings.rewrite(commandStep.command)
        sandbox.shell.docker.now = clock.now
        let result = sandbox.run(commandLine: command)
        clock.advance()
        let actual = result.interleaved
        if commandStep.blockMates == 0 { blockOutputs = [] }
        let wholeBlock = blockOutputs.suffix(commandStep.blockMates).joined() + actual
        blockOutputs.append(actual)
        var stepReport = StepReport(
          location: commandStep.location, kind: "command", text: command, outcome: .passed,
          expected: commandStep.expected?.text, actual: actual, status: result.status, notes: notes)
        if let expected = commandStep.expected {
          let comparison = Comparison(rawValue: expected.mode.rawValue) ?? .normal
          var lastBindings = bindings
          var verdict = matcher.match(
            expected: expected.text, actual: actual, comparison: comparison,
            command: command, bindings: &lastBindings, origin: expected.location.description)
          if !verdict.passed && commandStep.blockMates > 0 {
            var blockBindings = bindings
            let whole = matcher.match(
              expected: expected.text, actual: wholeBlock, comparison: comparison,
              command: command, bindings: &blockBindings, origin: expected.location.description)
            if whole.passed {
              verdict = whole
              stepReport.actual = wholeBlock
              stepReport.notes.append("the output shown is the whole block's")
              lastBindings = blockBindings
            }
          }
          bindings = lastBindings
          stepReport.differences = verdict.differences
          stepReport.outcome = verdict.passed ? .passed : .failed
          if !verdict.passed && result.status != 0 {
            // A failed command: its error says more than a comparison of its output.
            let message = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            stepReport.differences = [
              Difference(
                kind: .semantic, expected: expected.text.trimmingCharacters(in: .newlines),
                actual: message.isEmpty ? nil : message,
                reason: "the command failed with status \(result.status)")
            ]
          }
        } else if result.status != 0 {
          stepReport.outcome = .failed
          stepReport.differences = [
            Difference(
              kind: .semantic, expected: nil, actual: actual.isEmpty ? nil : actual,
              reason: "the command failed with status \(result.status)")
          ]
        }
        report.steps.append(stepReport)
      }
    }
    report.bindings = bindings.pairs
    return report
  }
}

extension Shell {
  /// Writes a lesson's file into the workspace; returns why it could not.
  mutating func writeFile(_ path: String, content: String) -> String? {
    let target = path.hasPrefix("/") ? path : VirtualFileSystem.home + "/" + path
    do {
      try fileSystem.makeDirectory(PathText.parent(target), from: "/", parents: true)
      try fileSystem.write(Array(content.utf8), to: target, from: "/")
      try fileSystem.touch(target, from: "/", at: docker.now)
      return nil
    } catch {
      return "cannot write \(path): \(error)"
    }
  }
}
