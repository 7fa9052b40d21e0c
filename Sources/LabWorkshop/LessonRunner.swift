import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLesson
import LabLimits
import LabOutput
import LabRegistryClient
import LabShell
import LabSnapshot

/// What happened at one step of a lesson.
public struct StepReport: Codable, Sendable {
  public enum Outcome: String, Codable, Sendable {
    case passed, failed, skipped
  }

  /// What the step did: ran a command, wrote a file, set the clock, or proved an exercise.
  public enum Kind: String, Codable, Sendable {
    case command, file, clock, exercise
  }

  public var location: SourceLocation
  public var kind: Kind
  /// The command as run, after bindings rewrote it; the file path for a file step; the
  /// exercise's title.
  public var text: String
  public var outcome: Outcome
  public var expected: String?
  public var actual: String?
  public var status: Int32 = 0
  public var differences: [Difference] = []
  /// For a failed comparison, the lesson's lines against the output's, with lesson lines.
  public var hunk: [DiffLine] = []
  /// Remarks: author IDs nothing bound, implied steps.
  public var notes: [String] = []
}

/// What happened in one lesson.
public struct LessonReport: Codable, Sendable {
  public var path: String
  public var title: String
  public var steps: [StepReport] = []
  public var bindings: [Bindings.Pair] = []
  /// Set when the lesson could not be read or parsed.
  public var error: String?
  /// What the parser noticed without stopping, such as a lesson with no steps.
  public var warnings: [String] = []

  public init(path: String, title: String, error: String? = nil) {
    self.path = path
    self.title = title
    self.error = error
  }

  public var passed: Int { steps.filter { $0.outcome == .passed }.count }
  public var failed: Int { steps.filter { $0.outcome == .failed }.count }
}

/// Runs lessons in fresh sandboxes and checks every step's output.
public struct LessonRunner: Sendable {
  public var strict: Bool
  public var registry: EmbeddedRegistry?
  /// The registries besides the embedded one that lessons may reach.
  public var registryAccess: RegistryAccess = .offline
  /// How long one step may run, in seconds.
  public var timeout = 30
  /// Values for the placeholders of lessons from the web (`--var username=ada`).
  public var variables: [String: String] = [:]

  public init(strict: Bool = false, registry: EmbeddedRegistry?) {
    self.strict = strict
    self.registry = registry
  }

  /// Reads, parses and runs the lesson at `path`.
  public func check(path: String) -> LessonReport {
    do {
      let lesson = try LessonParser.parse(contentsOf: path)
      return run(lesson, directory: PathText.parent(path))
    } catch {
      return LessonReport(path: path, title: "", error: error.description)
    }
  }

  /// Runs a parsed lesson in a fresh store and workspace.
  public func run(_ lesson: Lesson, directory: String = ".") -> LessonReport {
    var report = LessonReport(path: lesson.path, title: lesson.title)
    report.warnings = lesson.warnings.map(\.description)
    let scratch: String
    do {
      scratch = try ScratchDirectory.makeThrowaway("check", room: DiskQuota.defaultBytes)
    } catch {
      report.error = "cannot create a scratch directory: \(error)"
      return report
    }
    defer { ScratchDirectory.remove(scratch) }
    var session: SandboxSession
    do {
      // Thrown away at the end: nothing in it needs to survive a crash, so nothing is flushed.
      session = try SandboxSession(
        store: ImageStore(root: scratch + "/store", durable: false),
        workspace: scratch + "/workspace",
        registry: registry, registryAccess: registryAccess, clock: VirtualClock(),
        keepsClock: false)
    } catch {
      report.error = "cannot create a scratch store: \(error)"
      return report
    }
    session.sandbox.timeout = timeout
    var bindings = Bindings()
    let matcher = Matcher(strict: strict)
    /// What the commands of the current block printed, for an output block that shows them all.
    var blockOutputs: [String] = []
    var preparation = StepPreparation(variables: variables)
    for step in lesson.steps {
      switch step {
      case .clock(let text, let location):
        guard let date = VirtualClock.parse(text) else {
          report.steps.append(
            StepReport(
              location: location, kind: .clock, text: text, outcome: .failed,
              notes: ["'\(text)' is not a time in the years 1 to 9999"]))
          continue
        }
        session.setClock(date)
      case .file(let path, let content, let location),
        .addToFile(let path, let content, let location):
        var outcome = StepReport.Outcome.passed
        var notes: [String] = []
        let appends = step.fileWrite?.appends ?? false
        if appends { notes.append("adds to the end of \(path)") }
        if let failure = session.writeFile(path, content: content, appending: appends) {
          outcome = .failed
          notes.append(failure)
        }
        report.steps.append(
          StepReport(location: location, kind: .file, text: path, outcome: outcome, notes: notes))
      case .command(let commandStep):
        var notes: [String] = []
        let unbound = bindings.unbound(in: commandStep.command)
        if !unbound.isEmpty {
          notes.append("uses \(unbound.joined(separator: ", ")), which no earlier output showed")
        }
        if commandStep.isImplied { notes.append("the prose names this command") }
        Self.bindPromptContainer(commandStep, session: session, bindings: &bindings)
        let (command, filled) = preparation.fill(bindings.rewrite(commandStep.command))
        notes += filled
        notes += StepPreparation.pullMissing(
          commandStep.assumedImages, in: &session, namingOthers: true)
        notes += StepPreparation.pullAssumedImages(for: command, in: &session)
        let wasRoot = session.sandbox.shell.isRoot
        if commandStep.asRoot { session.sandbox.shell.isRoot = true }
        var result = session.run(command, input: Array((commandStep.input ?? "").utf8))
        if commandStep.asRoot { session.sandbox.shell.isRoot = wasRoot }
        if let answer = commandStep.input {
          result = StepPreparation.echoingAnswer(answer, in: result)
        }
        preparation.remember(command: command, output: result.stdout)
        let actual = result.interleaved
        if commandStep.blockMates == 0 { blockOutputs = [] }
        let wholeBlock = blockOutputs.suffix(commandStep.blockMates).joined() + actual
        blockOutputs.append(actual)
        var stepReport = StepReport(
          location: commandStep.location, kind: .command, text: command, outcome: .passed,
          expected: commandStep.expected?.text, actual: actual, status: result.status, notes: notes)
        if let expected = commandStep.expected {
          Self.judge(
            &stepReport, against: expected, result: result, wholeBlock: wholeBlock,
            blockMates: commandStep.blockMates, matcher: matcher, bindings: &bindings)
          let sizes = BuiltImageSizes.differences(
            expected: expected, actual: actual, built: preparation.builtImages)
          if stepReport.outcome == .passed, !sizes.isEmpty {
            stepReport.outcome = .failed
            stepReport.differences += sizes.map { difference in
              var placed = difference
              placed.expectedLine = difference.expectedLine.map { expected.location.line + $0 }
              return placed
            }
          }
        } else if let failure = Self.failure(of: result) {
          if commandStep.failureExpected {
            stepReport.notes.append("it fails, as the prose says it does")
          } else {
            stepReport.outcome = .failed
            stepReport.differences = [
              Difference(
                kind: .semantic, expected: nil, actual: actual.isEmpty ? nil : actual,
                reason: failure)
            ]
          }
        }
        report.steps.append(stepReport)
      case .exercise(let exercise):
        report.steps.append(Self.prove(exercise, in: &session, bindings: bindings))
      }
    }
    report.bindings = bindings.pairs
    return report
  }

