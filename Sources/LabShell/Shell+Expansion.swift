import Foundation
import LabFiles
import LabImage

extension Shell {
  /// A character of an expanded word, and whether quoting protects it.
  typealias Marked = (character: Character, quoted: Bool, splittable: Bool)

  /// Expands a word into fields: parameters, substitutions, splitting and globbing.
  mutating func expand(_ word: ShellWord) -> ([String], [UInt8]) {
    let braced = BraceExpansion.expand(word)
    if braced.count > 1 {
      var fields: [String] = []
      var errors: [UInt8] = []
      for alternative in braced {
        let (more, moreErrors) = expand(alternative)
        fields += more
        errors += moreErrors
      }
      return (fields, errors)
    }
    var errors: [UInt8] = []
    var marked: [Marked] = []
    for (index, part) in word.parts.enumerated() {
      switch part {
      case .text(var text, let quoted):
        if index == 0, !quoted, text == "~" || text.hasPrefix("~/") {
          text = VirtualFileSystem.home + text.dropFirst()
        }
        marked += text.map { ($0, quoted, false) }
      case .parameter(let name, let operation, let argument, let quoted):
        if name == "@", quoted {
          // "$@": each argument its own field.
          let joined = positional.joined(separator: "\u{0}")
          marked += joined.map { ($0, true, $0 == "\u{0}") }
          continue
        }
        let (value, error) = parameter(name, operation: operation, argument: argument)
        errors += error
        marked += value.map { ($0, quoted, !quoted) }
      case .command(let script, let quoted):
        var copy = self
        let result = copy.run(script)
        errors += result.stderr
        lastStatus = result.status
        var text = String(decoding: result.stdout, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        marked += text.map { ($0, quoted, !quoted) }
      case .arithmetic(let expression, let quoted):
        let value = Arithmetic.evaluate(expandArithmetic(expression), variables: variables)
        marked += String(value).map { ($0, quoted, false) }
      }
    }
    // Field splitting on unquoted expansion results.
    var fields: [[Marked]] = [[]]
    var sawContent = false
    for item in marked {
      if item.splittable
        && (item.character == " " || item.character == "\t" || item.character == "\n"
          || item.character == "\u{0}")
      {
        if !(fields.last ?? []).isEmpty { fields.append([]) }
        continue
      }
      if item.character == "\u{0}" && item.splittable {
        fields.append([])
        continue
      }
      sawContent = true
      fields[fields.count - 1].append(item)
    }
    if fields.last?.isEmpty == true && fields.count > 1 { fields.removeLast() }
    if !sawContent {
      // An empty word stays a field only when it was quoted.
      return (
        word.hasQuotes
          && !word.parts.contains(where: {
            if case .parameter("@", _, _, true) = $0 { return true } else { return false }
          }) ? [""] : [], errors
      )
    }
    var result: [String] = []
    for field in fields {
      let text = String(field.map(\.character))
      let globbable = field.contains { !$0.quoted && "*?[".contains($0.character) }
      if globbable, let matches = glob(field), !matches.isEmpty {
        result += matches
      } else {
        result.append(text)
      }
    }
    return (result, errors)
  }

  /// Expands a word to one string, with no splitting or globbing (assignments, redirections).
  mutating func expandToString(_ word: ShellWord) -> String {
    var text = ""
    for (index, part) in word.parts.enumerated() {
      switch part {
      case .text(let value, let quoted):
        if index == 0, !quoted, value == "~" || value.hasPrefix("~/") {
          text += VirtualFileSystem.home + value.dropFirst()
        } else {
          text += value
        }
      case .parameter(let name, let operation, let argument, _):
        text += parameter(name, operation: operation, argument: argument).0
      case .command(let script, _):
        var copy = self
        var value = String(decoding: copy.run(script).stdout, as: UTF8.self)
        while value.hasSuffix("\n") { value.removeLast() }
        text += value
      case .arithmetic(let expression, _):
        text += String(Arithmetic.evaluate(expandArithmetic(expression), variables: variables))
      }
    }
    return text
  }

  /// A here-document's body with `$` expansions and `\` escapes, as bash treats it.
  mutating func expandHeredoc(_ body: String) -> String {
    var lexer = ShellLexer(Array(body))
    var result = ""
    var literal = ""
    while let character = lexer.current {
      if character == "\\", let next = lexer.peek(), "$`\\".contains(next) {
        literal.append(next)
        lexer.index += 2
        continue
      }
      if character == "$" || character == "`" {
        result += literal
        literal = ""
        let part: ShellWord.Part?
        if character == "$" {
          part = try? lexer.dollar(quoted: true)
        } else {
          part = (try? lexer.backticks()).map { .command($0, quoted: true) }
        }
        if let part { result += expandToString(ShellWord([part])) } else { break }
        continue
      }
      literal.append(character)
      lexer.index += 1
    }
    return result + literal
  }

  func expandArithmetic(_ expression: String) -> String {
    var text = ""
    var characters = Array(expression)[...]
    while let character = characters.first {
      characters.removeFirst()
      if character == "$" {
        var name = ""
        while let next = characters.first, next.isLetter || next.isNumber || next == "_" {
          name.append(next)
          characters.removeFirst()
        }
        text += variables[name] ?? "0"
      } else {
        text.append(character)
      }
    }
    return text
  }

  /// `$name` and `${name…}` forms.
  mutating func parameter(_ name: String, operation: String?, argument: ShellWord?) -> (
    String, [UInt8]
  ) {
    var value: String?
    switch name {
    case "?": value = statusText
    case "#": value = String(positional.count)
    case "@", "*": value = positional.joined(separator: " ")
    case "$": value = "4242"
    case "!": value = ""
    case "0": value = "bash"
    case "-": value = "hB"
    default:
      if let number = Int(name) {
        value = number >= 1 && number <= positional.count ? positional[number - 1] : nil
      } else {
        value = variables[name]
      }
    }
    guard let operation else { return (value ?? "", []) }
    if operation == "length" { return (String((value ?? "").count), []) }
    let word = argument.map { expandToString($0) } ?? ""
    switch operation {
    case ":-": return ((value ?? "").isEmpty ? word : value ?? "", [])
    case "-": return (value ?? word, [])
    case ":=", "=":
      if value == nil || (operation == ":=" && value?.isEmpty == true) {
        variables[name] = word
        return (word, [])
      }
      return (value ?? "", [])
    case ":+": return ((value ?? "").isEmpty ? "" : word, [])
    case "+": return (value == nil ? "" : word, [])
    case ":?", "?":
      if (value ?? "").isEmpty {
        return (
          "", Array("bash: \(name): \(word.isEmpty ? "parameter null or not set" : word)\n".utf8)
        )
      }
      return (value ?? "", [])
    case "#", "##", "%", "%%":
      let text = value ?? ""
      let longest = operation.count == 2
      let fromStart = operation.hasPrefix("#")
      let characters = Array(text)
      let candidates =
        fromStart ? Array(0...characters.count) : Array((0...characters.count).reversed())
      let ordered = longest ? candidates.reversed() : candidates
      for cut in ordered {
        let piece = fromStart ? String(characters[0..<cut]) : String(characters[cut...])
        if Glob.matches(word, piece) {
          return (fromStart ? String(characters[cut...]) : String(characters[0..<cut]), [])
        }
      }
      return (text, [])
    default:
      if name.isEmpty, operation.hasPrefix("#") {
        return (String((variables[word] ?? "").count), [])
      }
      return (value ?? "", [])
    }
  }

  /// Expands a glob pattern over the virtual file system; `nil` when nothing matches.
  func glob(_ field: [Marked]) -> [String]? {
    let pattern = String(
      field.map {
        $0.quoted && "*?[\\".contains($0.character) ? "\\\($0.character)" : String($0.character)
      }.joined())
    let absolute = pattern.hasPrefix("/")
    var candidates: [String] = [absolute ? "/" : ""]
    for component in pattern.split(separator: "/").map(String.init) {
      var next: [String] = []
      for base in candidates {
        let directoryPath = base.isEmpty ? directory : base
        if !component.contains(where: { "*?[".contains($0) }) {
          let unescaped = component.replacingOccurrences(of: "\\", with: "")
          let path =
            base.isEmpty ? unescaped : (base == "/" ? "/" + unescaped : base + "/" + unescaped)
          if fileSystem.exists(path, from: directory) { next.append(path) }
          continue
        }
        guard let names = try? fileSystem.list(directoryPath, from: directory) else { continue }
        for name in names.sorted() where Glob.matches(component, name) {
          if name.hasPrefix(".") && !component.hasPrefix(".") { continue }
          next.append(base.isEmpty ? name : (base == "/" ? "/" + name : base + "/" + name))
        }
      }
      candidates = next
      if candidates.isEmpty { return nil }
    }
    return candidates.sorted()
  }
}

/// Shell pattern matching: `*`, `?`, `[…]`, `\` escapes.
enum Glob {
  static func matches(_ pattern: String, _ text: String) -> Bool {
    matches(Array(pattern)[...], Array(text)[...])
  }

