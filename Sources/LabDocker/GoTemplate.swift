import Foundation
import LabImage

/// A failure to parse or run a Go template; the text follows Go's `text/template`.
public enum TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
  case parse(String)
  case execution(String)

  public var description: String {
    switch self {
    case .parse(let message): "template: :\(message)"
    case .execution(let message): "template: :\(message)"
    }
  }
}

/// The subset of Go's `text/template` that Docker's `--format` flags use: field paths,
/// pipelines, variables, `if`/`else`/`range`/`with`, and Docker's functions (`json`, `join`,
/// `split`, `lower`, `upper`, `title`, `pad`, `truncate`) plus Go's (`index`, `len`, `printf`,
/// `print`, `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`).
public struct GoTemplate: Sendable {
  indirect enum Node: Sendable {
    case text(String)
    case action(Pipeline, line: Int)
    case conditional(Pipeline, then: [Node], otherwise: [Node], line: Int)
    case range(Pipeline, body: [Node], otherwise: [Node], line: Int)
    case with(Pipeline, body: [Node], otherwise: [Node], line: Int)

    /// The line of an action; text counts as the first line.
    var line: Int {
      switch self {
      case .text: 1
      case .action(_, let line), .conditional(_, _, _, let line), .range(_, _, _, let line),
        .with(_, _, _, let line):
        line
      }
    }
  }

  struct Pipeline: Sendable {
    var declarations: [String] = []
    var commands: [[Operand]]
    var text: String
    /// The column of `text` in its template line, as Go counts it for error messages.
    var column = 0
  }

  indirect enum Operand: Sendable {
    case dot
    case field(base: Operand?, [String])
    case variable(String, [String])
    case function(String)
    case literal(TemplateValue)
    case pipeline(Pipeline, [String])
  }

  let nodes: [Node]

  /// Parses template text.
  public init(_ text: String) throws(TemplateError) {
    var parser = TemplateParser(text)
    nodes = try parser.parseAll()
  }

  /// Runs the template with `dot` as `.`.
  public func execute(_ dot: TemplateValue, isHeader: Bool = false) throws(TemplateError) -> String
  {
    var run = TemplateRun(root: dot, isHeader: isHeader)
    return try run.render(nodes, dot: dot)
  }
}

// MARK: - Parsing

private struct TemplateParser {
  enum Token: Equatable {
    case text(String)
    case action(String, line: Int, column: Int)
  }

  var tokens: [Token] = []
  var position = 0
  let source: String
  /// How many `if`, `range`, `with` and `else if` the parser is inside.
  var depth = 0

  /// How deeply actions may nest `if`, `range`, `with`, `else if` and parentheses.
  ///
  /// Parsing and running call themselves a level at a time, so a small bound keeps them within
  /// a small thread stack; Go's own bound is 10,000, and past it Go says what this says.
  static let depthLimit = 50

  /// Goes a level deeper at `line`, or fails as Go does past the limit.
  static func descend(_ depth: inout Int, line: Int) throws(TemplateError) {
    guard depth < depthLimit else { throw .parse("\(line): max expression depth exceeded") }
    depth += 1
  }

  init(_ source: String) { self.source = source }

  mutating func parseAll() throws(TemplateError) -> [GoTemplate.Node] {
    tokens = try Self.tokenize(source)
    let (nodes, terminator) = try parseList()
    if let terminator {
      throw .parse("\(terminator.line): unexpected {{\(terminator.keyword)}}")
    }
    return nodes
  }

