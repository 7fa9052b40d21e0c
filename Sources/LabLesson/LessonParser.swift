import Foundation
import LabBundle

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
    let reading = try read(contentsOf: path)
    if let first = reading.errors.first { throw first }
    return reading.lesson
  }

  /// Reads the lesson file at `path` as far as it goes; only a file that is no text stops it.
  ///
  /// A bundled lesson's path (`bundled:lessons/01-images.md`) reads the copy inside the
  /// executable.
  public static func read(contentsOf path: String) throws(LessonError) -> (
    lesson: Lesson, errors: [LessonError]
  ) {
    let bytes: [UInt8]
    if let bundled = BundledFiles.file(named: path) {
      bytes = bundled.array
    } else if let data = FileManager.default.contents(atPath: path) {
      bytes = Array(data)
    } else {
      throw .unreadable(path)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      // Name the first line that is not UTF-8.
      let lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
      let bad = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0
      throw .notText(SourceLocation(file: path, line: bad + 1))
    }
    return read(text, path: path)
  }

  /// Parses a lesson file's text.
  ///
  /// - Parameters:
  ///   - text: The markdown.
  ///   - path: The file, for locations.
  /// - Returns: The lesson.
  /// - Throws: ``LessonError`` for a lesson that cannot run.
  public static func parse(_ text: String, path: String) throws(LessonError) -> Lesson {
    let reading = read(text, path: path)
    if let first = reading.errors.first { throw first }
    return reading.lesson
  }

  /// Reads a lesson file's text as far as it goes: every problem is collected, none stops the
  /// reading, so `lint` can report them all at once.
  ///
  /// - Returns: The lesson, with its warnings and notes, and the errors that stop it running.
  public static func read(_ text: String, path: String) -> (lesson: Lesson, errors: [LessonError]) {
    let (text, pageTitle) = withoutFrontMatter(text)
    let blocks = MarkdownReader.blocks(text)
    let sourceLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
      .map { String(String.UnicodeScalarView($0)) }
    var steps: [Step] = []
    var warnings: [LessonDiagnostic] = []
    var title = pageTitle ?? ""
    var heading = ""
    var previousProse: (text: String, spans: [String])?
    var pendingMode: MatchMode?
    var pendingFile: String?
    var skipNext = false
    var pendingHint: String?
    /// A page that has the reader work as root: its `# ` prompts run as root.
    let worksAsRoot = blocks.contains { block in
      guard case .paragraph(let prose, _, _) = block else { return false }
      let lower = prose.lowercased()
      return ["as root", "become root", "sudo -i", "sudo su", "sudo -s", "as the root user"]
        .contains {
          lower.contains($0)
        }
    }
    /// A block shown without a name; the paragraph after it may name it.
    var unnamedBlock: (code: String, line: Int)?
    /// Images the prose says are there already, for the next command.
    var assumedImages: [String] = []
    /// The file an editor command (`vim Dockerfile`) opened: the next block is its text.
    var editorFile: String?
    var errors: [LessonError] = []
    func note(_ line: Int, _ severity: LessonDiagnostic.Severity, _ code: String, _ message: String)
    {
      warnings.append(
        LessonDiagnostic(location: location(line), severity: severity, message: message, code: code)
      )
    }
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
        unnamedBlock = nil
      case .paragraph(let prose, let spans, let line):
        // "Save it as `hello.py`" after a block names the block just shown.
        if let (code, blockLine) = unnamedBlock, let name = nameAfterBlock(prose) {
          steps.append(.file(path: name, content: code, location: location(blockLine)))
        }
        unnamedBlock = nil
        previousProse = (prose, spans)
        // Killercoda's `docker ps`{{execute}}: a span the reader clicks to run.
        for match in prose.matches(of: #/`([^`]+)`\{\{(?:execute|exec)(?: [^}]*)?\}\}/#) {
          steps.append(
            .command(CommandStep(command: String(match.output.1), location: location(line))))
        }
        // "Given the images `busybox` and `alpine`": a reference page assumes them.
        assumedImages += assumedImageNames(prose, spans: spans)
      case .html(let html, let line):
        for directive in directives(in: html) {
          let words = directive.split(separator: " ", maxSplits: 1).map(String.init)
          let argument = words.count > 1 ? words[1].trimmingCharacters(in: [" "]) : ""
          let name = words.first ?? ""
          if exercise != nil, !["hint", "exercise", "expect"].contains(name) {
            errors.append(
              .badDirective(
                location(line),
                "'\(name)' cannot stand inside an exercise, which runs to the next heading"))
            continue
          }
          switch name {
          case "skip": skipNext = true
          case "expect":
            guard let mode = MatchMode(rawValue: argument) else {
              errors.append(
                .badDirective(
                  location(line), "expect takes exact, approximate or excerpt, not '\(argument)'"))
              continue
            }
            pendingMode = mode
          case "file":
            guard !argument.isEmpty else {
              errors.append(.badDirective(location(line), "file needs a path"))
              continue
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
          default: errors.append(.unknownDirective(location(line), directive))
          }
        }
      case .code(let info, let code, let line, let endLine, let isFenced, let isClosed):
        if isFenced && !isClosed {
          // GitHub shows such a fence to the end of the file; so does the lesson.
          note(
            line, .warning, "LL001",
            "the code fence opened here is never closed: it runs to the end of the file")
        }
        let opened = editorFile
        unnamedBlock = nil
        defer {
          previousProse = nil
          pendingMode = nil
          pendingFile = nil
          if editorFile == opened { editorFile = nil }
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
          errors.append(
            .badDirective(
              location(line),
              "a '\(tag)' block belongs to an exercise: put <!-- layerlab: exercise --> before it"))
          continue
        }
        let content = BlockContent.of(code, tag: tag)
        // An indented block has no fence line: its text starts on its first line.
        let fenceLine = isFenced ? line : line - 1
        let reading = BlockReading(
          tag: tag, code: code, content: content, prose: previousProse?.text ?? "",
          heading: heading, isFenced: isFenced)
        if let (file, appends) = reading.file(named: pendingFile ?? attributes.file ?? opened) {
          if appends, let earlier = lastContent(of: file, in: steps) {
            let text = earlier + (earlier.hasSuffix("\n") || earlier.isEmpty ? "" : "\n") + code
            steps.append(.file(path: file, content: text, location: location(line)))
          } else if appends {
            // A file a command wrote: its text is known when the step runs.
            steps.append(.addToFile(path: file, content: code, location: location(line)))
          } else {
            steps.append(.file(path: file, content: code, location: location(line)))
          }
          continue
        }
        switch reading.role {
        case .documentation(let why):
          if let why { note(line, .note, "LL015", why) }
          unnamedBlock = (code, line)
        case .output
        where [.imageList, .yaml, .requirements].contains(content) && !awaitsOutput(steps):
          // A list of images or packages with no command before it is shown, not printed.
          note(line, .note, "LL015", "this block holds \(content.description), shown to read")
        case .output:
          attachOutput(
            code, tag: tag, line: fenceLine, prose: previousProse, mode: pendingMode, to: &steps,
            path: path, warnings: &warnings)
        case .commands:
          let transcript = transcriptSteps(code, tag: tag, firstLine: fenceLine + 1, path: path)
          warnings += transcript.notes
          if !transcript.leadingOutput.isEmpty {
            attachOutput(
              transcript.leadingOutput, tag: tag, line: fenceLine, prose: previousProse,
              mode: pendingMode, to: &steps, path: path, warnings: &warnings)
          }
          var commands = transcript.steps
          // The editor a block ends with is not run: the next block is the file's text.
          if let last = commands.last, let file = ShellLines.editedFile(last.command) {
            editorFile = file
            commands.removeLast()
          }
          commands.removeAll { ShellLines.editedFile($0.command) != nil }
          for (index, var step) in commands.enumerated() {
            if let hint = pendingHint {
              step.hint = hint
              pendingHint = nil
            }
            if let mode = pendingMode, step.expected != nil { step.expected?.mode = mode }
            // "This fails": the block's last command, not the setup before it.
            step.failureExpected = reading.expectsFailure && index == commands.count - 1
            step.asRoot = step.asRoot && worksAsRoot
            step.assumedImages = assumedImages
            assumedImages = []
            steps.append(.command(step))
          }
        }
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
    return (lesson, errors)
  }

  /// The text with a YAML front matter (`---` … `---`) or a pandoc title block (`% title`)
  /// blanked out, line for line, and the title it gives the page.
  static func withoutFrontMatter(_ text: String) -> (text: String, title: String?) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var title: String?
    if lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") {
      for index in 1..<end {
        let line = lines[index]
        if line.hasPrefix("title:") {
          title = String(line.dropFirst(6)).trimmingCharacters(in: [" ", "\"", "'"])
        }
      }
      for index in 0...end { lines[index] = "" }
    } else if let first = lines.first, first.hasPrefix("% ") {
      title = String(first.dropFirst(2)).trimmingCharacters(in: [" "])
      var index = 0
      while index < lines.count, lines[index].hasPrefix("%") {
        lines[index] = ""
        index += 1
      }
    } else {
      return (text, nil)
    }
    return (lines.joined(separator: "\n"), title)
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

  static func hasPrompts(_ code: String, tag: String = "") -> Bool {
    code.split(separator: "\n").contains { isPrompt(String($0), tag: tag) }
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
    if let end = PromptScanner.ashPromptEnd(line) { return String(line[end...]) }
    guard let end = PromptScanner.fullPromptEnd(line) else { return nil }
    return String(line[end...])
  }

  /// The 12-hex host of a container's prompt (`root@3f2a4c1d9e0b:/# `), if the line has one.
  static func promptContainer(_ line: String) -> String? {
    // Only a line with `@` and a prompt's end can be one: the pattern is not built for others.
    guard line.contains("@"), line.contains("$ ") || line.contains("# ") else { return nil }
    guard let match = line.firstMatch(of: #/^[\w.-]+@([0-9a-f]{12}):\S*[$#] /#) else { return nil }
    return String(match.output.1)
  }

  /// The commands of a shell block, what it shows before its first command, and notes on
  /// lines whose reading was a close call.
  struct Transcript {
    var steps: [CommandStep] = []
    /// Output lines before any command: the output of the command before the block.
    var leadingOutput = ""
    var notes: [LessonDiagnostic] = []
  }

  /// Command steps of a shell block: prompt lines with the output after them, or, with no
  /// prompt, each command with the output lines after it.
  static func transcriptSteps(_ code: String, tag: String, firstLine: Int, path: String)
    -> Transcript
  {
    let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.contains(where: { isPrompt($0, tag: tag) }) {
      return promptedSteps(lines, tag: tag, firstLine: firstLine, path: path)
    }
    return unpromptedSteps(lines, firstLine: firstLine, path: path)
  }

  /// A transcript with prompts: each prompt line's command, and the lines up to the next prompt
  /// as its output.
  static func promptedSteps(_ lines: [String], tag: String, firstLine: Int, path: String)
    -> Transcript
  {
    var transcript = Transcript()
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
      // Continuations: `\`, an open quote or here-document, or a `> ` line, which is the
      // prompt of a next line.
      while index < lines.count, !isPrompt(lines[index], tag: tag),
        !ShellLines.isComplete(command) || lines[index].hasPrefix("> ")
      {
        let next = lines[index]
        command += "\n" + (next.hasPrefix("> ") ? String(next.dropFirst(2)) : next)
        index += 1
      }
      var output: [String] = []
      while index < lines.count, !isPrompt(lines[index], tag: tag) {
        output.append(lines[index])
        index += 1
      }
      var step = CommandStep(command: command, location: SourceLocation(file: path, line: start))
      step.promptContainer = promptContainer(line)
      step.asRoot = isRootPrompt(line)
      finish(&step, output: output, firstLine: start + 1, path: path)
      transcript.steps.append(step)
    }
    return transcript
  }

  /// A block without prompts, read line by line: a line that reads as a command starts a step,
  /// the lines after it that do not are its output.
  static func unpromptedSteps(_ lines: [String], firstLine: Int, path: String) -> Transcript {
    var transcript = Transcript()
    var current: CommandStep?
    var output: [String] = []
    var outputStart = 0
    var leading: [String] = []
    /// After `cat file`, the file's lines are output up to a blank line, whatever they say.
    var printing = false
    /// Functions the block defines: calling one is a command.
    var functions: Set<String> = []
    func close() {
      guard var step = current else { return }
      finish(&step, output: output, firstLine: outputStart, path: path)
      step.blockMates = transcript.steps.count
      transcript.steps.append(step)
      current = nil
      output = []
    }
    func isSignificant(_ line: String) -> Bool {
      !line.trimmingCharacters(in: [" ", "\t"]).isEmpty && !ShellLines.isComment(line)
    }
    var index = 0
    while index < lines.count {
      let line = lines[index]
      let number = firstLine + index
      index += 1
      let blank = line.trimmingCharacters(in: [" ", "\t"]).isEmpty
      if blank {
        printing = false
        if current != nil && !output.isEmpty { output.append(line) }
        continue
      }
      if ShellLines.isComment(line) && !printing {
        // A comment before the next command, or at the end, is the author's; among output
        // lines it is output (`cat Dockerfile` shows its comments).
        let next = lines[index...].first(where: isSignificant)
        if current == nil || output.isEmpty
          || next.map({ ShellLines.startsCommand($0, functions: functions) }) ?? true
        {
          continue
        }
        output.append(line)
        continue
      }
      if !printing && ShellLines.startsCommand(line, functions: functions) {
        close()
        if let name = ShellLines.definedFunction(line) { functions.insert(name) }
        var command = line
        while !ShellLines.isComplete(command), index < lines.count {
          command += "\n" + lines[index]
          index += 1
        }
        current = CommandStep(command: command, location: SourceLocation(file: path, line: number))
        outputStart = firstLine + index
        // After `cat file`, the file's lines follow — unless the next line is a command.
        printing =
          ShellLines.printsFile(command) && index < lines.count
          && !ShellLines.startsCommand(lines[index])
        continue
      }
      if current == nil {
        leading.append(line)
        continue
      }
      if output.isEmpty { outputStart = number }
      if let program = ShellLines.program(of: line), ShellLines.knownCommands.contains(program),
        !line.hasPrefix(" ")
      {
        transcript.notes.append(
          LessonDiagnostic(
            location: SourceLocation(file: path, line: number), severity: .note,
            message: "`\(line)` is read as output of the command above, not run", code: "LL016"))
      }
      output.append(line)
    }
    close()
    while leading.last?.trimmingCharacters(in: [" "]).isEmpty == true { leading.removeLast() }
    if !leading.isEmpty { transcript.leadingOutput = leading.joined(separator: "\n") + "\n" }
    return transcript
  }

  /// Gives a step the output lines shown after it, and the answer the author typed at a
  /// question such as `Are you sure you want to continue? [y/N] y`.
  static func finish(_ step: inout CommandStep, output: [String], firstLine: Int, path: String) {
    var output = output
    while output.last?.trimmingCharacters(in: [" ", "\t"]).isEmpty == true { output.removeLast() }
    var first = firstLine
    while output.first?.trimmingCharacters(in: [" ", "\t"]).isEmpty == true {
      output.removeFirst()
      first += 1
    }
    for line in output {
      // The pattern is built only for a line that can match it.
      if line.contains("/n]") || line.contains("/N]"),
        let match = line.firstMatch(of: #/\[[yY]/[nN]\] ?([A-Za-z]+)\s*$/#)
      {
        step.input = String(match.output.1) + "\n"
      }
    }
    guard !output.isEmpty else { return }
    let (text, status) = ExpectedStatus.split(output.joined(separator: "\n") + "\n")
    step.expected = Expectation(
      text: text, mode: .normal, language: "text",
      location: SourceLocation(file: path, line: first), status: status)
  }

  /// Whether a prompt is a root shell's: `# `, `root@host:/# `.
  static func isRootPrompt(_ line: String) -> Bool {
    if line.hasPrefix("# ") { return true }
    guard let end = PromptScanner.fullPromptEnd(line) else { return false }
    return line[..<end].hasSuffix("# ")
  }

  /// The file a sentence after a block names it as: "Save it as `hello.py`", "call this file
  /// `app.py`".
  static func nameAfterBlock(_ prose: String) -> String? {
    let first = FileCue.sentences(prose).first ?? ""
    let lower = first.lowercased()
    guard
      lower.firstMatch(
        of: #/^(save|name|call|store|put) (it|this|that|the file|this file|the script|the code)\b/#)
        != nil
    else { return nil }
    return PathName.mentions(in: first).first
  }

  /// Images a paragraph says are there already: "Given the images `busybox` and `alpine`".
  static func assumedImageNames(_ prose: String, spans: [String]) -> [String] {
    let lower = prose.lowercased()
    guard
      [
        "given the image", "assuming the image", "suppose you have", "if you have the image",
        "with the image",
      ].contains(where: { lower.contains($0) })
    else { return [] }
    return spans.filter {
      $0.wholeMatch(of: #/[a-z0-9][a-z0-9._\-\/]*(:[A-Za-z0-9_][A-Za-z0-9_.\-]*)?/#) != nil
    }
  }

  /// Whether the last command step still waits for its output block.
  static func awaitsOutput(_ steps: [Step]) -> Bool {
    for step in steps.reversed() {
      switch step {
      case .command(let command): return command.expected == nil
      case .exercise: return false
      default: continue
      }
    }
    return false
  }

  /// The text the lesson last wrote to `file`, for a block that adds to it.
  static func lastContent(of file: String, in steps: [Step]) -> String? {
    for step in steps.reversed() {
      if case .file(let path, let content, _) = step, path == file { return content }
    }
    return nil
  }

  /// Attaches an output block to the command it belongs to, or to a command the prose names.
  static func attachOutput(
    _ code: String, tag: String, line: Int, prose: (text: String, spans: [String])?,
    mode: MatchMode?,
    to steps: inout [Step], path: String, warnings: inout [LessonDiagnostic]
  ) {
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
      // Read as prose: the lesson runs on.
      warnings.append(
        LessonDiagnostic(
          location: location, severity: .warning,
          message: "an output block follows no command: it is read as prose", code: "LL014"))
      return
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
