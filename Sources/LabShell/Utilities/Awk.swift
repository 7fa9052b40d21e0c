import Foundation
import LabRegex

/// A small awk: patterns and actions as lessons pipe Docker's output through them
/// (`awk 'NR>1 {print $1":"$2}'`, `/none/ {print $3}`, `{ n += 1 } END { print n }`).
///
/// It has fields, `NR`/`NF`/`OFS`, variables, `BEGIN`/`END`, regular expressions, the
/// arithmetic, comparison and logical operators, assignment, `print`, `printf`, `if`/`else`,
/// `next` and the string functions `length`, `substr`, `index`, `toupper`, `tolower`. What it
/// lacks (user functions, arrays, loops, getline, output redirection) is a syntax error that
/// says so.
struct AwkProgram {
  indirect enum Expression {
    case number(Double)
    case string(String)
    /// `/re/` alone: whether the record matches.
    case regex(String)
    case field(Expression)
    case variable(String)
    case unary(String, Expression)
    case binary(String, Expression, Expression)
    case concatenation(Expression, Expression)
    case assignment(String, String, Expression)
    case increment(String, Double, prefix: Bool)
    /// `length`, `substr`, `index`, `toupper`, `tolower`.
    case call(String, [Expression])
  }

  static let functions: Set<String> = ["length", "substr", "index", "toupper", "tolower"]

  indirect enum Statement {
    case print([Expression])
    case printf([Expression])
    case expression(Expression)
    case conditional(Expression, [Statement], [Statement])
    case next
  }

  enum Pattern {
    case begin, end, always
    case expression(Expression)
  }

  struct Rule {
    var pattern: Pattern
    /// `nil`: print the record.
    var action: [Statement]?
  }

  var rules: [Rule]

  struct SyntaxError: Error, CustomStringConvertible {
    var message: String
    var description: String { "awk: syntax error: \(message)" }
  }

  init(_ source: String) throws(SyntaxError) {
    var parser = AwkParser(tokens: try AwkLexer.tokens(source))
    rules = try parser.program()
  }
}

/// One value: awk's strings that are numbers when they look like one.
struct AwkValue {
  var text: String
  var number: Double
  /// A number, or input text that looks like one: compared as a number.
  var isNumeric: Bool

  init(number: Double) {
    self.number = number
    text = AwkValue.format(number)
    isNumeric = true
  }

  init(string: String, fromInput: Bool = false) {
    text = string
    let trimmed = string.trimmingCharacters(in: .whitespaces)
    let parsed = Double(trimmed)
    number = parsed ?? AwkValue.leadingNumber(trimmed)
    isNumeric = fromInput && parsed != nil
  }

  var isTrue: Bool { isNumeric ? number != 0 : !text.isEmpty }

  static func format(_ number: Double) -> String {
    if number == number.rounded(), abs(number) < 1e16 { return String(Int64(number)) }
    return String(format: "%.6g", number)
  }

  /// The number at the start of a string, as awk reads `"12abc"` as 12.
  static func leadingNumber(_ text: String) -> Double {
    var prefix = ""
    for character in text {
      guard
        character.isNumber || (prefix.isEmpty && "+-".contains(character))
          || (character == "." && !prefix.contains("."))
      else { break }
      prefix.append(character)
    }
    return Double(prefix) ?? 0
  }
}

enum AwkToken: Equatable {
  case number(Double)
  case string(String)
  case regex(String)
  case name(String)
  case symbol(String)
  case newline
}

enum AwkLexer {
  static let symbols = [
    "&&", "||", "==", "!=", "<=", ">=", "!~", "+=", "-=", "*=", "/=", "%=", "++", "--", "<", ">",
    "!", "~", "+", "-", "*", "/", "%", "=", "(", ")", "{", "}", ";", ",", "$",
  ]

