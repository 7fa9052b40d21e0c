import ArgumentParser
import Foundation
import LabBundle
import LabFiles
import LabImage
import LabJSON
import LabLesson
import LabWorkshop

extension LayerLab {
  /// Runs lessons and compares every step with the lesson's expected output.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run every step of lessons and compare their output; exit 1 on a difference.")

    @Argument(help: "Lesson files, or directories of them.", completion: .file(extensions: ["md"]))
    var paths: [String]

    @Option(
      name: .customLong("report"),
      help: ArgumentHelp(
        "Also write a report: json:FILE, junit:FILE or tap:FILE; give it more than once for more.",
        valueName: "format:file"))
    var reports: [ReportRequest] = []

    @Flag(help: "Fail on approximate and cosmetic differences too (for the project's own lessons).")
    var strict = false

    @Option(help: "How many lessons run at once.")
    var jobs = 1

    @Option(help: "How long one step may run, in seconds.")
    var timeout = 30

    @Option(
      name: .customLong("var"),
      help: ArgumentHelp(
        "A value for a placeholder such as <your-username> in a lesson from the web; others get 'learner'.",
        valueName: "name=value"))
    var variables: [String] = []

    func validate() throws {
      guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
      _ = try PlaceholderValues.parse(variables)
      guard (1...86_400).contains(timeout) else {
        throw ValidationError("--timeout must be between 1 and 86400 seconds")
      }
    }

    func run() throws {
      ScratchDirectory.removeStale()
      var lessons: [String] = []
      for path in paths {
        lessons += try LessonFiles.find(path)
      }
      guard !lessons.isEmpty else {
        throw BadInput("no lessons found in \(paths.joined(separator: " "))")
      }
      // A report never replaces a lesson, nor any markdown file.
      let lessonPaths = Set(lessons.map(LessonFiles.absolute))
      for request in reports {
        let target = LessonFiles.absolute(request.path)
        if lessonPaths.contains(target)
          || (request.path.hasSuffix(".md") && FileManager.default.fileExists(atPath: target))
        {
          throw BadInput("\(request.path): a report would overwrite a lesson; name another file")
        }
      }
      let strict = strict
      let timeout = timeout
      let variables = variables
      // Each lesson runs in a worker of its own, given time for its steps and some to spare.
      let reportsByLesson = LessonFiles.runAll(lessons, jobs: jobs) { path in
        LessonWorker.check(
          path: path, strict: strict, timeout: timeout, variables: variables,
          lessonTimeout: max(600, timeout * 20))
      }
      let color = isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
      printOut(ReportRenderer.text(reportsByLesson, color: color))
      for request in reports {
        try Data(ReportRenderer.render(reportsByLesson, as: request.format).utf8).write(
          to: URL(fileURLWithPath: request.path))
      }
      if reportsByLesson.contains(where: { $0.error != nil }) { throw ExitCode(2) }
      if reportsByLesson.contains(where: { $0.failed > 0 }) { throw ExitCode(1) }
    }
  }

  /// Static checks of lessons, without running them.
  struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check lessons without running them.",
      discussion: """
        Every problem is reported once, in the order of the file, with a code (LL001…LL017). \
        Exit status 1 when there is an error, or with --strict any problem; 0 otherwise.
        """)

    @Argument(help: "Lesson files, or directories of them.", completion: .file(extensions: ["md"]))
    var paths: [String]

    @Option(help: "text, json, or github (GitHub Actions annotations).")
    var format: LintFormat = .text

    @Flag(help: "Exit 1 on warnings and notes too.")
    var strict = false

    func run() throws {
      var lessons: [String] = []
      for path in paths { lessons += try LessonFiles.find(path) }
      guard !lessons.isEmpty else {
        throw BadInput("no lessons found in \(paths.joined(separator: " "))")
      }
      let registry = EmbeddedRegistry.locate()
      let diagnostics = lessons.flatMap { LessonLinter.lint(path: $0, registry: registry) }
      switch format {
      case .text:
        for diagnostic in diagnostics { printOut(diagnostic.description + "\n") }
        let count = diagnostics.count
        printOut(count == 0 ? "no problems\n" : "\(count) problem\(count == 1 ? "" : "s")\n")
      case .json:
        let items = diagnostics.map { diagnostic in
          JSONValue.object([
            ("file", .string(diagnostic.location.file)), ("line", .int(diagnostic.location.line)),
            ("column", .int(diagnostic.column)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("code", .string(diagnostic.code)), ("message", .string(diagnostic.message)),
          ])
        }
        printOut(JSONValue.array(items).indented("  ") + "\n")
      case .github:
        for diagnostic in diagnostics {
          let level =
            switch diagnostic.severity {
            case .error: "error"
            case .warning: "warning"
            case .note: "notice"
            }
          printOut(
            "::\(level) file=\(diagnostic.location.file),line=\(diagnostic.location.line),col=\(diagnostic.column),title=\(diagnostic.code)::\(Self.escaped(diagnostic.message))\n"
          )
        }
      }
      if diagnostics.contains(where: { $0.severity == .error }) || (strict && !diagnostics.isEmpty)
      {
        throw ExitCode(1)
      }
    }

    /// A message as a workflow command carries it: `%`, CR and LF escaped.
    static func escaped(_ text: String) -> String {
      text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
        .replacingOccurrences(of: "\n", with: "%0A")
    }
  }
}

/// `lint --format`.
enum LintFormat: String, ExpressibleByArgument {
  case text, json, github
}

/// `--report FORMAT:FILE`.
struct ReportRequest: ExpressibleByArgument {
  var format: ReportFormat
  var path: String

  init?(argument: String) {
    guard let colon = argument.firstIndex(of: ":"),
      let format = ReportFormat(rawValue: String(argument[..<colon]))
    else { return nil }
    path = String(argument[argument.index(after: colon)...])
    guard !path.isEmpty else { return nil }
    self.format = format
  }
}

/// Finding lessons and running many.
enum LessonFiles {
  /// A path made absolute and clean, to compare two names of one file.
  static func absolute(_ path: String) -> String {
    if BundledFiles.isBundled(path) { return path }
    return URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }

  static func find(_ path: String) throws -> [String] {
    // A bundled lesson, read from the executable's copy.
    if BundledFiles.file(named: path) != nil { return [path] }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw BadInput("\(path): no such file or directory")
    }
    guard isDirectory.boolValue else { return [path] }
    let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
    let folder = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    // A folder's README is its table of contents, not a lesson.
    return names.filter { $0.hasSuffix(".md") && PathText.name($0).lowercased() != "readme.md" }
      .sorted().map { "\(folder)/\($0)" }
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
