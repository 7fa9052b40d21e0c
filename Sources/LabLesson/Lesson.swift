/// Where something is in a lesson file, 1-based, printed compiler-style.
public struct SourceLocation: Codable, Equatable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int

  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  public var description: String { "\(file):\(line)" }
}

/// How strictly a step's output is compared.
public enum MatchMode: String, Equatable, Sendable {
  /// Every line must match (volatile tokens by shape).
  case normal
  /// As normal, and spacing and sizes may differ: the lesson says "approximately".
  case approximate
  /// The expected lines must appear in order within the output, gaps allowed.
  case excerpt
  /// Literal text, as `expect exact` asks.
  case exact
}

/// Output the lesson expects from a command.
public struct Expectation: Equatable, Sendable {
  public var text: String
  public var mode: MatchMode
  /// The block's language tag (`json`, `text`, …).
  public var language: String
  public var location: SourceLocation
  /// The exit status the lesson asserts: cram's `[1]` last line, trycmd's `? failed` first.
  public var status: ExpectedStatus?

  public init(
    text: String, mode: MatchMode, language: String, location: SourceLocation,
    status: ExpectedStatus? = nil
  ) {
    self.text = text
    self.mode = mode
    self.language = language
    self.location = location
    self.status = status
  }
}

/// An exit status a lesson asserts.
public enum ExpectedStatus: Equatable, Sendable, CustomStringConvertible {
  case code(Int32)
  case success
  case failure

  public func accepts(_ status: Int32) -> Bool {
    switch self {
    case .code(let code): status == code
    case .success: status == 0
    case .failure: status != 0
    }
  }

  public var description: String {
    switch self {
    case .code(let code): "status \(code)"
    case .success: "success"
    case .failure: "a failure"
    }
  }

  /// The output without its status line, and the status it asserts.
  static func split(_ text: String) -> (text: String, status: ExpectedStatus?) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    while lines.last == "" { lines.removeLast() }
    if let last = lines.last, last.hasPrefix("["), last.hasSuffix("]"),
      let code = Int32(last.dropFirst().dropLast())
    {
      lines.removeLast()
      return (lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n", .code(code))
    }
    if let first = lines.first, first.hasPrefix("? ") {
      let word = first.dropFirst(2)
      let status: ExpectedStatus? =
        switch word {
        case "success": .success
        case "failed": .failure
        default: Int32(word).map { .code($0) }
        }
      if let status {
        lines.removeFirst()
        return (lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n", status)
      }
    }
    return (text, nil)
  }
}

/// One step of a lesson.
public enum Step: Equatable, Sendable {
  /// Run a command; compare its output when the lesson shows one.
  case command(CommandStep)
  /// Write a file into the workspace.
  case file(path: String, content: String, location: SourceLocation)
  /// Add to the end of a file the lesson made some other way ("Add the following to the
  /// end of the `Dockerfile`").
  case addToFile(path: String, content: String, location: SourceLocation)
  /// Set the virtual clock.
  case clock(String, location: SourceLocation)
  /// A task the learner solves their own way.
  case exercise(Exercise)

  /// The file a step writes, its text, and whether the text goes at the end of the file.
  public var fileWrite: (path: String, content: String, appends: Bool)? {
    switch self {
    case .file(let path, let content, _): (path, content, false)
    case .addToFile(let path, let content, _): (path, content, true)
    default: nil
    }
  }

  public var location: SourceLocation {
    switch self {
    case .command(let step): step.location
    case .file(_, _, let location), .addToFile(_, _, let location), .clock(_, let location):
      location
    case .exercise(let exercise): exercise.location
    }
  }
}

/// A task the learner solves their own way, proven solved by the state they reach.
///
/// Learners remember what they do: the checks look at the images and files the learner ended
/// up with, not at the commands typed, so any correct way passes.
public struct Exercise: Equatable, Sendable {
  /// The directive's words, or the heading the exercise stands under.
  public var title: String
  /// The task in markdown, without the blocks that check it or give it away.
  public var task: String
  /// What proves it solved; all must pass.
  public var checks: [ExerciseCheck]
  /// The model solution's commands, in order: their count is the par.
  public var solution: [CommandStep]
  /// Hints, revealed one at a time.
  public var hints: [String]
  /// The `exercise` directive's line.
  public var location: SourceLocation
  /// The exercise's last line in the lesson: the prose after it is the lesson's again.
  public var endLine: Int

