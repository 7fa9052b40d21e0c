import Foundation
import LabImage
import LabJSON

/// One execution of a template: the variables in scope and the output so far.
struct TemplateRun {
  static let functionNames: Set<String> = [
    "json", "join", "split", "lower", "upper", "title", "pad", "truncate", "index", "len",
    "printf", "print", "println", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "html",
    "urlquery", "slice",
  ]

  var variables: [(String, TemplateValue)]
  /// Docker renders a table's header through the same template with formatting functions
  /// that return the header text unchanged.
  var isHeader = false

  /// The most a template may write, and the most items a `range` over a number may count:
  /// the sandbox's bounds on memory, where Go would go on.
  static let outputLimit = 64 << 20
  static let rangeLimit = 1_000_000

  /// The error for output past ``outputLimit``.
  static func outputError(_ line: Int) -> TemplateError {
    .execution("\(line): the sandbox stops a template's output at 64 MiB")
  }

  init(root: TemplateValue, isHeader: Bool = false) {
    variables = [("$", root)]
    self.isHeader = isHeader
  }

  mutating func render(_ nodes: [GoTemplate.Node], dot: TemplateValue) throws(TemplateError)
    -> String
  {
    var out = ""
    let scope = variables.count
    defer { variables.removeSubrange(scope...) }
    for node in nodes {
      guard out.utf8.count <= Self.outputLimit else { throw Self.outputError(node.line) }
      switch node {
      case .text(let text):
        out += text
      case .action(let pipeline, let line):
        let value = try evaluate(pipeline, dot: dot, line: line)
        if pipeline.declarations.isEmpty { out += value.printed }
      case .conditional(let pipeline, let then, let otherwise, let line):
        let value = try evaluate(pipeline, dot: dot, line: line)
        out += try render(value.isTruthy ? then : otherwise, dot: dot)
      case .with(let pipeline, let body, let otherwise, let line):
        let value = try evaluate(pipeline, dot: dot, line: line)
        out += try value.isTruthy ? render(body, dot: value) : render(otherwise, dot: dot)
      case .range(var pipeline, let body, let otherwise, let line):
        let declarations = pipeline.declarations
        pipeline.declarations = []
        let value = try evaluate(pipeline, dot: dot, line: line)
        var items: [(TemplateValue, TemplateValue)] = []
        switch value {
        case .list(let list): items = list.enumerated().map { (.int(Int64($0)), $1) }
        case .map(let members):
          items = members.sorted { $0.0 < $1.0 }.map { (.string($0.0), $0.1) }
        case .int(let count):
          guard count <= Self.rangeLimit else {
            throw .execution("\(line): the sandbox ranges over at most \(Self.rangeLimit) items")
          }
          items = (0..<max(0, count)).map { (.int($0), .int($0)) }
        case .null: items = []
        default:
          throw .execution("\(line): range can't iterate over \(value.printed)")
        }
        if items.isEmpty {
          out += try render(otherwise, dot: dot)
          continue
        }
        for (key, element) in items {
          let mark = variables.count
          if declarations.count == 1 {
            variables.append((declarations[0], element))
          } else if declarations.count == 2 {
            variables.append((declarations[0], key))
            variables.append((declarations[1], element))
          }
          out += try render(body, dot: element)
          variables.removeSubrange(mark...)
          guard out.utf8.count <= Self.outputLimit else { throw Self.outputError(line) }
        }
      }
    }
    return out
  }

  mutating func evaluate(
    _ pipeline: GoTemplate.Pipeline, dot: TemplateValue, line: Int
  ) throws(TemplateError) -> TemplateValue {
    var result: TemplateValue?
    for command in pipeline.commands {
      result = try call(command, dot: dot, piped: result, line: line, pipeline: pipeline)
    }
    let value = result ?? .null(.interface)
    for name in pipeline.declarations { variables.append((name, value)) }
    return value
  }

  mutating func call(
    _ command: [GoTemplate.Operand], dot: TemplateValue, piped: TemplateValue?, line: Int,
    pipeline: GoTemplate.Pipeline
  ) throws(TemplateError) -> TemplateValue {
    let text = pipeline.text
    guard let first = command.first else { return .null(.interface) }
    if case .function(let name) = first {
      var arguments: [TemplateValue] = []
      for operand in command.dropFirst() {
        arguments.append(try value(of: operand, dot: dot, line: line, pipeline: pipeline))
      }
      if let piped { arguments.append(piped) }
      do {
        return try function(name, arguments, line: line, text: text)
      } catch {
        throw Self.located(error, function: name, pipeline: pipeline, line: line)
      }
    }
    guard command.count == 1, piped == nil else {
      throw .execution("\(line): can't give argument to non-function \(text)")
    }
    return try value(of: first, dot: dot, line: line, pipeline: pipeline)
  }

