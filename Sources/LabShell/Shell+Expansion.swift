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

  /// A word expanded but not yet split: characters, and the marks that quoting and `"$@"`
  /// leave, which decide where fields break and whether an empty one stays.
  enum Expanded {
    case character(Marked)
    /// A field is here even if it holds nothing: `""`, `"$empty"`, an element of `"$@"`.
    case presence
    /// Where one element of `"$@"` or `"${a[@]}"` ends and the next begins.
    case fieldBreak
  }

  /// Expands a word whose braces are expanded.
  mutating func expandBraced(_ word: ShellWord) -> ([String], [UInt8]) {
    var errors: [UInt8] = []
    var pieces: [Expanded] = []
    var size = 0
    func add(_ text: String, quoted: Bool, splittable: Bool) {
      if quoted { pieces.append(.presence) }
      for character in text { pieces.append(.character((character, quoted, splittable))) }
      size += text.utf8.count
    }
    for (index, part) in word.parts.enumerated() {
      switch part {
      case .text(var text, let quoted):
        if index == 0, !quoted, text == "~" || text.hasPrefix("~/") {
          text = VirtualFileSystem.home + text.dropFirst()
        }
        add(text, quoted: quoted, splittable: false)
      case .parameter(let name, let operation, let argument, let quoted, let subscriptWord):
        if let list = listParameter(
          name, index: subscriptWord, operation: operation, argument: argument)
        {
          // "$@" and "${a[@]}": each element its own field; otherwise one string.
          if quoted, (subscriptWord?.literalText ?? name) == "@" {
            for (position, element) in list.enumerated() {
              if position > 0 { pieces.append(.fieldBreak) }
              add(element, quoted: true, splittable: false)
            }
          } else {
            add(
              list.joined(separator: quoted ? listSeparator : " "), quoted: quoted,
              splittable: !quoted)
          }
        } else {
          let (value, error) = parameter(
            name, operation: operation, argument: argument, index: subscriptWord)
          errors += error
          add(value, quoted: quoted, splittable: !quoted)
        }
      case .command(let script, let quoted):
        let result = runNested(script, terminal: false)
        errors += result.stderrBytes
        lastStatus = result.status
        var text = result.stdout
        while text.hasSuffix("\n") { text.removeLast() }
        add(text, quoted: quoted, splittable: !quoted)
      case .arithmetic(let expression, let quoted):
        add(arithmetic(expression), quoted: quoted, splittable: false)
      }
      guard size <= Limits.outputBytes else {
        abort(Self.expansionMessage)
        return ([], errors)
      }
    }
    // Field splitting: unquoted expansions break at blanks; a field stays when it holds
    // something or was quoted.
    var fields: [[Marked]] = []
    var current: [Marked] = []
    var present = false
    for piece in pieces {
      switch piece {
      case .presence:
        present = true
      case .fieldBreak:
        fields.append(current)
        current = []
        present = false
      case .character(let item):
        if item.splittable,
          item.character == " " || item.character == "\t" || item.character == "\n"
        {
          if present || !current.isEmpty { fields.append(current) }
          current = []
          present = false
        } else {
          current.append(item)
        }
      }
    }
    if present || !current.isEmpty { fields.append(current) }
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
      case .parameter(let name, let operation, let argument, _, let subscriptWord):
        text += parameter(name, operation: operation, argument: argument, index: subscriptWord).0
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
      case .parameter(_, _, _, let quoted, _), .command(_, let quoted), .arithmetic(_, let quoted):
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

  /// The text of `$(( … ))` with its `$` expansions made (`$i`, `${#a[@]}`, `$(…)`), for
  /// ``Arithmetic`` to evaluate.
  mutating func expandArithmetic(_ expression: String) -> String {
    guard expression.contains(where: { $0 == "$" || $0 == "`" }) else { return expression }
    var lexer = ShellLexer(Array(expression), depth: nesting)
    var text = ""
    while let character = lexer.current {
      let part: ShellWord.Part?
      if character == "$" {
        part = try? lexer.dollar(quoted: true)
      } else if character == "`" {
        part = (try? lexer.backticks()).map { .command($0, quoted: true) }
      } else {
        text.append(character)
        lexer.index += 1
        continue
      }
      guard let part else { break }
      if case .text(let literal, _) = part {
        text += literal
        continue
      }
      let value = expandToString(ShellWord([part]))
      // An unset or empty `$name` counts as 0, as the sandbox has always read it.
      if case .parameter = part, value.isEmpty { text += "0" } else { text += value }
    }
    return text
  }

  /// `$name` and `${name…}` forms, `${name[INDEX]…}` and lists joined into one string.
  mutating func parameter(
    _ name: String, operation: String?, argument: ShellWord?, index: ShellWord? = nil
  ) -> (String, [UInt8]) {
    if operation == ShellWord.badSubstitution {
      abort("bash: \(name): bad substitution")
      return ("", [])
    }
    if let list = listParameter(name, index: index, operation: operation, argument: argument) {
      let isStar = (index?.literalText ?? name) == "*"
      return (list.joined(separator: isStar ? listSeparator : " "), [])
    }
    var value: String?
    var errors: [UInt8] = []
    if operation == "length",
      Self.isWholeArray(index) || (index == nil && (name == "@" || name == "*"))
    {
      let count = index == nil ? positional.count : array(name).count
      return (String(count), [])
    }
    if let index {
      let (element, error) = element(name, at: index)
      value = element
      errors += error.map { Array($0.utf8) } ?? []
    } else {
      switch name {
      case "?": value = statusText
      case "#": value = String(positional.count)
      case "$": value = "4242"
      case "!": value = ""
      case "0": value = scriptName
      case "-": value = "hB"
      default:
        if let number = Int(name) {
          value = number >= 1 && number <= positional.count ? positional[number - 1] : nil
        } else {
          value = scalarValue(name)
        }
      }
    }
    if operation == "indirect" {
      // `${!name}`: the value of the variable `name` names.
      guard let target = value, !target.isEmpty else {
        abort("bash: \(name): invalid indirect expansion")
        return ("", errors)
      }
      if let number = Int(target) {
        value = number >= 1 && number <= positional.count ? positional[number - 1] : nil
      } else if ShellAssignment.isName(target) {
        value = scalarValue(target)
      } else {
        abort("bash: \(target): invalid variable name")
        return ("", errors)
      }
      return (value ?? "", errors)
    }
    if value == nil, options.treatsUnsetAsError, operation == nil, Int(name) != 0 {
      abort("bash: \(name): unbound variable")
      return ("", errors)
    }
    guard let operation else { return (value ?? "", errors) }
    if operation == "length" { return (String((value ?? "").count), errors) }
    let word = argument.map { expandToString($0) } ?? ""
    switch operation {
    case ":-": return ((value ?? "").isEmpty ? word : value ?? "", errors)
    case "-": return (value ?? word, errors)
    case ":=", "=":
      if value == nil || (operation == ":=" && value?.isEmpty == true) {
        if let index {
          _ = assign(ShellAssignment(name: name, index: index, value: .scalar(.literal(word))))
        } else {
          setScalar(name, word)
        }
        return (word, errors)
      }
      return (value ?? "", errors)
    case ":+": return ((value ?? "").isEmpty ? "" : word, errors)
    case "+": return (value == nil ? "" : word, errors)
    case ":?", "?":
      // Unset (or, with `:`, empty): the command line stops there.
      if value == nil || (operation == ":?" && value?.isEmpty == true) {
        let reason = operation == ":?" ? "parameter null or not set" : "parameter not set"
        abort("bash: \(name): \(word.isEmpty ? reason : word)")
        return ("", errors)
      }
      return (value ?? "", errors)
    case "#", "##", "%", "%%":
      return (Self.trimmed(value ?? "", operation: operation, pattern: word), errors)
    case ":":
      return (substring(value ?? "", word), errors)
    default:
      return (value ?? "", errors)
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
