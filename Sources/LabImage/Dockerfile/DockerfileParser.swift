import Foundation

/// Parses Dockerfile text as BuildKit's parser does: directives, comments, continuations,
/// here-documents, JSON and shell forms.
public enum DockerfileParser {
  static let keywords: [String] = Keyword.allCases.map(\.rawValue)

  /// Parses `text`; `name` is the file name used in the empty-file message.
  public static func parse(_ text: String, name: String = "Dockerfile") throws(DockerfileError)
    -> Dockerfile
  {
    var dockerfile = Dockerfile()
    let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
    guard lines.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
      throw .empty(name)
    }
    var index = 0
    // Parser directives: comment lines at the very top, before anything else.
    var directivesOpen = true
    while index < lines.count, directivesOpen {
      let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("#") else { break }
      let body = trimmed.dropFirst().trimmingCharacters(in: .whitespaces)
      if let equals = body.firstIndex(of: "="), !body.isEmpty {
        let key = body[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
        let value = body[body.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        switch key {
        case "escape":
          guard value == "\\" || value == "`" else {
            throw .parse(
              line: index + 1, message: "invalid escape token '\(value)' does not match ` or \\")
          }
          dockerfile.escape = Character(value)
        case "syntax": dockerfile.syntax = value
        case "check": break
        default: directivesOpen = false
        }
        if directivesOpen { index += 1 }
      } else {
        directivesOpen = false
      }
    }
    let escape = dockerfile.escape
    while index < lines.count {
      let raw = lines[index]
      let trimmed = raw.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") {
        index += 1
        continue
      }
      let start = index + 1
      // Join continuation lines; comment and blank lines inside a continuation are dropped.
      var logical = ""
      var current = raw
      while true {
        let stripped = trimTrailingWhitespace(current)
        guard stripped.last == escape else {
          logical += current
          index += 1
          break
        }
        logical += String(stripped.dropLast())
        index += 1
        while index < lines.count {
          let next = lines[index].trimmingCharacters(in: .whitespaces)
          guard next.hasPrefix("#") || next.isEmpty else { break }
          index += 1
        }
        guard index < lines.count else { break }
        current = lines[index]
      }
      var instruction = try parseInstruction(
        logical.trimmingCharacters(in: .whitespaces), line: start, escape: escape)
      instruction.endLine = max(start, index)
      // Here-documents follow the instruction's line.
      if instruction.keyword.takesHeredocs {
        for marker in heredocMarkers(in: instruction.arguments) {
          var body: [String] = []
          var closed = false
          while index < lines.count {
            var line = lines[index]
            index += 1
            if marker.stripsTabs { line = String(line.drop { $0 == "\t" }) }
            if line == marker.name {
              closed = true
              break
            }
            body.append(line)
          }
          guard closed else { throw .unterminatedHeredoc(line: start, name: marker.name) }
          instruction.heredocs.append(
            Heredoc(
              name: marker.name, content: body.map { $0 + "\n" }.joined(),
              isQuoted: marker.isQuoted, stripsTabs: marker.stripsTabs))
        }
        instruction.endLine = index
      }
      dockerfile.instructions.append(instruction)
    }
    guard !dockerfile.instructions.isEmpty else { throw .noInstructions }
    return dockerfile
  }

  static func parseInstruction(_ text: String, line: Int, escape: Character) throws(DockerfileError)
    -> Instruction
  {
    let word = String(text.prefix { !$0.isWhitespace })
    guard let keyword = Keyword(rawValue: word.uppercased()) else {
      throw .unknownInstruction(line: line, keyword: word, suggestion: suggestion(for: word))
    }
    var rest = Substring(text.dropFirst(word.count)).drop { $0.isWhitespace }
    var flags: [(name: String, value: String)] = []
    // Only some keywords take flags; others keep `--` text as arguments.
    if keyword.takesFlags {
      while rest.hasPrefix("--") {
        let token = rest.prefix { !$0.isWhitespace }
        let body = token.dropFirst(2)
        if let equals = body.firstIndex(of: "=") {
          flags.append((String(body[..<equals]), String(body[body.index(after: equals)...])))
        } else {
          flags.append((String(body), "true"))
        }
        rest = rest.dropFirst(token.count).drop { $0.isWhitespace }
      }
    }
    let arguments = String(rest)
    var json: [String]?
    if keyword.takesJSON, arguments.hasPrefix("["),
      let data = arguments.data(using: .utf8),
      let parsed = try? JSONSerialization.jsonObject(with: data) as? [String]
    {
      json = parsed
    }
    if keyword == .shell, json == nil {
      throw .parse(line: line, message: "SHELL requires the arguments to be in JSON form")
    }
    if arguments.isEmpty, keyword != .cmd, keyword != .entrypoint {
      throw .parse(line: line, message: "\(keyword.rawValue) requires at least one argument")
    }
    return Instruction(
      keyword: keyword, flags: flags, arguments: arguments, jsonArguments: json, heredocs: [],
      original: text, line: line, endLine: line)
  }

  /// `<<EOF`, `<<-EOF`, `<<"EOF"` markers in an instruction's arguments.
  static func heredocMarkers(in text: String) -> [(name: String, isQuoted: Bool, stripsTabs: Bool)]
  {
    var markers: [(String, Bool, Bool)] = []
    var rest = Substring(text)
    while let range = rest.range(of: "<<") {
      var after = rest[range.upperBound...]
      let strips = after.hasPrefix("-")
      if strips { after = after.dropFirst() }
      var quoted = false
      if let quote = after.first, quote == "\"" || quote == "'" {
        quoted = true
        after = after.dropFirst()
      }
      let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
      if !name.isEmpty { markers.append((String(name), quoted, strips)) }
      rest = after.dropFirst(name.count)
    }
    return markers
  }

  /// BuildKit's suggestion: the known keyword closest to the typo, if close enough.
  static func suggestion(for word: String) -> String? {
    let upper = word.uppercased()
    var best: (String, Int)?
    for keyword in keywords {
      let distance = levenshtein(upper, keyword)
      if distance < 3, best.map({ distance < $0.1 }) ?? true { best = (keyword, distance) }
    }
    guard let match = best?.0 else { return nil }
    // The suggestion follows the case the user typed.
    return word == word.lowercased() ? match.lowercased() : match
  }

  static func levenshtein(_ a: String, _ b: String) -> Int {
    let left = Array(a)
    let right = Array(b)
    var previous = Array(0...right.count)
    for (i, x) in left.enumerated() {
      var current = [i + 1]
      for (j, y) in right.enumerated() {
        current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
      }
      previous = current
    }
    return previous[right.count]
  }

  static func trimTrailingWhitespace(_ text: String) -> Substring {
    var result = Substring(text)
    while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
    return result
  }
}