  /// A function's error where Go puts it: at the command's column, naming the whole command,
  /// when the pipeline is that one command.
  static func located(
    _ error: TemplateError, function name: String, pipeline: GoTemplate.Pipeline, line: Int
  ) -> TemplateError {
    let prefix = "\(line): executing \"\" at <\(name)>"
    guard case .execution(let message) = error, message.hasPrefix(prefix),
      pipeline.commands.count == 1, pipeline.declarations.isEmpty
    else { return error }
    return .execution(
      "\(line):\(pipeline.column): executing \"\" at <\(pipeline.text)>"
        + message.dropFirst(prefix.count))
  }

  mutating func value(
    of operand: GoTemplate.Operand, dot: TemplateValue, line: Int, pipeline: GoTemplate.Pipeline
  ) throws(TemplateError) -> TemplateValue {
    switch operand {
    case .dot: return dot
    case .literal(let value): return value
    case .function(let name): return try function(name, [], line: line, text: pipeline.text)
    case .field(_, let chain):
      return try walk(dot, chain, prefix: "", line: line, pipeline: pipeline)
    case .variable(let name, let chain):
      guard let bound = variables.last(where: { $0.0 == name })?.1 else {
        throw .parse("\(line): undefined variable \"\(name)\"")
      }
      return try walk(bound, chain, prefix: name, line: line, pipeline: pipeline)
    case .pipeline(let inner, let chain):
      return try walk(
        try evaluate(inner, dot: dot, line: line), chain, prefix: "", line: line, pipeline: pipeline
      )
    }
  }

  /// Follows `.A.B.C` from `start`; errors name the whole chain at its column, as Go does.
  func walk(
    _ start: TemplateValue, _ chain: [String], prefix: String, line: Int,
    pipeline: GoTemplate.Pipeline
  ) throws(TemplateError) -> TemplateValue {
    let whole = prefix + chain.map { "." + $0 }.joined()
    let offset = pipeline.text.range(of: whole).map {
      pipeline.text.distance(from: pipeline.text.startIndex, to: $0.lowerBound)
    }
    let text = "\(line):\(pipeline.column + (offset ?? 0))"
    var current = start
    for name in chain {
      switch current {
      case .structure, .context:
        guard let next = current.member(name) else {
          throw .execution(
            "\(text): executing \"\" at <\(whole)>: "
              + "can't evaluate field \(name) in type \(current.typeName)")
        }
        current = next
      case .map:
        guard let next = current.member(name) else {
          throw .execution(
            "\(text): executing \"\" at <\(whole)>: map has no entry for key \"\(name)\"")
        }
        current = next
      case .null:
        throw .execution(
          "\(text): executing \"\" at <\(whole)>: nil pointer evaluating interface {}.\(name)")
      default:
        throw .execution(
          "\(text): executing \"\" at <\(whole)>: "
            + "can't evaluate field \(name) in type \(current.typeName)")
      }
    }
    return current
  }

  // MARK: - Functions

