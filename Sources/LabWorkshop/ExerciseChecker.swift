import Foundation
import LabLesson
import LabOutput
import LabShell
import LabSnapshot

/// Whether an exercise is solved, and if not, why, in the check's own words.
public struct ExerciseVerdict: Sendable {
  public var isSolved: Bool
  /// What the first failing check printed, or what differed; empty when solved.
  public var message: String
  /// For an output check that failed, the comparison as a step report.
  public var report: StepReport?
  /// The check that failed.
  public var failedCheck: SourceLocation?
}

/// Asks an exercise's checks of the learner's sandbox, without changing it.
///
/// Checks run in a look-only view of the session (``SandboxSession/lookingOnly(_:)``): the
/// images read-only, the workspace under a copy-on-write layer, so a check that removes an
/// image or a file changes nothing the learner built. A script check passes when it exits 0,
/// Killercoda's rule; an output check when its command prints what the block shows.
public enum ExerciseChecker {
  public static func verify(
    _ exercise: Exercise, in session: SandboxSession, bindings: Bindings
  ) -> ExerciseVerdict {
    do {
      return try session.lookingOnly { view in
        for check in exercise.checks {
          let verdict = run(check, in: &view, bindings: bindings)
          if !verdict.isSolved { return verdict }
        }
        return ExerciseVerdict(isSolved: true, message: "")
      }
    } catch {
      return ExerciseVerdict(isSolved: false, message: "the check could not run: \(error)")
    }
  }

  static func run(
    _ check: ExerciseCheck, in view: inout SandboxSession, bindings: Bindings
  ) -> ExerciseVerdict {
    switch check {
    case .script(let script, let location):
      let result = view.run(bindings.rewrite(script))
      guard result.status != 0 else { return ExerciseVerdict(isSolved: true, message: "") }
      let said = result.interleaved.trimmingCharacters(in: .whitespacesAndNewlines)
      return ExerciseVerdict(
        isSolved: false,
        message: said.isEmpty ? "not solved yet (the check exited with \(result.status))" : said,
        failedCheck: location)
    case .output(let step):
      let command = bindings.rewrite(step.command)
      let result = view.run(command)
      guard let expected = step.expected else {
        // A transcript line with no output: the command must succeed.
        guard result.status != 0 else { return ExerciseVerdict(isSolved: true, message: "") }
        return ExerciseVerdict(
          isSolved: false,
          message: "`\(command)` failed: "
            + result.interleaved.trimmingCharacters(in: .whitespacesAndNewlines),
          failedCheck: step.location)
      }
      var report = StepReport(
        location: step.location, kind: .command, text: command, outcome: .passed,
        expected: expected.text, actual: result.interleaved, status: result.status)
      var trial = bindings
      LessonRunner.judge(
        &report, against: expected, result: result, wholeBlock: result.interleaved,
        blockMates: 0, matcher: Matcher(), bindings: &trial)
      guard report.outcome == .failed else { return ExerciseVerdict(isSolved: true, message: "") }
      let reason =
        report.differences.first { $0.kind == .semantic }?.reason ?? "the output differs"
      return ExerciseVerdict(
        isSolved: false, message: "`\(command)` does not print what the exercise asks: \(reason)",
        report: report, failedCheck: step.location)
    }
  }
}
