/// How a reader takes one code block of a lesson: a file to create, commands to run, the output
/// of the command before, or documentation to read.
///
/// The info string is only a hint: tutorials tag a Dockerfile `bash` and a transcript `text`.
/// The block's own lines and the sentence just before it decide.
struct BlockReading {
  enum Role: Equatable {
    case commands
    case output
    /// Not run; the reason, when the block could pass for commands.
    case documentation(String?)
  }

  var tag: String
  var code: String
  var content: BlockContent
  /// The paragraph just before the block.
  var prose: String
  var heading: String
  /// Fenced, or indented four spaces: an indented block in a list item is how older pages
  /// show a command to type.
  var isFenced = true

  var isShell: Bool { LessonParser.commandTags.contains(tag) }

  /// The file the block is the text of, and whether it is added to the end of that file.
  ///
  /// - Parameter explicit: A name the lesson gave outright: a directive, a fence attribute, or
  ///   the editor the block before opened.
  /// - Returns: The file's name and whether the block adds to it, or `nil` for no file.
  func file(named explicit: String?) -> (name: String, appends: Bool)? {
    if let explicit { return (explicit, false) }
    // A transcript is never a file's text.
    if LessonParser.hasPrompts(code, tag: tag) { return nil }
    let hasFrom = code.split(separator: "\n").contains {
      String($0).trimmingCharacters(in: [" ", "\t"]).uppercased().hasPrefix("FROM ")
    }
    guard let cue = FileCue.read(prose, content: content) else {
      // A whole Dockerfile, even unannounced, is the Dockerfile — unless the sentence before
      // it shows it as an illustration ("a typical shape, for a Go program:").
      let last = FileCue.sentences(prose).last?.lowercased() ?? ""
      let illustrates = !last.isEmpty && FileCue.illustrationPhrases.contains { last.contains($0) }
      return content == .dockerfile && hasFrom && !illustrates ? ("Dockerfile", false) : nil
    }
    let lowerProse = FileCue.sentences(prose).last?.lowercased() ?? ""
    switch content {
    case .commands:
      guard let name = cue.name else { return nil }
      if !isShell && !tag.isEmpty && !LessonParser.outputTags.contains(tag) {
        return (name, cue.appends)
      }
      // Shell text is a file only when the prose says so: "a file called `greet.sh` with this
      // content", or "create `build.sh`:" for a script — never "create it by running".
      let asksToRun = ["run", "execute", "command"].contains { lowerProse.contains($0) }
      let script = BlockContent.commands.fits(name) && name.contains(".")
      let makes = ["create", "save", "write", "add"].contains { lowerProse.contains($0) }
      guard cue.isOutright || (script && makes && !asksToRun) else { return nil }
      return (name, cue.appends)
    case .dockerfile:
      if let name = cue.name, content.fits(name) { return (name, cue.appends) }
      // A Dockerfile is the Dockerfile, whatever an unrelated mention says.
      if hasFrom || cue.name.map(content.fits) == true || lowerProse.contains("dockerfile") {
        return ("Dockerfile", cue.appends)
      }
      return nil
    case .yaml, .requirements, .json, .imageList:
      guard let name = cue.name, content.fits(name) || !BlockContent.dockerfile.fits(name) else {
        return nil
      }
      // An output block the prose calls "the result" is not a file: the cue said as much.
      return (name, cue.appends)
    case .other:
      guard let name = cue.name, content.fits(name), !isShell || cue.isOutright else { return nil }
      return (name, cue.appends)
    }
  }

  /// What the block is, when it is no file.
  var role: Role {
    let prompts = LessonParser.hasPrompts(code, tag: tag)
    if !prompts, code.split(separator: "\n").contains(where: { ShellLines.isSynopsis(String($0)) })
    {
      return .documentation("this block is a usage synopsis, not a command: it is not run")
    }
    if isShell {
      if prompts { return .commands }
      switch content {
      case .dockerfile, .yaml, .requirements, .imageList:
        return .documentation(
          "this `\(tag)` block holds \(content.description), not commands: it is not run")
      case .json:
        return .output
      case .commands, .other:
        return firstLineIsCommand ? .commands : .output
      }
    }
    if tag.isEmpty || LessonParser.outputTags.contains(tag) {
      if tag.isEmpty && prompts { return .commands }
      if content == .commands && firstLineIsCommand
        && (proseAsksToRun || startsWithDocker || !isFenced)
      {
        return .commands
      }
      if content == .dockerfile { return .documentation(nil) }
      return .output
    }
    return .documentation(nil)
  }

  /// Whether the first command is `docker …`: nobody shows that as another command's output.
  var startsWithDocker: Bool {
    let first = code.split(separator: "\n").map(String.init).first {
      !$0.trimmingCharacters(in: [" ", "\t"]).isEmpty && !ShellLines.isComment($0)
    }
    return first.flatMap(ShellLines.program) == "docker"
  }

  var firstLineIsCommand: Bool {
    let first = code.split(separator: "\n").map(String.init).first {
      !$0.trimmingCharacters(in: [" ", "\t"]).isEmpty && !ShellLines.isComment($0)
    }
    return first.map { ShellLines.startsCommand($0) } ?? false
  }

  /// "Run the following:", "type:", "execute": the prose hands the reader a command.
  var proseAsksToRun: Bool {
    let lower = (FileCue.sentences(prose).last ?? "").lowercased()
    if FileCue.outputPhrases.contains(where: { lower.contains($0) }) { return false }
    return ["run", "type", "execute", "enter", "try", "issue", "command"].contains {
      lower.contains($0)
    }
  }

  /// Whether the prose says the command is meant to fail: "this fails with an error".
  var expectsFailure: Bool {
    let lower = prose.lowercased()
    return [
      "error", "fail", "will not work", "won't work", "does not work", "doesn't work", "refuse",
      "denied", "not found", "cannot", "can't", "conflict", "complain",
    ].contains { lower.contains($0) }
  }
}

extension LessonParser {
  /// Why a file step's name does not fit its text — a Dockerfile written to
  /// `requirements.txt` — or `nil` when it fits.
  public static func misnamedFile(_ path: String, content: String) -> String? {
    let kind = BlockContent.of(content, tag: "")
    let strong: [BlockContent] = [.dockerfile, .requirements, .yaml, .json]
    let named = BlockContent.dockerfile.fits(path)
    if strong.contains(kind) && !kind.fits(path) || named && kind != .dockerfile && kind != .other {
      return
        "the text written to \(path) reads as \(kind.description): is the name from an earlier, unrelated mention? Name the file with <!-- layerlab: file PATH -->"
    }
    return nil
  }
}

extension BlockContent: CustomStringConvertible {
  var description: String {
    switch self {
    case .dockerfile: "Dockerfile instructions"
    case .yaml: "YAML"
    case .requirements: "a list of packages"
    case .imageList: "a list of images"
    case .json: "JSON"
    case .commands: "commands"
    case .other: "text"
    }
  }
}
