import LabLesson
import LabOutput
import LabShell
import LabSnapshot

extension LessonRunner {
  /// Proves an exercise honest: unsolved before its model solution, solved after it.
  ///
  /// An exercise already solved gives the learner nothing to do. The solution's
  /// changes stay, so the lesson's later steps go on from the solved state.
  static func prove(
    _ exercise: Exercise, in session: inout SandboxSession, bindings: Bindings
  ) -> StepReport {
    var report = StepReport(
      location: exercise.location, kind: .exercise, text: exercise.title, outcome: .passed)
    func fail(_ reason: String, output: String? = nil) -> StepReport {
      report.outcome = .failed
      report.differences.append(
        Difference(kind: .semantic, expected: nil, actual: output, reason: reason))
      return report
    }
    guard !exercise.checks.isEmpty else {
      return fail("the exercise has no verify block, so nothing can tell it is solved")
    }
    let before = ExerciseChecker.verify(exercise, in: session, bindings: bindings)
    if before.isSolved {
      return fail(
        "the exercise is solved before its solution runs: the learner would have nothing to do")
    }
    guard !exercise.solution.isEmpty else {
      return fail("the exercise has no solution block, so check cannot prove it can be solved")
    }
    for step in exercise.solution {
      let command = bindings.rewrite(step.command)
      let result = session.run(command)
      guard result.status == 0 else {
        report.location = step.location
        report.text = command
        return fail(
          "the model solution's command failed with status \(result.status)",
          output: result.interleaved)
      }
    }
    let after = ExerciseChecker.verify(exercise, in: session, bindings: bindings)
    guard after.isSolved else {
      if let location = after.failedCheck { report.location = location }
      return fail("the exercise is not solved after its model solution", output: after.message)
    }
    let count = exercise.solution.count
    report.notes.append(
      "unsolved before the model solution, solved after it (par \(count) command\(count == 1 ? "" : "s"))"
    )
    return report
  }
}