  static func tokens(_ source: String) throws(AwkProgram.SyntaxError) -> [AwkToken] {
    let characters = Array(source)
    var tokens: [AwkToken] = []
    var index = 0
    /// Whether a `/` here starts a regular expression rather than dividing.
    func regexAllowed() -> Bool {
      switch tokens.last {
      case .number?, .string?, .name?, .regex?: false
      case .symbol(let symbol)?: ![")", "++", "--", "$"].contains(symbol)
      default: true
      }
    }
    while index < characters.count {
      let character = characters[index]
      if character == " " || character == "\t"
        || (character == "\\" && index + 1 < characters.count && characters[index + 1] == "\n")
      {
        index += character == "\\" ? 2 : 1
        continue
      }
      if character == "\n" {
        tokens.append(.newline)
        index += 1
        continue
      }
      if character == "#" {
        while index < characters.count, characters[index] != "\n" { index += 1 }
        continue
      }
      if character.isNumber
        || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber)
      {
        var text = ""
        while index < characters.count, characters[index].isNumber || characters[index] == "." {
          text.append(characters[index])
          index += 1
        }
        tokens.append(.number(Double(text) ?? 0))
        continue
      }
      if character.isLetter || character == "_" {
        var text = ""
        while index < characters.count,
          characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
        {
          text.append(characters[index])
          index += 1
        }
        tokens.append(.name(text))
        continue
      }
      if character == "\"" {
        var text = ""
        index += 1
        while index < characters.count, characters[index] != "\"" {
          if characters[index] == "\\", index + 1 < characters.count {
            index += 1
            switch characters[index] {
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "\\": text.append("\\")
            case "\"": text.append("\"")
            case "/": text.append("/")
            default: text += "\\" + String(characters[index])
            }
          } else {
            text.append(characters[index])
          }
          index += 1
        }
        guard index < characters.count else { throw .init(message: "unterminated string") }
        index += 1
        tokens.append(.string(text))
        continue
      }
      if character == "/" && regexAllowed() {
        var text = ""
        index += 1
        while index < characters.count, characters[index] != "/" {
          if characters[index] == "\\", index + 1 < characters.count, characters[index + 1] == "/" {
            index += 1
          }
          text.append(characters[index])
          index += 1
        }
        guard index < characters.count else {
          throw .init(message: "unterminated regular expression")
        }
        index += 1
        tokens.append(.regex(text))
        continue
      }
      guard
        let symbol = symbols.first(where: { symbol in
          index + symbol.count <= characters.count
            && String(characters[index..<(index + symbol.count)]) == symbol
        })
      else { throw .init(message: "unexpected character '\(character)'") }
      tokens.append(.symbol(symbol))
      index += symbol.count
    }
    return tokens
  }
}

struct AwkParser {
  let tokens: [AwkToken]
  var index = 0
  /// How deeply the parser is inside parentheses, signs, `$`, blocks and `if`: each a level
  /// of its calls, and of the machine's when it runs.
  var nesting = 0
  /// How deep the tree of the expression just read is: `1 + 2 + 3` is three levels, since
  /// the machine evaluates it a call a level.
  var treeDepth = 0

  /// The bound on both: a program nested deeper is a syntax error, as mawk's parser stack
  /// makes one near 200.
  static let depthLimit = 30

  /// Goes a level deeper in the parser's calls, or fails past the limit.
  mutating func descend() throws(AwkProgram.SyntaxError) {
    guard nesting < Self.depthLimit else { throw Self.tooDeep }
    nesting += 1
  }

  /// Records the tree depth of an expression made of parts `depth` deep, or fails.
  mutating func built(over depth: Int) throws(AwkProgram.SyntaxError) {
    treeDepth = depth + 1
    guard treeDepth <= Self.depthLimit else { throw Self.tooDeep }
  }

  static let tooDeep = AwkProgram.SyntaxError(
    message: "expressions and statements nest at most \(depthLimit) deep in this sandbox's awk")

  typealias Expression = AwkProgram.Expression
  typealias Statement = AwkProgram.Statement

  var current: AwkToken? { index < tokens.count ? tokens[index] : nil }

  mutating func skip(_ token: AwkToken) -> Bool {
    guard current == token else { return false }
    index += 1
    return true
  }

  mutating func expect(_ symbol: String) throws(AwkProgram.SyntaxError) {
    guard skip(.symbol(symbol)) else { throw unexpected() }
  }

  func unexpected() -> AwkProgram.SyntaxError {
    switch current {
    case nil: .init(message: "unexpected end of program")
    case .name(let name)?
    where ["function", "getline", "for", "while", "delete", "in"].contains(name):
      .init(message: "'\(name)' is not part of this sandbox's awk")
    case .symbol(let symbol)?: .init(message: "unexpected '\(symbol)'")
    case .name(let name)?: .init(message: "unexpected '\(name)'")
    default: .init(message: "unexpected token")
    }
  }

