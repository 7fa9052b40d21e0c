import LabLimits
import LabUtilities

/// Parses bash command lines: quoting, expansions, operators, redirections, here-documents.
public enum ShellParser {
  enum Token: Equatable {
    case word(ShellWord)
    case op(String)
    /// A redirection operator with its file descriptor; here-documents carry their body.
    case redirect(descriptor: Int, op: String)
    case newline
    /// `NAME=(…)` or `NAME+=(…)`, read whole by the lexer.
    case arrayAssignment(ShellAssignment)
  }

  /// Whether a line typed at the prompt continues on the next, as bash asks with `> `: an open
  /// quote, `if` or loop, here-document, or a line that ends in `\`, `|` or `&&`.
  public static func needsMoreInput(_ text: String) -> Bool {
    if text.hasSuffix("\\") { return true }
    do {
      _ = try parse(text)
      // bash reads a here-document to its delimiter: without one yet, the prompt goes on.
      return hasOpenHeredoc(text)
    } catch {
      switch error {
      case .unexpectedEnd, .unexpectedEndOfFile, .unterminatedHeredoc: return true
      case .unexpectedToken(let token): return token == "newline"
      case .tooDeep: return false
      }
    }
  }

  /// Whether a `<<WORD` (or `<<-WORD`, quoted or not) has no line `WORD` after it yet.
  static func hasOpenHeredoc(_ text: String) -> Bool {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var pending: [(delimiter: String, stripsTabs: Bool)] = []
    for line in lines {
      if let first = pending.first {
        let candidate = first.stripsTabs ? String(line.drop { $0 == "\t" }) : line
        if candidate == first.delimiter { pending.removeFirst() }
        continue
      }
      var rest = Substring(line)
      var quote: Character?
      while let character = rest.first {
        rest = rest.dropFirst()
        if let open = quote {
          if character == open { quote = nil }
          continue
        }
        if character == "'" || character == "\"" {
          quote = character
        } else if character == "#", rest.isEmpty || line.hasPrefix("#") {
          break
        } else if character == "<", rest.hasPrefix("<"), !rest.hasPrefix("<<") {
          rest = rest.dropFirst()
          let stripsTabs = rest.hasPrefix("-")
          if stripsTabs { rest = rest.dropFirst() }
          rest = rest.drop { $0 == " " || $0 == "\t" }
          let word = rest.prefix { !" \t;|&<>()".contains($0) }
          rest = rest.dropFirst(word.count)
          let delimiter = word.filter { $0 != "'" && $0 != "\"" && $0 != "\\" }
          if !delimiter.isEmpty { pending.append((delimiter, stripsTabs)) }
        }
      }
    }
    return !pending.isEmpty
  }

  /// Parses a whole command line (or script).
  ///
  /// - Parameters:
  ///   - text: The command line.
  ///   - depth: How deeply the shell that runs it already nests, in ``Limits/depth`` levels.
  /// - Returns: The command tree.
  /// - Throws: bash's syntax error, or ``ShellSyntaxError/tooDeep`` past ``Limits/depth``.
  public static func parse(_ text: String, depth: Int = 0) throws(ShellSyntaxError) -> ShellNode {
    var lexer = ShellLexer(Array(text), depth: depth)
    let tokens = try lexer.tokenize()
    var parser = TokenParser(tokens: tokens, heredocs: lexer.heredocBodies, depth: depth)
    let node = try parser.parseList(until: [])
    if parser.index < tokens.count, case .op(let op) = tokens[parser.index] {
      throw .unexpectedToken(op)
    }
    return node
  }
}

/// Builds the tree from tokens.
struct TokenParser {
  let tokens: [ShellParser.Token]
  let heredocs: [Int: (body: String, expands: Bool)]
  var index = 0
  /// How deeply the command being read nests: compound commands, subshells and groups, and
  /// `&&` or `||` links, each a level of the tree that runs it.
  var depth = 0

  mutating func skipNewlines() {
    while index < tokens.count, tokens[index] == .newline { index += 1 }
  }

  /// The reserved word at the current token, if it is one (unquoted, in command position).
  func reservedWord() -> String? {
    guard index < tokens.count, case .word(let word) = tokens[index], !word.hasQuotes,
      let text = word.literalText,
      [
        "if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case",
        "esac",
      ].contains(text)
    else { return nil }
    return text
  }

