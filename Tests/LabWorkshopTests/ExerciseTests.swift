import Foundation
import LabImage
import LabLesson
import LabOutput
import LabShell
import LabSnapshot
import LabTestSupport
import LabWorkshop
import Testing

/// Exercises as a learner meets them and as `check` and `lint` keep them honest.
@Suite("Self-check exercises")
struct ExerciseTests {
  static let lessonPath = "\(CheckTests.fixtures)/exercises.md"

  /// A stepper on `path` in a fresh sandbox, past its first step (the pull).
  func stepper(_ path: String = lessonPath) throws -> Stepper {
    let root = try TestSupport.scratchDirectory("exercise")
    let lesson = try LessonParser.parse(contentsOf: path)
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    let session = try SandboxSession(
      store: ImageStore(root: root + "/store"), workspace: root + "/work", registry: registry,
      clock: VirtualClock(), keepsClock: false)
    var stepper = Stepper(lesson: lesson, session: session, registry: registry)
    let pull = stepper.run("")
    #expect(pull?.completesStep == true)
    return stepper
  }

  func exercise(_ step: Step?) throws -> Exercise {
    guard case .exercise(let exercise) = step else {
      throw ExerciseTestError("expected an exercise, found \(String(describing: step))")
    }
    return exercise
  }

  // MARK: - The lesson format

