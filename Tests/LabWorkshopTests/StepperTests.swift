import Foundation
import LabDocker
import LabImage
import LabLesson
import LabOutput
import LabShell
import LabTestSupport
import LabWorkshop
import Testing

/// The stepper's decisions, without a terminal: when a step is done, where it goes next, and
/// how its state is rebuilt.
@Suite("The lesson stepper's state machine")
struct StepperTests {
  static let lesson = """
    # Steps

    <!-- layerlab: clock 2024-10-01T00:00:00Z -->
    ```console
    $ docker pull -q busybox
    docker.io/library/busybox:latest
    ```

    ```text title="hello.txt"
    hi
    ```

    ```console
    $ cat hello.txt
    hi
    ```

    ```console
    $ date -u +%Y-%m
    2024-10
    ```
    """

  func stepper() throws -> (Stepper, String) {
    let root = try TestSupport.scratchDirectory("stepper")
    let lesson = try LessonParser.parse(Self.lesson, path: "\(root)/steps.md")
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    let session = try SandboxSession(
      store: ImageStore(root: root + "/store"), workspace: root + "/work", registry: registry,
      clock: VirtualClock(), keepsClock: false)
    return (Stepper(lesson: lesson, session: session, registry: registry), root)
  }

  @Test func clockStepsApplyThemselvesAndEnterDoesEachStep() throws {
    var (stepper, _) = try stepper()
    // The clock directive is behind us at once: the first step is the pull.
    #expect(stepper.commandNumber == (1, 4))
    #expect(stepper.suggestedCommand == "docker pull -q busybox")
    let attempt = stepper.run("")
    let pull = try #require(attempt)
    #expect(pull.completesStep)
    #expect(pull.report?.outcome == .passed)
    guard case .file(let path, _, _) = stepper.current else {
      Issue.record("expected the file step")
      return
    }
    #expect(path == "hello.txt")
    let created = stepper.createFile()
    #expect(created == nil)
    let cat = stepper.run("")
    #expect(cat?.report?.outcome == .passed)
    // The clock set by the directive is what `date` reads.
    let date = stepper.run("")
    #expect(date?.report?.outcome == .passed, "\(date?.result.stdout ?? "")")
    #expect(stepper.isFinished)
    #expect(stepper.outcomes.values.allSatisfy { $0 == .done })
  }

  @Test func anotherCommandExploresUnlessItPrintsTheExpectedOutput() throws {
    var (stepper, _) = try stepper()
    let exploring = stepper.run("echo just looking")
    #expect(exploring?.completesStep == false)
    #expect(stepper.commandNumber.current == 1)
    // A different command with the lesson's output does the step.
    let other = stepper.run("docker pull -q busybox:latest")
    #expect(other?.completesStep == true)
    #expect(stepper.commandNumber.current == 2)
  }

  @Test func skipAndReplayRebuildTheSameState() throws {
    var (stepper, root) = try stepper()
    _ = stepper.run("")
    stepper.skip()
    #expect(stepper.outcomes[2] == .skipped)
    // Replaying the log in a fresh sandbox gives the same place, and the same images.
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    let fresh = try SandboxSession(
      store: ImageStore(root: root + "/store2"), workspace: root + "/work2", registry: registry,
      clock: VirtualClock(), keepsClock: false)
    let replayed = Stepper.replaying(
      stepper.log, lesson: stepper.lesson, session: fresh, registry: registry)
    #expect(replayed.position == stepper.position)
    #expect(replayed.outcomes[2] == .skipped)
    var original = stepper.sessionSandbox
    var rebuilt = replayed.sessionSandbox
    let before = original.run(commandLine: "docker images -q").stdout
    let after = rebuilt.run(commandLine: "docker images -q").stdout
    #expect(!before.isEmpty)
    #expect(before == after)
    // Back: the log before the previous step.
    #expect(replayed.logBeforePreviousStep.allSatisfy { $0.step < 2 })
  }
}