  mutating func skipTerminators() {
    while current == .newline || current == .symbol(";") { index += 1 }
  }

  mutating func program() throws(AwkProgram.SyntaxError) -> [AwkProgram.Rule] {
    var rules: [AwkProgram.Rule] = []
    skipTerminators()
    while current != nil {
      let pattern: AwkProgram.Pattern
      if skip(.name("BEGIN")) {
        pattern = .begin
      } else if skip(.name("END")) {
        pattern = .end
      } else if current == .symbol("{") {
        pattern = .always
      } else {
        pattern = .expression(try expression())
      }
      var action: [Statement]?
      if current == .symbol("{") { action = try block() }
      rules.append(AwkProgram.Rule(pattern: pattern, action: action))
      skipTerminators()
    }
    return rules
  }

  mutating func block() throws(AwkProgram.SyntaxError) -> [Statement] {
    try expect("{")
    var statements: [Statement] = []
    skipTerminators()
    while current != .symbol("}") {
      guard current != nil else { throw unexpected() }
      statements.append(try statement())
      skipTerminators()
    }
    index += 1
    return statements
  }

  mutating func statement() throws(AwkProgram.SyntaxError) -> Statement {
    try descend()
    defer { nesting -= 1 }
    if current == .symbol("{") {
      return .conditional(.number(1), try block(), [])
    }
    if skip(.name("print")) {
      return .print(try expressionList())
    }
    if skip(.name("printf")) {
      let arguments = try expressionList()
      guard !arguments.isEmpty else { throw .init(message: "printf needs a format") }
      return .printf(arguments)
    }
    if skip(.name("next")) { return .next }
    if skip(.name("if")) {
      try expect("(")
      let condition = try expression()
      try expect(")")
      skipNewlines()
      let then = try branch()
      var otherwise: [Statement] = []
      let saved = index
      skipTerminators()
      if skip(.name("else")) {
        skipNewlines()
        otherwise = try branch()
      } else {
        index = saved
      }
      return .conditional(condition, then, otherwise)
    }
    return .expression(try expression())
  }

  mutating func skipNewlines() { while current == .newline { index += 1 } }

  mutating func branch() throws(AwkProgram.SyntaxError) -> [Statement] {
    current == .symbol("{") ? try block() : [try statement()]
  }

  mutating func expressionList() throws(AwkProgram.SyntaxError) -> [Expression] {
    var list: [Expression] = []
    while let token = current, token != .newline, token != .symbol(";"), token != .symbol("}") {
      list.append(try expression())
      if !skip(.symbol(",")) { break }
    }
    if current == .symbol(">") || current == .symbol("|") {
      throw .init(message: "output redirection is not part of this sandbox's awk")
    }
    return list
  }

  mutating func expression() throws(AwkProgram.SyntaxError) -> Expression {
    if case .name(let name)? = current, index + 1 < tokens.count,
      case .symbol(let op) = tokens[index + 1], ["=", "+=", "-=", "*=", "/=", "%="].contains(op)
    {
      index += 2
      let value = try expression()
      try built(over: treeDepth)
      return .assignment(name, op, value)
    }
    return try or()
  }

  mutating func or() throws(AwkProgram.SyntaxError) -> Expression {
    var left = try and()
    var depth = treeDepth
    while skip(.symbol("||")) {
      skipNewlines()
      left = .binary("||", left, try and())
      try built(over: max(depth, treeDepth))
      depth = treeDepth
    }
    treeDepth = depth
    return left
  }

  mutating func and() throws(AwkProgram.SyntaxError) -> Expression {
    var left = try match()
    var depth = treeDepth
    while skip(.symbol("&&")) {
      skipNewlines()
      left = .binary("&&", left, try match())
      try built(over: max(depth, treeDepth))
      depth = treeDepth
    }
    treeDepth = depth
    return left
  }

  mutating func match() throws(AwkProgram.SyntaxError) -> Expression {
    var left = try comparison()
    var depth = treeDepth
    while case .symbol(let op)? = current, op == "~" || op == "!~" {
      index += 1
      left = .binary(op, left, try comparison())
      try built(over: max(depth, treeDepth))
      depth = treeDepth
    }
    treeDepth = depth
    return left
  }

