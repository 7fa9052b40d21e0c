import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLesson
import LabOutput
import LabShell
import LabSnapshot

/// A learner's way through one lesson.
///
/// It keeps the step they are at, what they ran, and the sandbox their commands built; the
/// terminal front end draws it, this type decides.
///
/// At a command step the learner runs the lesson's command (an empty line) or any command of
/// their own, with the author's IDs rewritten to their own. The step is done when its command
/// has run, or when any command printed what the lesson expects. File and clock steps are
/// applied as the learner reaches them. Everything the learner ran is kept, so the same
/// sandbox can be rebuilt exactly by running it again (the clock is virtual).
public struct Stepper: Sendable {
  public let lesson: Lesson
  public private(set) var session: SandboxSession
  /// The index of the current step; `lesson.steps.count` when the lesson is finished.
  public private(set) var position = 0
  public private(set) var bindings = Bindings()
  /// What became of each step so far.
  public private(set) var outcomes: [Int: StepOutcome] = [:]
  /// Every line the learner ran, with the step it was run at: enough to rebuild the sandbox.
  public private(set) var log: [LoggedCommand] = []
  /// Author IDs already explained to the learner.
  private var explained: Set<String> = []
  let runner: LessonRunner

  /// Where the learner is in each exercise they reached, by step index.
  public private(set) var exercises: [Int: ExerciseState] = [:]

  /// What became of a step.
  public enum StepOutcome: String, Codable, Sendable {
    case done, skipped
    /// An exercise the learner's own commands solved.
    case solved
  }

  /// A learner's work on one exercise.
  public struct ExerciseState: Codable, Equatable, Sendable {
    /// Commands run at the exercise (since it was last restarted).
    public var commands = 0
    /// How many hints were shown.
    public var hintsShown = 0
    /// Whether the model solution was shown.
    public var solutionShown = false

    public init() {}
  }

  /// One command the learner ran.
  public struct LoggedCommand: Codable, Equatable, Sendable {
    public var step: Int
    public var line: String
  }

  /// What running a line at a step did.
  public struct Attempt: Sendable {
    /// The command as it ran, IDs rewritten.
    public var command: String
    public var result: CommandOutput
    /// The check of its output against the lesson's, when the lesson shows one.
    public var report: StepReport?
    /// Whether the step is now done.
    public var completesStep: Bool
    /// Author IDs the command used, each with the learner's own, said once per ID.
    public var rewrites: [(author: String, actual: String)]
    /// At an exercise, its checks' verdict after the command.
    public var exercise: ExerciseVerdict?
  }

  /// - Parameters:
  ///   - lesson: The lesson.
  ///   - session: A fresh sandbox for it.
  ///   - registry: The registry, for the matcher's runner.
  public init(lesson: Lesson, session: SandboxSession, registry: EmbeddedRegistry?) {
    self.lesson = lesson
    self.session = session
    runner = LessonRunner(registry: registry)
    applyAutomaticSteps()
  }

  /// The current step, or `nil` at the end.
  public var current: Step? { position < lesson.steps.count ? lesson.steps[position] : nil }

  public var isFinished: Bool { position >= lesson.steps.count }

  /// The command steps the learner sees, numbered from 1, and how many there are.
  public var commandNumber: (current: Int, total: Int) {
    let commands = lesson.steps.indices.filter { Self.isInteractive(lesson.steps[$0]) }
    let done = commands.filter { $0 < position }.count
    return (min(done + 1, commands.count), commands.count)
  }

  public static func isInteractive(_ step: Step) -> Bool {
    switch step {
    case .command, .file, .addToFile, .exercise: true
    case .clock: false
    }
  }

  /// The lesson's command at the current step, with the learner's IDs.
  public var suggestedCommand: String? {
    guard case .command(let step) = current else { return nil }
    return bindings.rewrite(step.command)
  }

  // MARK: - Moving

  /// Runs `line` at the current command step; an empty line runs the lesson's own command.
  ///
  /// At an exercise, runs the learner's line and then the exercise's checks.
  public mutating func run(_ line: String) -> Attempt? {
    if case .exercise(let exercise) = current { return attempt(line, at: exercise) }
    guard case .command(let step) = current else { return nil }
    let typed = line.trimmingCharacters(in: .whitespaces).isEmpty ? step.command : line
    log.append(LoggedCommand(step: position, line: line))
    LessonRunner.bindPromptContainer(step, session: session, bindings: &bindings)
    let command = bindings.rewrite(typed)
    var rewrites: [(String, String)] = []
    for author in Self.authorIDs(in: typed) where !explained.contains(author) {
      if let actual = bindings.actual(for: author), actual != Bindings.bare(author) {
        rewrites.append((author, actual))
        explained.insert(author)
      }
    }
    let result = session.run(command)
    let isLessonsCommand = Self.sameCommand(command, bindings.rewrite(step.command))
    var report: StepReport?
    var matches = false
    if let expected = step.expected {
      var trial = bindings
      var stepReport = StepReport(
        location: step.location, kind: .command, text: command, outcome: .passed,
        expected: expected.text, actual: result.interleaved, status: result.status)
      LessonRunner.judge(
        &stepReport, against: expected, result: result, wholeBlock: result.interleaved,
        blockMates: 0, matcher: Matcher(), bindings: &trial)
      matches = stepReport.outcome == .passed
      // Only the step's own command, or a match, binds: exploring binds nothing.
      if matches || isLessonsCommand { bindings = trial }
      report = stepReport
    }
    let completes = isLessonsCommand || matches
    if completes { finishStep(.done) }
    return Attempt(
      command: command, result: result, report: report, completesStep: completes,
      rewrites: rewrites)
  }