  /// Consumes the reserved word `word`, or says what stands there instead.
  mutating func expect(_ word: String) throws(ShellSyntaxError) {
    skipNewlines()
    guard reservedWord() == word else {
      if index >= tokens.count { throw .unexpectedEndOfFile }
      switch tokens[index] {
      case .word(let other): throw .unexpectedToken(other.literalText ?? word)
      case .op(let op): throw .unexpectedToken(op)
      case .arrayAssignment: throw .unexpectedToken("(")
      default: throw .unexpectedToken("newline")
      }
    }
    index += 1
  }

  mutating func parseList(until terminators: Set<String>, words: Set<String> = [])
    throws(ShellSyntaxError) -> ShellNode
  {
    var items: [ShellNode] = []
    skipNewlines()
    while index < tokens.count {
      if case .op(let op) = tokens[index], terminators.contains(op) { break }
      if let word = reservedWord(), words.contains(word) { break }
      if let word = reservedWord(),
        ["then", "elif", "else", "fi", "do", "done", "esac"].contains(word)
      {
        throw .unexpectedToken(word)
      }
      if case .op(let op) = tokens[index],
        op == ")" || op == ";" || op == ";;" || op == "&&" || op == "||" || op == "|"
      {
        throw .unexpectedToken(op)
      }
      items.append(try parseAndOr())
      guard index < tokens.count else { break }
      switch tokens[index] {
      case .op(";"), .op("&"), .newline:
        index += 1
        skipNewlines()
      case .op(let op) where terminators.contains(op):
        break
      case .op(let op):
        throw .unexpectedToken(op)
      default:
        break
      }
    }
    if items.isEmpty, !words.isEmpty {
      guard let word = reservedWord() else { throw .unexpectedEndOfFile }
      throw .unexpectedToken(word)
    }
    return items.count == 1 ? items[0] : .sequence(items)
  }

  /// `if`, `for`, `while` and `until`, after their first word.
  mutating func parseCompound(_ word: String) throws(ShellSyntaxError) -> ShellNode {
    switch word {
    case "if": return try parseIf()
    case "for": return try parseFor()
    case "case": return try parseCase()
    default:
      let condition = try parseList(until: [], words: ["do"])
      try expect("do")
      let body = try parseList(until: [], words: ["done"])
      try expect("done")
      return .whileLoop(
        ConditionalClause(condition: condition, body: body), until: word == "until",
        try parseRedirections())
    }
  }

  /// `if` …, after its first word.
  mutating func parseIf() throws(ShellSyntaxError) -> ShellNode {
    var clauses: [ConditionalClause] = []
    var otherwise: ShellNode?
    var keyword = "if"
    while keyword == "if" || keyword == "elif" {
      let condition = try parseList(until: [], words: ["then"])
      try expect("then")
      let body = try parseList(until: [], words: ["elif", "else", "fi"])
      clauses.append(ConditionalClause(condition: condition, body: body))
      keyword = reservedWord() ?? ""
      index += 1
      if keyword == "else" {
        otherwise = try parseList(until: [], words: ["fi"])
        try expect("fi")
      } else if keyword != "elif" && keyword != "fi" {
        throw keyword.isEmpty ? .unexpectedEndOfFile : .unexpectedToken(keyword)
      }
    }
    return .ifClause(clauses, otherwise: otherwise, try parseRedirections())
  }

  /// `case` …, after its first word: the subject, `in`, arms of patterns and lists, `esac`.
  mutating func parseCase() throws(ShellSyntaxError) -> ShellNode {
    guard index < tokens.count, case .word(let subject) = tokens[index] else {
      throw .unexpectedToken(index < tokens.count ? "\(tokens[index])" : "newline")
    }
    index += 1
    try expect("in")
    var arms: [CaseArm] = []
    while true {
      skipNewlines()
      guard index < tokens.count else { throw .unexpectedEndOfFile }
      if reservedWord() == "esac" {
        index += 1
        break
      }
      if tokens[index] == .op("(") { index += 1 }
      var patterns: [ShellWord] = []
      while index < tokens.count, case .word(let pattern) = tokens[index] {
        patterns.append(pattern)
        index += 1
        guard index < tokens.count, tokens[index] == .op("|") else { break }
        index += 1
      }
      guard !patterns.isEmpty else {
        throw .unexpectedToken(index < tokens.count ? "\(tokens[index])" : "newline")
      }
      guard index < tokens.count, tokens[index] == .op(")") else {
        throw index < tokens.count ? .unexpectedToken("\(tokens[index])") : .unexpectedEndOfFile
      }
      index += 1
      skipNewlines()
      var body = ShellNode.sequence([])
      if index < tokens.count, tokens[index] != .op(";;"), reservedWord() != "esac" {
        body = try parseList(until: [";;"], words: ["esac"])
      }
      arms.append(CaseArm(patterns: patterns, body: body))
      if index < tokens.count, tokens[index] == .op(";;") { index += 1 }
    }
    return .caseClause(subject: subject, arms: arms, try parseRedirections())
  }

