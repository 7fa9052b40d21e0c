import Foundation
import LabRegex

struct AwkParser {
  let tokens: [AwkToken]
  var index = 0
  /// The functions the program defines, by name.
  var functions: [String: AwkProgram.Function] = [:]
  /// The names defined with `function`, found before parsing, so that a call may come first.
  let functionNames: Set<String>
  /// Whether the statements being read are a function's, where `return` may stand.
  var inFunction = false

  init(tokens: [AwkToken]) {
    self.tokens = tokens
    var names: Set<String> = []
    for (position, token) in tokens.enumerated().dropLast()
    where token == .name("function") {
      if case .name(let name) = tokens[position + 1] { names.insert(name) }
    }
    functionNames = names
  }
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
    case .name(let name)? where ["getline", "system"].contains(name):
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
      if skip(.name("function")) {
        try functionDefinition()
        skipTerminators()
        continue
      }
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

  /// `function name(parameters) { body }`, after `function`.
  mutating func functionDefinition() throws(AwkProgram.SyntaxError) {
    guard case .name(let name)? = current, !Self.keywords.contains(name),
      !AwkProgram.functions.contains(name)
    else { throw unexpected() }
    guard functions[name] == nil else {
      throw .init(message: "function \(name) redefined")
    }
    index += 1
    try expect("(")
    var parameters: [String] = []
    while case .name(let parameter)? = current {
      guard !parameters.contains(parameter) else {
        throw .init(message: "function \(name): parameter \(parameter) is repeated")
      }
      parameters.append(parameter)
      index += 1
      guard skip(.symbol(",")) else { break }
      skipNewlines()
    }
    try expect(")")
    skipNewlines()
    inFunction = true
    defer { inFunction = false }
    functions[name] = AwkProgram.Function(parameters: parameters, body: try block())
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
      return .print(try printList())
    }
    if skip(.name("printf")) {
      let arguments = try printList()
      guard !arguments.isEmpty else { throw .init(message: "printf needs a format") }
      return .printf(arguments)
    }
    if skip(.name("next")) { return .next }
    if skip(.name("return")) {
      guard inFunction else { throw .init(message: "return outside function body") }
      if let token = current, token != .newline, token != .symbol(";"), token != .symbol("}") {
        return .returnValue(try expression())
      }
      return .returnValue(nil)
    }
    if skip(.name("break")) { return .breakLoop }
    if skip(.name("continue")) { return .continueLoop }
    if skip(.name("exit")) {
      if let token = current, token != .newline, token != .symbol(";"), token != .symbol("}") {
        return .exit(try expression())
      }
      return .exit(nil)
    }
    if skip(.name("delete")) {
      guard case .name(let name)? = current else { throw unexpected() }
      index += 1
      guard skip(.symbol("[")) else { return .delete(name, nil) }
      return .delete(name, try subscripts())
    }
    if skip(.name("while")) {
      try expect("(")
      let condition = try expression()
      try expect(")")
      // `while (…);`: an empty body.
      if skip(.symbol(";")) { return .whileLoop(condition, []) }
      skipNewlines()
      return .whileLoop(condition, try branch())
    }
    if skip(.name("do")) {
      skipNewlines()
      let body = try branch()
      skipTerminators()
      guard skip(.name("while")) else { throw unexpected() }
      try expect("(")
      let condition = try expression()
      try expect(")")
      return .doLoop(body, condition)
    }
    if skip(.name("for")) {
      try expect("(")
      if case .name(let key)? = current, index + 3 < tokens.count,
        tokens[index + 1] == .name("in"), case .name(let array) = tokens[index + 2],
        tokens[index + 3] == .symbol(")")
      {
        index += 4
        skipNewlines()
        return .forIn(key, array, try branch())
      }
      let start = current == .symbol(";") ? nil : try expression()
      try expect(";")
      skipNewlines()
      let condition = current == .symbol(";") ? nil : try expression()
      try expect(";")
      skipNewlines()
      let step = current == .symbol(")") ? nil : try expression()
      try expect(")")
      if skip(.symbol(";")) { return .forLoop(start, condition, step, []) }
      skipNewlines()
      return .forLoop(start, condition, step, try branch())
    }
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

