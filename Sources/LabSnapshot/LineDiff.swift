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
///
/// It is Myers's diff, which compares lines only along the edit path: time grows with the
/// lines times the differences, and a diff with more than ``maximumEdits`` differences is cut
/// to its first lines instead of computed.
enum LineDiff {
  /// Lines of context around a difference.
  static let context = 2
  /// Beyond this many inserted and deleted lines, the diff shows the start only.
  static let maximumEdits = 300

  static func hunk(
    _ expected: OutputLines, _ actual: OutputLines, in matchContext: inout MatchContext
  ) -> [DiffLine] {
    let left = expected.lines
    let right = actual.lines
    var patterns: [Int: LinePattern] = [:]
    let bindings = matchContext.bindings
    let context = matchContext
    func equal(_ i: Int, _ j: Int) -> Bool {
      if left[i] == right[j] { return true }
      if left[i].hasSuffix(" (re)") || left[i].hasSuffix(" (glob)") {
        return context.matches(left[i], right[j], comparison: .approximate)
      }
      let pattern = patterns[i] ?? LinePattern(left[i], bindings: bindings)
      patterns[i] = pattern
      var trial = bindings
      return pattern.match(
        right[j], strict: false, comparison: .approximate, bindings: &trial, origin: "",
        line: nil) != nil
    }
    guard let script = editScript(left.count, right.count, equal: equal) else {
      // Too different to diff: the lesson's first lines against the output's.
      var lines: [DiffLine] = []
      for index in 0..<min(left.count, 10) {
        lines.append(
          DiffLine(kind: .removed, text: left[index], expectedLine: expected.number(index)))
      }
      for index in 0..<min(right.count, 10) {
        lines.append(DiffLine(kind: .added, text: right[index], expectedLine: nil))
      }
      return lines
    }
    var lines: [DiffLine] = []
    for edit in script {
      switch edit {
      case .same(let i, let j):
        lines.append(DiffLine(kind: .context, text: right[j], expectedLine: expected.number(i)))
      case .removed(let i):
        lines.append(DiffLine(kind: .removed, text: left[i], expectedLine: expected.number(i)))
      case .added(let j):
        lines.append(DiffLine(kind: .added, text: right[j], expectedLine: nil))
      }
    }
    // Keep the changed lines and a little context around them.
    let changed = lines.indices.filter { lines[$0].kind != .context }
    guard let first = changed.first, let last = changed.last else { return [] }
    return Array(lines[max(0, first - Self.context)...min(lines.count - 1, last + Self.context)])
  }

  enum Edit: Equatable {
    case same(Int, Int)
    case removed(Int)
    case added(Int)
  }

  /// The shortest edit script from `n` lines to `m` lines, by Myers's algorithm.
  ///
  /// It is `nil` past ``maximumEdits``. Deletions come before insertions at a change, as
  /// `diff -u` shows them.
  static func editScript(_ n: Int, _ m: Int, equal: (Int, Int) -> Bool) -> [Edit]? {
    let limit = min(n + m, maximumEdits)
    let offset = limit + 1
    var frontier = [Int](repeating: 0, count: 2 * limit + 3)
    var history: [[Int]] = []
    var found = false
    search: for d in 0...limit {
      history.append(frontier)
      for k in stride(from: -d, through: d, by: 2) {
        var x: Int
        if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
          x = frontier[offset + k + 1]
        } else {
          x = frontier[offset + k - 1] + 1
        }
        var y = x - k
        while x < n, y < m, equal(x, y) {
          x += 1
          y += 1
        }
        frontier[offset + k] = x
        if x >= n && y >= m {
          history.append(frontier)
          found = true
          break search
        }
      }
    }
    guard found else { return nil }
    // Walk back through the frontiers to recover the path.
    var edits: [Edit] = []
    var x = n
    var y = m
    for d in stride(from: history.count - 2, through: 0, by: -1) {
      let previous = history[d]
      let k = x - y
      let down = k == -d || (k != d && previous[offset + k - 1] < previous[offset + k + 1])
      let previousK = down ? k + 1 : k - 1
      let previousX = previous[offset + previousK]
      let previousY = previousX - previousK
      while x > previousX && y > previousY {
        x -= 1
        y -= 1
        edits.append(.same(x, y))
      }
      if d > 0 {
        if down {
          y -= 1
          edits.append(.added(y))
        } else {
          x -= 1
          edits.append(.removed(x))
        }
      }
    }
    while x > 0 && y > 0 {
      x -= 1
      y -= 1
      edits.append(.same(x, y))
    }
    edits.reverse()
    // At each change, the lesson's lines before the output's.
    var ordered: [Edit] = []
    var pendingAdded: [Edit] = []
    for edit in edits {
      switch edit {
      case .added: pendingAdded.append(edit)
      case .removed: ordered.append(edit)
      case .same:
        ordered += pendingAdded
        pendingAdded = []
        ordered.append(edit)
      }
    }
    return ordered + pendingAdded
  }
}
