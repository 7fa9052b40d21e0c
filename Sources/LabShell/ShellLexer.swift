import Foundation
import LabLimits
import LabUtilities

/// Splits text into tokens.
struct ShellLexer {
  let characters: [Character]
  var index = 0
  var tokens: [ShellParser.Token] = []
  /// Here-document bodies by the token index of their `<<` operator, with their delimiters.
  var heredocBodies: [Int: (body: String, expands: Bool)] = [:]
  var pending: [(token: Int, delimiter: String, expands: Bool, stripTabs: Bool)] = []
  /// How deeply the text nests: the shell's level, and each `${…}` this lexer reads inside.
  var depth = 0

  init(_ characters: [Character], depth: Int = 0) {
    self.characters = characters
    self.depth = depth
  }

  var current: Character? { index < characters.count ? characters[index] : nil }

  func peek(_ offset: Int = 1) -> Character? {
    index + offset < characters.count ? characters[index + offset] : nil
  }

  mutating func tokenize() throws(ShellSyntaxError) -> [ShellParser.Token] {
    while let character = current {
      switch character {
      case " ", "\t":
        index += 1
      case "\\" where peek() == "\n":
        index += 2
      case "\n":
        index += 1
        tokens.append(.newline)
        try readHeredocs()
      case "#":
        while let next = current, next != "\n" { index += 1 }
      case "|":
        if peek() == "|" {
          tokens.append(.op("||"))
          index += 2
        } else {
          tokens.append(.op("|"))
          index += 1
        }
      case "&":
        if peek() == "&" {
          tokens.append(.op("&&"))
          index += 2
        } else if peek() == ">" {
          index += 2
          if current == ">" {
            index += 1
            tokens.append(.redirect(descriptor: 1, op: "&>>"))
          } else {
            tokens.append(.redirect(descriptor: 1, op: "&>"))
          }
        } else {
          tokens.append(.op("&"))
          index += 1
        }
      case ";":
        // `;;` ends a `case` arm; the parser refuses it anywhere else.
        if peek() == ";" {
          tokens.append(.op(";;"))
          index += 2
        } else {
          tokens.append(.op(";"))
          index += 1
        }
      case "(", ")":
        tokens.append(.op(String(character)))
        index += 1
      case "<", ">":
        try redirection(descriptor: character == "<" ? 0 : 1)
      default:
        // A number right before `>` or `<` is a file descriptor.
        if character.isNumber {
          var end = index
          while end < characters.count, characters[end].isNumber { end += 1 }
          if end < characters.count, characters[end] == ">" || characters[end] == "<",
            let descriptor = Int(String(characters[index..<end]))
          {
            index = end
            try redirection(descriptor: descriptor)
            continue
          }
        }
        let word = try word()
        if current == "(", let target = Self.arrayTarget(word) {
          tokens.append(.arrayAssignment(try arrayAssignment(target)))
        } else {
          tokens.append(.word(word))
        }
      }
    }
    if !pending.isEmpty { try readHeredocs() }
    return tokens
  }

  mutating func redirection(descriptor: Int) throws(ShellSyntaxError) {
    let first = characters[index]
    index += 1
    var op = String(first)
    if first == ">" {
      if current == ">" {
        op = ">>"
        index += 1
      } else if current == "&" {
        op = ">&"
        index += 1
      } else if current == "|" {
        index += 1
      }
    } else {
      if current == "<" {
        index += 1
        if current == "<" {
          index += 1
          op = "<<<"
        } else if current == "-" {
          index += 1
          op = "<<-"
        } else {
          op = "<<"
        }
      } else if current == "&" {
        op = "<&"
        index += 1
      }
    }
    tokens.append(.redirect(descriptor: descriptor, op: op))
    if op == "<<" || op == "<<-" {
      while current == " " || current == "\t" { index += 1 }
      let delimiterWord = try word()
      var delimiter = ""
      for part in delimiterWord.parts {
        if case .text(let text, _) = part { delimiter += text }
      }
      let redirectIndex = tokens.count - 1
      tokens.append(.word(.literal(delimiter)))
      pending.append((redirectIndex, delimiter, !delimiterWord.hasQuotes, op == "<<-"))
    }
  }

  /// After a newline: the bodies of the here-documents opened on the line before.
  mutating func readHeredocs() throws(ShellSyntaxError) {
    for heredoc in pending {
      var body = ""
      var found = false
      while index < characters.count {
        var end = index
        while end < characters.count, characters[end] != "\n" { end += 1 }
        var line = String(characters[index..<end])
        index = min(end + 1, characters.count)
        if heredoc.stripTabs { line = String(line.drop { $0 == "\t" }) }
        if line == heredoc.delimiter {
          found = true
          break
        }
        body += line + "\n"
      }
      if !found && body.isEmpty && index >= characters.count {
        // Tolerated as bash does: the document ends at the end of input.
      }
      heredocBodies[heredoc.token] = (body, heredoc.expands)
    }
    pending.removeAll()
  }

