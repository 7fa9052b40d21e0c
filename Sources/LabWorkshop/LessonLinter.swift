import Foundation
import LabBundle
import LabDocker
import LabFiles
import LabImage
import LabLesson
import LabShell
import LabSnapshot

/// Static checks of a lesson: what would make it fail or mislead, found without running it.
///
/// Every problem is reported once, sorted by place, with a stable code:
///
/// | code | problem |
/// |---|---|
/// | LL001 | the lesson cannot be read or parsed |
/// | LL002 | the lesson has no steps |
/// | LL003 | a clock directive that is no time |
/// | LL004 | an ID used before any output shows it |
/// | LL005 | prose that asks for a file no step creates |
/// | LL006 | a command the sandbox does not have |
/// | LL007 | an image the embedded registry does not have |
/// | LL008 | a placeholder left in a command |
/// | LL009 | an output block after a block that is no command |
/// | LL010 | an exercise with nothing to verify it |
/// | LL011 | an exercise without a model solution |
/// | LL012 | an exercise without hints |
/// | LL013 | an exercise check that would change images |
/// | LL014 | an output block that follows no command |
/// | LL015 | a shell block that is no commands (a Dockerfile, YAML, a synopsis), not run |
/// | LL016 | a line of a shell block read as output, not run |
/// | LL017 | a file whose text does not fit its name (named by an unrelated mention) |
public enum LessonLinter {
  public static func lint(path: String, registry: EmbeddedRegistry? = nil) -> [LessonDiagnostic] {
    let lesson: Lesson
    var diagnostics: [LessonDiagnostic]
    do {
      let reading = try LessonParser.read(contentsOf: path)
      lesson = reading.lesson
      diagnostics = reading.errors.map { error in
        LessonDiagnostic(
          location: error.location ?? SourceLocation(file: path, line: 1), severity: .error,
          message: error.message, code: "LL001")
      }
    } catch {
      let location = error.location ?? SourceLocation(file: path, line: 1)
      return [
        LessonDiagnostic(
          location: location, severity: .error, message: error.message, code: "LL001")
      ]
    }
    diagnostics += lesson.warnings
    func say(
      _ location: SourceLocation, _ severity: LessonDiagnostic.Severity, _ code: String,
      _ message: String
    ) {
      diagnostics.append(
        LessonDiagnostic(location: location, severity: severity, message: message, code: code))
    }
    let catalog = ((try? registry?.catalog()) ?? nil).map(Set.init) ?? []
    var images = ((try? registry?.catalog()) ?? nil).map(Set.init)
    // Author IDs in commands that no earlier output shows.
    var shown: [String] = []
    var created: Set<String> = []
    /// Images a command makes (`build -t`, `tag`, `commit`) count as there from then on; after
    /// a `load`, nothing can be said of images any more.
    func noteImagesMade(by line: String) {
      for words in simpleCommands(in: line) where words.first == "docker" {
        if words.contains("load") || words.contains("import") { images = nil }
        for name in madeImages(Array(words.dropFirst())) {
          if let reference = try? ImageReference(parsing: name) {
            images?.insert(catalogName(reference))
          }
        }
      }
    }
    for step in lesson.steps {
      switch step {
      case .addToFile(let file, _, _):
        created.insert(PathText.name(file))
      case .file(let file, let content, let location):
        created.insert(PathText.name(file))
        if let mismatch = LessonParser.misnamedFile(file, content: content) {
          say(location, .warning, "LL017", mismatch)
        }
        if PathText.name(file) == "Dockerfile", let images {
          for image in dockerfileImages(content) where !hasImage(image, in: images) {
            say(location, .warning, "LL007", missingImage(image, catalog))
          }
        }
      case .clock(let text, let location):
        if VirtualClock.parse(text) == nil {
          say(location, .error, "LL003", "'\(text)' is not a time in the years 1 to 9999")
        }
      case .command(let command):
        var bindings = Bindings()
        for id in shown {
          _ = bindings.bind(id, to: id, kind: id.count == 12 ? .shortID : .digest, origin: "")
        }
        for id in bindings.unbound(in: command.command) {
          say(command.location, .warning, "LL004", "\(id) is used before any output shows it")
        }
        if let expected = command.expected {
          shown += Tokenizer.identifiers(in: expected.text)
        }
        diagnostics += commandProblems(command, images: images, catalog: catalog)
        noteImagesMade(by: command.command)
      case .exercise(let exercise):
        diagnostics += lint(exercise)
        // The model solution's images are there after the exercise.
        for step in exercise.solution { noteImagesMade(by: step.command) }
      }
    }
    let text =
      BundledFiles.file(named: path).map { String(decoding: $0.buffer, as: UTF8.self) }
      ?? (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let blocks = MarkdownReader.blocks(text)
    // Files the prose mentions as things to create, but no step creates.
    for block in blocks {
      guard case .paragraph(let prose, let spans, let line) = block else { continue }
      let lower = prose.lowercased()
      guard lower.contains("create") else { continue }
      for span in spans
      where span.contains(".") && !span.contains(" ") && !created.contains(PathText.name(span)) {
        say(
          SourceLocation(file: path, line: line), .warning, "LL005",
          "the prose mentions \(span) but no step creates it")
      }
    }
    diagnostics += outputsAfterOtherBlocks(lesson, blocks: blocks)
    // Each problem once, in the order of the file.
    var seen: Set<String> = []
    return diagnostics.filter { seen.insert($0.description).inserted }.sorted {
      ($0.location.line, $0.column, $0.code) < ($1.location.line, $1.column, $1.code)
    }
  }

  // MARK: - Commands

  /// Programs the sandbox lacks, docker commands outside the toolkit, images the registry
  /// lacks, and placeholders the author forgot.
  static func commandProblems(
    _ step: CommandStep, images: Set<String>?, catalog: Set<String> = []
  ) -> [LessonDiagnostic] {
    var problems: [LessonDiagnostic] = []
    func say(_ severity: LessonDiagnostic.Severity, _ code: String, _ message: String) {
      problems.append(
        LessonDiagnostic(location: step.location, severity: severity, message: message, code: code))
    }
    // Inside a container (after `docker run -it`), lines are the container's.
    let insideContainer = step.promptContainer != nil
    for words in simpleCommands(in: step.command) where !insideContainer {
      guard let program = words.first, !program.contains("/"), !program.contains("$") else {
        continue
      }
      if program == "docker" {
        let arguments = Array(words.dropFirst())
        if !Docker.isToolkitCommand(arguments) {
          say(
            .warning, "LL006",
            "`docker \(arguments.prefix(2).joined(separator: " "))` is not part of the LayerLab toolkit"
          )
        } else if let images, let image = imageArgument(arguments), !hasImage(image, in: images) {
          say(.warning, "LL007", missingImage(image, catalog))
        }
      } else if !Shell.hasCommand(program) {
        say(
          .warning, "LL006",
          "the sandbox has no `\(program)`: this step fails with 'command not found'")
      }
    }
    if let match = step.command.firstMatch(
      of: #/<[a-z][a-z0-9_-]*>|\bYOUR_[A-Z_]+\b|\b[A-Z]+_NAME\b/#)
    {
      say(.warning, "LL008", "`\(match.output)` looks like a placeholder the learner must replace")
    }
    return problems
  }

  /// The simple commands of a command line, as words (quotes dropped), with `sudo` and
  /// assignments before them removed.
  static func simpleCommands(in line: String) -> [[String]] {
    let separators: Set<Character> = [";", "|", "&", "(", ")", "`", "\n"]
    let leaders: Set<String> = [
      "sudo", "!", "if", "then", "else", "elif", "do", "while", "until", "time", "command", "exec",
      "xargs", "{", "}",
    ]
    var commands: [[String]] = []
    // Here-documents and quoted text are no commands.
    let code = line.split(separator: "\n").first.map(String.init) ?? line
    var unquoted = ""
    var quote: Character?
    for character in code {
      if let open = quote {
        if character == open { quote = nil }
        unquoted.append(open == "'" || open == "\"" ? "x" : character)
      } else if character == "'" || character == "\"" {
        quote = character
      } else {
        unquoted.append(character)
      }
    }
    if let heredoc = unquoted.range(of: "<<") { unquoted = String(unquoted[..<heredoc.lowerBound]) }
    // Redirections that name descriptors (`2>&1`, `>&2`, `&>`) are no separators.
    unquoted = unquoted.replacing(#/[0-9]*[<>]&[0-9-]|&>>?/#, with: " ")
    for piece in unquoted.split(whereSeparator: { separators.contains($0) }) {
      var words = piece.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      while let first = words.first,
        leaders.contains(first) || (first.contains("=") && !first.hasPrefix("-"))
      {
        words.removeFirst()
        while words.first?.hasPrefix("-") == true { words.removeFirst() }
      }
      if !words.isEmpty,
        !["for", "case", "in", "done", "fi", "esac", "function"].contains(words[0]),
        !words[0].hasSuffix(")")
      {
        commands.append(words)
      }
    }
    return commands
  }

  /// The names `build -t`, `tag` and `commit` give images.
  static func madeImages(_ arguments: [String]) -> [String] {
    var words = arguments[...]
    if words.first == "image" || words.first == "container" || words.first == "buildx" {
      words = words.dropFirst()
    }
    guard let verb = words.popFirst() else { return [] }
    let operands = Array(words.filter { !$0.hasPrefix("-") })
    switch verb {
    case "build":
      var names: [String] = []
      var previous = ""
      for word in words {
        if previous == "-t" || previous == "--tag" { names.append(word) }
        if word.hasPrefix("--tag=") { names.append(String(word.dropFirst(6))) }
        previous = word
      }
      return names
    case "tag": return operands.count >= 2 ? [operands[1]] : []
    case "commit": return operands.count >= 2 ? [operands[operands.count - 1]] : []
    default: return []
    }
  }

  /// The image a `pull`, `run` or `create` names.
  static func imageArgument(_ arguments: [String]) -> String? {
    var words = arguments[...]
    if words.first == "image" || words.first == "container" { words = words.dropFirst() }
    guard let verb = words.popFirst(), ["pull", "run", "create"].contains(verb) else { return nil }
    let valued: Set<String> = [
      "--name", "-p", "--publish", "-e", "--env", "--env-file", "-v", "--volume", "-w",
      "--workdir", "-u", "--user", "--entrypoint", "-h", "--hostname", "--mount", "--pull",
      "--platform",
    ]
    while let word = words.popFirst() {
      if valued.contains(word) {
        _ = words.popFirst()
        continue
      }
      if word.hasPrefix("-") { continue }
      return word.contains("$") ? nil : word
    }
    return nil
  }

  /// The images `FROM` lines name, without the build's own stages.
  static func dockerfileImages(_ content: String) -> [String] {
    var stages: Set<String> = []
    var images: [String] = []
    for line in content.split(separator: "\n") {
      let words = line.split(separator: " ").map(String.init)
      guard words.first?.uppercased() == "FROM" else { continue }
      let rest = words.dropFirst().filter { !$0.hasPrefix("--") }
      guard let image = rest.first else { continue }
      if rest.count >= 3, rest[rest.startIndex + 1].uppercased() == "AS" {
        stages.insert(rest[rest.startIndex + 2].lowercased())
      }
      if !stages.contains(image.lowercased()) || rest.count >= 3, image != "scratch",
        !image.contains("$")
      {
        images.append(image)
      }
    }
    return images
  }

  /// Whether the registry's catalog (`alpine:3.20`, …) has the image; a digest is not judged.
  static func hasImage(_ image: String, in catalog: Set<String>) -> Bool {
    guard let reference = try? ImageReference(parsing: image) else { return true }
    guard reference.digest == nil else { return true }
    guard reference.domain == ImageReference.defaultDomain else { return false }
    return catalog.contains(catalogName(reference))
  }

  /// An image as the registry's catalog names it: `alpine:latest`.
  static func catalogName(_ reference: ImageReference) -> String {
    let tagged = reference.withDefaultTag
    return "\(tagged.familiarName):\(tagged.tag ?? ImageReference.defaultTag)"
  }

  static func missingImage(_ image: String, _ catalog: Set<String>) -> String {
    let names = Set(catalog.map { String($0.prefix { $0 != ":" }) }).sorted()
    return "the embedded registry has no \(image); it has \(names.joined(separator: ", "))"
  }

  // MARK: - Outputs

  /// An output block whose command stands before another kind of block: a reader would take
  /// the output for that block's.
  static func outputsAfterOtherBlocks(_ lesson: Lesson, blocks: [MarkdownBlock])
    -> [LessonDiagnostic]
  {
    let codeLines: [Int] = blocks.compactMap {
      if case .code(_, _, let line, _, _, _) = $0 { return line }
      return nil
    }
    var problems: [LessonDiagnostic] = []
    for step in lesson.steps {
      guard case .command(let command) = step, let expected = command.expected,
        !command.isImplied
      else { continue }
      let fence = expected.location.line - 1
      // Only a separate output block (not lines within the command's own transcript).
      guard codeLines.contains(fence), fence > command.location.line else { continue }
      let between = codeLines.filter { $0 > command.location.line && $0 < fence }
      let commandFence = codeLines.last { $0 <= command.location.line }
      if let other = between.first, other != commandFence {
        problems.append(
          LessonDiagnostic(
            location: SourceLocation(file: lesson.path, line: fence), severity: .warning,
            message:
              "this output belongs to `\(command.command)` (line \(command.location.line)), but a block stands between them (line \(other))",
            code: "LL009"))
      }
    }
    return problems
  }

  // MARK: - Exercises

  /// An exercise needs a check and a model solution; hints are kind; checks only look.
  static func lint(_ exercise: Exercise) -> [LessonDiagnostic] {
    var diagnostics: [LessonDiagnostic] = []
    func say(
      _ severity: LessonDiagnostic.Severity, _ code: String, _ message: String,
      at: SourceLocation? = nil
    ) {
      diagnostics.append(
        LessonDiagnostic(
          location: at ?? exercise.location, severity: severity, message: message, code: code))
    }
    if exercise.checks.isEmpty {
      say(.error, "LL010", "the exercise has no verify block, so nothing can tell it is solved")
    }
    if exercise.solution.isEmpty {
      say(
        .warning, "LL011",
        "the exercise has no solution block: check cannot prove it solvable, nor a learner see one")
    }
    if exercise.hints.isEmpty {
      say(.note, "LL012", "the exercise has no hints: a ```hint block helps a learner who is stuck")
    }
    for check in exercise.checks {
      let script: String
      switch check {
      case .script(let text, _): script = text
      case .output(let step): script = step.command
      }
      for command in dockerCommands(in: script) where Docker.changesStore(command) {
        say(
          .error, "LL013",
          "the check runs `docker \(command.joined(separator: " "))`, which changes images: "
            + "a check may only look (it runs read-only)", at: check.location)
      }
    }
    return diagnostics
  }

  /// The arguments of each `docker` command in a script, read word by word.
  static func dockerCommands(in script: String) -> [[String]] {
    script.split(separator: "\n").flatMap { simpleCommands(in: String($0)) }.compactMap {
      $0.first == "docker" ? Array($0.dropFirst()) : nil
    }
  }
}
