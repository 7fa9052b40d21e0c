/// What a block's text is, judged by its lines.
///
/// A Dockerfile, YAML, a list of packages or images is never run as commands, whatever the
/// block's info string says.
enum BlockContent: Equatable {
  case dockerfile
  case yaml
  case requirements
  case imageList
  case json
  case commands
  case other

  static let instructions: Set<String> = [
    "FROM", "RUN", "COPY", "ADD", "CMD", "ENTRYPOINT", "WORKDIR", "ENV", "EXPOSE", "ARG", "LABEL",
    "USER", "VOLUME", "HEALTHCHECK", "SHELL", "ONBUILD", "STOPSIGNAL", "MAINTAINER",
  ]

  /// Reads the kind of `code`, a block's text, given its info-string tag.
  static func of(_ code: String, tag: String) -> BlockContent {
    switch tag {
    case "dockerfile", "docker", "containerfile": return .dockerfile
    case "yaml", "yml": return .yaml
    case "json", "jsonc": return .json
    default: break
    }
    let lines = code.split(separator: "\n").map { String($0).trimmingCharacters(in: [" ", "\t"]) }
      .filter { !$0.isEmpty }
    let significant = lines.filter { !$0.hasPrefix("#") }
    guard !significant.isEmpty else { return .other }
    func keyword(_ line: String) -> String {
      String(line.prefix { $0 != " " && $0 != "\t" })
    }
    // A Dockerfile: instructions in capitals (or continuation lines after one).
    var instructionLines = 0
    var continued = false
    for line in significant {
      if continued || instructions.contains(keyword(line)) { instructionLines += 1 }
      continued = line.hasSuffix("\\")
    }
    if instructions.contains(keyword(significant[0])),
      instructionLines == significant.count,
      significant.contains(where: { keyword($0) != "RUN" && keyword($0) != "ENV" })
        || significant.count == 1 && keyword(significant[0]) != "RUN"
    {
      return .dockerfile
    }
    if let first = significant.first?.first, first == "{" || first == "[",
      significant.last?.last == "}" || significant.last?.last == "]"
    {
      return .json
    }
    // The cheap condition first: the patterns are built only for blocks that can match them.
    if significant.contains(where: { $0.contains("=") }) && significant.allSatisfy(isRequirement) {
      return .requirements
    }
    if significant.contains(where: { $0.hasSuffix(":") }) && significant.allSatisfy(isYAMLLine) {
      return .yaml
    }
    if significant.contains(where: { $0.contains(":") }) && significant.allSatisfy(isImageReference)
    {
      return .imageList
    }
    if ShellLines.startsCommand(significant[0]) { return .commands }
    return .other
  }

