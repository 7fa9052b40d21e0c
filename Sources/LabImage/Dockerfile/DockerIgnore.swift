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
    // Line feeds as scalars, so a `\r\n` file splits too; the `\r` goes with the blanks.
    for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = String(String.UnicodeScalarView(rawLine)).trimmingCharacters(
        in: .whitespacesAndNewlines)
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
    PathPattern.matches(pattern, path)
  }
}
