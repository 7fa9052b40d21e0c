import ArgumentParser
import Foundation
import LabFiles
import LabImage
import LabLesson
import LabWorkshop

extension LayerLab {
  /// Runs lessons and compares every step with the lesson's expected output.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run every step of lessons and compare their output; exit 1 on a difference.")

    @Argument(help: "Lesson files, or directories of them.")
    var paths: [String]

    @Option(
      help: "Also write a report, `--report json|junit|tap FILE`: the file follows the format.")
    var report: ReportFormat?

    @Flag(help: "Fail on approximate and cosmetic differences too (for the project's own lessons).")
    var strict = false

    @Option(help: "How many lessons run at once.")
    var jobs = 1

    func validate() throws {
      guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
      ScratchDirectory.removeStale()
      var lessons: [String] = []
      var rest = paths
      var reportPath: String?
      if report != nil {
        // `--report json FILE`: the word after the format is the file, wherever it stands.
        let arguments = CommandLine.arguments
        guard
          let flag = arguments.firstIndex(where: { $0 == "--report" || $0.hasPrefix("--report=") })
        else {
          throw ValidationError("--report needs a file: --report json report.json")
        }
        let fileIndex = arguments[flag].contains("=") ? flag + 1 : flag + 2
        guard fileIndex < arguments.count, let position = rest.firstIndex(of: arguments[fileIndex])
        else {
          throw ValidationError("--report needs a file: --report json report.json")
        }
        reportPath = rest.remove(at: position)
      }
      for path in rest {
        lessons += try LessonFiles.find(path)
      }
      guard !lessons.isEmpty else {
        throw BadInput("no lessons found in \(rest.joined(separator: " "))")
      }
      let runner = LessonRunner(strict: strict, registry: EmbeddedRegistry.locate())
      let reports = LessonFiles.runAll(lessons, jobs: jobs) { runner.check(path: $0) }
      let color = isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
      printOut(ReportRenderer.text(reports, color: color))
      if let report, let reportPath {
        try Data(ReportRenderer.render(reports, as: report).utf8).write(
          to: URL(fileURLWithPath: reportPath))
      }
      if reports.contains(where: { $0.error != nil }) { throw ExitCode(2) }
      if reports.contains(where: { $0.failed > 0 }) { throw ExitCode(1) }
    }
  }

  /// Static checks of lessons, without running them.
  struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check lessons without running them.")

    @Argument(help: "Lesson files, or directories of them.")
    var paths: [String]

    func run() throws {
      var problems = 0
      var broken = false
      for path in try paths.flatMap(LessonFiles.find) {
        for diagnostic in LessonLinter.lint(path: path) {
          printOut(diagnostic.description + "\n")
          problems += 1
          if diagnostic.message.hasPrefix("error:") { broken = true }
        }
      }
      printOut(problems == 0 ? "no problems\n" : "\(problems) problem\(problems == 1 ? "" : "s")\n")
      if broken { throw ExitCode(2) }
      if problems > 0 { throw ExitCode(1) }
    }
  }
}

extension ReportFormat: ExpressibleByArgument {}

/// Finding lessons and running many.
enum LessonFiles {
  static func find(_ path: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw BadInput("\(path): no such file or directory")
    }
    guard isDirectory.boolValue else { return [path] }
    let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
    return names.filter { $0.hasSuffix(".md") }.sorted().map { "\(path)/\($0)" }
  }

  /// Runs `check` for every lesson, `jobs` at a time, keeping the lessons' order.
  static func runAll(
    _ lessons: [String], jobs: Int, check: @Sendable @escaping (String) -> LessonReport
  ) -> [LessonReport] {
    let results = ResultBox(count: lessons.count)
    let queue = OperationQueue()
    queue.maxConcurrentOperationCount = jobs
    for (index, lesson) in lessons.enumerated() {
      queue.addOperation { results.set(index, check(lesson)) }
    }
    queue.waitUntilAllOperationsAreFinished()
    return results.values
  }
}

/// Collects results from concurrent runs.
final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: [LessonReport?]

  init(count: Int) { storage = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: LessonReport) {
    lock.lock()
    storage[index] = value
    lock.unlock()
  }

  var values: [LessonReport] {
    lock.lock()
    defer { lock.unlock() }
    return storage.compactMap { $0 }
  }
}
