import Foundation
import LabImage
import LabLesson
import LabOutput
import LabShell

/// What a lesson from the web leaves to its reader, done before a command runs: placeholders
/// get a value, and images a reference page assumes are there get pulled.
///
/// Each thing done is said in a note, so an author sees what the lesson leaves open.
struct StepPreparation {
  /// Values for placeholders, by name (`username` for `<your-username>`); others get
  /// ``defaultValue``.
  var variables: [String: String]
  var defaultValue = "learner"
  /// The image and container IDs the latest outputs showed, for `<image-id>` and
  /// `<container-id>`.
  var lastImageID: String?
  var lastContainerID: String?
  /// The images the lesson built (`repository:tag`), whose sizes must agree with the lesson's.
  var builtImages: Set<String> = []

  // MARK: - Placeholders

  /// HTML tags a command may echo into a file: `<h1>` is no placeholder.
  static let htmlTags: Set<String> = [
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "html", "body", "head", "title", "span", "a",
    "b", "i", "em", "strong", "br", "ul", "ol", "li", "pre", "code", "script", "style", "meta",
    "link", "img", "table", "tr", "td", "th", "hr", "main", "header", "footer", "nav", "section",
  ]

  /// Whether `text` has `length` lower-case hex digits in a row.
  static func hasHexRun(_ text: String, length: Int) -> Bool {
    var run = 0
    for byte in text.utf8 {
      if (48...57).contains(byte) || (97...102).contains(byte) {
        run += 1
        if run >= length { return true }
      } else {
        run = 0
      }
    }
    return false
  }

  /// The placeholders of a command line: `<your-username>`, `<image-id>`, `YOUR_NAME`.
  static func placeholders(in command: String) -> [String] {
    var found: [String] = []
    // Every placeholder has `<` or one of these words: the pattern is built for no other line.
    guard
      command.contains("<") || command.contains("YOUR_") || command.contains("_NAME")
        || command.contains("_ID") || command.contains("USERNAME")
    else { return [] }
    for match in command.matches(
      of:
        #/<([A-Za-z][A-Za-z0-9_-]*)>|\b(YOUR_[A-Z_]+|(?:CONTAINER|IMAGE)_(?:NAME|ID)|(?:DOCKER_?(?:HUB_?)?)?USERNAME)\b/#
    ) {
      let whole = String(match.output.0)
      if let tag = match.output.1 {
        let name = tag.lowercased()
        if htmlTags.contains(name) || command.contains("</\(tag)>") { continue }
      } else if let word = match.output.2 {
        // `$IMAGE_ID` is a variable the lesson set, not a placeholder.
        let start = match.range.lowerBound
        if start > command.startIndex, command[command.index(before: start)] == "$" { continue }
        if command.contains("\(word)=") { continue }
      }
      if !found.contains(whole) { found.append(whole) }
    }
    return found
  }