  /// Compares a command's output and status with what the lesson expects, into `report`.
  ///
  /// After a block of several commands, the expected output may be the last command's or the
  /// whole block's; either passes.
  static func judge(
    _ report: inout StepReport, against expected: Expectation, result: CommandOutput,
    wholeBlock: String, blockMates: Int, matcher: Matcher, bindings: inout Bindings
  ) {
    let statusFails = expected.status.map { !$0.accepts(result.status) } ?? false
    // Only a status line (cram's `[1]`): the status is the whole expectation.
    if expected.text.isEmpty, let status = expected.status {
      if statusFails {
        report.outcome = .failed
        report.differences = [Self.statusDifference(result, expected: status)]
      }
      return
    }
    let comparison: Comparison =
      switch expected.mode {
      case .normal: .normal
      case .approximate: .approximate
      case .excerpt: .excerpt
      case .exact: .exact
      }
    let origin = expected.location.description
    var lastBindings = bindings
    var verdict = matcher.match(
      expected: expected.text, actual: result.interleaved, comparison: comparison,
      command: report.text, bindings: &lastBindings, origin: origin)
    if !verdict.passed && blockMates > 0 {
      var blockBindings = bindings
      let whole = matcher.match(
        expected: expected.text, actual: wholeBlock, comparison: comparison,
        command: report.text, bindings: &blockBindings, origin: origin)
      if whole.passed {
        verdict = whole
        report.actual = wholeBlock
        report.notes.append("the output shown is the whole block's")
        lastBindings = blockBindings
      }
    }
    bindings = lastBindings
    // Lines within the expected block become the lesson's own lines.
    let first = expected.location.line
    report.differences = verdict.differences.map { difference in
      var placed = difference
      placed.expectedLine = difference.expectedLine.map { first + $0 }
      return placed
    }
    report.hunk = verdict.hunk.map { line in
      var placed = line
      placed.expectedLine = line.expectedLine.map { first + $0 }
      return placed
    }
    report.outcome = verdict.passed && !statusFails ? .passed : .failed
    if let status = expected.status, statusFails {
      report.differences.append(Self.statusDifference(result, expected: status))
    } else if !verdict.passed && result.status != 0 && expected.status == nil {
      // A failed command: its error says more than a comparison of its output.
      let message = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
      report.differences = [
        Difference(
          kind: .semantic, expected: expected.text.trimmingCharacters(in: .newlines),
          actual: message.isEmpty ? nil : message,
          reason: "the command failed with status \(result.status)", expectedLine: first)
      ]
      report.hunk = []
    }
  }

  /// Why a command the lesson shows no output for failed, if it did: a non-zero status, or a
  /// Docker error on its standard error though a later command of its pipeline succeeded.
  static func failure(of result: CommandOutput) -> String? {
    if result.status != 0 { return "the command failed with status \(result.status)" }
    let error = result.stderr.split(separator: "\n").first { line in
      line.hasPrefix("Error response from daemon") || line.hasPrefix("docker: ")
        || line.hasPrefix("Error: ") || line.hasPrefix("ERROR: ")
        || line.contains("invalid reference format")
    }
    return error.map { "the command printed an error: \($0)" }
  }

  /// A container prompt's ID (`root@3f2a4c1d9e0b:/# `) stands for the container the learner
  /// is in: it binds like any ID an output shows.
  static func bindPromptContainer(
    _ step: CommandStep, session: SandboxSession, bindings: inout Bindings
  ) {
    guard let author = step.promptContainer,
      let actual = session.sandbox.shell.attachedHostname, actual.count == 12
    else { return }
    _ = bindings.bind(author, to: actual, kind: .shortID, origin: step.location.description)
  }

  static func statusDifference(_ result: CommandOutput, expected: ExpectedStatus) -> Difference {
    Difference(
      kind: .semantic, expected: nil, actual: nil,
      reason: "the command exited with status \(result.status); the lesson expects \(expected)")
  }
}
