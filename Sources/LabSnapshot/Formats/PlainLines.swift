/// Lines compared in order, exactly, approximately or as an excerpt.
///
/// Approximately, volatile tokens match by shape; an excerpt's lines must appear in order with
/// gaps allowed. An elision line (`...`) stands for any run of lines.
struct PlainLines: OutputFormat {
  static func recognize(_ expected: OutputLines, command: [String], comparison: Comparison)
    -> PlainLines?
  {
    PlainLines()
  }

  func compare(_ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext)
    -> MatchResult
  {
    if context.comparison == .excerpt { return excerpt(expected, actual, in: &context) }
    // The expected lines between elisions are chunks: the first is anchored at the start, the
    // last at the end, and each one between is found at its earliest place. Like a glob of
    // lines, this takes time in proportion to the lines, however many elisions there are.
    var chunks: [[Int]] = [[]]
    for index in expected.lines.indices {
      if OutputLines.isElision(expected.lines[index]) {
        chunks.append([])
      } else {
        chunks[chunks.count - 1].append(index)
      }
    }
    var found: [Difference] = []
    var position = 0
    for (number, chunk) in chunks.enumerated() {
      let isFirst = number == 0
      let isLast = number == chunks.count - 1
      if chunk.isEmpty { continue }
      var placed: Int?
      if isFirst {
        placed = attempt(chunk, at: 0, expected, actual, &context, &found) ? 0 : nil
      } else if isLast {
        let start = actual.count - chunk.count
        placed =
          start >= position && attempt(chunk, at: start, expected, actual, &context, &found)
          ? start : nil
      } else {
        for start in stride(from: position, through: actual.count - chunk.count, by: 1)
        where attempt(chunk, at: start, expected, actual, &context, &found) {
          placed = start
          break
        }
      }
      guard let placed else { return firstDifference(expected, actual, in: context) }
      position = placed + chunk.count
    }
    // Without an elision at the end, the last chunk had to reach the end.
    if chunks.count == 1, position != actual.count {
      return firstDifference(expected, actual, in: context)
    }
    return MatchResult(differences: found)
  }

  /// Whether the chunk's lines match the output's from `start`; their bindings and
  /// differences are kept only when all do.
  private func attempt(
    _ chunk: [Int], at start: Int, _ expected: OutputLines, _ actual: OutputLines,
    _ context: inout MatchContext, _ found: inout [Difference]
  ) -> Bool {
    guard start >= 0, start + chunk.count <= actual.count else { return false }
    var trial = context
    var differences: [Difference] = []
    for (offset, index) in chunk.enumerated() {
      guard
        let accepted = trial.line(
          expected.lines[index], actual.lines[start + offset], line: expected.number(index))
      else { return false }
      differences += accepted
    }
    context = trial
    found += differences
    return true
  }

  /// The expected lines in order, anywhere in the output.
  private func excerpt(
    _ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext
  ) -> MatchResult {
    var result = MatchResult()
    var position = 0
    for index in expected.lines.indices where !OutputLines.isElision(expected.lines[index]) {
      var matched = false
      while position < actual.count {
        var trial = context
        let accepted = trial.line(
          expected.lines[index], actual.lines[position], line: expected.number(index))
        position += 1
        if let accepted {
          context = trial
          result.differences += accepted
          matched = true
          break
        }
      }
      if !matched {
        return .failure(
          "this line is not in the output", expected: expected.lines[index],
          line: expected.number(index))
      }
    }
    return result
  }

  /// The first line that differs, for a failed match.
  private func firstDifference(
    _ expected: OutputLines, _ actual: OutputLines, in context: MatchContext
  ) -> MatchResult {
    let shown = expected.lines.indices.filter { !OutputLines.isElision(expected.lines[$0]) }
    for index in 0..<max(shown.count, actual.count) {
      let left = index < shown.count ? expected.lines[shown[index]] : nil
      let right = index < actual.count ? actual.lines[index] : nil
      if let left, let right, context.matches(left, right) { continue }
      let line =
        index < shown.count ? expected.number(shown[index]) : expected.number(expected.count)
      let reason: String
      switch (left, right) {
      case (nil, _):
        let extra = actual.count - shown.count
        reason = "the output has \(extra) line\(extra == 1 ? "" : "s") more than the lesson shows"
      case (_, nil):
        let missing = shown.count - actual.count
        reason =
          "the output has \(missing) line\(missing == 1 ? "" : "s") fewer than the lesson shows"
      default:
        reason = "the line differs"
      }
      return .failure(reason, expected: left, actual: right, line: line)
    }
    return .failure("the output differs", line: nil)
  }
}