  mutating func comparison() throws(AwkProgram.SyntaxError) -> Expression {
    let left = try concatenation()
    if case .symbol(let op)? = current, ["==", "!=", "<", "<=", ">", ">="].contains(op) {
      let depth = treeDepth
      index += 1
      let right = try concatenation()
      try built(over: max(depth, treeDepth))
      return .binary(op, left, right)
    }
    return left
  }

  /// Whether the current token can begin an operand, so that juxtaposition concatenates.
  var startsOperand: Bool {
    switch current {
    case .number?, .string?, .regex?, .name?: true
    case .symbol(let symbol)?: ["$", "(", "!", "++", "--"].contains(symbol)
    default: false
    }
  }

  mutating func concatenation() throws(AwkProgram.SyntaxError) -> Expression {
    var left = try additive()
    var depth = treeDepth
    while startsOperand, !isKeyword {
      left = .concatenation(left, try additive())
      try built(over: max(depth, treeDepth))
      depth = treeDepth
    }
    treeDepth = depth
    return left
  }

  var isKeyword: Bool {
    if case .name(let name)? = current {
      return ["if", "else", "print", "printf", "next"].contains(name)
    }
    return false
  }

  mutating func additive() throws(AwkProgram.SyntaxError) -> Expression {
    var left = try multiplicative()
    var depth = treeDepth
    while case .symbol(let op)? = current, op == "+" || op == "-" {
      index += 1
      left = .binary(op, left, try multiplicative())
      try built(over: max(depth, treeDepth))
      depth = treeDepth
    }
    treeDepth = depth
    return left
  }

  mutating func multiplicative() throws(AwkProgram.SyntaxError) -> Expression {
    var left = try unary()
    var depth = treeDepth
    while case .symbol(let op)? = current, ["*", "/", "%"].contains(op) {
      index += 1
      left = .binary(op, left, try unary())
      try built(over: max(depth, treeDepth))
      depth = treeDepth
    }
    treeDepth = depth
    return left
  }

  mutating func unary() throws(AwkProgram.SyntaxError) -> Expression {
    if case .symbol(let op)? = current, ["!", "-", "+"].contains(op) {
      index += 1
      try descend()
      defer { nesting -= 1 }
      let operand = try unary()
      try built(over: treeDepth)
      return .unary(op, operand)
    }
    return try postfix()
  }

  mutating func postfix() throws(AwkProgram.SyntaxError) -> Expression {
    if case .symbol(let op)? = current, op == "++" || op == "--" {
      index += 1
      guard case .name(let name)? = current else { throw unexpected() }
      index += 1
      treeDepth = 1
      return .increment(name, op == "++" ? 1 : -1, prefix: true)
    }
    let operand = try primary()
    if case .variable(let name) = operand, case .symbol(let op)? = current, op == "++" || op == "--"
    {
      index += 1
      return .increment(name, op == "++" ? 1 : -1, prefix: false)
    }
    return operand
  }

  mutating func primary() throws(AwkProgram.SyntaxError) -> Expression {
    guard let token = current else { throw unexpected() }
    switch token {
    case .number(let value):
      index += 1
      treeDepth = 1
      return .number(value)
    case .string(let text):
      index += 1
      treeDepth = 1
      return .string(text)
    case .regex(let pattern):
      index += 1
      treeDepth = 1
      return .regex(pattern)
    case .symbol("$"):
      index += 1
      try descend()
      defer { nesting -= 1 }
      let field = try primaryForField()
      try built(over: treeDepth)
      return .field(field)
    case .symbol("("):
      index += 1
      try descend()
      defer { nesting -= 1 }
      let inner = try expression()
      try expect(")")
      return inner
    case .name(let name):
      guard !isKeyword,
        !["for", "while", "do", "function", "delete", "getline", "in"].contains(name)
      else { throw unexpected() }
      let isCall = index + 1 < tokens.count && tokens[index + 1] == .symbol("(")
      if AwkProgram.functions.contains(name) {
        index += 1
        var arguments: [Expression] = []
        var depth = 0
        if isCall {
          index += 1
          try descend()
          defer { nesting -= 1 }
          while current != .symbol(")") {
            arguments.append(try expression())
            depth = max(depth, treeDepth)
            if !skip(.symbol(",")) { break }
          }
          try expect(")")
        } else if name != "length" {
          throw unexpected()
        }
        try built(over: depth)
        return .call(name, arguments)
      }
      if isCall {
        throw .init(message: "function '\(name)' is not part of this sandbox's awk")
      }
      index += 1
      treeDepth = 1
      return .variable(name)
    default:
      throw unexpected()
    }
  }

