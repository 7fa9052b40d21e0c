import Foundation
import LabLimits
import LabRegex

/// An awk array: its elements by subscript, and the order they were made in, which
/// `for (k in a)` follows (awk leaves the order open; mawk's is its hash's).
struct AwkArray {
  var elements: [String: AwkValue] = [:]
  var keys: [String] = []

  subscript(key: String) -> AwkValue? {
    get { elements[key] }
    set {
      if elements.updateValue(newValue ?? AwkValue(string: ""), forKey: key) == nil {
        keys.append(key)
      }
    }
  }

  mutating func remove(_ key: String) {
    guard elements.removeValue(forKey: key) != nil else { return }
    keys.removeAll { $0 == key }
  }
}

/// Runs an awk program over input lines.
struct AwkMachine {
  var variables: [String: AwkValue] = [:]
  var arrays: [String: AwkArray] = [:]
  var fields: [String] = []
  var record = ""
  var output: [UInt8] = []
  var separator: String?
  /// What ends the statements running: a loop's `break` or `continue`, `next`, `exit`.
  enum Flow { case normal, breakLoop, continueLoop, next, exit }
  var flow = Flow.normal
  /// `exit`'s status.
  var exitStatus: Int32 = 0
  /// Loop rounds since the budget was last asked.
  var rounds = 0
  /// mawk's run time error, which ends the program with status 2.
  var failure: String?
  let printf: ([String]) -> [UInt8]

  init(separator: String?, assignments: [String: String], printf: @escaping ([String]) -> [UInt8]) {
    self.separator = separator
    self.printf = printf
    variables["OFS"] = AwkValue(string: " ")
    variables["NR"] = AwkValue(number: 0)
    variables["NF"] = AwkValue(number: 0)
    variables["SUBSEP"] = AwkValue(string: "\u{1c}")
    for (name, value) in assignments { variables[name] = AwkValue(string: value, fromInput: true) }
  }

