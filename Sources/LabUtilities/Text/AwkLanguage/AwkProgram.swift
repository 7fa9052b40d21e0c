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