  func function(
    _ name: String, _ arguments: [TemplateValue], line: Int, text: String
  ) throws(TemplateError) -> TemplateValue {
    func wrongCount(_ want: Int) -> TemplateError {
      .execution(
        "\(line): executing \"\" at <\(name)>: wrong number of args for \(name): "
          + "want \(want) got \(arguments.count)")
    }
    func string(_ index: Int) throws(TemplateError) -> String {
      guard index < arguments.count else { throw wrongCount(index + 1) }
      if case .string(let value) = arguments[index] { return value }
      return arguments[index].printed
    }
    if isHeader,
      ["json", "join", "split", "lower", "upper", "title", "pad", "truncate"].contains(name),
      let first = arguments.first
    {
      return first
    }
    switch name {
    case "json":
      guard arguments.count == 1 else { throw wrongCount(1) }
      if case .context = arguments[0] {
        return .string(arguments[0].json.compact(escapingHTML: true))
      }
      return .string(arguments[0].json.compact(escapingHTML: false))
    case "join":
      guard arguments.count == 2 else { throw wrongCount(2) }
      guard case .list(let items) = arguments[0] else {
        if case .null = arguments[0] { return .string("") }
        throw .execution("\(line): executing \"\" at <join>: wrong type for value")
      }
      return .string(items.map(\.printed).joined(separator: try string(1)))
    case "split":
      guard arguments.count == 2 else { throw wrongCount(2) }
      let separator = try string(1)
      let parts =
        separator.isEmpty
        ? try string(0).map { String($0) }
        : try string(0).components(separatedBy: separator)
      return .list(parts.map(TemplateValue.string))
    case "lower": return .string(try string(0).lowercased())
    case "upper": return .string(try string(0).uppercased())
    case "title": return .string(try string(0).capitalized)
    case "pad":
      guard arguments.count == 3, case .int(let before) = arguments[1],
        case .int(let after) = arguments[2]
      else { throw wrongCount(3) }
      // Docker's padWithSpace calls strings.Repeat, which panics on a negative count.
      guard before >= 0, after >= 0 else {
        throw .execution(
          "\(line): executing \"\" at <pad>: error calling pad: strings: negative Repeat count")
      }
      guard before <= Self.outputLimit, after <= Self.outputLimit else {
        throw Self.outputError(line)
      }
      return .string(
        String(repeating: " ", count: Int(before)) + (try string(0))
          + String(repeating: " ", count: Int(after)))
    case "truncate":
      guard arguments.count == 2, case .int(let length) = arguments[1] else { throw wrongCount(2) }
      let source = try string(0)
      // Docker's truncateWithLength slices source[:length], which panics below 0.
      guard length >= 0 else {
        throw .execution(
          "\(line): executing \"\" at <truncate>: error calling truncate: "
            + "runtime error: slice bounds out of range [:\(length)]")
      }
      guard length < source.utf8.count else { return .string(source) }
      return .string(String(decoding: source.utf8.prefix(Int(length)), as: UTF8.self))
    case "len":
      guard arguments.count == 1 else { throw wrongCount(1) }
      switch arguments[0] {
      case .string(let value): return .int(Int64(value.utf8.count))
      case .list(let items): return .int(Int64(items.count))
      case .map(let members): return .int(Int64(members.count))
      case .null(let kind) where kind != .interface: return .int(0)
      default:
        throw .execution(
          "\(line): executing \"\" at <len>: error calling len: len of type \(arguments[0].typeName)"
        )
      }
    case "index":
      guard var current = arguments.first else { throw wrongCount(1) }
      for key in arguments.dropFirst() {
        switch (current, key) {
        case (.list(let items), .int(let position)):
          guard position >= 0, Int(position) < items.count else {
            throw .execution(
              "\(line): executing \"\" at <index>: error calling index: index out of range: \(position)"
            )
          }
          current = items[Int(position)]
        case (.map, .string(let name)):
          current = current.member(name) ?? .null(.interface)
        case (.null, _):
          current = .null(.interface)
        default:
          throw .execution(
            "\(line): executing \"\" at <index>: error calling index: cannot index \(current.typeName)"
          )
        }
      }
      return current
    case "print":
      return .string(arguments.map(\.printed).joined())
    case "println":
      return .string(arguments.map(\.printed).joined(separator: " ") + "\n")
    case "printf":
      let text = GoFormat.sprintf(try string(0), Array(arguments.dropFirst()))
      guard text.utf8.count <= Self.outputLimit else { throw Self.outputError(line) }
      return .string(text)
    case "html", "urlquery":
      return .string(arguments.map(\.printed).joined())
    case "slice":
      guard let base = arguments.first else { throw wrongCount(1) }
      return try slice(base, Array(arguments.dropFirst()), line: line)
    case "not":
      guard arguments.count == 1 else { throw wrongCount(1) }
      return .bool(!arguments[0].isTruthy)
    case "and":
      return arguments.first { !$0.isTruthy } ?? arguments.last ?? .bool(true)
    case "or":
      return arguments.first { $0.isTruthy } ?? arguments.last ?? .bool(false)
    case "eq":
      guard arguments.count >= 2 else { throw wrongCount(2) }
      return .bool(arguments.dropFirst().contains { compare(arguments[0], $0) == 0 })
    case "ne":
      guard arguments.count == 2 else { throw wrongCount(2) }
      return .bool(compare(arguments[0], arguments[1]) != 0)
    case "lt", "le", "gt", "ge":
      guard arguments.count == 2 else { throw wrongCount(2) }
      guard let order = compare(arguments[0], arguments[1]) else {
        throw .execution("\(line): executing \"\" at <\(name)>: incompatible types for comparison")
      }
      switch name {
      case "lt": return .bool(order < 0)
      case "le": return .bool(order <= 0)
      case "gt": return .bool(order > 0)
      default: return .bool(order >= 0)
      }
    default:
      throw .parse("\(line): function \"\(name)\" not defined")
    }
  }

