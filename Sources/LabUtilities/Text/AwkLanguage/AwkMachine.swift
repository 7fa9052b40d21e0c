import Foundation
import LabRegex

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
