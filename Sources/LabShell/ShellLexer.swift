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
        tokens.append(.word(try word()))
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
      // `${#NAME}`: the length of a variable.
      if current == "#", let after = peek(), after.isLetter || after == "_" {
        index += 1
        var name = ""
        while let character = current, character.isLetter || character.isNumber || character == "_"
        {
          name.append(character)
          index += 1
        }
        guard current == "}" else { throw .unexpectedEnd("}") }
        index += 1
        return .parameter(name: name, operation: "length", argument: nil, quoted: quoted)
      }
      var name = ""
      while let character = current,
        character.isLetter || character.isNumber || character == "_"
          || (name.isEmpty && "?#@*$!".contains(character))
      {
        name.append(character)
        index += 1
        if "?#@*$!".contains(character) { break }
      }
      var operation: String?
      var argument: ShellWord?
      if let character = current, character != "}" {
        var op = String(character)
        index += 1
        if character == ":", let second = current, "-=+?".contains(second) {
          op.append(second)
          index += 1
        } else if character == "#" || character == "%", current == character {
          op.append(character)
          index += 1
        }
        operation = op
        let body = try balanced(open: "{", close: "}", depth: 1)
        guard depth < Limits.depth else { throw .tooDeep }
        var inner = ShellLexer(Array(body), depth: depth + 1)
        argument = try inner.wordUntilEnd()
      } else {
        guard current == "}" else { throw .unexpectedEnd("}") }
        index += 1
      }
      return .parameter(name: name, operation: operation, argument: argument, quoted: quoted)
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