  mutating func run(_ program: AwkProgram, lines: [String]) {
    for rule in program.rules where flow != .exit {
      if case .begin = rule.pattern { execute(rule.action ?? []) }
    }
    let hasMain = program.rules.contains {
      switch $0.pattern {
      case .begin, .end: false
      default: true
      }
    }
    if hasMain && flow != .exit {
      for (number, line) in lines.enumerated() where failure == nil && flow != .exit {
        variables["NR"] = AwkValue(number: Double(number + 1))
        setRecord(line)
        flow = .normal
        for rule in program.rules where flow == .normal {
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
    // `exit` in the main rules still runs END; `exit` in END ends it.
    flow = .normal
    for rule in program.rules where flow != .exit {
      if case .end = rule.pattern { execute(rule.action ?? []) }
    }
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

  /// Whether a loop must stop: a run time error, or the command's budget (time, output) is
  /// spent; the shell says why.
  mutating func loopMustStop() -> Bool {
    if failure != nil || flow == .exit { return true }
    rounds += 1
    if rounds % 1024 == 0, Budget.shouldStop() != nil || output.count > Limits.outputBytes {
      failure = failure ?? ""
      return true
    }
    return false
  }

  /// Runs a loop's body once; whether the loop goes on.
  mutating func loopBody(_ body: [AwkProgram.Statement]) -> Bool {
    execute(body)
    switch flow {
    case .breakLoop:
      flow = .normal
      return false
    case .continueLoop:
      flow = .normal
      return true
    case .normal: return true
    case .next, .exit: return false
    }
  }

  mutating func execute(_ statements: [AwkProgram.Statement]) {
    for statement in statements {
      if flow != .normal || failure != nil { return }
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
      case .whileLoop(let condition, let body):
        while !loopMustStop(), evaluate(condition).isTrue, loopBody(body) {}
      case .doLoop(let body, let condition):
        while !loopMustStop(), loopBody(body), evaluate(condition).isTrue {}
      case .forLoop(let start, let condition, let step, let body):
        if let start { _ = evaluate(start) }
        while !loopMustStop(), condition.map({ evaluate($0).isTrue }) ?? true, loopBody(body) {
          if let step { _ = evaluate(step) }
        }
      case .forIn(let key, let array, let body):
        // The keys as they were when the loop began; one deleted meanwhile is still visited,
        // as in mawk.
        for element in arrays[array]?.keys ?? [] {
          if loopMustStop() { break }
          variables[key] = AwkValue(string: element, fromInput: true)
          if !loopBody(body) { break }
        }
      case .delete(let array, let subscripts):
        if let subscripts {
          let key = self.key(subscripts)
          arrays[array]?.remove(key)
        } else {
          arrays[array] = AwkArray()
        }
      case .breakLoop: flow = .breakLoop
      case .continueLoop: flow = .continueLoop
      case .next: flow = .next
      case .exit(let status):
        if let status { exitStatus = Int32(clamping: Int(evaluate(status).number)) }
        flow = .exit
      }
    }
  }

  mutating func value(of name: String) -> AwkValue {
    variables[name] ?? AwkValue(string: "")
  }

  /// A subscript's key: its parts joined by `SUBSEP`.
  mutating func key(_ subscripts: [AwkProgram.Expression]) -> String {
    let separator = value(of: "SUBSEP").text
    return subscripts.map { evaluate($0).text }.joined(separator: separator)
  }

  /// The value at a place.
  mutating func load(_ target: AwkProgram.LValue) -> AwkValue {
    switch target {
    case .variable(let name): return value(of: name)
    case .field(let index): return evaluate(.field(index))
    case .element(let name, let subscripts):
      let key = self.key(subscripts)
      // Naming an element makes it, as in every awk.
      if let value = arrays[name, default: AwkArray()][key] { return value }
      arrays[name, default: AwkArray()][key] = AwkValue(string: "")
      return AwkValue(string: "")
    }
  }

  /// Sets a place; a field rebuilds the record with `OFS`.
  mutating func store(_ value: AwkValue, in target: AwkProgram.LValue) {
    switch target {
    case .variable(let name):
      variables[name] = value
      if name == "NF" {
        let count = max(0, Int(value.number))
        fields = Array(fields.prefix(count))
        while fields.count < count { fields.append("") }
        rebuildRecord()
      }
    case .element(let name, let subscripts):
      let key = self.key(subscripts)
      arrays[name, default: AwkArray()][key] = value
    case .field(let index):
      let position = Int(evaluate(index).number.rounded(.towardZero))
      guard position >= 0 else {
        failure = failure ?? "awk: run time error: negative field index $\(position)"
        return
      }
      if position == 0 {
        setRecord(value.text)
        return
      }
      guard position <= 32767 else {
        failure = failure ?? "awk: run time error: $\(position) exceeds maximum field(32767)"
        return
      }
      while fields.count < position { fields.append("") }
      fields[position - 1] = value.text
      variables["NF"] = AwkValue(number: Double(fields.count))
      rebuildRecord()
    }
  }

  mutating func rebuildRecord() {
    record = fields.joined(separator: value(of: "OFS").text)
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
    case .element(let name, let subscripts): return load(.element(name, subscripts))
    case .membership(let subscripts, let array):
      let key = self.key(subscripts)
      return AwkValue(number: arrays[array]?[key] != nil ? 1 : 0)
    case .conditional(let condition, let then, let otherwise):
      return evaluate(evaluate(condition).isTrue ? then : otherwise)
    case .call("length", let arguments):
      // `length(a)` of an array: how many elements it has.
      if case .variable(let name)? = arguments.first, variables[name] == nil,
        let array = arrays[name]
      {
        return AwkValue(number: Double(array.keys.count))
      }
      let text = arguments.first.map { evaluate($0).text } ?? record
      return AwkValue(number: Double(text.count))
    case .call("split", let arguments):
      return split(arguments)
    case .call(let name, let arguments):
      let values = arguments.map { evaluate($0) }
      let text = values.first?.text ?? record
      switch name {
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
    case .assignment(let target, let op, let right):
      let value = evaluate(right)
      let result: AwkValue
      if op == "=" {
        result = value
      } else {
        result = arithmetic(String(op.dropLast()), load(target), value)
      }
      store(result, in: target)
      return result
    case .increment(let target, let step, let prefix):
      let old = load(target).number
      store(AwkValue(number: old + step), in: target)
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

  /// `split(s, a[, sep])`: the pieces of `s` into `a[1]`…, as fields are split; how many.
  mutating func split(_ arguments: [AwkProgram.Expression]) -> AwkValue {
    guard arguments.count >= 2, case .variable(let name) = arguments[1] else {
      failure = failure ?? "awk: split: the second argument must be an array"
      return AwkValue(number: 0)
    }
    let text = evaluate(arguments[0]).text
    var separator = separator ?? " "
    var isRegex = false
    if arguments.count > 2 {
      if case .regex(let pattern) = arguments[2] {
        separator = pattern
        isRegex = true
      } else {
        separator = evaluate(arguments[2]).text
      }
    }
    var pieces: [String]
    if separator == " " {
      pieces = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(
        String.init)
    } else if text.isEmpty {
      pieces = []
    } else if separator.count == 1 && !isRegex && separator != "\\" {
      pieces = text.components(separatedBy: separator)
    } else {
      pieces = splitByRegex(text, separator)
    }
    var array = AwkArray()
    for (index, piece) in pieces.enumerated() {
      array[String(index + 1)] = AwkValue(string: piece, fromInput: true)
    }
    arrays[name] = array
    variables[name] = nil
    return AwkValue(number: Double(pieces.count))
  }

  /// Pieces of `text` between matches of an extended regular expression.
  func splitByRegex(_ text: String, _ pattern: String) -> [String] {
    guard let regex = try? PosixRegex(pattern, syntax: .extended) else { return [text] }
    let bytes = Array(text.utf8)
    var pieces: [String] = []
    var start = 0
    var from = 0
    while from <= bytes.count, let match = regex.firstMatch(in: bytes, from: from) {
      let range = match.range
      if range.isEmpty {
        from = range.lowerBound + 1
        continue
      }
      pieces.append(String(decoding: bytes[start..<range.lowerBound], as: UTF8.self))
      start = range.upperBound
      from = range.upperBound
    }
    pieces.append(String(decoding: bytes[start...], as: UTF8.self))
    return pieces
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
