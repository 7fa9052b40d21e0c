/// One line of a unified diff: the lesson's (`-`), the output's (`+`), or both (context).
public struct DiffLine: Codable, Equatable, Sendable {
  public enum Kind: String, Codable, Sendable {
    case context, removed, added
  }

  public var kind: Kind
  public var text: String
  /// For a line of the lesson, its number in the expected block (0 for the first).
  public var expectedLine: Int?

  /// The line as `diff -u` prints it.
  public var unified: String {
    switch kind {
    case .context: " " + text
    case .removed: "-" + text
    case .added: "+" + text
    }
  }
}

/// A unified diff of the lesson's lines against the output's, for a failed step: lines that
/// match (volatile tokens by shape) are equal, and only the region that differs is shown, with
/// a little context.
enum LineDiff {
  /// Lines of context around a difference.
  static let context = 2
  /// Beyond this many lines on either side, the diff is cut short rather than computed.
  static let maximumLines = 2_000

  static func hunk(
    _ expected: OutputLines, _ actual: OutputLines, in matchContext: inout MatchContext
  ) -> [DiffLine] {
    let left = Array(expected.lines.prefix(maximumLines).indices)
    let right = Array(actual.lines.prefix(maximumLines))
    // Longest common subsequence, with "equal" meaning "matches as the lesson means it".
    var table = [[Int]](
      repeating: [Int](repeating: 0, count: right.count + 1), count: left.count + 1)
    var equal = [[Bool]](
      repeating: [Bool](repeating: false, count: right.count), count: left.count)
    for i in left.indices {
      for j in right.indices {
        equal[i][j] = matchContext.matches(expected.lines[i], right[j], comparison: .approximate)
      }
    }
    for i in stride(from: left.count - 1, through: 0, by: -1) {
      for j in stride(from: right.count - 1, through: 0, by: -1) {
        table[i][j] =
          equal[i][j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
      }
    }
    var lines: [DiffLine] = []
    var i = 0
    var j = 0
    while i < left.count || j < right.count {
      if i < left.count, j < right.count, equal[i][j] {
        lines.append(DiffLine(kind: .context, text: right[j], expectedLine: expected.number(i)))
        i += 1
        j += 1
      } else if i < left.count, j == right.count || table[i + 1][j] >= table[i][j + 1] {
        // The lesson's line first, as `diff -u` shows a change.
        lines.append(
          DiffLine(kind: .removed, text: expected.lines[i], expectedLine: expected.number(i)))
        i += 1
      } else {
        lines.append(DiffLine(kind: .added, text: right[j], expectedLine: nil))
        j += 1
      }
    }
    // Keep the changed lines and a little context around them.
    let changed = lines.indices.filter { lines[$0].kind != .context }
    guard let first = changed.first, let last = changed.last else { return [] }
    return Array(lines[max(0, first - context)...min(lines.count - 1, last + context)])
  }
}
