import Foundation
import LabJSON

/// JSON compared as data, whatever the key order and spacing.
///
/// A fragment (`"RootFS": {…}`) or an excerpt must appear as a subtree somewhere in the output.
struct JSONOutput: OutputFormat {
  struct Document {
    var value: JSONValue
    var isFragment: Bool
  }

  var expected: Document
  var actual: JSONValue

  static func recognize(_ expected: OutputLines, command: [String], comparison: Comparison)
    -> JSONOutput?
  {
    // The actual output is read in `compare`; here only whether the lesson shows JSON.
    guard comparison != .exact, let document = document(expected.lines.joined(separator: "\n"))
    else { return nil }
    return JSONOutput(expected: document, actual: .null)
  }

  /// The expected text as JSON, or a fragment such as `"RootFS": {…}` read as an object.
  static func document(_ text: String) -> Document? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let first = trimmed.first, "[{\"".contains(first) else { return nil }
    if let value = try? JSONValue(parsing: trimmed) {
      return Document(value: value, isFragment: false)
    }
    var fragment = trimmed
    if fragment.hasSuffix(",") { fragment.removeLast() }
    if let value = try? JSONValue(parsing: "{" + fragment + "}") {
      return Document(value: value, isFragment: true)
    }
    return nil
  }

  func compare(_ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext)
    -> MatchResult
  {
    guard let actualJSON = try? JSONValue(parsing: actual.lines.joined(separator: "\n")) else {
      // Output that is not JSON where the lesson shows JSON: compared as lines, for the diff.
      return PlainLines().compare(expected, actual, in: &context)
    }
    let excerpt = context.comparison == .excerpt || self.expected.isFragment
    if !excerpt {
      var trial = context
      guard let differences = trial.compare(self.expected.value, actualJSON, subset: false) else {
        return .failure(
          "the JSON differs", expected: self.expected.value.compact(),
          actual: actualJSON.compact(), line: expected.number(0))
      }
      context = trial
      return MatchResult(differences: differences)
    }
    // A subtree anywhere in the actual document.
    var candidates: [JSONValue] = [actualJSON]
    var index = 0
    while index < candidates.count {
      var trial = context
      if let differences = trial.compare(self.expected.value, candidates[index], subset: true) {
        context = trial
        return MatchResult(differences: differences)
      }
      switch candidates[index] {
      case .array(let items): candidates += items
      case .object(let members): candidates += members.map(\.1)
      default: break
      }
      index += 1
    }
    return .failure(
      "the output has no part that matches this JSON", expected: self.expected.value.indented(),
      line: expected.number(0))
  }
}

extension MatchContext {
  /// Compares JSON values: objects may have more members when `subset`; arrays match exactly.
  mutating func compare(_ expected: JSONValue, _ actual: JSONValue, subset: Bool) -> [Difference]? {
    var differences: [Difference] = []
    // Iterative, so a deeply nested document cannot exhaust the stack.
    var pending = [(expected, actual)]
    while let (wanted, present) = pending.popLast() {
      switch (wanted, present) {
      case (.object(let wantedMembers), .object(let presentMembers)):
        if !subset && wantedMembers.count != presentMembers.count { return nil }
        for (key, value) in wantedMembers {
          guard let other = presentMembers.first(where: { $0.0 == key })?.1 else { return nil }
          pending.append((value, other))
        }
      case (.array(let wantedItems), .array(let presentItems)):
        guard wantedItems.count == presentItems.count else { return nil }
        pending += zip(wantedItems, presentItems).map { ($0, $1) }
      case (.string(let left), .string(let right)):
        guard let found = line(left, right, comparison: .normal) else { return nil }
        differences += found
      default:
        guard wanted == present else { return nil }
      }
    }
    return differences
  }
}
