import Foundation
import LabJSON
import LabRegex

/// One comparison in progress: the mode, the bindings so far, and where the expected text
/// stands in the lesson.
struct MatchContext {
  var comparison: Comparison
  var strict: Bool
  var bindings: Bindings
  /// Where the expected output is (`lesson.md:31`), recorded with each binding.
  var origin: String

  /// Matches one line: `nil` when it does not match, else the accepted differences.
  ///
  /// Bindings the line makes are kept only when it matches.
  ///
  /// - Parameters:
  ///   - expected: The lesson's line.
  ///   - actual: The output's line.
  ///   - comparison: The mode for this line, when it is not the context's.
  ///   - line: The expected line's number in its block, for the differences.
  /// - Returns: The accepted differences, or `nil`.
  mutating func line(
    _ expected: String, _ actual: String, comparison: Comparison? = nil, line: Int? = nil
  ) -> [Difference]? {
    let comparison = comparison ?? self.comparison
    if expected.hasSuffix(" (re)") {
      // cram's regular expression lines, read as POSIX extended ones: never exponential.
      let pattern = "^(" + String(expected.dropLast(5)) + ")$"
      guard let regex = try? PosixRegex(pattern, syntax: .extended) else { return nil }
      return regex.matches(actual) ? [] : nil
    }
    if expected.hasSuffix(" (glob)") {
      return Self.glob(Array(expected.dropLast(7)), Array(actual)) ? [] : nil
    }
    if comparison == .exact { return expected == actual ? [] : nil }
    var trial = bindings
    guard
      let differences = LinePattern(expected, bindings: trial).match(
        actual, strict: strict, comparison: comparison, bindings: &trial, origin: origin, line: line
      )
    else { return nil }
    bindings = trial
    return differences
  }

  /// Whether the line matches, without keeping what it would bind.
  func matches(_ expected: String, _ actual: String, comparison: Comparison? = nil) -> Bool {
    var trial = self
    return trial.line(expected, actual, comparison: comparison) != nil
  }

  /// cram's glob lines: `*` any run, `?` one character, `\` escapes; linear, with one
  /// backtrack point as shells match.
  static func glob(_ pattern: [Character], _ text: [Character]) -> Bool {
    var p = 0
    var t = 0
    var star: (pattern: Int, text: Int)?
    while t < text.count {
      if p < pattern.count, pattern[p] == "\\", p + 1 < pattern.count, pattern[p + 1] == text[t] {
        p += 2
        t += 1
      } else if p < pattern.count,
        pattern[p] == "?"
          || (pattern[p] != "*" && pattern[p] != "\\"
            && pattern[p] == text[t])
      {
        p += 1
        t += 1
      } else if p < pattern.count, pattern[p] == "*" {
        star = (p, t)
        p += 1
      } else if let last = star {
        p = last.pattern + 1
        t = last.text + 1
        star = (last.pattern, last.text + 1)
      } else {
        return false
      }
    }
    while p < pattern.count, pattern[p] == "*" { p += 1 }
    return p == pattern.count
  }

  // MARK: - JSON that differs

  /// Binds the IDs of the part of `actual` that lines up best with `expected`.
  mutating func bindAligned(_ expected: JSONValue, in actual: JSONValue) {
    var candidates: [JSONValue] = [actual]
    var index = 0
    while index < candidates.count {
      let candidate = candidates[index]
      if case .object(let wanted) = expected, case .object(let present) = candidate,
        wanted.allSatisfy({ key, _ in present.contains { $0.0 == key } })
      {
        bindPairs(expected, candidate)
        return
      }
      switch candidate {
      case .array(let items): candidates += items
      case .object(let members): candidates += members.map(\.1)
      default: break
      }
      index += 1
    }
  }

  private mutating func bindPairs(_ expected: JSONValue, _ actual: JSONValue) {
    // Iterative, so a deeply nested document cannot exhaust the stack.
    var pending = [(expected, actual)]
    while let (wanted, present) = pending.popLast() {
      switch (wanted, present) {
      case (.object(let wantedMembers), .object(let presentMembers)):
        for (key, value) in wantedMembers {
          if let other = presentMembers.first(where: { $0.0 == key })?.1 {
            pending.append((value, other))
          }
        }
      case (.array(let wantedItems), .array(let presentItems)):
        pending += zip(wantedItems, presentItems).map { ($0, $1) }
      case (.string(let left), .string(let right)):
        _ = line(left, right, comparison: .normal)
      default:
        break
      }
    }
  }
}

/// An expected line as a pattern: literal text with runs of blanks as any blanks, `[..]` as
/// anything, and volatile tokens (IDs, sizes, times) as any value of their shape, or as the
/// bound value for an ID the lesson showed before.
struct LinePattern {
  private var regex: NSRegularExpression?
  private var tokens: [(kind: TokenKind, text: String)] = []
  private let expected: String

  init(_ expected: String, bindings: Bindings) {
    self.expected = expected
    var pattern = "^"
    for segment in Tokenizer.segments(expected) {
      switch segment {
      case .literal(let text):
        var previousBlank = false
        for character in text {
          if character == " " || character == "\t" {
            if !previousBlank { pattern += "[ \\t]+" }
            previousBlank = true
          } else {
            pattern += NSRegularExpression.escapedPattern(for: String(character))
            previousBlank = false
          }
        }
      case .wildcard:
        pattern += ".*?"
      case .token(let kind, let text):
        if kind.isIdentifier, let bound = bindings.actual(for: text) {
          let prefix = text.hasPrefix("sha256:") ? "sha256:" : ""
          pattern += "(" + NSRegularExpression.escapedPattern(for: prefix + bound) + ")"
        } else {
          pattern += "(" + kind.pattern + ")"
        }
        tokens.append((kind, text))
      }
    }
    regex = try? NSRegularExpression(pattern: pattern + "$")
  }

  /// Matches `actual`; the differences it accepts, or `nil`.
  func match(
    _ actual: String, strict: Bool, comparison: Comparison, bindings: inout Bindings,
    origin: String, line: Int?
  ) -> [Difference]? {
    guard let regex,
      let found = regex.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual))
    else { return nil }
    var differences: [Difference] = []
    for (index, token) in tokens.enumerated() {
      guard let range = Range(found.range(at: index + 1), in: actual) else { continue }
      let value = String(actual[range])
      if token.kind.isIdentifier {
        if bindings.bind(token.text, to: value, kind: token.kind, origin: origin) != nil {
          return nil
        }
        if token.text != value {
          differences.append(
            Difference(
              kind: .volatile, expected: token.text, actual: value, reason: token.kind.reason,
              expectedLine: line))
        }
      } else if token.text != value {
        differences.append(
          Difference(
            kind: strict ? .semantic : .volatile, expected: token.text, actual: value,
            reason: token.kind.reason, expectedLine: line))
      }
    }
    if differences.contains(where: { $0.kind == .semantic }) { return nil }
    let collapse = { (line: String) in
      line.replacingOccurrences(of: "[ \\t]+", with: " ", options: .regularExpression)
    }
    if tokens.isEmpty, expected != actual,
      collapse(expected) != expected || collapse(actual) != actual
    {
      differences.append(
        Difference(
          kind: strict && comparison != .approximate ? .semantic : .cosmetic, expected: expected,
          actual: actual, reason: "only the spacing differs", expectedLine: line))
    }
    return differences
  }
}