  /// What follows `$`: a number, a name, or a parenthesized expression.
  mutating func primaryForField() throws(AwkProgram.SyntaxError) -> Expression {
    if case .symbol(let op)? = current, op == "++" || op == "--" { return try postfix() }
    return try primary()
  }
}

/// Runs an awk program over input lines.
struct AwkMachine {
  var variables: [String: AwkValue] = [:]
  var fields: [String] = []
  var record = ""
  var output: [UInt8] = []
  var separator: String?
  var skipRecord = false
  /// mawk's run time error, which ends the program with status 2.
  var failure: String?
  let printf: ([String]) -> [UInt8]

  init(separator: String?, assignments: [String: String], printf: @escaping ([String]) -> [UInt8]) {
    self.separator = separator
    self.printf = printf
    variables["OFS"] = AwkValue(string: " ")
    variables["NR"] = AwkValue(number: 0)
    variables["NF"] = AwkValue(number: 0)
    for (name, value) in assignments { variables[name] = AwkValue(string: value, fromInput: true) }
  }

  mutating func run(_ program: AwkProgram, lines: [String]) {
    for rule in program.rules { if case .begin = rule.pattern { execute(rule.action ?? []) } }
    let hasMain = program.rules.contains {
      switch $0.pattern {
      case .begin, .end: false
      default: true
      }
    }
    if hasMain {
      for (number, line) in lines.enumerated() where failure == nil {
        variables["NR"] = AwkValue(number: Double(number + 1))
        setRecord(line)
        skipRecord = false
        for rule in program.rules where !skipRecord {
          switch rule.pattern {
          case .begin, .end: continue
          case .always: break
          case .expression(let expression): if !evaluate(expression).isTrue { continue }
          }
          if let action = rule.action {
            execute(action)
          } else {
            emit(record + "\n")
          }
        }
      }
    }
    skipRecord = false
    for rule in program.rules { if case .end = rule.pattern { execute(rule.action ?? []) } }
  }