  /// Splits the source into text and actions in one pass, counting lines and columns as it
  /// goes, so that a template of many actions takes time in proportion to its length.
  static func tokenize(_ source: String) throws(TemplateError) -> [Token] {
    let characters = Array(source)
    var tokens: [Token] = []
    var line = 1
    /// Where the line being read starts, and how far lines have been counted.
    var lineStart = 0
    var counted = 0
    func count(to end: Int) {
      while counted < end {
        if characters[counted] == "\n" {
          line += 1
          lineStart = counted + 1
        }
        counted += 1
      }
    }
    func isBlank(_ index: Int) -> Bool {
      index < characters.count && characters[index].isWhitespace
    }
    var rest = 0
    while let open = openIndex(characters, from: rest) {
      var textEnd = open
      var innerStart = open + 2
      if innerStart < characters.count, characters[innerStart] == "-", isBlank(innerStart + 1) {
        while textEnd > rest, characters[textEnd - 1].isWhitespace { textEnd -= 1 }
        innerStart += 1
      }
      guard let close = closeIndex(characters, from: innerStart) else {
        count(to: textEnd)
        throw .parse("\(line): unclosed action")
      }
      var bodyEnd = close
      var after = close + 2
      if bodyEnd - 1 > innerStart, characters[bodyEnd - 1] == "-",
        characters[bodyEnd - 2].isWhitespace
      {
        bodyEnd -= 1
        while isBlank(after) { after += 1 }
      }
      if textEnd > rest { tokens.append(.text(String(characters[rest..<textEnd]))) }
      let body = String(characters[innerStart..<bodyEnd])
      let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
      if !(trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")) {
        var start = innerStart
        while start < bodyEnd, characters[start].isWhitespace { start += 1 }
        if start == bodyEnd { start = innerStart }
        count(to: start)
        tokens.append(.action(trimmed, line: line, column: start - lineStart))
      }
      count(to: after)
      rest = after
    }
    if rest < characters.count { tokens.append(.text(String(characters[rest...]))) }
    return tokens
  }

  /// Where the next `{{` starts, from `start` on.
  static func openIndex(_ characters: [Character], from start: Int) -> Int? {
    var index = start
    while index + 1 < characters.count {
      if characters[index] == "{", characters[index + 1] == "{" { return index }
      index += 1
    }
    return nil
  }

  /// Where the closing `}}` starts, skipping any inside quoted strings.
  static func closeIndex(_ characters: [Character], from start: Int) -> Int? {
    var index = start
    var quote: Character?
    while index < characters.count {
      let character = characters[index]
      if let open = quote {
        if character == "\\" && open == "\"" {
          index += 1
        } else if character == open {
          quote = nil
        }
      } else if character == "\"" || character == "`" {
        quote = character
      } else if character == "}", index + 1 < characters.count, characters[index + 1] == "}" {
        return index
      }
      index += 1
    }
    return nil
  }

  struct Terminator {
    var keyword: String
    var rest: String
    var line: Int
  }

  /// Parses nodes up to an `{{end}}` or `{{else …}}`, which it returns.
  mutating func parseList() throws(TemplateError) -> ([GoTemplate.Node], Terminator?) {
    var nodes: [GoTemplate.Node] = []
    while position < tokens.count {
      let token = tokens[position]
      position += 1
      switch token {
      case .text(let text):
        nodes.append(.text(text))
      case .action(let body, let line, let column):
        let keyword = body.prefix { !$0.isWhitespace }
        let rest = body.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
        let restColumn = column + body.count - rest.count
        switch keyword {
        case "end", "else":
          return (nodes, Terminator(keyword: String(keyword), rest: rest, line: line))
        case "if", "range", "with":
          let pipeline = try parsePipeline(rest, line: line, column: restColumn)
          try Self.descend(&depth, line: line)
          defer { depth -= 1 }
          let (body, terminator) = try parseList()
          var otherwise: [GoTemplate.Node] = []
          guard var terminator else { throw .parse("\(line): unexpected EOF") }
          if terminator.keyword == "else" {
            if terminator.rest.hasPrefix("if ") && keyword == "if" {
              // `else if` nests a conditional that shares this one's `end`.
              let nestedPipeline = try parsePipeline(
                String(terminator.rest.dropFirst(3)), line: terminator.line)
              let (nestedBody, nestedEnd) = try parseElseChain()
              otherwise = [
                .conditional(
                  nestedPipeline, then: nestedBody, otherwise: nestedEnd, line: terminator.line)
              ]
              terminator = Terminator(keyword: "end", rest: "", line: terminator.line)
            } else {
              let (elseBody, end) = try parseList()
              guard let end, end.keyword == "end" else {
                throw .parse("\(line): expected end; found \(end?.keyword ?? "EOF")")
              }
              otherwise = elseBody
              terminator = end
            }
          }
          switch keyword {
          case "if":
            nodes.append(.conditional(pipeline, then: body, otherwise: otherwise, line: line))
          case "range": nodes.append(.range(pipeline, body: body, otherwise: otherwise, line: line))
          default: nodes.append(.with(pipeline, body: body, otherwise: otherwise, line: line))
          }
        default:
          nodes.append(.action(try parsePipeline(body, line: line, column: column), line: line))
        }
      }
    }
    return (nodes, nil)
  }