  /// `for` …, after its first word.
  mutating func parseFor() throws(ShellSyntaxError) -> ShellNode {
    guard index < tokens.count, case .word(let nameWord) = tokens[index],
      let name = nameWord.literalText,
      name.first.map({ $0.isLetter || $0 == "_" }) ?? false,
      name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
    else {
      throw .unexpectedToken(index < tokens.count ? "\(tokens[index])" : "newline")
    }
    index += 1
    var words: [ShellWord]?
    skipNewlines()
    if reservedWord() == "in" {
      index += 1
      var list: [ShellWord] = []
      while index < tokens.count, case .word(let item) = tokens[index] {
        list.append(item)
        index += 1
      }
      words = list
    }
    if index < tokens.count, tokens[index] == .op(";") { index += 1 }
    try expect("do")
    let body = try parseList(until: [], words: ["done"])
    try expect("done")
    return .forLoop(name: name, words: words, body: body, try parseRedirections())
  }

  mutating func parseAndOr() throws(ShellSyntaxError) -> ShellNode {
    var node = try parsePipeline()
    var links = 0
    while index < tokens.count, case .op(let op) = tokens[index], op == "&&" || op == "||" {
      index += 1
      skipNewlines()
      guard index < tokens.count else { throw .unexpectedToken("newline") }
      // Each link nests the chain a level deeper in the tree.
      links += 1
      guard depth + links <= Limits.depth else { throw .tooDeep }
      depth += links
      defer { depth -= links }
      let right = try parsePipeline()
      node = op == "&&" ? .and(node, right) : .or(node, right)
    }
    return node
  }

  mutating func parsePipeline() throws(ShellSyntaxError) -> ShellNode {
    var negated = false
    if index < tokens.count, case .word(let word) = tokens[index], word.literalText == "!",
      !word.hasQuotes
    {
      negated = true
      index += 1
    }
    var commands = [try parseCommand()]
    while index < tokens.count, tokens[index] == .op("|") {
      index += 1
      skipNewlines()
      guard index < tokens.count else { throw .unexpectedToken("newline") }
      commands.append(try parseCommand())
    }
    return commands.count == 1 && !negated ? commands[0] : .pipeline(commands, negated: negated)
  }

  /// One command: a compound command, subshell or group a level deeper, or a simple command.
  mutating func parseCommand() throws(ShellSyntaxError) -> ShellNode {
    guard index < tokens.count else { throw .unexpectedToken("newline") }
    let compound = reservedWord().flatMap {
      ["if", "for", "while", "until", "case"].contains($0) ? $0 : nil
    }
    var isGroup = false
    if case .word(let word) = tokens[index], word.literalText == "{", !word.hasQuotes {
      isGroup = true
    }
    if let definition = try parseFunctionDefinition() { return definition }
    guard compound != nil || isGroup || tokens[index] == .op("(") else { return try parseSimple() }
    guard depth < Limits.depth else { throw .tooDeep }
    depth += 1
    defer { depth -= 1 }
    index += 1
    if let compound { return try parseCompound(compound) }
    return isGroup ? try parseGroup() : try parseSubshell()
  }