  /// Go's `slice`: `slice x 1 2` is `x[1:2]`, every index checked as Go's `indexArg` does
  /// before anything is cut; a string is cut by bytes.
  func slice(_ base: TemplateValue, _ indexes: [TemplateValue], line: Int) throws(TemplateError)
    -> TemplateValue
  {
    func failure(_ reason: String) -> TemplateError {
      .execution("\(line): executing \"\" at <slice>: error calling slice: \(reason)")
    }
    let length: Int
    switch base {
    case .string(let text): length = text.utf8.count
    case .list(let items): length = items.count
    default: throw failure("can't slice item of type \(base.typeName)")
    }
    guard indexes.count <= 3 else { throw failure("too many slice indexes: \(indexes.count)") }
    if case .string = base, indexes.count == 3 { throw failure("cannot 3-index slice a string") }
    var bounds = [0, length]
    for (position, index) in indexes.enumerated() {
      guard case .int(let value) = index else {
        throw failure("cannot index slice/array with type \(index.typeName)")
      }
      guard value >= 0, value <= length else { throw failure("index out of range: \(value)") }
      if position < 2 { bounds[position] = Int(value) }
    }
    guard bounds[0] <= bounds[1] else {
      throw failure("invalid slice index: \(bounds[0]) > \(bounds[1])")
    }
    switch base {
    case .string(let text):
      return .string(
        String(
          decoding: text.utf8.dropFirst(bounds[0]).prefix(bounds[1] - bounds[0]), as: UTF8.self))
    case .list(let items): return .list(Array(items[bounds[0]..<bounds[1]]))
    default: throw failure("can't slice item of type \(base.typeName)")
    }
  }

  private func compare(_ left: TemplateValue, _ right: TemplateValue) -> Int? {
    switch (left, right) {
    case (.int(let a), .int(let b)): a < b ? -1 : (a == b ? 0 : 1)
    case (.string(let a), .string(let b)): a < b ? -1 : (a == b ? 0 : 1)
    case (.bool(let a), .bool(let b)): a == b ? 0 : 1
    case (.null, .null): 0
    default: left.printed == right.printed ? 0 : nil
    }
  }
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%s %v %d %q %t %x %%`, with widths.
enum GoFormat {
  static func sprintf(_ format: String, _ arguments: [TemplateValue]) -> String {
    var out = ""
    var next = 0
    var characters = Substring(format)
    while let character = characters.first {
      characters.removeFirst()
      guard character == "%" else {
        out.append(character)
        continue
      }
      var flags = ""
      while let flag = characters.first, "-+ #0".contains(flag) {
        flags.append(flag)
        characters.removeFirst()
      }
      // Go's parsenum: past a million the width is no width, and the rest is no verb.
      var width = 0
      var widthTooLarge = false
      while let digit = characters.first?.wholeNumberValue, characters.first?.isASCII == true {
        if width > 1_000_000 {
          widthTooLarge = true
          break
        }
        width = width * 10 + digit
        characters.removeFirst()
      }
      guard !widthTooLarge, let verb = characters.first else {
        out += "%!(NOVERB)"
        break
      }
      characters.removeFirst()
      if verb == "%" {
        out += "%"
        continue
      }
      guard next < arguments.count else {
        out += "%!\(verb)(MISSING)"
        continue
      }
      let argument = arguments[next]
      next += 1
      var text: String
      switch verb {
      case "d":
        if case .int(let value) = argument {
          text = String(value)
        } else {
          text = "%!d(\(argument.typeName)=\(argument.printed))"
        }
      case "q": text = JSONValue.quote(argument.printed, escapingHTML: false)
      case "x":
        if case .int(let value) = argument {
          text = String(value, radix: 16)
        } else {
          text = argument.printed.utf8.map { String($0, radix: 16) }.joined()
        }
      default: text = argument.printed
      }
      if text.count < width {
        let padding = String(
          repeating: flags.contains("0") && verb == "d" ? "0" : " ", count: width - text.count)
        text = flags.contains("-") ? text + padding : padding + text
      }
      out += text
    }
    if next < arguments.count {
      out +=
        "%!(EXTRA "
        + arguments[next...].map { "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")"
    }
    return out
  }
}