  static let wordEnd: Set<Character> = [" ", "\t", "\n", "|", "&", ";", "(", ")", "<", ">"]

  /// One word, with its quoting and expansions.
  mutating func word() throws(ShellSyntaxError) -> ShellWord {
    var parts: [ShellWord.Part] = []
    var literal = ""
    func flush(_ parts: inout [ShellWord.Part]) {
      if !literal.isEmpty {
        parts.append(.text(literal, quoted: false))
        literal = ""
      }
    }
    while let character = current, !Self.wordEnd.contains(character) {
      switch character {
      case "\\":
        index += 1
        if let next = current {
          if next != "\n" {
            flush(&parts)
            parts.append(.text(String(next), quoted: true))
          }
          index += 1
        }
      case "'":
        index += 1
        var text = ""
        while let next = current, next != "'" {
          text.append(next)
          index += 1
        }
        guard current == "'" else { throw .unexpectedEnd("'") }
        index += 1
        flush(&parts)
        parts.append(.text(text, quoted: true))
      case "\"":
        index += 1
        flush(&parts)
        parts += try doubleQuoted()
      case "$":
        flush(&parts)
        parts.append(try dollar(quoted: false))
      case "`":
        flush(&parts)
        parts.append(.command(try backticks(), quoted: false))
      default:
        literal.append(character)
        index += 1
      }
    }
    flush(&parts)
    if parts.isEmpty { parts = [.text("", quoted: true)] }
    return ShellWord(parts)
  }