  @Test func theParserReadsTaskChecksHintsAndSolution() throws {
    let lesson = try LessonParser.parse(contentsOf: Self.lessonPath)
    #expect(lesson.steps.count == 4)
    let first = try exercise(lesson.steps[1])
    #expect(first.title == "Give busybox a second name")
    #expect(first.task.contains("answer to the name `tools:1.0`"))
    // The learner reads the task, not the checks, the hints or the answer.
    for secret in ["docker tag", "inspect", "Solution", "details", "many names"] {
      #expect(!first.task.contains(secret), "\(secret) in \(first.task)")
    }
    #expect(
      first.hints == [
        "An image can carry many names, and one docker command adds a name to an image you have.",
        "The command is docker tag SOURCE TARGET.",
      ])
    #expect(first.solution.map(\.command) == ["docker tag busybox tools:1.0"])
    guard case .script(let script, let location) = first.checks.first else {
      Issue.record("expected a script check")
      return
    }
    #expect(script.hasPrefix("docker image inspect tools:1.0"))
    #expect(location.line == 17)
    // The second takes its title from its heading, and checks by output.
    let second = try exercise(lesson.steps[2])
    #expect(second.title == "Your turn: one name again")
    guard case .output(let check) = second.checks.first else {
      Issue.record("expected an output check")
      return
    }
    #expect(check.command == "docker images --format '{{.Repository}}:{{.Tag}}'")
    #expect(check.expected?.text == "busybox:latest\n")
    // The prose after the exercise is the next step's again.
    #expect(lesson.prose.before[3].contains("The lesson goes on from the state"))
    #expect(!lesson.prose.before[3].contains("Take the name"))
  }

  @Test func anExerciseBlockOutsideAnExerciseIsAnError() {
    let text = "# A\n\n```verify\ntrue\n```\n"
    #expect {
      try LessonParser.parse(text, path: "stray.md")
    } throws: { error in
      (error as? LessonError)?.description
        == "stray.md:3: error: a 'verify' block belongs to an exercise: put <!-- layerlab: exercise --> before it"
    }
  }

  // MARK: - In the stepper

  @Test func theModelSolutionSolvesIt() throws {
    var stepper = try stepper()
    let attemptAttempt = stepper.run("docker tag busybox tools:1.0")
    let attempt = try #require(attemptAttempt)
    #expect(attempt.exercise?.isSolved == true)
    #expect(attempt.completesStep)
    #expect(stepper.outcomes[1] == .solved)
    #expect(stepper.exercises[1]?.commands == 1)
    // The next exercise is checked by output.
    let rmiAttempt = stepper.run("docker image rm tools:1.0")
    let rmi = try #require(rmiAttempt)
    #expect(rmi.exercise?.isSolved == true, "\(rmi.exercise?.message ?? "")")
    #expect(stepper.position == 3)
  }

  @Test func anotherCorrectWaySolvesItToo() throws {
    var stepper = try stepper()
    let writeAttempt = stepper.run("printf 'FROM busybox\\n' > Dockerfile")
    let write = try #require(writeAttempt)
    #expect(write.exercise?.isSolved == false)
    let buildAttempt = stepper.run("docker build -q -t tools:1.0 .")
    let build = try #require(buildAttempt)
    #expect(build.exercise?.isSolved == true, "\(build.result.interleaved)")
    #expect(stepper.outcomes[1] == .solved)
    #expect(stepper.exercises[1]?.commands == 2)
  }

  @Test func aWrongWayIsNotSolvedAndTheCheckSaysWhy() throws {
    var stepper = try stepper()
    let otherAttempt = stepper.run("docker tag busybox tools:2.0")
    let other = try #require(otherAttempt)
    #expect(other.exercise?.isSolved == false)
    #expect(other.exercise?.message == "there is no image tools:1.0 yet")
    let wrongImageAttempt = stepper.run("docker pull -q alpine && docker tag alpine tools:1.0")
    let wrongImage = try #require(wrongImageAttempt)
    #expect(wrongImage.exercise?.message == "tools:1.0 exists, but it is not the busybox image")
    #expect(stepper.position == 1)
    // At the output check, the difference is the message.
    _ = stepper.run("docker rmi tools:1.0 && docker tag busybox tools:1.0")
    #expect(stepper.position == 2)
    let wrongAttempt = stepper.run("docker rmi busybox")
    let wrong = try #require(wrongAttempt)
    #expect(wrong.exercise?.isSolved == false)
    #expect(
      wrong.exercise?.message.hasPrefix(
        "`docker images --format '{{.Repository}}:{{.Tag}}'` does not print what the exercise asks")
        == true, "\(wrong.exercise?.message ?? "")")
  }

  @Test func hintsComeOneAtATimeAndTheSolutionIsRemembered() throws {
    var stepper = try stepper()
    #expect(stepper.revealHint()?.number == 1)
    let revealed = stepper.revealHint()
    let second = try #require(revealed)
    #expect(second.text == "The command is docker tag SOURCE TARGET.")
    #expect(second.count == 2)
    #expect(stepper.revealHint() == nil)
    #expect(stepper.revealSolution() == ["docker tag busybox tools:1.0"])
    _ = stepper.run("docker tag busybox tools:1.0")
    let progress = Progress(stepper)
    #expect(
      progress.exercises == [
        ExerciseRecord(
          step: 1, title: "Give busybox a second name", outcome: .solved, commands: 1, par: 1,
          hintsShown: 2, solutionShown: true),
        ExerciseRecord(
          step: 2, title: "Your turn: one name again", outcome: .open, commands: 0, par: 1,
          hintsShown: 0, solutionShown: false),
      ])
    // Replayed in a fresh sandbox, the log gives the same place and the same record.
    let root = try TestSupport.scratchDirectory("exercise-replay")
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    let replayed = Stepper.replaying(
      stepper.log, lesson: stepper.lesson,
      session: try SandboxSession(
        store: ImageStore(root: root + "/store"), workspace: root + "/work",
        registry: registry, clock: VirtualClock(), keepsClock: false),
      registry: registry)
    #expect(Progress(replayed) == progress)
  }

  @Test func restartingAnExerciseKeepsWhatItRevealed() throws {
    var stepper = try stepper()
    _ = stepper.revealHint()
    _ = stepper.run("docker tag busybox tools:2.0")
    let root = try TestSupport.scratchDirectory("exercise-restart")
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    let restarted = Stepper.replaying(
      stepper.logBeforeCurrentStep, lesson: stepper.lesson,
      session: try SandboxSession(
        store: ImageStore(root: root + "/store"), workspace: root + "/work",
        registry: registry, clock: VirtualClock(), keepsClock: false),
      registry: registry)
    #expect(restarted.position == 1)
    #expect(restarted.exerciseState.hintsShown == 1)
    #expect(restarted.exerciseState.commands == 0)
    var session = restarted.session
    #expect(session.run("docker images -q tools:2.0").stdout == "")
  }

  @Test func aCheckCannotChangeWhatTheLearnerBuilt() throws {
    let root = try TestSupport.scratchDirectory("exercise-harm")
    let lesson = """
      # Harm

      <!-- layerlab: exercise -->

      Anything.

      ```verify
      docker rmi -f busybox
      docker image prune -a -f
      rm -f notes.txt
      echo changed > kept.txt
      echo scratch > /tmp/scratch
      sudo rm -rf /var/lib/docker/image
      test ! -e notes.txt && test -e /tmp/scratch && docker image inspect busybox >/dev/null
      ```
      """
    let parsed = try LessonParser.parse(lesson, path: root + "/harm.md")
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    var session = try SandboxSession(
      store: ImageStore(root: root + "/store"), workspace: root + "/work", registry: registry,
      clock: VirtualClock(), keepsClock: false)
    _ = session.run("docker pull -q busybox; echo mine > notes.txt; echo mine > kept.txt")
    let store = TestSupport.treeSnapshot(root + "/store")
    let workspace = TestSupport.treeSnapshot(root + "/work")
    let exercise = try exercise(parsed.steps.first)
    let verdict = ExerciseChecker.verify(exercise, in: session, bindings: .init())
    // In its own view the file is gone and busybox is not: the image removals were refused.
    #expect(verdict.isSolved, "\(verdict.message)")
    #expect(TestSupport.treeSnapshot(root + "/store") == store)
    #expect(TestSupport.treeSnapshot(root + "/work") == workspace)
    let output = session.run("cat notes.txt kept.txt; docker images --format '{{.Repository}}'")
    #expect(output.stdout == "mine\nmine\nbusybox\n")
    let refused = try session.lookingOnly { (view: inout SandboxSession) in
      view.run("docker rmi busybox")
    }
    #expect(
      refused.stderr == "docker rmi: this check only looks at your images; it may not change them\n"
    )
  }

  // MARK: - In check and lint

  @Test func checkProvesEachExerciseAndGoesOnFromTheSolvedState() {
    let report = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot))
      .check(path: Self.lessonPath)
    #expect(report.error == nil)
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    #expect(report.steps.map(\.kind) == [.command, .exercise, .exercise, .command])
    #expect(
      report.steps[1].notes == [
        "unsolved before the model solution, solved after it (par 1 command)"
      ])
  }

  @Test func checkCatchesAnExerciseThatIsAlreadySolved() throws {
    let root = try TestSupport.scratchDirectory("exercise-vacuous")
    let lesson = """
      # An exercise with nothing to do

      ```console
      $ docker pull -q busybox
      docker.io/library/busybox:latest
      ```

      <!-- layerlab: exercise Pull busybox -->

      Pull the busybox image.

      ```verify
      docker image inspect busybox >/dev/null 2>&1 || { echo "busybox is not here"; exit 1; }
      ```

      ```solution
      docker pull -q busybox
      ```
      """
    let report = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot)).run(
      try LessonParser.parse(lesson, path: root + "/vacuous.md"))
    #expect(report.failed == 1)
    let text = ReportRenderer.text([report], color: false)
    #expect(text.contains("FAIL line 8: exercise Pull busybox"), "\(text)")
    #expect(
      text.contains(
        "the exercise is solved before its solution runs: the learner would have nothing to do"))
  }

  @Test func checkReportsASolutionThatDoesNotSolve() throws {
    let root = try TestSupport.scratchDirectory("exercise-unsolved")
    let lesson = """
      # Unsolved

      <!-- layerlab: exercise -->

      Tag busybox as `mine`.

      ```verify
      docker image inspect mine >/dev/null 2>&1 || { echo "no image called mine"; exit 1; }
      ```

      ```solution
      docker pull -q busybox
      docker tag busybox yours
      ```
      """
    let report = LessonRunner(registry: EmbeddedRegistry(root: TestSupport.registryRoot)).run(
      try LessonParser.parse(lesson, path: root + "/unsolved.md"))
    let text = ReportRenderer.text([report], color: false)
    #expect(text.contains("FAIL line 8: exercise Unsolved"), "\(text)")
    #expect(text.contains("the exercise is not solved after its model solution"))
    #expect(text.contains("+ no image called mine"))
  }

  @Test func lintNamesWhatAnExerciseLacksAndAChecksWrites() throws {
    let root = try TestSupport.scratchDirectory("exercise-lint")
    let path = root + "/lint.md"
    try Data(
      """
      # Lint

      <!-- layerlab: exercise Empty -->

      Do something.

      ## Next

      <!-- layerlab: exercise Writes -->

      ```verify
      docker images -q busybox | grep -q . && docker rmi busybox
      ```

      ```solution
      docker pull -q busybox
      ```

      ```hint
      Pull it.
      ```
      """.utf8
    ).write(to: URL(fileURLWithPath: path))
    let messages = LessonLinter.lint(path: path).map(\.description)
    #expect(
      messages == [
        "\(path):3:1: error: the exercise has no verify block, so nothing can tell it is solved [LL010]",
        "\(path):3:1: warning: the exercise has no solution block: check cannot prove it solvable, nor a learner see one [LL011]",
        "\(path):3:1: note: the exercise has no hints: a ```hint block helps a learner who is stuck [LL012]",
        "\(path):12:1: error: the check runs `docker rmi busybox`, which changes images: a check may only look (it runs read-only) [LL013]",
      ])
  }
}

struct ExerciseTestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