  /// After `{{else if …}}`: the body, then either `{{end}}` or a further else.
  mutating func parseElseChain() throws(TemplateError) -> ([GoTemplate.Node], [GoTemplate.Node]) {
    let (body, terminator) = try parseList()
    guard let terminator else { throw .parse("unexpected EOF") }
    if terminator.keyword == "end" { return (body, []) }
    if terminator.rest.hasPrefix("if ") {
      try Self.descend(&depth, line: terminator.line)
      defer { depth -= 1 }
      let pipeline = try parsePipeline(String(terminator.rest.dropFirst(3)), line: terminator.line)
      let (nestedBody, nestedElse) = try parseElseChain()
      return (
        body,
        [.conditional(pipeline, then: nestedBody, otherwise: nestedElse, line: terminator.line)]
      )
    }
    let (elseBody, end) = try parseList()
    guard end?.keyword == "end" else { throw .parse("\(terminator.line): expected end") }
    return (body, elseBody)
  }

  func parsePipeline(
    _ text: String, line: Int, column: Int = 0
  ) throws(TemplateError) -> GoTemplate.Pipeline {
    var lexer = ActionLexer(text: text, line: line)
    let words = try lexer.lex()
    var index = 0
    var depth = depth
    var pipeline = try Self.pipeline(
      words, &index, line: line, text: text, closing: nil, depth: &depth)
    pipeline.column = column
    return pipeline
  }

  static func pipeline(
    _ words: [ActionLexer.Word], _ index: inout Int, line: Int, text: String,
    closing: ActionLexer.Word?, depth: inout Int
  ) throws(TemplateError) -> GoTemplate.Pipeline {
    var declarations: [String] = []
    // `$x := …` or `$i, $e := …`
    var probe = index
    var names: [String] = []
    while probe < words.count, case .variable(let name, let fields) = words[probe], fields.isEmpty {
      names.append(name)
      probe += 1
      if probe < words.count, words[probe] == .comma {
        probe += 1
        continue
      }
      break
    }
    if !names.isEmpty, probe < words.count, words[probe] == .declare {
      declarations = names
      index = probe + 1
    }
    var commands: [[GoTemplate.Operand]] = [[]]
    while index < words.count {
      let word = words[index]
      index += 1
      switch word {
      case .pipe:
        guard !(commands.last ?? []).isEmpty else { throw .parse("\(line): missing command") }
        commands.append([])
      case .close:
        guard closing != nil else { throw .parse("\(line): unexpected right paren") }
        return try finish(declarations, commands, line: line, text: text)
      case .open:
        try descend(&depth, line: line)
        let inner = try pipeline(
          words, &index, line: line, text: text, closing: .close, depth: &depth)
        depth -= 1
        var fields: [String] = []
        if index < words.count, case .fieldChain(let chain) = words[index] {
          fields = chain
          index += 1
        }
        commands[commands.count - 1].append(.pipeline(inner, fields))
      case .dot: commands[commands.count - 1].append(.dot)
      case .fieldChain(let chain): commands[commands.count - 1].append(.field(base: nil, chain))
      case .variable(let name, let fields):
        commands[commands.count - 1].append(.variable(name, fields))
      case .identifier(let name):
        switch name {
        case "true": commands[commands.count - 1].append(.literal(.bool(true)))
        case "false": commands[commands.count - 1].append(.literal(.bool(false)))
        case "nil": commands[commands.count - 1].append(.literal(.null(.interface)))
        default:
          guard TemplateRun.functionNames.contains(name) else {
            throw .parse("\(line): function \"\(name)\" not defined")
          }
          commands[commands.count - 1].append(.function(name))
        }
      case .string(let value): commands[commands.count - 1].append(.literal(.string(value)))
      case .number(let value): commands[commands.count - 1].append(.literal(.int(value)))
      case .comma, .declare:
        throw .parse("\(line): unexpected \(word) in command")
      }
    }
    if closing != nil { throw .parse("\(line): unclosed left paren") }
    return try finish(declarations, commands, line: line, text: text)
  }

  static func finish(
    _ declarations: [String], _ commands: [[GoTemplate.Operand]], line: Int, text: String
  ) throws(TemplateError) -> GoTemplate.Pipeline {
    guard let last = commands.last, !last.isEmpty else {
      throw .parse("\(line): missing value for command")
    }
    return GoTemplate.Pipeline(declarations: declarations, commands: commands, text: text)
  }
}