  /// `flask==3.0.3`, `requests>=2.31`, `gunicorn`: a line of a pip requirements file.
  static func isRequirement(_ line: String) -> Bool {
    line.wholeMatch(
      of: #/[A-Za-z0-9][A-Za-z0-9._\-\[\],]*\s*((==|>=|<=|~=|!=|>|<)\s*[\w.*+!]+\s*,?\s*)*/#)
      != nil
  }

  /// `services:`, `  web:`, `    image: nginx`, `- "80:80"`: a line of YAML.
  static func isYAMLLine(_ line: String) -> Bool {
    line.hasPrefix("- ") || line.hasPrefix("---")
      || line.wholeMatch(of: #/[A-Za-z0-9_."'-]+:(\s.*)?/#) != nil
  }

  /// `nginx:1.27`, `python:3.12-slim`, `ghcr.io/owner/app:v1`: an image reference alone.
  static func isImageReference(_ line: String) -> Bool {
    line.wholeMatch(
      of: #/[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?(@sha256:[0-9a-f]{64})?/#)
      != nil
  }

  /// Whether a file called `name` may hold text of this kind.
  func fits(_ name: String) -> Bool {
    let lower = PathName.base(name).lowercased()
    switch self {
    case .dockerfile:
      return lower.hasPrefix("dockerfile") || lower.hasSuffix(".dockerfile")
        || lower.hasPrefix("containerfile")
    case .yaml: return lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")
    case .requirements: return lower.hasSuffix(".txt") || lower.hasSuffix(".in")
    case .json: return lower.hasSuffix(".json")
    case .imageList: return lower.hasSuffix(".txt") || lower.hasSuffix(".list")
    case .commands:
      return lower.hasSuffix(".sh") || lower.hasSuffix(".bash") || !lower.contains(".")
    case .other: return !BlockContent.dockerfile.fits(name)
    }
  }

  /// The name a file of this kind goes by when nothing names it.
  var usualName: String? {
    switch self {
    case .dockerfile: "Dockerfile"
    default: nil
    }
  }
}

/// Helpers for file names in prose.
enum PathName {
  static func base(_ path: String) -> String {
    String(path.split(separator: "/").last ?? Substring(path))
  }

  /// Whether a word names a file: `app.py`, `Dockerfile`, `docker-compose.yml`, `.dockerignore`
  /// — not a version (`1.27.1`), a domain (`docs.docker.com`) or an option.
  static func looksLikeFile(_ word: String) -> Bool {
    guard !word.isEmpty, !word.contains(" "), !word.hasPrefix("-"), !word.contains("://"),
      !word.contains(":"), !word.contains("*"), !word.contains("$")
    else { return false }
    let base = base(word)
    let lower = base.lowercased()
    if ["dockerfile", "containerfile", "makefile", "gemfile", "procfile"].contains(lower)
      || lower.hasPrefix("dockerfile.")
    {
      return true
    }
    guard let dot = base.lastIndex(of: "."), dot != base.index(before: base.endIndex) else {
      return false
    }
    let fileExtension = base[base.index(after: dot)...].lowercased()
    if base.hasPrefix("."), dot == base.startIndex { return base.count > 1 }
    return knownExtensions.contains(fileExtension)
  }

  static let knownExtensions: Set<String> = [
    "py", "js", "mjs", "ts", "json", "txt", "sh", "bash", "html", "htm", "css", "yml", "yaml",
    "toml", "ini", "cfg", "conf", "md", "go", "rb", "java", "c", "h", "rs", "php", "xml", "env",
    "lock", "mod", "sum", "csv", "dockerfile", "dockerignore", "gitignore", "in", "tar", "gz",
    "tgz", "list", "properties", "gradle", "jsx", "tsx", "vue", "sql", "pl", "lua",
  ]

  /// File names in a piece of prose, in order: code spans and bare words alike.
  static func mentions(in text: String) -> [String] {
    var names: [String] = []
    var inSpan = false
    var word = ""
    func flush() {
      var trimmed = word.trimmingCharacters(in: ["\"", "'", "(", ")", ",", ";", "!", "?", "*", "_"])
      while trimmed.hasSuffix(".") || trimmed.hasSuffix(":") { trimmed.removeLast() }
      if trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
      if looksLikeFile(trimmed) { names.append(trimmed) }
      word = ""
    }
    for character in text {
      if character == "`" {
        flush()
        inSpan.toggle()
        continue
      }
      if character == " " || character == "\n" {
        if !inSpan { flush() } else { word.append(character) }
        continue
      }
      word.append(character)
    }
    flush()
    return names
  }
}

/// A sentence before a block that announces a file: "Here is an example Dockerfile:", "Create
/// a file called `greet.sh` with this content:", "Add the following to `app.py`:".
struct FileCue: Equatable {
  /// The file the cue names, if it names one.
  var name: String?
  /// Whether the block is to be added to the end of the file rather than replace it.
  var appends: Bool
  /// Whether the cue says outright that the block is the file's text ("with this content"),
  /// which a shell block needs before it is taken as a file rather than commands.
  var isOutright: Bool

  static let phrases = [
    "create", "save", "write", "add the following", "add this", "add these", "type this",
    "type the following", "paste", "put ", "here is", "here's", "here are", "this is how",
    "looks like", "update", "change", "modify", "edit", "open", "content", "you will also need",
    "you'll also need", "you will need", "you'll need", "need a", "new file", "file called",
    "file named", "with the following", "as follows", "replace", "append", "following",
    "example", "below",
  ]
  static let outrightPhrases = [
    "with this content", "with the following content", "with the content", "following content",
    "add the following to", "add this to", "type this into", "type the following into",
    "paste this into", "paste the following", "put this in", "put the following in",
    "contents of", "content of", "save this as", "save it as", "save the following as",
    "into a file", "in a file called", "in a file named", "file called", "file named",
    "append the following", "append this",
  ]
  /// Words that show a block as an illustration, not a file to write: "a typical shape:".
  static let illustrationPhrases = [
    "typical", "for example", "for instance", "e.g.", "such as", "might look", "would look",
    "could look", "shape", "general form",
  ]
  /// Words that introduce output, not a file: "you will see", "prints".
  static let outputPhrases = [
    "you will see", "you'll see", "you should see", "output", "prints", "will print", "shows",
    "will show", "returns", "result", "displays", "response",
  ]

  /// The cue in the prose just before a block, read from its last sentence, if it has one.
  ///
  /// The name comes from that sentence; an earlier sentence of the paragraph names the file
  /// only when its kind fits the block, so "our dependencies live in `requirements.txt`. Here
  /// is the Dockerfile:" writes the `Dockerfile`.
  static func read(_ prose: String, content: BlockContent) -> FileCue? {
    let sentences = Self.sentences(prose)
    guard let last = sentences.last else { return nil }
    let lower = last.lowercased()
    let hasPhrase = phrases.contains { lower.contains($0) }
    let endsWithColon = last.hasSuffix(":")
    guard hasPhrase || endsWithColon else { return nil }
    if outputPhrases.contains(where: { lower.contains($0) }) { return nil }
    if illustrationPhrases.contains(where: { lower.contains($0) }) { return nil }
    // A sentence that names a command to run introduces its output.
    if commandSpan(in: last) != nil && !outrightPhrases.contains(where: { lower.contains($0) }) {
      return nil
    }
    let appends =
      lower.contains("append") || lower.contains("add the following to")
      || lower.contains("add this to") || lower.contains("to the end of")
    let outright = outrightPhrases.contains { lower.contains($0) }
    let named = PathName.mentions(in: last)
    var name =
      named.first { content.fits($0) && content != .other && content != .commands }
      ?? named.first
    if name == nil {
      // "This is how it looks:" names nothing: an earlier sentence may, if its kind fits.
      let earlier = sentences.dropLast().flatMap { PathName.mentions(in: $0) }
      name = earlier.last { content.fits($0) && content != .other }
    }
    if name == nil && !hasPhrase { return nil }
    return FileCue(name: name, appends: appends, isOutright: outright)
  }

  /// A code span that names a command (`docker image ls`), if the sentence has one.
  static func commandSpan(in sentence: String) -> String? {
    let parts = sentence.split(separator: "`", omittingEmptySubsequences: false)
    for (index, part) in parts.enumerated() where index % 2 == 1 {
      let span = String(part)
      if span.contains(" "), let program = ShellLines.program(of: span),
        ShellLines.knownCommands.contains(program), !ShellLines.editors.contains(program)
      {
        return span
      }
    }
    return nil
  }

  /// The sentences of a paragraph, split after `.`, `!`, `?` or `:` followed by a space, outside
  /// code spans.
  static func sentences(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    var inSpan = false
    let characters = Array(text)
    for (index, character) in characters.enumerated() {
      current.append(character)
      if character == "`" { inSpan.toggle() }
      guard !inSpan, ".!?:".contains(character) else { continue }
      let next = index + 1 < characters.count ? characters[index + 1] : " "
      if next == " " || next == "\n" {
        let sentence = current.trimmingCharacters(in: [" ", "\n"])
        if !sentence.isEmpty { result.append(sentence) }
        current = ""
      }
    }
    let rest = current.trimmingCharacters(in: [" ", "\n"])
    if !rest.isEmpty { result.append(rest) }
    return result
  }
}