  mutating func doubleQuoted() throws(ShellSyntaxError) -> [ShellWord.Part] {
    var parts: [ShellWord.Part] = []
    var text = ""
    while let character = current {
      switch character {
      case "\"":
        index += 1
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text, quoted: true)) }
        return parts
      case "\\":
        if let next = peek(), "$`\"\\\n".contains(next) {
          if next != "\n" { text.append(next) }
          index += 2
        } else {
          text.append(character)
          index += 1
        }
      case "$":
        if !text.isEmpty { parts.append(.text(text, quoted: true)) }
        text = ""
        parts.append(try dollar(quoted: true))
      case "`":
        if !text.isEmpty { parts.append(.text(text, quoted: true)) }
        text = ""
        parts.append(.command(try backticks(), quoted: true))
      default:
        text.append(character)
        index += 1
      }
    }
    throw .unexpectedEnd("\"")
  }

  mutating func dollar(quoted: Bool) throws(ShellSyntaxError) -> ShellWord.Part {
    index += 1
    guard let next = current else { return .text("$", quoted: quoted) }
    if next == "(" {
      if peek() == "(" {
        index += 2
        let body = try balanced(open: "(", close: ")", depth: 2)
        return .arithmetic(String(body.dropLast()), quoted: quoted)
      }
      index += 1
      return .command(try balanced(open: "(", close: ")", depth: 1), quoted: quoted)
    }
    if next == "{" {
      index += 1
      // bash reads `${…}` to its brace first, and makes sense of what it holds when it
      // expands it: what makes none is a bad substitution then, not a syntax error now.
      let body = try balanced(open: "{", close: "}", depth: 1)
      return try braceParameter(Array(body), quoted: quoted)
    }
    if "?#@*$!0123456789-".contains(next) {
      index += 1
      return .parameter(name: String(next), operation: nil, argument: nil, quoted: quoted)
    }
    if next.isLetter || next == "_" {
      var name = ""
      while let character = current, character.isLetter || character.isNumber || character == "_" {
        name.append(character)
        index += 1
      }
      return .parameter(name: name, operation: nil, argument: nil, quoted: quoted)
    }
    return .text("$", quoted: quoted)
  }

  /// The parameter `${body}` names: `NAME`, `NAME[INDEX]`, `#NAME`, `#NAME[INDEX]`,
  /// `!NAME[@]`, `!NAME`, each perhaps with an operation and its word (`NAME:-word`).
  func braceParameter(_ body: [Character], quoted: Bool) throws(ShellSyntaxError)
    -> ShellWord.Part
  {
    func isNameCharacter(_ character: Character) -> Bool {
      character.isASCII && (character.isLetter || character.isNumber || character == "_")
    }
    let bad = ShellWord.Part.parameter(
      name: "${" + String(body) + "}", operation: ShellWord.badSubstitution, argument: nil,
      quoted: quoted)
    var position = 0
    var operation: String?
    // `${#NAME}` and `${!NAME}`; `${#}` and `${!}` alone are special parameters.
    if let first = body.first, first == "#" || first == "!", body.count > 1,
      isNameCharacter(body[1]) || (first == "#" && "@*".contains(body[1]))
    {
      operation = first == "#" ? "length" : "indirect"
      position = 1
    }
    var name = ""
    if position < body.count, !isNameCharacter(body[position]),
      "?#@*$!-".contains(body[position])
    {
      name = String(body[position])
      position += 1
    } else {
      while position < body.count, isNameCharacter(body[position]) {
        name.append(body[position])
        position += 1
      }
    }
    guard !name.isEmpty else { return bad }
    var index: ShellWord?
    if position < body.count, body[position] == "[", ShellAssignment.isName(name) {
      var depth = 0
      var end = position
      while end < body.count {
        if body[end] == "[" { depth += 1 }
        if body[end] == "]" {
          depth -= 1
          if depth == 0 { break }
        }
        end += 1
      }
      guard end < body.count else { return bad }
      index = try innerWord(Array(body[(position + 1)..<end]))
      position = end + 1
    }
    if operation == "indirect", let subscriptText = index?.literalText,
      subscriptText == "@" || subscriptText == "*"
    {
      operation = "indices"
    }
    if operation != nil {
      // `${#NAME…}` and `${!NAME…}` take no operation of their own.
      guard position == body.count else { return bad }
      return .parameter(
        name: name, operation: operation, argument: nil, quoted: quoted, index: index)
    }
    guard position < body.count else {
      return .parameter(name: name, operation: nil, argument: nil, quoted: quoted, index: index)
    }
    var op = String(body[position])
    position += 1
    if op == ":", position < body.count, "-=+?".contains(body[position]) {
      op.append(body[position])
      position += 1
    } else if op == "#" || op == "%", position < body.count, String(body[position]) == op {
      op.append(body[position])
      position += 1
    }
    let argument = try innerWord(Array(body[position...]))
    return .parameter(name: name, operation: op, argument: argument, quoted: quoted, index: index)
  }

  /// A word read from text inside `${…}` (a subscript or an operation's word), a level deeper.
  func innerWord(_ text: [Character]) throws(ShellSyntaxError) -> ShellWord {
    guard depth < Limits.depth else { throw .tooDeep }
    var inner = ShellLexer(text, depth: depth + 1)
    return try inner.wordUntilEnd()
  }

  /// After `NAME=(` or `NAME+=(`: the list's words up to `)`, across lines, as one assignment.
  mutating func arrayAssignment(_ target: ShellAssignment) throws(ShellSyntaxError)
    -> ShellAssignment
  {
    index += 1
    var elements: [ShellWord] = []
    while true {
      guard let character = current else { throw .unexpectedEnd(")") }
      switch character {
      case " ", "\t", "\n":
        index += 1
      case "\\" where peek() == "\n":
        index += 2
      case "#":
        while let next = current, next != "\n" { index += 1 }
      case ")":
        index += 1
        var assignment = target
        assignment.value = .list(elements)
        return assignment
      case _ where Self.wordEnd.contains(character):
        throw .unexpectedToken(String(character))
      default:
        elements.append(try word())
      }
    }
  }

  /// The assignment a word before `(` begins (`names=(`, `names+=(`), if it begins one.
  static func arrayTarget(_ word: ShellWord) -> ShellAssignment? {
    guard word.parts.count == 1, let assignment = ShellAssignment.parse(word),
      case .scalar(let value) = assignment.value, value.literalText == ""
    else { return nil }
    return assignment
  }

  /// The rest of the input as one word, spaces included (for `${name:-a b}`).
  mutating func wordUntilEnd() throws(ShellSyntaxError) -> ShellWord {
    var parts: [ShellWord.Part] = []
    while current != nil {
      let word = try self.word()
      parts += word.parts
      if let character = current, Self.wordEnd.contains(character) {
        parts.append(.text(String(character), quoted: true))
        index += 1
      }
    }
    return ShellWord(parts)
  }

  /// Text up to the matching close bracket, quotes respected; the close is consumed.
  mutating func balanced(open: Character, close: Character, depth start: Int)
    throws(ShellSyntaxError) -> String
  {
    var depth = start
    var text = ""
    var quote: Character?
    while let character = current {
      index += 1
      if let open = quote {
        if character == open { quote = nil }
        text.append(character)
        continue
      }
      if character == "'" || character == "\"" {
        quote = character
      } else if character == open {
        depth += 1
      } else if character == close {
        depth -= 1
        if depth == 0 { return text }
      }
      text.append(character)
    }
    throw .unexpectedEnd(close)
  }

  mutating func backticks() throws(ShellSyntaxError) -> String {
    index += 1
    var text = ""
    while let character = current {
      index += 1
      if character == "`" { return text }
      if character == "\\", let next = current, "`\\$".contains(next) {
        text.append(next)
        index += 1
        continue
      }
      text.append(character)
    }
    throw .unexpectedEnd("`")
  }
}