  static func matches(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
    guard let first = pattern.first else { return text.isEmpty }
    switch first {
    case "*":
      var rest = text
      while true {
        if matches(pattern.dropFirst(), rest) { return true }
        guard !rest.isEmpty else { return false }
        rest = rest.dropFirst()
      }
    case "?":
      return !text.isEmpty && matches(pattern.dropFirst(), text.dropFirst())
    case "[":
      guard let character = text.first, let close = pattern.dropFirst(2).firstIndex(of: "]") else {
        return text.first == "[" && matches(pattern.dropFirst(), text.dropFirst())
      }
      return PathPattern.classContains(
        pattern[pattern.index(after: pattern.startIndex)..<close], character)
        && matches(pattern[pattern.index(after: close)...], text.dropFirst())
    case "\\":
      let rest = pattern.dropFirst()
      guard let escaped = rest.first else { return text.first == "\\" }
      return text.first == escaped && matches(rest.dropFirst(), text.dropFirst())
    default:
      return text.first == first && matches(pattern.dropFirst(), text.dropFirst())
    }
  }
}

/// Integer arithmetic for `$(( … ))`: + - * / % and parentheses.
enum Arithmetic {
  static func evaluate(_ text: String, variables: [String: String]) -> Int {
    var tokens: [String] = []
    var current = ""
    for character in text {
      if character.isLetter || character.isNumber || character == "_" {
        current.append(character)
      } else {
        if !current.isEmpty { tokens.append(current) }
        current = ""
        if !character.isWhitespace { tokens.append(String(character)) }
      }
    }
    if !current.isEmpty { tokens.append(current) }
    var index = 0
    func primary() -> Int {
      guard index < tokens.count else { return 0 }
      let token = tokens[index]
      index += 1
      if token == "(" {
        let value = sum()
        index += 1
        return value
      }
      if token == "-" { return -primary() }
      if token == "+" { return primary() }
      return Int(token) ?? Int(variables[token] ?? "") ?? 0
    }
    func product() -> Int {
      var value = primary()
      while index < tokens.count, ["*", "/", "%"].contains(tokens[index]) {
        let op = tokens[index]
        index += 1
        let right = primary()
        switch op {
        case "*": value *= right
        case "/": value = right == 0 ? 0 : value / right
        default: value = right == 0 ? 0 : value % right
        }
      }
      return value
    }
    func sum() -> Int {
      var value = product()
      while index < tokens.count, ["+", "-"].contains(tokens[index]) {
        let op = tokens[index]
        index += 1
        value = op == "+" ? value + product() : value - product()
      }
      return value
    }
    return sum()
  }
}
