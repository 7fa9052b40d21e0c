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

/// Where an array's name leads: a global array, or one of a running function's parameters.
enum AwkSlot {
  case global(String)
  case local(frame: Int, name: String)
}

/// A running call of one of the program's functions.
struct AwkFrame {
  /// The names that are the function's own: its parameters, the ones past its arguments
  /// being its locals.
  var parameters: Set<String>
  var scalars: [String: AwkValue] = [:]
  var arrays: [String: AwkArray] = [:]
  /// Parameters given an array, or a name not yet used: awk passes those by reference.
  var aliases: [String: AwkSlot] = [:]
}

/// Runs an awk program over input lines.
struct AwkMachine {
  var variables: [String: AwkValue] = [:]
  var arrays: [String: AwkArray] = [:]
  /// The program's functions.
  var functions: [String: AwkProgram.Function] = [:]
  /// The calls running, innermost last.
  var frames: [AwkFrame] = []
  /// What `return` gave, until the call takes it.
  var returned: AwkValue?
  /// How deeply expressions and statements run inside one another now: each ``evaluate(_:)``
  /// and ``execute(_:)`` is a level, and a call of the program's functions adds its body's.
  var depth = 0
  /// The deepest a call may start at.
  ///
  /// The parser bounds a program's own nesting, and this bounds recursion, so that any program,
  /// under the deepest shell, fits a 512 KiB stack (see ``Limits``); a debug build overflowed one
  /// past 80. About a dozen calls of a small recursive function, where mawk takes hundreds.
  static let callDepthLimit = 60
  /// What a call past ``callDepthLimit`` says.
  static let tooDeep = "awk: run time error: function calls nest too deep for this sandbox's awk"
  var fields: [String] = []
  var record = ""
  /// The records read so far.
  var records = 0
  var output: [UInt8] = []
  var separator: String?
  /// What ends the statements running: a loop's `break` or `continue`, `next`, `exit`.
  enum Flow { case normal, breakLoop, continueLoop, next, exit, returning }
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

  /// Runs the program over `lines`, all in memory.
  mutating func run(_ program: AwkProgram, lines: [String]) {
    if begin(program) {
      for line in lines where take(line, program) {}
    }
    end(program)
  }

  /// Runs the `BEGIN` rules; whether the input is to be read: for main rules, or for `END`
  /// rules, which see `NR` and the last record, as in mawk.
  mutating func begin(_ program: AwkProgram) -> Bool {
    functions = program.functions
    for rule in program.rules where flow != .exit {
      if case .begin = rule.pattern { execute(rule.action ?? []) }
    }
    let readsInput = program.rules.contains {
      if case .begin = $0.pattern { return false }
      return true
    }
    return readsInput && flow != .exit
  }

  /// Runs the main rules over the next record; whether the program takes another.
  mutating func take(_ line: String, _ program: AwkProgram) -> Bool {
    guard failure == nil, flow != .exit else { return false }
    records += 1
    variables["NR"] = AwkValue(number: Double(records))
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
    return failure == nil && flow != .exit
  }

