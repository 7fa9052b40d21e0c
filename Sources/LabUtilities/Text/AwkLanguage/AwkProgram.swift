import Foundation
import LabRegex

/// A small awk: patterns and actions as lessons pipe Docker's output through them
/// (`awk 'NR>1 {print $1":"$2}'`, `/none/ {print $3}`, `{ n[$1]++ } END { for (k in n) … }`).
///
/// It has fields (assignable), `NR`/`NF`/`OFS`, variables, associative arrays (`a[k]`,
/// `a[i,j]`, `k in a`, `delete`), `BEGIN`/`END`, regular expressions, the arithmetic,
/// comparison, logical and conditional operators, assignment, `print`, `printf`,
/// `if`/`else`, `while`, `do`, `for (;;)`, `for (k in a)`, `break`, `continue`, `next`,
/// `exit`, the functions `length` (of a string or an array), `substr`, `index`, `split`,
/// `sub`, `gsub`, `match`, `sprintf`, `int`, `toupper`, `tolower` and the arithmetic ones, and
/// functions of the program's own (`function f(a,  local) { … return … }`). What it lacks
/// (getline, output redirection, `system`) is a syntax error that says so.
struct AwkProgram {
  /// What an assignment, `++` or `--` may change.
  indirect enum LValue {
    case variable(String)
    /// `a[k]`, or `a[i, j]`, whose subscripts are joined with `SUBSEP`.
    case element(String, [Expression])
    case field(Expression)
  }

  indirect enum Expression {
    case number(Double)
    case string(String)
    /// `/re/` alone: whether the record matches.
    case regex(String)
    case field(Expression)
    case variable(String)
    case element(String, [Expression])
    /// `k in a`, `(i, j) in a`.
    case membership([Expression], String)
    case unary(String, Expression)
    case binary(String, Expression, Expression)
    case conditional(Expression, Expression, Expression)
    case concatenation(Expression, Expression)
    case assignment(LValue, String, Expression)
    case increment(LValue, Double, prefix: Bool)
    /// A builtin: `length`, `substr`, `index`, `toupper`, `tolower`, `split`, `sub`…
    case call(String, [Expression])
    /// A function the program defines.
    case userCall(String, [Expression])

    /// The place this expression names, if an assignment may change it.
    var lvalue: LValue? {
      switch self {
      case .variable(let name): .variable(name)
      case .element(let name, let subscripts): .element(name, subscripts)
      case .field(let index): .field(index)
      default: nil
      }
    }
  }

  static let functions: Set<String> = [
    "length", "substr", "index", "toupper", "tolower", "split", "sub", "gsub", "match", "sprintf",
    "int", "sqrt", "exp", "log", "sin", "cos", "atan2",
  ]

  /// `function name(a, b,  local) { … }`: its parameters, the ones past its arguments being
  /// its locals, and its body.
  struct Function {
    var parameters: [String]
    var body: [Statement]
  }

  indirect enum Statement {
    case print([Expression])
    case printf([Expression])
    case expression(Expression)
    case conditional(Expression, [Statement], [Statement])
    case whileLoop(Expression, [Statement])
    case doLoop([Statement], Expression)
    /// `for (init; condition; step) body`; each of the three may be missing.
    case forLoop(Expression?, Expression?, Expression?, [Statement])
    /// `for (key in array) body`.
    case forIn(String, String, [Statement])
    /// `delete a[k]`, or `delete a` (its subscripts `nil`).
    case delete(String, [Expression]?)
    case breakLoop
    case continueLoop
    case next
    case exit(Expression?)
    /// `return [value]`, in a function.
    case returnValue(Expression?)
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
  var functions: [String: Function]

  struct SyntaxError: Error, CustomStringConvertible {
    var message: String
    var description: String { "awk: syntax error: \(message)" }
  }

  init(_ source: String) throws(SyntaxError) {
    var parser = AwkParser(tokens: try AwkLexer.tokens(source))
    rules = try parser.program()
    functions = parser.functions
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
    // Most text neither starts nor ends with a blank: nothing to trim, no Foundation call.
    func isPlain(_ byte: UInt8?) -> Bool { byte.map { $0 < 0x80 && $0 != 32 && $0 != 9 } ?? true }
    let trimmed =
      isPlain(string.utf8.first) && isPlain(string.utf8.last)
      ? string : string.trimmingCharacters(in: .whitespaces)
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