  mutating func setRecord(_ line: String) {
    record = line
    if let separator, separator != " " {
      let actual = separator == "\\t" ? "\t" : separator
      fields = line.isEmpty ? [] : line.components(separatedBy: actual)
    } else {
      fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
    variables["NF"] = AwkValue(number: Double(fields.count))
  }

  mutating func emit(_ text: String) { output += Array(text.utf8) }

  mutating func execute(_ statements: [AwkProgram.Statement]) {
    for statement in statements {
      if skipRecord || failure != nil { return }
      switch statement {
      case .print(let expressions):
        let separator = variables["OFS"]?.text ?? " "
        let text =
          expressions.isEmpty
          ? record : expressions.map { evaluate($0).text }.joined(separator: separator)
        if failure == nil { emit(text + "\n") }
      case .printf(let expressions):
        let words = expressions.map { evaluate($0).text }
        if failure == nil { output += printf(words) }
      case .expression(let expression):
        _ = evaluate(expression)
      case .conditional(let condition, let then, let otherwise):
        execute(evaluate(condition).isTrue ? then : otherwise)
      case .next:
        skipRecord = true
      }
    }
  }

  mutating func value(of name: String) -> AwkValue {
    variables[name] ?? AwkValue(string: "")
  }

  mutating func evaluate(_ expression: AwkProgram.Expression) -> AwkValue {
    switch expression {
    case .number(let value): return AwkValue(number: value)
    case .string(let text): return AwkValue(string: text)
    case .regex(let pattern): return AwkValue(number: matches(record, pattern) ? 1 : 0)
    case .field(let index):
      let position = evaluate(index).number.rounded(.towardZero)
      if position < 0 {
        failure =
          failure ?? "awk: run time error: negative field index $\(AwkValue.format(position))"
        return AwkValue(string: "")
      }
      if position == 0 { return AwkValue(string: record, fromInput: true) }
      return AwkValue(
        string: position <= Double(fields.count) ? fields[Int(position) - 1] : "",
        fromInput: true)
    case .variable(let name): return value(of: name)
    case .call(let name, let arguments):
      let values = arguments.map { evaluate($0) }
      let text = values.first?.text ?? record
      switch name {
      case "length": return AwkValue(number: Double(text.count))
      case "toupper": return AwkValue(string: text.uppercased())
      case "tolower": return AwkValue(string: text.lowercased())
      case "index":
        guard values.count > 1, let range = text.range(of: values[1].text) else {
          return AwkValue(number: 0)
        }
        return AwkValue(
          number: Double(text.distance(from: text.startIndex, to: range.lowerBound) + 1))
      default:
        // substr(s, m[, n]): characters m… (1-based), n of them; reckoned in doubles, so that
        // no length is too large.
        let characters = Array(text)
        let start = values.count > 1 ? values[1].number.rounded() : 1
        let count = values.count > 2 ? values[2].number.rounded() : Double(characters.count)
        let from = max(start, 1)
        let to = min(start + count, Double(characters.count + 1))
        guard from < to else { return AwkValue(string: "") }
        return AwkValue(string: String(characters[(Int(from) - 1)..<(Int(to) - 1)]))
      }
    case .unary(let op, let operand):
      let value = evaluate(operand)
      switch op {
      case "!": return AwkValue(number: value.isTrue ? 0 : 1)
      case "-": return AwkValue(number: -value.number)
      default: return AwkValue(number: value.number)
      }
    case .concatenation(let left, let right):
      return AwkValue(string: evaluate(left).text + evaluate(right).text)
    case .assignment(let name, let op, let right):
      let value = evaluate(right)
      let result: AwkValue
      if op == "=" {
        result = value
      } else {
        result = arithmetic(String(op.dropLast()), self.value(of: name), value)
      }
      variables[name] = result
      return result
    case .increment(let name, let step, let prefix):
      let old = value(of: name).number
      variables[name] = AwkValue(number: old + step)
      return AwkValue(number: prefix ? old + step : old)
    case .binary(let op, let leftExpression, let rightExpression):
      switch op {
      case "&&":
        return AwkValue(
          number: evaluate(leftExpression).isTrue && evaluate(rightExpression).isTrue ? 1 : 0)
      case "||":
        return AwkValue(
          number: evaluate(leftExpression).isTrue || evaluate(rightExpression).isTrue ? 1 : 0)
      case "~", "!~":
        let text = evaluate(leftExpression).text
        let pattern: String
        if case .regex(let literal) = rightExpression {
          pattern = literal
        } else {
          pattern = evaluate(rightExpression).text
        }
        return AwkValue(number: matches(text, pattern) == (op == "~") ? 1 : 0)
      case "==", "!=", "<", "<=", ">", ">=":
        let left = evaluate(leftExpression)
        let right = evaluate(rightExpression)
        let order: ComparisonResult
        if left.isNumeric && right.isNumeric {
          order =
            left.number < right.number
            ? .orderedAscending : left.number > right.number ? .orderedDescending : .orderedSame
        } else {
          order =
            left.text < right.text
            ? .orderedAscending : left.text > right.text ? .orderedDescending : .orderedSame
        }
        let holds: Bool =
          switch op {
          case "==": order == .orderedSame
          case "!=": order != .orderedSame
          case "<": order == .orderedAscending
          case "<=": order != .orderedDescending
          case ">": order == .orderedDescending
          default: order != .orderedAscending
          }
        return AwkValue(number: holds ? 1 : 0)
      default:
        return arithmetic(op, evaluate(leftExpression), evaluate(rightExpression))
      }
    }
  }

  func arithmetic(_ op: String, _ left: AwkValue, _ right: AwkValue) -> AwkValue {
    switch op {
    case "+": AwkValue(number: left.number + right.number)
    case "-": AwkValue(number: left.number - right.number)
    case "*": AwkValue(number: left.number * right.number)
    case "/": AwkValue(number: right.number == 0 ? .nan : left.number / right.number)
    default:
      AwkValue(
        number: right.number == 0 ? .nan : left.number.truncatingRemainder(dividingBy: right.number)
      )
    }
  }

  /// awk's `~` and `/re/`: POSIX extended expressions, as mawk and gawk read them.
  func matches(_ text: String, _ pattern: String) -> Bool {
    (try? PosixRegex(pattern, syntax: .extended))?.matches(text) ?? false
  }
}
