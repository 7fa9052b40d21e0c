import Foundation
import LabFiles
import LabImage
import LabLesson
import LabShell

/// A learner's saved place in a lesson: enough to rebuild it exactly.
public struct Progress: Codable, Equatable, Sendable {
  /// The lesson file, as the learner named it.
  public var lesson: String
  public var position: Int
  public var stepCount: Int
  public var log: [Stepper.LoggedCommand]
  public var skipped: [Int]

  public var isFinished: Bool { position >= stepCount }

  public init(_ stepper: Stepper) {
    lesson = stepper.lesson.path
    position = stepper.position
    stepCount = stepper.lesson.steps.count
    log = stepper.log
    skipped = stepper.outcomes.filter { $0.value == .skipped }.map(\.key).sorted()
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

  /// The lesson's name and a short digest of its absolute path: two lessons called
  /// `intro.md` in different folders keep apart.
  static func slug(_ path: String) -> String {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
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
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let temporary = root + "/.progress-\(UUID().uuidString)"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(progress).write(to: URL(fileURLWithPath: temporary))
    guard rename(temporary, progressFile) == 0 else {
      try? FileManager.default.removeItem(atPath: temporary)
      throw CocoaError(.fileWriteUnknown)
    }
  }

  /// A fresh sandbox for the lesson: its store and workspace emptied first.
  public func freshSession(registry: EmbeddedRegistry?) throws -> SandboxSession {
    for directory in [store, workspace] {
      if FileManager.default.fileExists(atPath: directory) {
        let parent = HostDirectory(PathText.parent(directory))
        try parent.remove(PathText.name(directory), recursive: true)
      }
    }
    return try SandboxSession(
      store: ImageStore(root: store), workspace: workspace, registry: registry,
      clock: VirtualClock(), keepsClock: false)
  }

  /// Rebuilds the learner's place: the saved log run again in a fresh sandbox.
  public func resume(_ lesson: Lesson, registry: EmbeddedRegistry?) throws -> Stepper {
    let session = try freshSession(registry: registry)
    guard let progress = loadProgress(), progress.lesson == lesson.path else {
      return Stepper(lesson: lesson, session: session, registry: registry)
    }
    return Stepper.replaying(progress.log, lesson: lesson, session: session, registry: registry)
  }
}