  /// Runs the `END` rules.
  mutating func end(_ program: AwkProgram) {
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
      // Blanks are ASCII: the line is split on its bytes, not on its characters.
      fields = []
      var start: String.Index?
      var index = line.utf8.startIndex
      while index != line.utf8.endIndex {
        let byte = line.utf8[index]
        if byte == 32 || byte == 9 {
          if let first = start { fields.append(String(line[first..<index])) }
          start = nil
        } else if start == nil {
          start = index
        }
        line.utf8.formIndex(after: &index)
      }
      if let first = start { fields.append(String(line[first...])) }
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
    case .next, .exit, .returning: return false
    }
  }

  /// Runs statements until one changes the flow.
  ///
  /// Each kind of statement is a function of its own, as each kind of expression is (see
  /// ``evaluate(_:)``), so that nested blocks and recursive calls take little stack a level.
  mutating func execute(_ statements: [AwkProgram.Statement]) {
    depth += 1
    defer { depth -= 1 }
    for statement in statements {
      if flow != .normal || failure != nil { return }
      switch statement {
      case .print(let expressions): print(expressions)
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
        forLoop(start, condition, step, body)
      case .forIn(let key, let array, let body): forIn(key, array, body)
      case .delete(let array, let subscripts): delete(array, subscripts)
      case .breakLoop: flow = .breakLoop
      case .continueLoop: flow = .continueLoop
      case .next: flow = .next
      case .exit(let status):
        if let status { exitStatus = Int32(clamping: Int(evaluate(status).number)) }
        flow = .exit
      case .returnValue(let value):
        returned = value.map { evaluate($0) }
        if flow == .normal { flow = .returning }
      }
    }
  }

  /// `print`: the expressions joined by `OFS`, or the record.
  mutating func print(_ expressions: [AwkProgram.Expression]) {
    let separator = variables["OFS"]?.text ?? " "
    let text =
      expressions.isEmpty
      ? record : expressions.map { evaluate($0).text }.joined(separator: separator)
    if failure == nil { emit(text + "\n") }
  }

  mutating func forLoop(
    _ start: AwkProgram.Expression?, _ condition: AwkProgram.Expression?,
    _ step: AwkProgram.Expression?, _ body: [AwkProgram.Statement]
  ) {
    if let start { _ = evaluate(start) }
    while !loopMustStop(), condition.map({ evaluate($0).isTrue }) ?? true, loopBody(body) {
      if let step { _ = evaluate(step) }
    }
  }

  /// `for (key in array)`: over the keys as they were when the loop began; one deleted
  /// meanwhile is still visited, as in mawk.
  mutating func forIn(_ key: String, _ array: String, _ body: [AwkProgram.Statement]) {
    for element in arrayNamed(array)?.keys ?? [] {
      if loopMustStop() { break }
      setScalar(key, AwkValue(string: element, fromInput: true))
      if !loopBody(body) { break }
    }
  }

  /// `delete a[k]`, or `delete a`.
  mutating func delete(_ array: String, _ subscripts: [AwkProgram.Expression]?) {
    if let subscripts {
      let key = self.key(subscripts)
      modifyArray(array) { $0.remove(key) }
    } else {
      modifyArray(array) { $0 = AwkArray() }
    }
  }

  mutating func value(of name: String) -> AwkValue {
    scalar(name) ?? AwkValue(string: "")
  }

  // MARK: - Names, global and a function's own

  /// Whether `name` is a parameter (or local) of the running function.
  func isParameter(_ name: String) -> Bool {
    frames.last?.parameters.contains(name) ?? false
  }

  /// A scalar's value, if it has one.
  func scalar(_ name: String) -> AwkValue? {
    isParameter(name) ? frames[frames.count - 1].scalars[name] : variables[name]
  }

  mutating func setScalar(_ name: String, _ value: AwkValue?) {
    if isParameter(name) {
      frames[frames.count - 1].scalars[name] = value
    } else {
      variables[name] = value
    }
  }

  /// Where the array `name` lives.
  func slot(_ name: String) -> AwkSlot {
    guard let last = frames.indices.last, frames[last].parameters.contains(name) else {
      return .global(name)
    }
    return frames[last].aliases[name] ?? .local(frame: last, name: name)
  }

  func arrayNamed(_ name: String) -> AwkArray? {
    switch slot(name) {
    case .global(let global): arrays[global]
    case .local(let frame, let local): frames[frame].arrays[local]
    }
  }

  /// Changes the array `name`, making it when it is new.
  @discardableResult
  mutating func modifyArray<Result>(_ name: String, _ change: (inout AwkArray) -> Result)
    -> Result
  {
    switch slot(name) {
    case .global(let global): return change(&arrays[global, default: AwkArray()])
    case .local(let frame, let local):
      return change(&frames[frame].arrays[local, default: AwkArray()])
    }
  }

  /// Calls one of the program's functions: scalars by value, arrays (and names not yet used)
  /// by reference, the parameters past the arguments as locals.
  mutating func callFunction(_ name: String, _ arguments: [AwkProgram.Expression]) -> AwkValue {
    guard let function = functions[name] else {
      failure = failure ?? "awk: function \(name) never defined"
      return AwkValue(string: "")
    }
    guard arguments.count <= function.parameters.count else {
      failure = failure ?? "awk: too many arguments in call to \(name)"
      return AwkValue(string: "")
    }
    guard depth < Self.callDepthLimit else {
      failure = failure ?? Self.tooDeep
      return AwkValue(string: "")
    }
    // Each call counts as a loop's round does: recursion, too, stops at the budget.
    if loopMustStop() { return AwkValue(string: "") }
    var frame = AwkFrame(parameters: Set(function.parameters))
    for (parameter, argument) in zip(function.parameters, arguments) {
      if case .variable(let variable) = argument, scalar(variable) == nil {
        frame.aliases[parameter] = slot(variable)
      } else {
        frame.scalars[parameter] = evaluate(argument)
      }
    }
    frames.append(frame)
    execute(function.body)
    frames.removeLast()
    if flow == .returning { flow = .normal }
    defer { returned = nil }
    return returned ?? AwkValue(string: "")
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
      return modifyArray(name) { array in
        if let value = array[key] { return value }
        array[key] = AwkValue(string: "")
        return AwkValue(string: "")
      }
    }
  }

  /// Sets a place; a field rebuilds the record with `OFS`.
  mutating func store(_ value: AwkValue, in target: AwkProgram.LValue) {
    switch target {
    case .variable(let name):
      setScalar(name, value)
      if name == "NF", !isParameter(name) {
        let count = max(0, Int(value.number))
        fields = Array(fields.prefix(count))
        while fields.count < count { fields.append("") }
        rebuildRecord()
      }
    case .element(let name, let subscripts):
      let key = self.key(subscripts)
      modifyArray(name) { $0[key] = value }
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

  /// An expression's value.
  ///
  /// Each kind of expression is a function of its own, so that this one, which a nested
  /// expression or a recursive call of the program's functions runs through at every level,
  /// takes little stack.
  mutating func evaluate(_ expression: AwkProgram.Expression) -> AwkValue {
    depth += 1
    defer { depth -= 1 }
    switch expression {
    case .number(let value): return AwkValue(number: value)
    case .string(let text): return AwkValue(string: text)
    case .regex(let pattern): return AwkValue(number: matches(record, pattern) ? 1 : 0)
    case .field(let index): return field(index)
    case .variable(let name): return value(of: name)
    case .element(let name, let subscripts): return load(.element(name, subscripts))
    case .membership(let subscripts, let array):
      let key = self.key(subscripts)
      return AwkValue(number: arrayNamed(array)?[key] != nil ? 1 : 0)
    case .conditional(let condition, let then, let otherwise):
      return evaluate(evaluate(condition).isTrue ? then : otherwise)
    case .call(let name, let arguments): return builtin(name, arguments)
    case .userCall(let name, let arguments): return callFunction(name, arguments)
    case .unary(let op, let operand): return unary(op, operand)
    case .concatenation(let left, let right):
      return AwkValue(string: evaluate(left).text + evaluate(right).text)
    case .assignment(let target, let op, let right): return assign(target, op, right)
    case .increment(let target, let step, let prefix):
      let old = load(target).number
      store(AwkValue(number: old + step), in: target)
      return AwkValue(number: prefix ? old + step : old)
    case .binary(let op, let left, let right): return binary(op, left, right)
    }
  }

  /// `$i`.
  mutating func field(_ index: AwkProgram.Expression) -> AwkValue {
    let position = evaluate(index).number.rounded(.towardZero)
    if position < 0 {
      failure = failure ?? "awk: run time error: negative field index $\(AwkValue.format(position))"
      return AwkValue(string: "")
    }
    if position == 0 { return AwkValue(string: record, fromInput: true) }
    return AwkValue(
      string: position <= Double(fields.count) ? fields[Int(position) - 1] : "", fromInput: true)
  }

  mutating func unary(_ op: String, _ operand: AwkProgram.Expression) -> AwkValue {
    let value = evaluate(operand)
    switch op {
    case "!": return AwkValue(number: value.isTrue ? 0 : 1)
    case "-": return AwkValue(number: -value.number)
    default: return AwkValue(number: value.number)
    }
  }

  /// `target = value`, or `+=` and the other compound assignments.
  mutating func assign(_ target: AwkProgram.LValue, _ op: String, _ right: AwkProgram.Expression)
    -> AwkValue
  {
    let value = evaluate(right)
    let result = op == "=" ? value : arithmetic(String(op.dropLast()), load(target), value)
    store(result, in: target)
    return result
  }

  /// A builtin function's value.
  mutating func builtin(_ name: String, _ arguments: [AwkProgram.Expression]) -> AwkValue {
    switch name {
    case "length":
      // `length(a)` of an array: how many elements it has.
      if case .variable(let array)? = arguments.first, scalar(array) == nil,
        let elements = arrayNamed(array)
      {
        return AwkValue(number: Double(elements.keys.count))
      }
      let text = arguments.first.map { evaluate($0).text } ?? record
      return AwkValue(number: Double(text.count))
    case "split": return split(arguments)
    case "sub", "gsub": return substitute(arguments, global: name == "gsub")
    case "match": return match(arguments)
    case "sprintf":
      let words = arguments.map { evaluate($0).text }
      return AwkValue(string: String(decoding: printf(words), as: UTF8.self))
    default: break
    }
    if let function = Self.mathematics[name] {
      return AwkValue(number: function(arguments.map { evaluate($0).number }))
    }
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
  }

  /// The binary operators: logical, matching, comparison and arithmetic.
  mutating func binary(
    _ op: String, _ leftExpression: AwkProgram.Expression, _ rightExpression: AwkProgram.Expression
  ) -> AwkValue {
    switch op {
    case "&&":
      return AwkValue(
        number: evaluate(leftExpression).isTrue && evaluate(rightExpression).isTrue ? 1 : 0)
    case "||":
      return AwkValue(
        number: evaluate(leftExpression).isTrue || evaluate(rightExpression).isTrue ? 1 : 0)
    case "~", "!~":
      let text = evaluate(leftExpression).text
      let pattern = pattern(rightExpression)
      return AwkValue(number: matches(text, pattern) == (op == "~") ? 1 : 0)
    case "==", "!=", "<", "<=", ">", ">=":
      return compare(op, evaluate(leftExpression), evaluate(rightExpression))
    default:
      return arithmetic(op, evaluate(leftExpression), evaluate(rightExpression))
    }
  }

  /// A comparison: of numbers when both sides are numeric, else of strings.
  func compare(_ op: String, _ left: AwkValue, _ right: AwkValue) -> AwkValue {
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
    modifyArray(name) { $0 = array }
    setScalar(name, nil)
    return AwkValue(number: Double(pieces.count))
  }

  /// The arithmetic functions, of their arguments' numbers.
  static let mathematics: [String: @Sendable ([Double]) -> Double] = [
    "int": { ($0.first ?? 0).rounded(.towardZero) },
    "sqrt": { ($0.first ?? 0).squareRoot() },
    "exp": { Foundation.exp($0.first ?? 0) },
    "log": { Foundation.log($0.first ?? 0) },
    "sin": { Foundation.sin($0.first ?? 0) },
    "cos": { Foundation.cos($0.first ?? 0) },
    "atan2": { Foundation.atan2($0.first ?? 0, $0.count > 1 ? $0[1] : 0) },
  ]

  /// The regular expression an argument stands for: `/re/` itself, or a string's text.
  mutating func pattern(_ argument: AwkProgram.Expression) -> String {
    if case .regex(let literal) = argument { return literal }
    return evaluate(argument).text
  }

  /// `sub(re, replacement[, target])` and `gsub`: how many matches they replaced.
  ///
  /// The first match (or every one) in the target is replaced, `$0` when none is given; `&` in the
  /// replacement is the match, `\&` a literal `&`, and `\\&` a backslash before the match.
  mutating func substitute(_ arguments: [AwkProgram.Expression], global: Bool) -> AwkValue {
    guard arguments.count >= 2 else {
      failure = failure ?? "awk: \(global ? "gsub" : "sub") needs a pattern and a replacement"
      return AwkValue(number: 0)
    }
    let target = arguments.count > 2 ? arguments[2].lvalue : .field(.number(0))
    guard let target else {
      failure = failure ?? "awk: \(global ? "gsub" : "sub"): the target must be assignable"
      return AwkValue(number: 0)
    }
    let expression = pattern(arguments[0])
    let replacement = Array(evaluate(arguments[1]).text.utf8)
    let bytes = Array(load(target).text.utf8)
    guard let regex = try? PosixRegex(expression, syntax: .extended) else {
      failure = failure ?? "awk: run time error: regular expression compile failed: \(expression)"
      return AwkValue(number: 0)
    }
    var result: [UInt8] = []
    var count = 0
    var position = 0
    var lastMatchEnd = -1
    while position <= bytes.count, let match = regex.firstMatch(in: bytes, from: position) {
      let range = match.range
      // An empty match right where the last one ended is no match, as awk has it.
      if range.isEmpty, range.lowerBound == lastMatchEnd {
        guard range.lowerBound < bytes.count else { break }
        let length = Self.characterLength(bytes, at: range.lowerBound)
        result += bytes[position..<(range.lowerBound + length)]
        position = range.lowerBound + length
        continue
      }
      result += bytes[position..<range.lowerBound]
      result += Self.replacement(replacement, matched: bytes[range])
      count += 1
      lastMatchEnd = range.upperBound
      position = range.upperBound
      if range.isEmpty {
        guard range.lowerBound < bytes.count else { break }
        let length = Self.characterLength(bytes, at: range.lowerBound)
        result += bytes[range.lowerBound..<(range.lowerBound + length)]
        position += length
      }
      guard global, result.count <= Limits.outputBytes else { break }
    }
    guard count > 0 else { return AwkValue(number: 0) }
    if position < bytes.count { result += bytes[position...] }
    store(AwkValue(string: String(decoding: result, as: UTF8.self)), in: target)
    return AwkValue(number: Double(count))
  }

  /// A replacement with `&` as the matched text: `\\&` a backslash and the match, `\&` an
  /// ampersand, any other backslash itself.
  static func replacement(_ template: [UInt8], matched: ArraySlice<UInt8>) -> [UInt8] {
    var result: [UInt8] = []
    var index = 0
    let backslash = UInt8(ascii: "\\")
    let ampersand = UInt8(ascii: "&")
    while index < template.count {
      let byte = template[index]
      if byte == backslash, index + 2 < template.count, template[index + 1] == backslash,
        template[index + 2] == ampersand
      {
        result.append(backslash)
        result += matched
        index += 3
      } else if byte == backslash, index + 1 < template.count, template[index + 1] == ampersand {
        result.append(ampersand)
        index += 2
      } else if byte == ampersand {
        result += matched
        index += 1
      } else {
        result.append(byte)
        index += 1
      }
    }
    return result
  }

  /// The length of the UTF-8 character at `index`.
  static func characterLength(_ bytes: [UInt8], at index: Int) -> Int {
    let lead = bytes[index]
    let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    return min(length, bytes.count - index)
  }

  /// `match(s, re)`: where the first match starts, in characters from 1, and its length, in
  /// `RSTART` and `RLENGTH` (0 and -1 without one).
  mutating func match(_ arguments: [AwkProgram.Expression]) -> AwkValue {
    guard arguments.count >= 2 else {
      failure = failure ?? "awk: match needs a string and a pattern"
      return AwkValue(number: 0)
    }
    let bytes = Array(evaluate(arguments[0]).text.utf8)
    let expression = pattern(arguments[1])
    var start = 0
    var length = -1
    if let regex = try? PosixRegex(expression, syntax: .extended),
      let found = regex.firstMatch(in: bytes, from: 0)
    {
      start = String(decoding: bytes[..<found.range.lowerBound], as: UTF8.self).count + 1
      length = String(decoding: bytes[found.range], as: UTF8.self).count
    }
    variables["RSTART"] = AwkValue(number: Double(start))
    variables["RLENGTH"] = AwkValue(number: Double(length))
    return AwkValue(number: Double(start))
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