  /// What `print` and `printf` take: a list, perhaps in parentheses as `printf("%s\n", x)`.
  mutating func printList() throws(AwkProgram.SyntaxError) -> [Expression] {
    let saved = index
    if skip(.symbol("(")) {
      let list = try? expressionList()
      if let list, skip(.symbol(")")) {
        switch current {
        case nil, .newline?, .symbol(";")?, .symbol("}")?: return list
        case .symbol(let symbol)? where symbol == ">" || symbol == "|":
          throw .init(message: "output redirection is not part of this sandbox's awk")
        default: break
        }
      }
      index = saved
    }
    return try expressionList()
  }

  /// The subscripts after `[`, up to and past the `]`.
  mutating func subscripts() throws(AwkProgram.SyntaxError) -> [Expression] {
    try descend()
    defer { nesting -= 1 }
    var list: [Expression] = []
    var depth = 0
    repeat {
      list.append(try expression())
      depth = max(depth, treeDepth)
    } while skip(.symbol(","))
    try expect("]")
    treeDepth = depth
    return list
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
    let left = try ternary()
    if case .symbol(let op)? = current, ["=", "+=", "-=", "*=", "/=", "%="].contains(op),
      let target = left.lvalue
    {
      index += 1
      skipNewlines()
      try descend()
      defer { nesting -= 1 }
      let depth = treeDepth
      let value = try expression()
      try built(over: max(depth, treeDepth))
      return .assignment(target, op, value)
    }
    return left
  }

  /// `condition ? then : otherwise`, right to left.
  mutating func ternary() throws(AwkProgram.SyntaxError) -> Expression {
    let condition = try or()
    guard skip(.symbol("?")) else { return condition }
    var depth = treeDepth
    skipNewlines()
    try descend()
    defer { nesting -= 1 }
    let then = try expression()
    depth = max(depth, treeDepth)
    skipNewlines()
    try expect(":")
    skipNewlines()
    let otherwise = try expression()
    try built(over: max(depth, treeDepth))
    return .conditional(condition, then, otherwise)
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
    var left = try concatenation()
    while skip(.name("in")) {
      guard case .name(let array)? = current else { throw unexpected() }
      index += 1
      left = .membership([left], array)
      try built(over: treeDepth)
    }
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

  static let keywords: Set<String> = [
    "if", "else", "print", "printf", "next", "in", "for", "while", "do", "delete", "break",
    "continue", "exit", "getline", "function", "return",
  ]

  var isKeyword: Bool {
    if case .name(let name)? = current {
      return Self.keywords.contains(name)
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
      try descend()
      defer { nesting -= 1 }
      guard let target = try primary().lvalue else { throw unexpected() }
      try built(over: treeDepth)
      return .increment(target, op == "++" ? 1 : -1, prefix: true)
    }
    let operand = try primary()
    if let target = operand.lvalue, case .symbol(let op)? = current, op == "++" || op == "--" {
      index += 1
      try built(over: treeDepth)
      return .increment(target, op == "++" ? 1 : -1, prefix: false)
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
      // `(i, j) in a`: a subscript of several parts.
      if skip(.symbol(",")) {
        var parts = [inner]
        var depth = treeDepth
        repeat {
          parts.append(try expression())
          depth = max(depth, treeDepth)
        } while skip(.symbol(","))
        try expect(")")
        guard skip(.name("in")), case .name(let array)? = current else { throw unexpected() }
        index += 1
        try built(over: depth)
        return .membership(parts, array)
      }
      try expect(")")
      return inner
    case .name(let name):
      guard !isKeyword else { throw unexpected() }
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
      if isCall, functionNames.contains(name) {
        index += 2
        try descend()
        defer { nesting -= 1 }
        var arguments: [Expression] = []
        var depth = 0
        while current != .symbol(")") {
          skipNewlines()
          arguments.append(try expression())
          depth = max(depth, treeDepth)
          if !skip(.symbol(",")) { break }
        }
        try expect(")")
        try built(over: depth)
        return .userCall(name, arguments)
      }
      if isCall {
        throw .init(message: "function '\(name)' is not part of this sandbox's awk")
      }
      index += 1
      if skip(.symbol("[")) {
        let list = try subscripts()
        try built(over: treeDepth)
        return .element(name, list)
      }
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