  // MARK: - Exercises

  /// Runs the learner's own command at an exercise, then asks its checks whether it is solved.
  private mutating func attempt(_ line: String, at exercise: Exercise) -> Attempt? {
    guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
    log.append(LoggedCommand(step: position, line: line))
    let command = bindings.rewrite(line)
    let result = session.run(command)
    exercises[position, default: ExerciseState()].commands += 1
    let verdict = ExerciseChecker.verify(exercise, in: session, bindings: bindings)
    if verdict.isSolved { finishStep(.solved) }
    return Attempt(
      command: command, result: result, report: nil, completesStep: verdict.isSolved,
      rewrites: [], exercise: verdict)
  }

  /// The current exercise's work so far.
  public var exerciseState: ExerciseState {
    exercises[position] ?? ExerciseState()
  }

  /// The exercise's next hint, remembered as shown; `nil` when none is left.
  public mutating func revealHint() -> (text: String, number: Int, count: Int)? {
    guard case .exercise(let exercise) = current else { return nil }
    let shown = exerciseState.hintsShown
    guard shown < exercise.hints.count else { return nil }
    log.append(LoggedCommand(step: position, line: Self.hintMark))
    exercises[position, default: ExerciseState()].hintsShown = shown + 1
    return (exercise.hints[shown], shown + 1, exercise.hints.count)
  }

  /// The model solution's commands, remembered as revealed.
  public mutating func revealSolution() -> [String] {
    guard case .exercise(let exercise) = current else { return [] }
    if !exerciseState.solutionShown {
      log.append(LoggedCommand(step: position, line: Self.solutionMark))
      exercises[position, default: ExerciseState()].solutionShown = true
    }
    return exercise.solution.map { bindings.rewrite($0.command) }
  }

  /// The log without the current step's commands, keeping what it revealed: replayed, it is
  /// the sandbox as it was before the exercise, with the hints still shown.
  public var logBeforeCurrentStep: [LoggedCommand] {
    log.filter {
      $0.step < position
        || ($0.step == position && [Self.hintMark, Self.solutionMark].contains($0.line))
    }
  }

  static let hintMark = ":hint"
  static let solutionMark = ":solution"

  /// Runs a command that is no step's own (the learner exploring at a file step).
  public mutating func runOutsideStep(_ line: String) -> CommandOutput {
    log.append(LoggedCommand(step: position, line: line))
    return session.run(bindings.rewrite(line))
  }

  /// The sandbox, for the front end to wire Ctrl-C to.
  public var sessionSandbox: Sandbox {
    get { session.sandbox }
    set { session.sandbox = newValue }
  }

  /// What the log records for a file created.
  static let createMark = ":create"

  /// Writes the current file step's file and moves on.
  @discardableResult
  public mutating func createFile() -> String? {
    guard let (path, content, appends) = current?.fileWrite else { return nil }
    log.append(LoggedCommand(step: position, line: Self.createMark))
    let failure = session.writeFile(path, content: content, appending: appends)
    finishStep(.done)
    return failure
  }

  /// Leaves the current step undone and moves on.
  public mutating func skip() {
    guard !isFinished else { return }
    log.append(LoggedCommand(step: position, line: Self.skipMark))
    finishStep(.skipped)
  }

  /// What the log records for a skipped step.
  static let skipMark = ":skip"

  private mutating func finishStep(_ outcome: StepOutcome) {
    outcomes[position] = outcome
    position += 1
    applyAutomaticSteps()
  }

  /// Clock steps take effect as the learner reaches them.
  private mutating func applyAutomaticSteps() {
    while case .clock(let text, _) = current {
      if let date = VirtualClock.parse(text) { session.setClock(date) }
      outcomes[position] = .done
      position += 1
    }
  }

  // MARK: - Rebuilding

  /// The same lesson from the start, in `session` (fresh), with `log` run again silently: the
  /// virtual clock makes the sandbox exactly what it was.
  public static func replaying(
    _ log: [LoggedCommand], lesson: Lesson, session: SandboxSession, registry: EmbeddedRegistry?
  ) -> Stepper {
    var stepper = Stepper(lesson: lesson, session: session, registry: registry)
    for entry in log {
      guard entry.step == stepper.position else {
        // The log is of another version of the lesson: stop where it no longer fits.
        break
      }
      switch stepper.current {
      case .command:
        if entry.line == skipMark { stepper.skip() } else { _ = stepper.run(entry.line) }
      case .exercise:
        switch entry.line {
        case skipMark: stepper.skip()
        case hintMark: _ = stepper.revealHint()
        case solutionMark: _ = stepper.revealSolution()
        default: _ = stepper.run(entry.line)
        }
      case .file, .addToFile:
        switch entry.line {
        case skipMark: stepper.skip()
        case createMark: stepper.createFile()
        default: _ = stepper.runOutsideStep(entry.line)
        }
      default:
        break
      }
    }
    return stepper
  }

  /// The log up to (not including) the step before the current one, for `:back`.
  public var logBeforePreviousStep: [LoggedCommand] {
    let previous = (0..<position).last { Self.isInteractive(lesson.steps[$0]) } ?? 0
    return log.filter { $0.step < previous }
  }

  // MARK: - Helpers

  static func sameCommand(_ left: String, _ right: String) -> Bool {
    func words(_ text: String) -> [Substring] {
      text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    }
    return words(left) == words(right)
  }

  /// The 64-hex digests and 12-hex short IDs in a command.
  static func authorIDs(in text: String) -> [String] {
    Bindings().unbound(in: text)
  }
}
