import Foundation
import LabTestSupport
import Testing

/// `layerlab run` driven as a scripted learner: lines on standard input, as typed.
@Suite("layerlab run, scripted")
struct RunTests {
  /// A lesson of our own: a pull, a listing that shows an ID, a command that uses it.
  static let lesson = """
    # A short lesson

    First pull an image.

    ```console
    $ docker pull -q alpine
    docker.io/library/alpine:latest
    ```

    Then look at its ID:

    ```console
    $ docker images -q alpine
    0123456789ab
    ```

    <!-- layerlab: hint the ID is in the output above -->
    ```console
    $ docker inspect -f '{{.Id}}' 0123456789ab
    sha256:0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab0123
    ```

    Create a note:

    ```text title="note.txt"
    hello
    ```

    ```console
    $ cat note.txt
    hello
    ```

    That is all.
    """

  struct Learner {
    let directory: String
    let lesson: String

    init() throws {
      directory = try TestSupport.scratchDirectory("run")
      lesson = "\(directory)/short.md"
      try Data(RunTests.lesson.utf8).write(to: URL(fileURLWithPath: lesson))
    }

    func run(_ input: String, _ extra: [String] = []) throws -> ToolOutput {
      try TestSupport.run(
        ExecTests.binary, ["run", lesson] + extra, input: input,
        environment: [
          "LAYERLAB_REGISTRY": TestSupport.registryRoot, "XDG_DATA_HOME": "\(directory)/data",
          "NO_COLOR": "1",
        ])
    }
  }

  @Test func enterAtEveryStepReachesTheEnd() throws {
    let learner = try Learner()
    let result = try learner.run(String(repeating: "\n", count: 10))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.components(separatedBy: "✓ matches the lesson").count - 1 == 4)
    #expect(result.stdout.contains("✓ created note.txt"))
    #expect(result.stdout.contains("Step 5/5"))
    #expect(result.stdout.contains("✓ Lesson complete."))
    #expect(result.stdout.contains("That is all."))
    #expect(!result.stdout.contains("differs"))
  }

  @Test func aPastedAuthorIDIsTheLearnersOwnAndSaidOnce() throws {
    let learner = try Learner()
    let result = try learner.run("\n\ndocker inspect -f '{{.Id}}' 0123456789ab\n")
    #expect(result.stdout.contains("the lesson's 0123456789ab is "), "\(result.stdout)")
    #expect(result.stdout.components(separatedBy: "the lesson's 0123456789ab").count - 1 == 1)
    #expect(result.stdout.contains("✓ matches the lesson"))
  }

  @Test func progressIsSavedAndResumed() throws {
    let learner = try Learner()
    // Two steps, then the input ends (Ctrl-D).
    let first = try learner.run("\n\n")
    #expect(first.stdout.contains("Your progress is saved"))
    let second = try learner.run(":list\n:quit\n")
    #expect(second.stdout.contains("Welcome back: you are at step 3."), "\(second.stdout)")
    #expect(second.stdout.contains("  ✓  1 $ docker pull -q alpine\n"))
    #expect(second.stdout.contains("  ▸  3 $ docker inspect -f '{{.Id}}' 0123456789ab\n"))
    // The sandbox was rebuilt: the image pulled before is there.
    let third = try learner.run("docker images -q | wc -l\n:quit\n")
    #expect(third.stdout.contains("\n1\n"), "\(third.stdout)")
  }

  @Test func hintsShowAndBackGoesBack() throws {
    let learner = try Learner()
    let result = try learner.run("\n\n:hint\n:show\n:back\n:list\n:quit\n")
    #expect(result.stdout.contains("hint: the ID is in the output above"))
    #expect(result.stdout.contains("The lesson expects:\nsha256:"))
    #expect(result.stdout.contains("  ▸  2 $ docker images -q alpine\n"), "\(result.stdout)")
  }

  @Test func exploringDoesNotFinishAStep() throws {
    let learner = try Learner()
    let result = try learner.run("echo exploring\n:list\n:quit\n")
    #expect(result.stdout.contains("exploring\n"))
    #expect(result.stdout.contains("(exploring: this step is done"))
    #expect(result.stdout.contains("  ▸  1 $ docker pull -q alpine\n"))
  }

  @Test func noLessonNamedIsAClearError() throws {
    let learner = try Learner()
    let result = try TestSupport.run(
      ExecTests.binary, ["run", "\(learner.directory)/nowhere.md"],
      environment: ["XDG_DATA_HOME": "\(learner.directory)/data"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("nowhere.md: no such lesson file"))
  }

  @Test func layerlabAloneNeverWaitsWithoutATerminal() throws {
    let directory = try TestSupport.scratchDirectory("run")
    let result = try TestSupport.run(
      ExecTests.binary, [], input: "",
      environment: [
        "XDG_DATA_HOME": "\(directory)/data", "LAYERLAB_REGISTRY": TestSupport.registryRoot,
      ])
    #expect(result.status == 0, "\(result.stderr)")
  }
}
