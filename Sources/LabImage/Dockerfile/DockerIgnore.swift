import Foundation

/// The rules of a `.dockerignore` file.
///
/// They match as Docker's `patternmatcher` does: `*`, `?`, `**`, character classes, and `!`
/// exceptions, the last matching rule winning. A path is also excluded when one of its parent
/// directories is.
public struct DockerIgnore: Sendable {
  struct Rule: Sendable {
    var pattern: String
    var isException: Bool
  }

  var rules: [Rule] = []

  public init(_ text: String) {
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("#") || line.isEmpty { continue }
      var isException = false
      if line.hasPrefix("!") {
        isException = true
        line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
      }
      let cleaned = Self.clean(line)
      if cleaned.isEmpty || cleaned == "." { continue }
      rules.append(Rule(pattern: cleaned, isException: isException))
    }
  }

  /// Whether the context-relative `path` is excluded.
  public func excludes(_ path: String) -> Bool {
    var excluded = false
    let parents = Self.parents(of: path)
    for rule in rules {
      let matched =
        Self.matches(rule.pattern, path) || parents.contains { Self.matches(rule.pattern, $0) }
      if matched { excluded = !rule.isException }
    }
    return excluded
  }

  static func clean(_ pattern: String) -> String {
    var parts: [Substring] = []
    for part in pattern.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == "..", !parts.isEmpty {
        parts.removeLast()
        continue
      }
      parts.append(part)
    }
    return parts.joined(separator: "/")
  }

  static func parents(of path: String) -> [String] {
    var result: [String] = []
    var components = path.split(separator: "/").map(String.init)
    while components.count > 1 {
      components.removeLast()
      result.append(components.joined(separator: "/"))
    }
    return result
  }

  static func matches(_ pattern: String, _ path: String) -> Bool {
    matches(Array(pattern)[...], Array(path)[...])
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
      var set = Array(pattern[pattern.index(after: pattern.startIndex)..<close])
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
      guard found != negated else { return false }
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
