/// Path patterns as Go's `path.Match` and Docker's `patternmatcher` read them: `*` and `?`
/// within one path component, `[…]` classes, `\` escapes, and `**` across components.
///
/// `docker images` filters, `.dockerignore` and `COPY` globs use it; the shell's globs share
/// its character classes.
public enum PathPattern {
  public static func matches(_ pattern: String, _ path: String) -> Bool {
    matches(Array(pattern)[...], Array(path)[...])
  }

  /// Whether `character` is in the class `[…]` whose inside is `body` (`a-z`, `!x`, `^x`).
  public static func classContains(_ body: ArraySlice<Character>, _ character: Character) -> Bool {
    var set = Array(body)
    let negated = set.first == "^" || set.first == "!"
    if negated { set.removeFirst() }
    var found = false
    var index = 0
    while index < set.count {
      if index + 2 < set.count, set[index + 1] == "-" {
        if set[index] <= character && character <= set[index + 2] { found = true }
        index += 3
      } else {
        if set[index] == character { found = true }
        index += 1
      }
    }
    return found != negated
  }

  private static func matches(_ pattern: ArraySlice<Character>, _ path: ArraySlice<Character>)
    -> Bool
  {
    guard let first = pattern.first else { return path.isEmpty }
    if first == "*", pattern.dropFirst().first == "*" {
      var rest = pattern.dropFirst(2)
      if rest.first == "/" { rest = rest.dropFirst() }
      // `**` matches any number of path components, including none.
      if rest.isEmpty { return true }
      var index = path.startIndex
      while true {
        if matches(rest, path[index...]) { return true }
        guard index < path.endIndex else { return false }
        guard let slash = path[index...].firstIndex(of: "/") else { return false }
        index = path.index(after: slash)
      }
    }
    switch first {
    case "*":
      var index = path.startIndex
      while true {
        if matches(pattern.dropFirst(), path[index...]) { return true }
        guard index < path.endIndex, path[index] != "/" else { return false }
        index = path.index(after: index)
      }
    case "?":
      guard let character = path.first, character != "/" else { return false }
      return matches(pattern.dropFirst(), path.dropFirst())
    case "[":
      guard let close = pattern.firstIndex(of: "]"), let character = path.first else {
        return false
      }
      guard classContains(pattern[pattern.index(after: pattern.startIndex)..<close], character)
      else {
        return false
      }
      return matches(pattern[pattern.index(after: close)...], path.dropFirst())
    case "\\":
      let rest = pattern.dropFirst()
      guard let escaped = rest.first, path.first == escaped else { return false }
      return matches(rest.dropFirst(), path.dropFirst())
    default:
      guard path.first == first else { return false }
      return matches(pattern.dropFirst(), path.dropFirst())
    }
  }
}
