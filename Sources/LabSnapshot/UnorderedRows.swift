/// Rows whose order the program leaves open (`docker images` rows, `ls` names), matched as a
/// set: each expected row takes the first output row it matches.
///
/// What is left over on either side is named: rows of the lesson the output lacks, and rows of
/// the output the lesson does not show (unless the lesson shows only an excerpt).
struct UnorderedRows {
  /// What a row is called in messages: "row", "name".
  var noun: String

  /// - Parameters:
  ///   - expected: The lesson's rows with their line numbers; elision lines are left out.
  ///   - actual: The output's rows.
  ///   - allowsMore: Whether the output may have rows the lesson does not show.
  ///   - context: The bindings, kept for the rows that match.
  /// - Returns: The accepted differences, and one for each row missing or left over.
  func match(
    _ expected: [(text: String, line: Int?)], _ actual: [String], allowsMore: Bool,
    in context: inout MatchContext
  ) -> MatchResult {
    var result = MatchResult()
    var remaining = actual
    for row in expected {
      var matched = false
      for (index, candidate) in remaining.enumerated() {
        var trial = context
        if let accepted = trial.line(
          row.text, candidate, comparison: .approximate, line: row.line)
        {
          context = trial
          result.differences += accepted
          remaining.remove(at: index)
          matched = true
          break
        }
      }
      if !matched {
        result.differences.append(
          Difference(
            kind: .semantic, expected: row.text, actual: nil,
            reason: "the output has no \(noun) like this one", expectedLine: row.line))
      }
    }
    if !allowsMore, !remaining.isEmpty {
      let count = remaining.count
      result.differences.append(
        Difference(
          kind: .semantic, expected: nil, actual: remaining.joined(separator: "\n"),
          reason: "\(count) \(noun)\(count == 1 ? "" : "s") more than the lesson shows",
          expectedLine: expected.last?.line))
    }
    return result
  }
}
