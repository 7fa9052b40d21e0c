import Foundation
import LabJSON

/// How a difference between the lesson's output and the actual one counts.
public enum DifferenceKind: String, Sendable {
  /// IDs, times, sizes: expected to differ, accepted with a reason.
  case volatile
  /// Spacing: accepted unless the lesson asks for exact output.
  case cosmetic
  /// A real difference: the step fails.
  case semantic
}

/// One difference, with the lines involved.
public struct Difference: Equatable, Sendable {
  public var kind: DifferenceKind
  public var expected: String?
  public var actual: String?
  public var reason: String

  public init(kind: DifferenceKind, expected: String?, actual: String?, reason: String) {
    self.kind = kind
    self.expected = expected
    self.actual = actual
    self.reason = reason
  }
}

/// How an output is compared (the lesson's match mode).
public enum Comparison: String, Sendable {
  case normal, approximate, excerpt, exact
}

/// The verdict on one output.
public struct MatchResult: Sendable {
  public var differences: [Difference] = []
  public var passed: Bool { !differences.contains { $0.kind == .semantic } }
}

/// Compares a command's output with the lesson's expected output, tolerating what changes
/// from run to run and binding the author's IDs to the learner's.
public struct Matcher: Sendable {
  public var strict = false

  public init(strict: Bool = false) { self.strict = strict }

  /// Compares `actual` with `expected`, updating `bindings` when they match.
  ///
  /// - Parameters:
  ///   - expected: The lesson's text.
  ///   - actual: What the command printed.
  ///   - comparison: The match mode.
  ///   - command: The command, which tells how to read its output (`ls`, `docker images`).
  ///   - bindings: The bindings so far; new ones are added only when the output matches.
  ///   - origin: Where the expected output is, for the bindings table.
  /// - Returns: The differences found.
  public func match(
    expected: String, actual: String, comparison: Comparison, command: String,
    bindings: inout Bindings, origin: String
  ) -> MatchResult {
    let expectedLines = Self.lines(expected)
    let actualLines = Self.lines(actual)
    var trial = bindings
    var result = MatchResult()
    let words = command.split(separator: " ").map(String.init).drop { $0 == "sudo" }
    if let json = Self.jsonDocument(expected), comparison != .exact,
      let actualJSON = try? JSONValue(parsing: actual)
    {
      result = matchJSON(
        json, actualJSON, excerpt: comparison == .excerpt || json.isFragment, bindings: &trial,
        origin: origin)
    } else if words.first == "ls",
      !words.contains(where: { $0.hasPrefix("-") && $0.contains("l") }), comparison != .exact
    {
      result = matchNames(
        expectedLines, actualLines, excerpt: comparison == .excerpt, bindings: &trial,
        origin: origin)
    } else if let build = BuildTranscript(expectedLines), comparison != .exact {
      // Build output compares by what every Docker version prints alike.
      result = matchLines(
        build.essentials(expectedLines), build.essentials(actualLines), comparison: comparison,
        bindings: &trial, origin: origin)
      if result.passed && expectedLines != actualLines {
        result.differences.append(
          Difference(
            kind: strict ? .semantic : .volatile, expected: nil, actual: nil,
            reason: build.acceptedDifference))
      }
    } else if let header = expectedLines.first, header.hasPrefix("REPOSITORY"), comparison != .exact
    {
      result = matchTable(
        expectedLines, actualLines, excerpt: comparison == .excerpt, bindings: &trial,
        origin: origin)
    } else {
      result = matchLines(
        expectedLines, actualLines, comparison: comparison, bindings: &trial, origin: origin)
    }
    if result.passed {
      bindings = trial
    } else if let json = Self.jsonDocument(expected),
      let actualJSON = try? JSONValue(parsing: actual)
    {
      // A JSON output that differs still shows which IDs are which where the two line up, so
      // the steps after it can run against the learner's own IDs.
      salvage(json.value, in: actualJSON, bindings: &bindings, origin: origin)
    }
    return result
  }