  /// `name() body` or `function name [()] body`, or `nil` when no definition starts here.
  mutating func parseFunctionDefinition() throws(ShellSyntaxError) -> ShellNode? {
    func name(at position: Int) -> String? {
      guard position < tokens.count, case .word(let word) = tokens[position], !word.hasQuotes,
        let text = word.literalText, !text.isEmpty,
        !text.contains(where: { "=$`\\'\"{}".contains($0) })
      else { return nil }
      return text
    }
    var position = index
    var keyword = false
    if name(at: position) == "function", let next = name(at: position + 1) {
      keyword = true
      position += 1
      _ = next
    }
    guard let functionName = name(at: position) else { return nil }
    var after = position + 1
    let hasParentheses =
      after + 1 < tokens.count && tokens[after] == .op("(") && tokens[after + 1] == .op(")")
    if hasParentheses { after += 2 }
    guard hasParentheses || keyword else { return nil }
    guard depth < Limits.depth else { throw .tooDeep }
    index = after
    skipNewlines()
    guard index < tokens.count else { throw .unexpectedEndOfFile }
    depth += 1
    defer { depth -= 1 }
    let body = try parseCommand()
    return .function(name: functionName, body: body)
  }

  /// `( list )`, after its `(`.
  mutating func parseSubshell() throws(ShellSyntaxError) -> ShellNode {
    let body = try parseList(until: [")"])
    guard index < tokens.count, tokens[index] == .op(")") else { throw .unexpectedEnd(")") }
    index += 1
    return .subshell(body, try parseRedirections())
  }

  /// `{ list; }`, after its `{`.
  mutating func parseGroup() throws(ShellSyntaxError) -> ShellNode {
    var items: [ShellNode] = []
    skipNewlines()
    while index < tokens.count {
      if case .word(let closing) = tokens[index], closing.literalText == "}" { break }
      items.append(try parseAndOr())
      if index < tokens.count, tokens[index] == .op(";") || tokens[index] == .newline {
        index += 1
      }
      skipNewlines()
    }
    guard index < tokens.count else { throw .unexpectedToken("newline") }
    index += 1
    return .group(items.count == 1 ? items[0] : .sequence(items), try parseRedirections())
  }

  /// Assignments, words and redirections.
  mutating func parseSimple() throws(ShellSyntaxError) -> ShellNode {
    var command = SimpleCommand()
    while index < tokens.count {
      switch tokens[index] {
      case .word(let word):
        index += 1
        if command.words.isEmpty, let assignment = ShellAssignment.parse(word) {
          command.assignments.append(assignment)
        } else {
          command.words.append(word)
        }
      case .arrayAssignment(let assignment):
        index += 1
        if command.words.isEmpty {
          command.assignments.append(assignment)
        } else if let first = command.words.first?.literalText,
          Self.declarationBuiltins.contains(first)
        {
          command.words.append(.literal(assignment.name))
          command.declaredLists.append(assignment)
        } else {
          throw .unexpectedToken("(")
        }
      case .redirect:
        command.redirections.append(try parseRedirection())
      default:
        if command.words.isEmpty && command.assignments.isEmpty && command.redirections.isEmpty {
          if case .op(let op) = tokens[index] { throw .unexpectedToken(op) }
          throw .unexpectedToken("newline")
        }
        return .simple(command)
      }
    }
    return .simple(command)
  }

  /// The builtins whose arguments may be array assignments, as bash parses them.
  static let declarationBuiltins: Set<String> = [
    "declare", "typeset", "local", "readonly", "export",
  ]

  mutating func parseRedirections() throws(ShellSyntaxError) -> [Redirection] {
    var result: [Redirection] = []
    while index < tokens.count, case .redirect = tokens[index] {
      result.append(try parseRedirection())
    }
    return result
  }

  mutating func parseRedirection() throws(ShellSyntaxError) -> Redirection {
    guard case .redirect(let descriptor, let op) = tokens[index] else {
      throw .unexpectedToken("newline")
    }
    let redirectIndex = index
    index += 1
    guard index < tokens.count, case .word(let target) = tokens[index] else {
      if index < tokens.count, case .op(let next) = tokens[index] { throw .unexpectedToken(next) }
      throw .unexpectedToken("newline")
    }
    index += 1
    let kind: Redirection.Kind
    switch op {
    case ">": kind = .output
    case ">>": kind = .append
    case "<": kind = .input
    case ">&", "<&": kind = .duplicate
    case "&>": kind = .outputAndError
    case "&>>": kind = .appendOutputAndError
    case "<<<": kind = .herestring
    default:
      let heredoc = heredocs[redirectIndex] ?? ("", true)
      kind = .heredoc(body: heredoc.body, expands: heredoc.expands)
    }
    return Redirection(descriptor: descriptor, kind: kind, target: target)
  }
}
