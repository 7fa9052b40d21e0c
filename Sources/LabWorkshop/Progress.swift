import Foundation
import LabBundle
import LabFiles
import LabImage
import LabLesson
import LabRegistryClient
import LabShell

/// A learner's saved place in a lesson: enough to rebuild it exactly.
public struct Progress: Codable, Equatable, Sendable {
  /// The lesson file, as the learner named it.
  public var lesson: String
  public var position: Int
  public var stepCount: Int
  public var log: [Stepper.LoggedCommand]
  public var skipped: [Int]
  /// The exercises the learner reached: solved, skipped or still open, and how.
  public var exercises: [ExerciseRecord]?

  public var isFinished: Bool { position >= stepCount }

  public init(_ stepper: Stepper) {
    lesson = stepper.lesson.path
    position = stepper.position
    stepCount = stepper.lesson.steps.count
    log = stepper.log
    skipped = stepper.outcomes.filter { $0.value == .skipped }.map(\.key).sorted()
    exercises = stepper.lesson.steps.indices.compactMap { index in
      guard case .exercise(let exercise) = stepper.lesson.steps[index], index <= stepper.position
      else { return nil }
      let state = stepper.exercises[index] ?? Stepper.ExerciseState()
      let outcome: ExerciseRecord.Outcome =
        switch stepper.outcomes[index] {
        case .solved, .done: .solved
        case .skipped: .skipped
        case nil: .open
        }
      return ExerciseRecord(
        step: index, title: exercise.title, outcome: outcome, commands: state.commands,
        par: exercise.solution.count, hintsShown: state.hintsShown,
        solutionShown: state.solutionShown)
    }
  }

  /// The exercises solved, and how many the learner reached.
  public var exerciseTally: (solved: Int, reached: Int) {
    let records = exercises ?? []
    return (records.filter { $0.outcome == .solved }.count, records.count)
  }
}

/// What became of one exercise.
public struct ExerciseRecord: Codable, Equatable, Sendable {
  public enum Outcome: String, Codable, Sendable {
    case solved, skipped, open
  }

  /// The exercise's step index in the lesson.
  public var step: Int
  public var title: String
  public var outcome: Outcome
  /// The commands the learner ran at it.
  public var commands: Int
  /// The model solution's command count.
  public var par: Int
  public var hintsShown: Int
  /// Whether the learner asked to see the model solution.
  public var solutionShown: Bool

  public init(
    step: Int, title: String, outcome: Outcome, commands: Int, par: Int, hintsShown: Int,
    solutionShown: Bool
  ) {
    self.step = step
    self.title = title
    self.outcome = outcome
    self.commands = commands
    self.par = par
    self.hintsShown = hintsShown
    self.solutionShown = solutionShown
  }
}

/// Where one lesson's work lives in the data directory, never in the current directory.
///
/// Each lesson has its own store, workspace and progress file.
public struct LessonPlace: Sendable {
  public let root: String

  /// - Parameters:
  ///   - lessonPath: The lesson file.
  ///   - dataDirectory: LayerLab's folder under the user's data directory.
  public init(lessonPath: String, dataDirectory: String) {
    root = dataDirectory + "/lessons/" + Self.slug(lessonPath)
  }

  public var store: String { root + "/store" }
  public var workspace: String { root + "/workspace" }
  public var progressFile: String { root + "/progress.json" }

  /// The lesson's name and a short digest of its absolute path.
  ///
  /// Two lessons called `intro.md` in different folders keep apart; a bundled lesson's path
  /// is the same wherever the executable runs from.
  static func slug(_ path: String) -> String {
    let absolute =
      BundledFiles.isBundled(path) ? path : URL(fileURLWithPath: path).standardizedFileURL.path
    let name = PathText.name(absolute).replacingOccurrences(of: ".md", with: "")
      .filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    return name + "-" + Digest.of(absolute).hex.prefix(8)
  }

  public func loadProgress() -> Progress? {
    guard let data = FileManager.default.contents(atPath: progressFile) else { return nil }
    return try? JSONDecoder().decode(Progress.self, from: data)
  }

  /// Saves progress through a temporary file and a rename: a killed run never leaves half.
  public func save(_ progress: Progress) throws {
    try HostPaths.createDirectories(root)
    let temporary = root + "/.progress-\(UUID().uuidString)"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try HostPaths.createFile(temporary, contents: Array(encoder.encode(progress)))
    guard rename(temporary, progressFile) == 0 else {
      try? FileManager.default.removeItem(atPath: temporary)
      throw CocoaError(.fileWriteUnknown)
    }
  }

  /// A fresh sandbox for the lesson: its store and workspace emptied first.
  public func freshSession(
    registry: EmbeddedRegistry?, registryAccess: RegistryAccess = .offline
  ) throws -> SandboxSession {
    for directory in [store, workspace] {
      if FileManager.default.fileExists(atPath: directory) {
        let parent = HostDirectory(PathText.parent(directory))
        try parent.remove(PathText.name(directory), recursive: true)
      }
    }
    return try SandboxSession(
      store: ImageStore(root: store), workspace: workspace, registry: registry,
      registryAccess: registryAccess, clock: VirtualClock(), keepsClock: false)
  }

  /// Rebuilds the learner's place: the saved log run again in a fresh sandbox.
  public func resume(
    _ lesson: Lesson, registry: EmbeddedRegistry?, registryAccess: RegistryAccess = .offline
  ) throws -> Stepper {
    let session = try freshSession(registry: registry, registryAccess: registryAccess)
    guard let progress = loadProgress(), progress.lesson == lesson.path else {
      return Stepper(lesson: lesson, session: session, registry: registry)
    }
    return Stepper.replaying(progress.log, lesson: lesson, session: session, registry: registry)
  }
}
