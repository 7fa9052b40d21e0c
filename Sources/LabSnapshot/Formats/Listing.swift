/// The output of `ls` without `-l`: names, whatever columns the terminal's width made.
struct Listing: OutputFormat {
  static func recognize(_ expected: OutputLines, command: [String], comparison: Comparison)
    -> Listing?
  {
    guard comparison != .exact, command.first == "ls",
      !command.contains(where: { $0.hasPrefix("-") && $0.contains("l") })
    else { return nil }
    return Listing()
  }

  func compare(_ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext)
    -> MatchResult
  {
    var names: [(text: String, line: Int?)] = []
    for index in expected.lines.indices where !OutputLines.isElision(expected.lines[index]) {
      for name in Self.names(expected.lines[index]) { names.append((name, expected.number(index))) }
    }
    return UnorderedRows(noun: "name").match(
      names, actual.lines.flatMap(Self.names),
      allowsMore: context.comparison == .excerpt
        || expected.lines.contains(where: OutputLines.isElision),
      in: &context)
  }

  static func names(_ line: String) -> [String] {
    line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
  }
}