  /// The value a placeholder gets, and the note that says so.
  func value(for placeholder: String) -> (value: String, note: String)? {
    let name = placeholder.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).lowercased()
      .replacingOccurrences(of: "-", with: "_")
    if name.contains("container") {
      guard let id = lastContainerID else { return nil }
      return (id, "\(placeholder) is the container the output above showed, \(id)")
    }
    if name.contains("image") && (name.contains("id") || name == "image") {
      guard let id = lastImageID else { return nil }
      return (id, "\(placeholder) is the image the output above showed, \(id)")
    }
    let short = name.hasPrefix("your_") ? String(name.dropFirst(5)) : name
    let key = [name, short].first { variables[$0] != nil }
    let value = key.flatMap { variables[$0] } ?? defaultValue
    let how = key == nil ? " (set it with --var \(short)=VALUE)" : ""
    return (value, "\(placeholder) is filled with '\(value)'\(how)")
  }

  /// The command with its placeholders filled, and notes on each.
  func fill(_ command: String) -> (command: String, notes: [String]) {
    var result = command
    var notes: [String] = []
    for placeholder in Self.placeholders(in: command) {
      guard let (value, note) = value(for: placeholder) else { continue }
      result = result.replacingOccurrences(of: placeholder, with: value)
      notes.append(note)
    }
    return (result, notes)
  }

  /// Notes the IDs a docker command's output shows, for the placeholders of later steps, and
  /// the images it built.
  mutating func remember(command: String, output: String) {
    let words = command.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    guard let docker = words.firstIndex(of: "docker") else { return }
    if words.dropFirst(docker + 1).first(where: { !$0.hasPrefix("-") }) == "build" {
      for (index, word) in words.enumerated().dropFirst(docker + 1)
      where (word == "-t" || word == "--tag") && index + 1 < words.count {
        if let reference = try? ImageReference(parsing: words[index + 1]) {
          let tagged = reference.withDefaultTag
          builtImages.insert("\(tagged.familiarName):\(tagged.tag ?? ImageReference.defaultTag)")
        }
      }
    }
    let verbs = words[(docker + 1)...].filter { !$0.hasPrefix("-") }.prefix(2)
    // Only output with a run of 12 hex digits can hold an ID: the pattern is built for no other.
    guard Self.hasHexRun(output, length: 12) else { return }
    let ids = output.matches(of: #/\b(?:sha256:)?([0-9a-f]{64}|[0-9a-f]{12})\b/#).map {
      String($0.output.1.prefix(12))
    }
    guard !ids.isEmpty else { return }
    let containerVerbs: Set<String> = ["ps", "run", "create", "container"]
    let imageVerbs: Set<String> = ["images", "image", "build", "commit", "load", "buildx"]
    if let verb = verbs.first, containerVerbs.contains(verb) {
      if verb == "container",
        verbs.dropFirst().first != "ls" && verbs.dropFirst().first != "run"
          && verbs.dropFirst().first != "create"
      {
        return
      }
      lastContainerID = verb == "ps" || verbs.dropFirst().first == "ls" ? ids.first : ids.last
    } else if let verb = verbs.first, imageVerbs.contains(verb) {
      // A listing shows the newest first; a build ends with the image it made.
      lastImageID = ["build", "commit", "buildx", "load"].contains(verb) ? ids.last : ids.first
    }
  }

  // MARK: - Images a page assumes

  /// Commands that name an image the store must already have.
  static let needsImage: Set<String> = ["tag", "rmi", "history", "inspect", "save"]

  /// Pulls, quietly, an image a command names that the lesson never pulled nor built, when the
  /// embedded registry has it: reference pages assume "the images busybox and alpine".
  static func pullAssumedImages(for command: String, in session: inout SandboxSession)
    -> [String]
  {
    // The registry's catalog walks its folders: it is read only for a command that needs it.
    var catalog: [String]?
    var notes: [String] = []
    for line in command.split(whereSeparator: { "\n;|&".contains($0) }) {
      var words = line.split(separator: " ").map(String.init)
      while words.first == "sudo" { words.removeFirst() }
      guard words.first == "docker", words.count > 2 else { continue }
      var verbs = words.dropFirst()
      if verbs.first == "image" { verbs = verbs.dropFirst() }
      guard let verb = verbs.first, needsImage.contains(verb) || verb == "rm" && words[1] == "image"
      else { continue }
      // `tag` needs its source only; the others each image they name.
      var operands = verbs.dropFirst().filter { !$0.hasPrefix("-") }
      if verb == "tag" { operands = Array(operands.prefix(1)) }
      if verb == "save" { operands = operands.filter { !$0.hasSuffix(".tar") } }
      guard !operands.isEmpty else { continue }
      if catalog == nil { catalog = try? session.registry?.catalog() }
      guard let catalog else { return notes }
      notes += pullMissing(operands, in: &session, catalog: catalog)
    }
    return notes
  }

  /// Pulls each image the store lacks and the embedded registry has, saying so; with
  /// `namingOthers`, an image the registry lacks is said too, with the ones it has.
  static func pullMissing(
    _ images: [String], in session: inout SandboxSession, catalog: [String]? = nil,
    namingOthers: Bool = false
  ) -> [String] {
    guard !images.isEmpty, let catalog = catalog ?? (try? session.registry?.catalog()) else {
      return []
    }
    var notes: [String] = []
    for image in images {
      guard let reference = try? ImageReference(parsing: image),
        reference.domain == ImageReference.defaultDomain, reference.digest == nil
      else { continue }
      let tagged = reference.withDefaultTag
      let name = "\(tagged.familiarName):\(tagged.tag ?? ImageReference.defaultTag)"
      guard (try? session.store.resolveImage(name)) == nil else { continue }
      guard catalog.contains(name) else {
        if namingOthers {
          let repositories = Set(catalog.map { String($0.prefix { $0 != ":" }) }).sorted()
          notes.append(
            "the lesson assumes \(name), which the embedded registry does not have; it has "
              + repositories.joined(separator: ", "))
        }
        continue
      }
      if session.run("docker pull -q \(name)").status == 0 {
        notes.append("pulled \(name) first: the lesson uses it without pulling it")
      }
    }
    return notes
  }

  // MARK: - Answers

  /// The output as a terminal shows it when the reader answered the command's question: the
  /// answer, echoed by the terminal, after `[y/N] `.
  static func echoingAnswer(_ answer: String, in output: CommandOutput) -> CommandOutput {
    var echoed = CommandOutput(status: output.status)
    var done = false
    for chunk in output.chunks {
      let text = chunk.text
      if !done, !chunk.isError, let question = text.range(of: "[y/N] ") {
        var changed = text
        changed.insert(contentsOf: answer, at: question.upperBound)
        echoed.write(Array(changed.utf8))
        done = true
      } else {
        echoed.write(chunk.bytes, isError: chunk.isError)
      }
    }
    return echoed
  }
}
