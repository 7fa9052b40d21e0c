import Foundation
import LabImage
import LabLesson
import LabShell
import LabTestSupport
import LabWorkshop
import Testing

/// The bundled course in `lessons/`: every output proven, every lesson finishable.
@Suite("The bundled course")
struct CourseTests {
  static let folder = "\(TestSupport.packageRoot)/lessons"

  static var lessons: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
      .filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
  }

  @Test func theCourseHasTenLessonsAndAContentsPage() throws {
    #expect(Self.lessons.count == 10)
    let contents = try String(contentsOfFile: "\(Self.folder)/README.md", encoding: .utf8)
    for lesson in Self.lessons {
      #expect(contents.contains("(\(lesson))"), "the contents page does not list \(lesson)")
    }
  }

  @Test(arguments: lessons)
  func everyOutputIsWhatTheToolkitPrints(lesson: String) throws {
    let path = "\(Self.folder)/\(lesson)"
    let report = LessonRunner(
      strict: true, registry: EmbeddedRegistry(root: TestSupport.registryRoot)
    ).check(path: path)
    #expect(report.error == nil, "\(report.error ?? "")")
    #expect(report.failed == 0, "\(ReportRenderer.text([report], color: false))")
    #expect(LessonLinter.lint(path: path).map(\.description) == [])
    let parsed = try LessonParser.parse(contentsOf: path)
    let commands = parsed.steps.filter { if case .command = $0 { true } else { false } }
    #expect((10...25).contains(commands.count), "\(lesson) has \(commands.count) commands")
    #expect(parsed.steps.contains { if case .exercise = $0 { true } else { false } })
  }

  @Test(arguments: lessons)
  func aLearnerWhoPressesEnterAndSolvesEachExerciseFinishes(lesson: String) throws {
    let root = try TestSupport.scratchDirectory("course")
    let parsed = try LessonParser.parse(contentsOf: "\(Self.folder)/\(lesson)")
    let registry = EmbeddedRegistry(root: TestSupport.registryRoot)
    var stepper = Stepper(
      lesson: parsed,
      session: try SandboxSession(
        store: ImageStore(root: root + "/store"), workspace: root + "/work", registry: registry,
        clock: VirtualClock(), keepsClock: false),
      registry: registry)
    var moves = 0
    while !stepper.isFinished, moves < 500 {
      moves += 1
      let position = stepper.position
      switch stepper.current {
      case .command: _ = stepper.run("")
      case .file: _ = stepper.createFile()
      case .exercise(let exercise):
        for step in exercise.solution where stepper.position == position {
          _ = stepper.run(step.command)
        }
        if stepper.position == position {
          Issue.record("\(lesson): the model solution of \(exercise.title) does not solve it")
          stepper.skip()
        }
      default: break
      }
    }
    #expect(stepper.isFinished)
    #expect(!stepper.outcomes.values.contains(.skipped))
    let tally = Progress(stepper).exerciseTally
    #expect(tally.solved == tally.reached && tally.reached >= 1)
  }
}
