import Foundation
import LabFiles
import LabImage
import LabLimits
import LabOutput
import LabUtilities

extension Shell {
  /// A character of an expanded word, and whether quoting protects it.
  typealias Marked = (character: Character, quoted: Bool, splittable: Bool)

  /// Expands a word into fields: braces, parameters, substitutions, splitting and globbing.
  mutating func expand(_ word: ShellWord) -> ([String], [UInt8]) {
    let (braced, braceError) = BraceExpansion.expand(word)
    var fields: [String] = []
    var errors = braceError.map { Array(($0 + "\n").utf8) } ?? []
    for alternative in braced {
      let (more, moreErrors) = expandBraced(alternative)
      fields += more
      errors += moreErrors
      if isAborting { break }
    }
    return (fields, errors)
  }

  /// Expands a word whose braces are expanded.
  mutating func expandBraced(_ word: ShellWord) -> ([String], [UInt8]) {
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
        let result = runNested(script, terminal: false)
        errors += result.stderrBytes
        lastStatus = result.status
        var text = result.stdout
        while text.hasSuffix("\n") { text.removeLast() }
        marked += text.map { ($0, quoted, !quoted) }
      case .arithmetic(let expression, let quoted):
        marked += arithmetic(expression).map { ($0, quoted, false) }
      }
      guard marked.count <= Limits.outputBytes else {
        abort(Self.expansionMessage)
        return ([], errors)
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
        var value = runNested(script, terminal: false).stdout
        while value.hasSuffix("\n") { value.removeLast() }
        text += value
      case .arithmetic(let expression, _):
        text += arithmetic(expression)
      }
      guard text.utf8.count <= Limits.outputBytes else {
        abort(Self.expansionMessage)
        return ""
      }
    }
    return text
  }

  /// Expands a word into a pattern: what was quoted matches itself, what was not may hold
  /// `*`, `?` and `[…]` (`case` arms).
  mutating func expandPattern(_ word: ShellWord) -> String {
    func escaped(_ text: String) -> String {
      var result = ""
      for character in text {
        if "*?[]\\".contains(character) { result.append("\\") }
        result.append(character)
      }
      return result
    }
    var pattern = ""
    for part in word.parts {
      let single = ShellWord([part])
      switch part {
      case .text(let value, let quoted): pattern += quoted ? escaped(value) : value
      case .parameter(_, _, _, let quoted), .command(_, let quoted), .arithmetic(_, let quoted):
        let value = expandToString(single)
        pattern += quoted ? escaped(value) : value
      }
    }
    return pattern
  }

  /// The answer to a word that expands past ``Limits/outputBytes``, as `x=$x$x` in a loop does.
  static let expansionMessage =
    "bash: a word's expansion is over \(Limits.outputText): the sandbox stopped the command line"

  /// A here-document's body with `$` expansions and `\` escapes, as bash treats it.
  mutating func expandHeredoc(_ body: String) -> String {
    var lexer = ShellLexer(Array(body), depth: nesting)
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

  /// The value of `$(( expression ))`; an error abandons the command line, as in bash.
  mutating func arithmetic(_ expression: String) -> String {
    let (value, error) = Arithmetic.evaluate(expandArithmetic(expression), variables: variables)
    if let error { abort(error) }
    return String(value)
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
    case "0": value = scriptName
    case "-": value = "hB"
    default:
      if let number = Int(name) {
        value = number >= 1 && number <= positional.count ? positional[number - 1] : nil
      } else {
        value = variables[name]
      }
    }
    if value == nil, options.treatsUnsetAsError, operation == nil, Int(name) != 0 {
      abort("bash: \(name): unbound variable")
      return ("", [])
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
      // Unset (or, with `:`, empty): the command line stops there.
      if value == nil || (operation == ":?" && value?.isEmpty == true) {
        let reason = operation == ":?" ? "parameter null or not set" : "parameter not set"
        abort("bash: \(name): \(word.isEmpty ? reason : word)")
        return ("", [])
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

/// Integer arithmetic for `$(( … ))`: + - * / % and parentheses, on 64-bit integers that wrap
/// around as bash's do.
struct Arithmetic {
  /// The expression as bash shows it in messages: without its leading blanks.
  let text: [Character]
  /// Tokens and the offset in `text` where each starts.
  var tokens: [(text: String, offset: Int)] = []
  let variables: [String: String]
  var index = 0
  var depth = 0
  /// bash's message for the first error, once there is one.
  var failure: String?

  /// The value of `expression`, or bash's message for an expression it cannot evaluate
  /// (`1/0: division by 0 (error token is "0")`).
  static func evaluate(_ expression: String, variables: [String: String]) -> (
    value: Int, error: String?
  ) {
    var arithmetic = Arithmetic(expression, variables: variables)
    let value = arithmetic.sum()
    return (value, arithmetic.failure)
  }

  init(_ expression: String, variables: [String: String]) {
    text = Array(expression.drop { $0.isWhitespace })
    self.variables = variables
    var current = ""
    var start = 0
    for (offset, character) in text.enumerated() {
      if character.isLetter || character.isNumber || character == "_" {
        if current.isEmpty { start = offset }
        current.append(character)
        continue
      }
      if !current.isEmpty { tokens.append((current, start)) }
      current = ""
      if !character.isWhitespace { tokens.append((String(character), offset)) }
    }
    if !current.isEmpty { tokens.append((current, start)) }
  }

  /// A number as bash reads one: decimal digits after an optional sign, wrapping past 64 bits.
  static func number(_ text: String) -> Int? {
    let negative = text.hasPrefix("-")
    let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    let magnitude = digits.utf8.reduce(0) { $0 &* 10 &+ Int($1 - 48) }
    return negative ? 0 &- magnitude : magnitude
  }

  /// Records bash's message, naming the rest of the expression from token `at`.
  mutating func fail(_ reason: String, at token: Int) {
    guard failure == nil else { return }
    let rest = token < tokens.count ? String(text[tokens[token].offset...]) : ""
    failure = "bash: \(String(text)): \(reason) (error token is \"\(rest)\")"
    index = tokens.count
  }

  mutating func primary() -> Int {
    guard index < tokens.count, failure == nil else { return 0 }
    depth += 1
    defer { depth -= 1 }
    guard depth <= Limits.arithmeticDepth else {
      fail("expression recursion level exceeded", at: index)
      return 0
    }
    let token = tokens[index].text
    index += 1
    switch token {
    case "(":
      let value = sum()
      index += 1
      return value
    case "-": return 0 &- primary()
    case "+": return primary()
    default:
      return Self.number(token) ?? variables[token].flatMap { Self.number($0) } ?? 0
    }
  }

  mutating func product() -> Int {
    var value = primary()
    while index < tokens.count, ["*", "/", "%"].contains(tokens[index].text) {
      let op = tokens[index].text
      index += 1
      let divisor = index
      let right = primary()
      switch op {
      case "*":
        value = value &* right
      case _ where right == 0:
        fail("division by 0", at: divisor)
      case "/":
        value = value.dividedReportingOverflow(by: right).partialValue
      default:
        value = value.remainderReportingOverflow(dividingBy: right).partialValue
      }
    }
    return value
  }

  mutating func sum() -> Int {
    var value = product()
    while index < tokens.count, ["+", "-"].contains(tokens[index].text) {
      let op = tokens[index].text
      index += 1
      let right = product()
      value = op == "+" ? value &+ right : value &- right
    }
    return value
  }
}
