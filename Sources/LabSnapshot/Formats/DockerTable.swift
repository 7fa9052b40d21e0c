/// A Docker table (`docker images`, `docker ps`): the header by its columns, the rows as a
/// set, since the order of rows with equal keys is Docker's choice.
struct DockerTable: OutputFormat {
  static let headers = ["REPOSITORY", "CONTAINER ID"]

  static func recognize(_ expected: OutputLines, command: [String], comparison: Comparison)
    -> DockerTable?
  {
    guard comparison != .exact, let header = expected.lines.first,
      headers.contains(where: { header.hasPrefix($0) })
    else { return nil }
    return DockerTable()
  }

  func compare(_ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext)
    -> MatchResult
  {
    guard let actualHeader = actual.lines.first else {
      return .failure(
        "the output has no table", expected: expected.lines[0], line: expected.number(0))
    }
    // The header's spacing follows the widths of the rows: only its columns count.
    guard context.line(expected.lines[0], actualHeader, line: expected.number(0)) != nil else {
      return .failure(
        "the columns differ", expected: expected.lines[0], actual: actualHeader,
        line: expected.number(0))
    }
    let rows = expected.lines.indices.dropFirst().filter {
      !OutputLines.isElision(expected.lines[$0])
    }
    return UnorderedRows(noun: "row").match(
      rows.map { (expected.lines[$0], expected.number($0)) }, Array(actual.lines.dropFirst()),
      allowsMore: context.comparison == .excerpt
        || expected.lines.contains(where: OutputLines.isElision),
      in: &context)
  }
}
