import Foundation

/// Turns a markdown lesson into steps, as a reader would follow it.
public enum LessonParser {
  static let commandTags: Set<String> = [
    "sh", "bash", "shell", "zsh", "console", "shell-session", "terminal", "shellsession",
  ]
  static let outputTags: Set<String> = [
    "", "text", "plaintext", "output", "json", "txt", "log", "plain",
  ]
  /// Words that start a command named in prose.
  static let commandWords: Set<String> = [
    "docker", "sudo", "ls", "cat", "cd", "echo", "mkdir", "touch", "rm", "cp", "mv", "tar", "grep",
    "head", "tail", "wc", "jq", "find", "tree", "du", "stat", "sha256sum", "pwd", "printf", "env",
  ]

  /// Reads and parses the lesson file at `path`.
  public static func parse(contentsOf path: String) throws(LessonError) -> Lesson {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path)
    }
    let bytes = Array(data)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      // Name the first line that is not UTF-8.
      let lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
      let bad = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0
      throw .notText(SourceLocation(file: path, line: bad + 1))
    }
    return try parse(text, path: path)
  }

  /// Parses a lesson file's text.
  ///
  /// - Parameters:
  ///   - text: The markdown.
  ///   - path: The file, for locations.
  /// - Returns: The lesson.
  /// - Throws: ``LessonError`` for a lesson that cannot run.
  public static func parse(_ text: String, path: String) throws(LessonError) -> Lesson {
    let blocks = MarkdownReader.blocks(text)
    let sourceLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
      .map { String(String.UnicodeScalarView($0)) }
    var steps: [Step] = []
    var warnings: [LessonDiagnostic] = []
    var title = ""
    var heading = ""
    var previousProse: (text: String, spans: [String])?
    var pendingMode: MatchMode?
    var pendingFile: String?
    var skipNext = false
    var pendingHint: String?
    /// The exercise being read: from its directive to the next heading or exercise.
    var exercise: ExerciseDraft?
    func location(_ line: Int) -> SourceLocation { SourceLocation(file: path, line: line) }
    func closeExercise(before line: Int) {
      guard let draft = exercise else { return }
      steps.append(.exercise(draft.finished(endingBefore: line, lines: sourceLines)))
      exercise = nil
    }

    for block in blocks {
      switch block {
      case .heading(let text, let line):
        closeExercise(before: line)
        if title.isEmpty { title = text }
        heading = text
        previousProse = nil
      case .paragraph(let prose, let spans, _):
        previousProse = (prose, spans)
      case .html(let html, let line):
        for directive in directives(in: html) {
          let words = directive.split(separator: " ", maxSplits: 1).map(String.init)
          let argument = words.count > 1 ? words[1].trimmingCharacters(in: [" "]) : ""
          let name = words.first ?? ""
          if exercise != nil, !["hint", "exercise", "expect"].contains(name) {
            throw .badDirective(
              location(line),
              "'\(name)' cannot stand inside an exercise, which runs to the next heading")
          }
          switch name {
          case "skip": skipNext = true
          case "expect":
            guard let mode = MatchMode(rawValue: argument) else {
              throw .badDirective(
                location(line), "expect takes exact, approximate or excerpt, not '\(argument)'")
            }
            pendingMode = mode
          case "file":
            guard !argument.isEmpty else {
              throw .badDirective(location(line), "file needs a path")
            }
            pendingFile = argument
          case "clock": steps.append(.clock(argument, location: location(line)))
          case "exercise":
            closeExercise(before: line)
            exercise = ExerciseDraft(
              title: argument.isEmpty ? (heading.isEmpty ? "Exercise" : heading) : argument,
              location: location(line))
          case "hint":
            if exercise != nil {
              exercise?.hints.append(argument)
              exercise?.hidden.append(line...line)
            } else {
              pendingHint = argument
            }
          default: throw .unknownDirective(location(line), directive)
          }
        }
      case .code(let info, let code, let line, let endLine, let isFenced, let isClosed):
        if isFenced && !isClosed { throw .unterminatedFence(location(line)) }
        defer {
          previousProse = nil
          pendingMode = nil
          pendingFile = nil
        }
        let attributes = fenceAttributes(info)
        let tag = attributes.tag
        if exercise != nil {
          // Inside an exercise only its own blocks count; any other block is part of the task.
          exercise?.take(
            tag: tag, code: code, lines: line...max(line, endLine), mode: pendingMode, path: path)
          continue
        }
        if skipNext {
          skipNext = false
          continue
        }
        if ExerciseDraft.tags.contains(tag) {
          throw .badDirective(
            location(line),
            "a '\(tag)' block belongs to an exercise: put <!-- layerlab: exercise --> before it")
        }
        // A file the prose or the fence asks to create; shell blocks only when told outright.
        let leadIn = commandTags.contains(tag) ? nil : fileLeadIn(previousProse)
        if let file = pendingFile ?? attributes.file ?? leadIn {
          steps.append(.file(path: file, content: code, location: location(line)))
          continue
        }
        if commandTags.contains(tag) || (tag.isEmpty && hasPrompts(code)) {
          let transcript = transcriptSteps(code, tag: tag, firstLine: line + 1, path: path)
          if transcript.isEmpty {
            // A console block with no prompt is output.
            if tag == "console" || tag == "shell-session" || tag == "terminal" {
              try attachOutput(
                code, tag: tag, line: line, prose: previousProse, mode: pendingMode, to: &steps,
                path: path)
            }
            continue
          }
          for var step in transcript {
            if let hint = pendingHint {
              step.hint = hint
              pendingHint = nil
            }
            if let mode = pendingMode, step.expected != nil { step.expected?.mode = mode }
            steps.append(.command(step))
          }
          continue
        }
        if outputTags.contains(tag) {
          try attachOutput(
            code, tag: tag, line: line, prose: previousProse, mode: pendingMode, to: &steps,
            path: path)
          continue
        }
      // Other languages are documentation unless the prose asks to create them.
      }
    }
    closeExercise(before: sourceLines.count + 1)
    if steps.isEmpty {
      warnings.append(
        LessonDiagnostic(
          location: location(1), severity: .warning, message: "the lesson has no steps",
          code: "LL002"))
    }
    var lesson = Lesson(path: path, title: title, steps: steps, warnings: warnings)
    lesson.prose = prose(of: text, steps: steps, blocks: blocks)
    return lesson
  }

  /// The prose around each step: the source lines between the code blocks the steps come from.
  static func prose(of text: String, steps: [Step], blocks: [MarkdownBlock]) -> LessonProse {
    let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
      String(String.UnicodeScalarView($0))
    }
    let codeBlocks: [ClosedRange<Int>] = blocks.compactMap { block in
      guard case .code(_, _, let line, let endLine, _, _) = block else { return nil }
      return line...max(line, endLine)
    }
    /// The code block holding a line, or the line alone (a directive, prose).
    func block(at line: Int) -> ClosedRange<Int> {
      codeBlocks.first { $0.contains(line) } ?? line...line
    }
    func source(_ range: Range<Int>) -> String {
      guard range.lowerBound < range.upperBound else { return "" }
      let lower = max(1, range.lowerBound)
      let upper = min(lines.count + 1, range.upperBound)
      guard lower < upper else { return "" }
      return lines[(lower - 1)..<(upper - 1)].joined(separator: "\n")
    }
    var prose = LessonProse()
    var consumed = 0
    for step in steps {
      let own = block(at: step.location.line)
      prose.before.append(source((consumed + 1)..<max(consumed + 1, own.lowerBound)))
      consumed = max(consumed, own.upperBound)
      var between = ""
      if case .exercise(let exercise) = step {
        // The exercise's task is its own; the prose goes on after its last line.
        consumed = max(consumed, exercise.endLine)
      }
      if case .command(let command) = step, let expected = command.expected {
        let output = block(at: expected.location.line)
        if output.lowerBound > consumed {
          between = source((consumed + 1)..<output.lowerBound)
          consumed = output.upperBound
        }
      }
      prose.between.append(between)
    }
    prose.closing = source((consumed + 1)..<max(consumed + 1, lines.count + 1))
    return prose
  }

  /// `<!-- layerlab: … -->` comments in an HTML block.
  static func directives(in html: String) -> [String] {
    var result: [String] = []
    var rest = Substring(html)
    while let open = rest.range(of: "<!--") {
      guard let close = rest[open.upperBound...].range(of: "-->") else { break }
      let body = String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: [
        " ", "\n", "\t",
      ])
      if body.hasPrefix("layerlab:") {
        result.append(String(body.dropFirst("layerlab:".count)).trimmingCharacters(in: [" "]))
      }
      rest = rest[close.upperBound...]
    }
    return result
  }

  /// The language tag and `title=`/`file=` attributes of a fence's info string.
  static func fenceAttributes(_ info: String) -> (tag: String, file: String?) {
    var words = info.split(separator: " ").map(String.init)
    let tag =
      words.isEmpty ? "" : words.removeFirst().lowercased().trimmingCharacters(in: ["{", "}", "."])
    var file: String?
    for word in words {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, ["title", "file", "filename", "name"].contains(parts[0]) else {
        continue
      }
      file = parts[1].trimmingCharacters(in: ["\"", "'"])
    }
    return (tag, file)
  }

  /// The file a lead-in asks the reader to create: "create a simple application `app.py`:",
  /// "let's create a `Dockerfile`:", "`index.html`:".
  public static func fileLeadIn(_ prose: (text: String, spans: [String])?) -> String? {
    guard let prose, let name = prose.spans.last else { return nil }
    // `app.py`, `Dockerfile`, `nginx.conf` — not a version such as `1.27.1`.
    let fileExtension = name.split(separator: ".").last.map(String.init) ?? ""
    let looksLikeFile =
      !name.contains(" ") && !name.hasPrefix("-")
      && ((name.contains(".") && fileExtension.contains(where: \.isLetter)) || name == "Dockerfile"
        || name.hasSuffix("file"))
    guard looksLikeFile else { return nil }
    let text = prose.text.lowercased()
    let asks = ["create", "save", "write", "add a file", "put "].contains { text.contains($0) }
    let trimmed = prose.text.trimmingCharacters(in: [" ", "\n"])
    let endsWithName = trimmed.hasSuffix("`\(name)`:") || trimmed.hasSuffix("`\(name)`")
    if asks || endsWithName { return name }
    return nil
  }

  static func hasPrompts(_ code: String) -> Bool {
    code.split(separator: "\n").contains { isPrompt(String($0), tag: "") }
  }

  /// Whether a line is a prompt line.
  static func isPrompt(_ line: String, tag: String) -> Bool {
    promptCommand(line, tag: tag) != nil
  }

  /// The command of a prompt line, or `nil` when the line is no prompt.
  ///
  /// Prompts as lessons print them: `$ `; `# ` for a root shell — always in a console block,
  /// elsewhere only before a command (`# docker images`, not `# Update the packages`); a full
  /// prompt such as `user@host:~$ `, `root@host:/app# `, `[user@host dir]$ ` or `~/site$ `; and
  /// zsh's `% ` or `❯ ` before a command.
  static func promptCommand(_ line: String, tag: String) -> String? {
    if line == "$" { return "" }
    if line.hasPrefix("$ ") { return String(line.dropFirst(2)) }
    let consoleTag = ["console", "shell-session", "shellsession", "terminal"].contains(tag)
    func startsWithCommand(_ text: Substring) -> Bool {
      commandWords.contains(text.split(separator: " ").first.map(String.init) ?? "")
    }
    if line.hasPrefix("# ") {
      let rest = line.dropFirst(2)
      return consoleTag || startsWithCommand(rest) ? String(rest) : nil
    }
    if line.hasPrefix("% ") || line.hasPrefix("❯ ") {
      let rest = line.dropFirst(2)
      return startsWithCommand(rest) ? String(rest) : nil
    }
    // A container's ash prompt: `/ # `, `/app # `, `~ # `.
    if let match = line.firstMatch(of: #/^(?:/\S*|~\S*) [#$] /#) {
      return String(line[match.range.upperBound...])
    }
    guard let match = line.firstMatch(of: fullPrompt) else { return nil }
    return String(line[match.range.upperBound...])
  }

  /// The 12-hex host of a container's prompt (`root@3f2a4c1d9e0b:/# `), if the line has one.
  static func promptContainer(_ line: String) -> String? {
    guard let match = line.firstMatch(of: #/^[\w.-]+@([0-9a-f]{12}):\S*[$#] /#) else { return nil }
    return String(match.output.1)
  }

  /// `user@host:~$ `, `root@host:/app# `, `[user@host dir]$ `, `~/site$ `, `host:~ user$ `.
  static var fullPrompt: Regex<Substring> {
    #/^(?:[\w.-]+@[\w.-]+(?::\S*?)?|\[[^\]]+\]|~\S*?|[\w.-]+:\S+ [\w.-]+)[$#] /#
  }

  /// Command steps of a shell block: prompt lines with the output after them, or, with no
  /// prompt, every command line.
  static func transcriptSteps(_ code: String, tag: String, firstLine: Int, path: String)
    -> [CommandStep]
  {
    let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let promptStyle = lines.contains { isPrompt($0, tag: tag) }
    var steps: [CommandStep] = []
    if promptStyle {
      var index = 0
      while index < lines.count {
        let line = lines[index]
        guard isPrompt(line, tag: tag) else {
          index += 1
          continue
        }
        var command = promptCommand(line, tag: tag) ?? ""
        let start = firstLine + index
        index += 1
        // Continuations: `\` at the end, or `> ` lines.
        // The shell reads the `\` continuation itself; a `> ` is the prompt of a next line.
        while index < lines.count, command.hasSuffix("\\") || lines[index].hasPrefix("> ") {
          let next = lines[index]
          command += "\n" + (next.hasPrefix("> ") ? String(next.dropFirst(2)) : next)
          index += 1
        }
        var output: [String] = []
        while index < lines.count, !isPrompt(lines[index], tag: tag) {
          output.append(lines[index])
          index += 1
        }
        while output.last?.isEmpty == true { output.removeLast() }
        var step = CommandStep(command: command, location: SourceLocation(file: path, line: start))
        step.promptContainer = promptContainer(line)
        if !output.isEmpty {
          let (text, status) = ExpectedStatus.split(output.joined(separator: "\n") + "\n")
          step.expected = Expectation(
            text: text, mode: .normal, language: "text",
            location: SourceLocation(file: path, line: start + 1), status: status)
        }
        steps.append(step)
      }
      return steps
    }
    if tag == "console" || tag == "shell-session" || tag == "terminal" { return [] }
    var index = 0
    while index < lines.count {
      var command = lines[index]
      let start = firstLine + index
      index += 1
      if command.trimmingCharacters(in: [" ", "\t"]).isEmpty
        || command.trimmingCharacters(in: [" "]).hasPrefix("#")
      {
        continue
      }
      while command.hasSuffix("\\"), index < lines.count {
        command += "\n" + lines[index]
        index += 1
      }
      // A here-document takes the lines up to its delimiter.
      if let range = command.range(of: "<<") {
        var delimiter = String(command[range.upperBound...].drop { $0 == "-" || $0 == " " })
        delimiter = String(delimiter.prefix { !$0.isWhitespace }).trimmingCharacters(in: [
          "'", "\"",
        ])
        while index < lines.count {
          command += "\n" + lines[index]
          index += 1
          if lines[index - 1].trimmingCharacters(in: ["\t"]) == delimiter { break }
        }
      }
      var step = CommandStep(command: command, location: SourceLocation(file: path, line: start))
      step.blockMates = steps.count
      steps.append(step)
    }
    return steps
  }

  /// Attaches an output block to the command it belongs to, or to a command the prose names.
  static func attachOutput(
    _ code: String, tag: String, line: Int, prose: (text: String, spans: [String])?,
    mode: MatchMode?,
    to steps: inout [Step], path: String
  ) throws(LessonError) {
    let location = SourceLocation(file: path, line: line)
    let (text, status) = ExpectedStatus.split(code)
    // The expected text starts on the line after the fence.
    let expectation = Expectation(
      text: text, mode: mode ?? leadInMode(prose?.text ?? ""), language: tag,
      location: SourceLocation(file: path, line: line + 1), status: status)
    let named = prose?.spans.first { span in
      guard let first = span.split(separator: " ").first else { return false }
      return commandWords.contains(String(first))
        && (span.contains(" ") || ["ls", "pwd"].contains(span))
    }
    // The command before, unless an exercise stands between.
    let lastIndex = steps.lastIndex { step in
      switch step {
      case .command, .exercise: true
      default: false
      }
    }.flatMap { index -> Int? in
      if case .command = steps[index] { return index }
      return nil
    }
    if let named {
      let last = lastIndex.flatMap { index -> CommandStep? in
        if case .command(let step) = steps[index] { return step }
        return nil
      }
      if last == nil || last?.expected != nil || last?.command != named {
        var step = CommandStep(command: named, location: location, expected: expectation)
        step.isImplied = true
        steps.append(.command(step))
        return
      }
    }
    guard let lastIndex, case .command(var step) = steps[lastIndex], step.expected == nil else {
      throw .outputWithoutCommand(location)
    }
    step.expected = expectation
    steps[lastIndex] = .command(step)
  }

  /// The match mode the lead-in sentence asks for.
  static func leadInMode(_ prose: String) -> MatchMode {
    let text = prose.lowercased()
    if [
      "among other things", "will include", "excerpt", "part of it", "part of the output",
      "includes",
    ]
    .contains(where: { text.contains($0) }) {
      return .excerpt
    }
    if ["approximately", "similar to", "something like", "like the following", "roughly"]
      .contains(where: { text.contains($0) })
    {
      return .approximate
    }
    return .normal
  }
}