  public init(
    title: String, task: String = "", checks: [ExerciseCheck] = [], solution: [CommandStep] = [],
    hints: [String] = [], location: SourceLocation, endLine: Int? = nil
  ) {
    self.endLine = endLine ?? location.line
    self.title = title
    self.task = task
    self.checks = checks
    self.solution = solution
    self.hints = hints
    self.location = location
  }
}

/// One proof that an exercise is solved.
public enum ExerciseCheck: Equatable, Sendable {
  /// Shell commands that exit 0 when the exercise is solved; what they print says why not.
  case script(String, location: SourceLocation)
  /// A command whose output must match the expected block, as a step's would.
  case output(CommandStep)

  public var location: SourceLocation {
    switch self {
    case .script(_, let location): location
    case .output(let step): step.location
    }
  }
}

public struct CommandStep: Equatable, Sendable {
  public var command: String
  public var location: SourceLocation
  public var expected: Expectation?
  /// True when the prose named the command (`If you now run \`docker image ls\``) rather than a
  /// code block.
  public var isImplied: Bool = false
  /// How many commands of the same block came before this one: an output block after a block
  /// of several commands may show what all of them printed, or what the last one did.
  public var blockMates: Int = 0
  public var hint: String?
  /// The container ID a prompt such as `root@3f2a4c1d9e0b:/# ` shows: the lesson's ID for the
  /// container the line runs in.
  public var promptContainer: String?
  /// A root prompt (`# `) on a page that has the reader work as root: the command runs as root.
  public var asRoot = false
  /// What the author typed at the command's question (`[y/N] y`), fed to it as its input.
  public var input: String?
  /// The prose says the command fails; without an output block, a failure passes.
  public var failureExpected = false
  /// Images the prose says are there before the command ("given the images `busybox` and
  /// `alpine`"): pulled first when the lesson has not.
  public var assumedImages: [String] = []
}

/// A parsed lesson.
public struct Lesson: Equatable, Sendable {
  public var path: String
  public var title: String
  public var steps: [Step]
  /// Problems that do not stop the lesson from running.
  public var warnings: [LessonDiagnostic]
  /// The prose the learner reads, in markdown, around the steps.
  public var prose = LessonProse()
}

/// A lesson's prose, cut at its steps, for a reader that shows it a step at a time.
public struct LessonProse: Equatable, Sendable {
  /// For each step, the markdown between the step before and this one's block.
  public var before: [String] = []
  /// For each step, the markdown between its command and the output block it expects.
  public var between: [String] = []
  /// The markdown after the last step: the recap.
  public var closing = ""

  public init() {}
}

/// A problem found in a lesson, with where it is and how much it matters.
public struct LessonDiagnostic: Equatable, Sendable, CustomStringConvertible {
  /// How much a problem matters: an error stops the lesson, a warning may mislead.
  public enum Severity: String, Codable, Sendable {
    case error, warning, note
  }

  public var location: SourceLocation
  public var column: Int
  public var severity: Severity
  /// The problem in words, without the location or severity.
  public var message: String
  /// A stable name for the kind of problem (`LL004`), for filters and annotations.
  public var code: String

  public init(
    location: SourceLocation, column: Int = 1, severity: Severity, message: String,
    code: String = ""
  ) {
    self.location = location
    self.column = column
    self.severity = severity
    self.message = message
    self.code = code
  }

  /// `lesson.md:12:1: warning: … [LL004]`, as compilers print it.
  public var description: String {
    "\(location.file):\(location.line):\(column): \(severity.rawValue): \(message)"
      + (code.isEmpty ? "" : " [\(code)]")
  }
}

/// A lesson that cannot be run, with the file and line.
public enum LessonError: Error, Equatable, Sendable, CustomStringConvertible {
  case unreadable(String)
  case notText(SourceLocation)
  case unknownDirective(SourceLocation, String)
  case badDirective(SourceLocation, String)

  /// Where the problem is, when it is at a line.
  public var location: SourceLocation? {
    switch self {
    case .unreadable: nil
    case .notText(let location), .unknownDirective(let location, _),
      .badDirective(let location, _):
      location
    }
  }

  /// The problem in words, without its location.
  public var message: String {
    switch self {
    case .unreadable: "cannot read the lesson"
    case .notText: "this is not UTF-8 text; a lesson is a markdown file"
    case .unknownDirective(_, let text): "unknown directive 'layerlab: \(text)'"
    case .badDirective(_, let text): text
    }
  }

  public var description: String {
    switch self {
    case .unreadable(let path): "\(path): \(message)"
    default: "\(location.map(\.description) ?? ""): error: \(message)"
    }
  }
}
