import Foundation
import LabJSON

/// How a difference between the lesson's output and the actual one counts.
public enum DifferenceKind: String, Codable, Sendable {
  /// IDs, times, sizes: expected to differ, accepted with a reason.
  case volatile
  /// Spacing: accepted unless the lesson asks for exact output.
  case cosmetic
  /// A real difference: the step fails.
  case semantic
}

/// One difference, with the lines involved.
public struct Difference: Codable, Equatable, Sendable {
  public var kind: DifferenceKind
  public var expected: String?
  public var actual: String?
  public var reason: String
  /// The expected line it concerns, counted from the expected block's first line (0).
  public var expectedLine: Int?

  public init(
    kind: DifferenceKind, expected: String?, actual: String?, reason: String,
    expectedLine: Int? = nil
  ) {
    self.kind = kind
    self.expected = expected
    self.actual = actual
    self.reason = reason
    self.expectedLine = expectedLine
  }
}

/// How an output is compared (the lesson's match mode).
public enum Comparison: String, Sendable {
  case normal, approximate, excerpt, exact
}

/// The verdict on one output.
public struct MatchResult: Sendable {
  public var differences: [Difference] = []
  /// For a failed match: the lesson's lines against the output's, as a unified diff reads.
  public var hunk: [DiffLine] = []

  public var passed: Bool { !differences.contains { $0.kind == .semantic } }

  init(differences: [Difference] = []) { self.differences = differences }

  /// A failed match with one difference.
  static func failure(_ reason: String, expected: String? = nil, actual: String? = nil, line: Int?)
    -> MatchResult
  {
    MatchResult(differences: [
      Difference(
        kind: .semantic, expected: expected, actual: actual, reason: reason, expectedLine: line)
    ])
  }
}

/// A way an output is laid out (plain lines, a Docker table, an `ls` listing, JSON, a build's
/// progress): it tells whether an expected output is of its kind, and how to compare one.
protocol OutputFormat {
  /// The format of `expected` when this is how to read it, else `nil`.
  static func recognize(_ expected: OutputLines, command: [String], comparison: Comparison)
    -> Self?

  /// Compares the actual output with the expected one, binding IDs in `context`.
  func compare(_ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext)
    -> MatchResult
}

/// Compares a command's output with the lesson's expected output, tolerating what changes
/// from run to run and binding the author's IDs to the learner's.
public struct Matcher: Sendable {
  public var strict = false

  public init(strict: Bool = false) { self.strict = strict }

  /// The formats, most particular first; plain lines read anything.
  static var formats: [any OutputFormat.Type] {
    [JSONOutput.self, Listing.self, BuildLog.self, DockerTable.self, PlainLines.self]
  }

  /// Compares `actual` with `expected`, updating `bindings` when they match.
  ///
  /// - Parameters:
  ///   - expected: The lesson's text.
  ///   - actual: What the command printed.
  ///   - comparison: The match mode.
  ///   - command: The command, which tells how to read its output (`ls`, `docker images`).
  ///   - bindings: The bindings so far; new ones are added only when the output matches.
  ///   - origin: Where the expected output is, for the bindings table.
  /// - Returns: The differences found, and a diff of the lines when they do not match.
  public func match(
    expected: String, actual: String, comparison: Comparison, command: String,
    bindings: inout Bindings, origin: String
  ) -> MatchResult {
    var expectedLines = OutputLines(expected)
    var actualLines = OutputLines(actual)
    var setAside: [String] = []
    if comparison != .exact {
      (expectedLines, setAside) = expectedLines.withoutTerminalNoise()
      actualLines = actualLines.withoutTerminalNoise().lines
    }
    let words = Array(command.split(separator: " ").map(String.init).drop { $0 == "sudo" })
    var context = MatchContext(
      comparison: comparison, strict: strict, bindings: bindings, origin: origin)
    var result = MatchResult()
    for format in Self.formats {
      guard let reading = format.recognize(expectedLines, command: words, comparison: comparison)
      else { continue }
      result = reading.compare(expectedLines, actualLines, in: &context)
      break
    }
    if result.passed {
      bindings = context.bindings
      if !setAside.isEmpty {
        result.differences.append(
          Difference(
            kind: .cosmetic, expected: nil, actual: nil,
            reason: "set aside \(setAside.joined(separator: ", ")): a terminal's, not the command's"
          ))
      }
      return result
    }
    if let json = JSONOutput.document(expected), let actualJSON = try? JSONValue(parsing: actual) {
      // A JSON output that differs still shows which IDs are which where the two line up, so
      // the steps after it can run against the learner's own IDs.
      var salvage = MatchContext(
        comparison: .normal, strict: strict, bindings: bindings, origin: origin)
      salvage.bindAligned(json.value, in: actualJSON)
      bindings = salvage.bindings
    }
    var diffContext = MatchContext(
      comparison: comparison, strict: strict, bindings: bindings, origin: origin)
    result.hunk = LineDiff.hunk(expectedLines, actualLines, in: &diffContext)
    return result
  }

  /// Lines with ANSI escapes, carriage returns and trailing blanks removed.
  static func lines(_ text: String) -> [String] { OutputLines(text).lines }

  static func isElision(_ line: String) -> Bool { OutputLines.isElision(line) }
}