  /// Binds the IDs of the part of `actual` that lines up best with `expected`.
  func salvage(
    _ expected: JSONValue, in actual: JSONValue, bindings: inout Bindings, origin: String
  ) {
    var candidates: [JSONValue] = [actual]
    var index = 0
    while index < candidates.count {
      let candidate = candidates[index]
      if case .object(let wanted) = expected, case .object(let present) = candidate,
        wanted.allSatisfy({ key, _ in present.contains { $0.0 == key } })
      {
        bindAligned(expected, candidate, bindings: &bindings, origin: origin)
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

  private func bindAligned(
    _ expected: JSONValue, _ actual: JSONValue, bindings: inout Bindings, origin: String
  ) {
    switch (expected, actual) {
    case (.object(let wanted), .object(let present)):
      for (key, value) in wanted {
        if let other = present.first(where: { $0.0 == key })?.1 {
          bindAligned(value, other, bindings: &bindings, origin: origin)
        }
      }
    case (.array(let wanted), .array(let present)):
      for (left, right) in zip(wanted, present) {
        bindAligned(left, right, bindings: &bindings, origin: origin)
      }
    case (.string(let left), .string(let right)):
      var trial = bindings
      if matchLine(left, right, comparison: .normal, bindings: &trial, origin: origin) != nil {
        bindings = trial
      }
    default:
      break
    }
  }

  /// A line as a terminal shows it: text after a carriage return overwrites the start.
  static func overprinted(_ line: String) -> String {
    guard line.contains("\r") else { return line }
    var shown: [Character] = []
    for segment in line.split(separator: "\r", omittingEmptySubsequences: false) {
      let characters = Array(segment)
      if characters.count >= shown.count {
        shown = characters
      } else {
        shown.replaceSubrange(0..<characters.count, with: characters)
      }
    }
    return String(shown)
  }

  /// Lines with ANSI escapes, carriage returns and trailing blanks removed.
  static func lines(_ text: String) -> [String] {
    let cleaned = text.replacingOccurrences(
      of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
    // Split at every line feed, also the one of a `\r\n` (one Character in Swift).
    let rawLines = cleaned.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    var lines = rawLines.map { scalars -> String in
      let line = String(String.UnicodeScalarView(scalars))
      var text = Self.overprinted(line)
      while let last = text.last, last == " " || last == "\t" { text.removeLast() }
      return text
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    while lines.first?.isEmpty == true { lines.removeFirst() }
    return lines
  }

  // MARK: - Lines

  static func isElision(_ line: String) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    return trimmed == "..." || trimmed == "…" || trimmed == "-SNIP-" || trimmed == "[...]"
  }

  func matchLines(
    _ expected: [String], _ actual: [String], comparison: Comparison, bindings: inout Bindings,
    origin: String
  ) -> MatchResult {
    var result = MatchResult()
    if comparison == .excerpt {
      var position = 0
      for line in expected where !Self.isElision(line) {
        var found = false
        while position < actual.count {
          var trial = bindings
          let differences = matchLine(
            line, actual[position], comparison: comparison, bindings: &trial, origin: origin)
          position += 1
          if let differences {
            bindings = trial
            result.differences += differences
            found = true
            break
          }
        }
        if !found {
          result.differences.append(
            Difference(
              kind: .semantic, expected: line, actual: nil, reason: "this line is not in the output"
            ))
          return result
        }
      }
      return result
    }
    // In order, with elision lines matching any run of lines.
    if let found = align(
      expected, actual, comparison: comparison, bindings: bindings, origin: origin)
    {
      bindings = found.bindings
      result.differences = found.differences
      return result
    }
    // Report the first line that differs.
    let elided = expected.filter { !Self.isElision($0) }
    for index in 0..<max(elided.count, actual.count) {
      let left = index < elided.count ? elided[index] : nil
      let right = index < actual.count ? actual[index] : nil
      var trial = bindings
      if let left, let right,
        matchLine(left, right, comparison: comparison, bindings: &trial, origin: origin) != nil
      {
        continue
      }
      result.differences.append(
        Difference(
          kind: .semantic, expected: left, actual: right,
          reason: left == nil
            ? "the output has more lines"
            : right == nil ? "the output has fewer lines" : "the line differs"))
      break
    }
    if result.differences.isEmpty {
      result.differences.append(
        Difference(kind: .semantic, expected: nil, actual: nil, reason: "the output differs"))
    }
    return result
  }

  /// Matches `expected` to `actual` line by line, an elision line taking any run of lines; the
  /// bindings and differences of the match, or `nil`.
  ///
  /// It walks both in one loop, as a glob walks text: on a mismatch only the last elision takes
  /// a line more and the match resumes after it, with the bindings it had there. No output is
  /// too long for it, and its time is at most the product of the lengths.
  func align(
    _ expected: [String], _ actual: [String], comparison: Comparison, bindings start: Bindings,
    origin: String
  ) -> (bindings: Bindings, differences: [Difference])? {
    var e = 0
    var a = 0
    var bindings = start
    var found: [Difference] = []
    /// The last elision: where it is, where its run ends now, and the state there.
    var elision: (e: Int, a: Int, bindings: Bindings, found: [Difference])?
    while true {
      if e < expected.count, Self.isElision(expected[e]) {
        elision = (e, a, bindings, found)
        e += 1
        continue
      }
      if e == expected.count && a == actual.count { return (bindings, found) }
      if e < expected.count, a < actual.count {
        var trial = bindings
        if let differences = matchLine(
          expected[e], actual[a], comparison: comparison, bindings: &trial, origin: origin)
        {
          bindings = trial
          found += differences
          e += 1
          a += 1
          continue
        }
      }
      guard let last = elision, last.a < actual.count else { return nil }
      elision = (last.e, last.a + 1, last.bindings, last.found)
      e = last.e + 1
      a = last.a + 1
      bindings = last.bindings
      found = last.found
    }
  }

  /// Matches one line; `nil` when it does not match, else the accepted differences.
  func matchLine(
    _ expected: String, _ actual: String, comparison: Comparison, bindings: inout Bindings,
    origin: String
  ) -> [Difference]? {
    if expected.hasSuffix(" (re)") {
      let pattern = "^" + String(expected.dropLast(5)) + "$"
      return actual.range(of: pattern, options: .regularExpression) != nil ? [] : nil
    }
    if expected.hasSuffix(" (glob)") {
      return Self.glob(String(expected.dropLast(7)), actual) ? [] : nil
    }
    if comparison == .exact { return expected == actual ? [] : nil }
    let segments = Tokenizer.segments(expected)
    var pattern = "^"
    var tokens: [(TokenKind, String)] = []
    for segment in segments {
      switch segment {
      case .literal(let text):
        var escaped = ""
        var previousBlank = false
        for character in text {
          if character == " " || character == "\t" {
            if !previousBlank { escaped += "[ \\t]+" }
            previousBlank = true
          } else {
            escaped += NSRegularExpression.escapedPattern(for: String(character))
            previousBlank = false
          }
        }
        pattern += escaped
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
    pattern += "$"
    guard let expression = try? NSRegularExpression(pattern: pattern),
      let match = expression.firstMatch(
        in: actual, range: NSRange(actual.startIndex..., in: actual))
    else { return nil }
    var differences: [Difference] = []
    for (index, (kind, text)) in tokens.enumerated() {
      guard let range = Range(match.range(at: index + 1), in: actual) else { continue }
      let value = String(actual[range])
      if kind.isIdentifier {
        if let conflict = bindings.bind(text, to: value, kind: kind, origin: origin) {
          differences.append(
            Difference(kind: .semantic, expected: expected, actual: actual, reason: conflict))
        } else if text != value {
          differences.append(
            Difference(kind: .volatile, expected: text, actual: value, reason: kind.reason))
        }
      } else if text != value {
        differences.append(
          Difference(
            kind: strict ? .semantic : .volatile, expected: text, actual: value, reason: kind.reason
          ))
      }
    }
    if differences.contains(where: { $0.kind == .semantic }) { return nil }
    let collapse = { (line: String) in
      line.replacingOccurrences(of: "[ \\t]+", with: " ", options: .regularExpression)
    }
    if collapse(expected) != expected || collapse(actual) != actual, tokens.isEmpty,
      expected != actual
    {
      differences.append(
        Difference(
          kind: strict && comparison != .approximate ? .semantic : .cosmetic, expected: expected,
          actual: actual,
          reason: "only the spacing differs"))
    }
    return differences
  }

  static func glob(_ pattern: String, _ text: String) -> Bool {
    let regex =
      "^"
      + NSRegularExpression.escapedPattern(for: pattern)
      .replacingOccurrences(of: "\\*", with: ".*").replacingOccurrences(of: "\\?", with: ".") + "$"
    return text.range(of: regex, options: .regularExpression) != nil
  }

  // MARK: - Listings and tables

  /// `ls` output compares as names, whatever the columns.
  func matchNames(
    _ expected: [String], _ actual: [String], excerpt: Bool, bindings: inout Bindings,
    origin: String
  ) -> MatchResult {
    let split = { (lines: [String]) in
      lines.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
    }
    var remaining = split(actual)
    var result = MatchResult()
    for name in split(expected) where !Self.isElision(name) {
      var trial = bindings
      if let index = remaining.firstIndex(where: {
        matchLine(name, $0, comparison: .normal, bindings: &trial, origin: origin) != nil
      }) {
        _ = matchLine(
          name, remaining[index], comparison: .normal, bindings: &bindings, origin: origin)
        remaining.remove(at: index)
      } else {
        result.differences.append(
          Difference(
            kind: .semantic, expected: name, actual: nil, reason: "\(name) is not in the listing"))
      }
    }
    if !excerpt && !expected.contains(where: Self.isElision) {
      for name in remaining {
        result.differences.append(
          Difference(
            kind: .semantic, expected: nil, actual: name,
            reason: "\(name) is listed but not in the lesson"))
      }
    }
    return result
  }

  /// `docker images` tables: the header by columns, the rows as a set.
  func matchTable(
    _ expected: [String], _ actual: [String], excerpt: Bool, bindings: inout Bindings,
    origin: String
  ) -> MatchResult {
    var result = MatchResult()
    guard let actualHeader = actual.first else {
      return MatchResult(differences: [
        Difference(
          kind: .semantic, expected: expected.first, actual: nil, reason: "the table is missing")
      ])
    }
    if matchLine(
      expected[0], actualHeader, comparison: .normal, bindings: &bindings, origin: origin) == nil
    {
      result.differences.append(
        Difference(
          kind: .semantic, expected: expected[0], actual: actualHeader, reason: "the columns differ"
        ))
      return result
    }
    var remaining = Array(actual.dropFirst())
    // Rows are matched most constrained first: a row whose IDs are already bound.
    for row in expected.dropFirst() where !Self.isElision(row) {
      var matched = false
      for (index, candidate) in remaining.enumerated() {
        var trial = bindings
        if let differences = matchLine(
          row, candidate, comparison: .approximate, bindings: &trial, origin: origin)
        {
          bindings = trial
          result.differences += differences
          remaining.remove(at: index)
          matched = true
          break
        }
      }
      if !matched {
        result.differences.append(
          Difference(
            kind: .semantic, expected: row, actual: nil,
            reason: "no row of the output matches this one"))
      }
    }
    if !excerpt && !expected.contains(where: Self.isElision) {
      for row in remaining {
        result.differences.append(
          Difference(
            kind: .semantic, expected: nil, actual: row,
            reason: "the output has this row, the lesson does not"))
      }
    }
    return result
  }

  // MARK: - JSON

  struct ExpectedJSON {
    var value: JSONValue
    var isFragment: Bool
  }

  /// The expected text as JSON, or a fragment such as `"RootFS": {…}` read as an object.
  static func jsonDocument(_ text: String) -> ExpectedJSON? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let first = trimmed.first, "[{\"".contains(first) else { return nil }
    if let value = try? JSONValue(parsing: trimmed) {
      return ExpectedJSON(value: value, isFragment: false)
    }
    var fragment = trimmed
    if fragment.hasSuffix(",") { fragment.removeLast() }
    if let value = try? JSONValue(parsing: "{" + fragment + "}") {
      return ExpectedJSON(value: value, isFragment: true)
    }
    return nil
  }

  func matchJSON(
    _ expected: ExpectedJSON, _ actual: JSONValue, excerpt: Bool, bindings: inout Bindings,
    origin: String
  ) -> MatchResult {
    var result = MatchResult()
    if !excerpt {
      var trial = bindings
      if let differences = compare(
        expected.value, actual, bindings: &trial, origin: origin, subset: false)
      {
        bindings = trial
        result.differences = differences
      } else {
        result.differences.append(
          Difference(
            kind: .semantic, expected: expected.value.compact(), actual: actual.compact(),
            reason: "the JSON differs"))
      }
      return result
    }
    // A subtree anywhere in the actual document.
    var candidates: [JSONValue] = [actual]
    var index = 0
    while index < candidates.count {
      var trial = bindings
      if let differences = compare(
        expected.value, candidates[index], bindings: &trial, origin: origin, subset: true)
      {
        bindings = trial
        result.differences = differences
        return result
      }
      switch candidates[index] {
      case .array(let items): candidates += items
      case .object(let members): candidates += members.map(\.1)
      default: break
      }
      index += 1
    }
    result.differences.append(
      Difference(
        kind: .semantic, expected: expected.value.indented("    "), actual: nil,
        reason: "the output has no part that matches this JSON"))
    return result
  }

  /// Compares JSON values.
  ///
  /// Objects may have more members when `subset`; arrays match exactly.
  func compare(
    _ expected: JSONValue, _ actual: JSONValue, bindings: inout Bindings, origin: String,
    subset: Bool
  ) -> [Difference]? {
    switch (expected, actual) {
    case (.object(let wanted), .object(let present)):
      if !subset && wanted.count != present.count { return nil }
      var differences: [Difference] = []
      for (key, value) in wanted {
        guard let other = present.first(where: { $0.0 == key })?.1,
          let found = compare(value, other, bindings: &bindings, origin: origin, subset: subset)
        else { return nil }
        differences += found
      }
      return differences
    case (.array(let wanted), .array(let present)):
      guard wanted.count == present.count else { return nil }
      var differences: [Difference] = []
      for (left, right) in zip(wanted, present) {
        guard let found = compare(left, right, bindings: &bindings, origin: origin, subset: subset)
        else { return nil }
        differences += found
      }
      return differences
    case (.string(let left), .string(let right)):
      return matchLine(left, right, comparison: .normal, bindings: &bindings, origin: origin)
    default:
      return expected == actual ? [] : nil
    }
  }
}
