import Foundation
import LabImage

/// Shell pattern matching: `*`, `?`, `[…]`, `\` escapes.
///
/// It walks pattern and text once, going back only to the last `*`, so that no pattern, however
/// long, nests calls or takes exponential time.
public enum Glob {
  public static func matches(_ pattern: String, _ text: String) -> Bool {
    let pattern = Array(pattern)
    let text = Array(text)
    var p = 0
    var t = 0
    /// The last `*` seen, and where in the text it now stops.
    var star: (pattern: Int, text: Int)?
    while t < text.count {
      if p < pattern.count, let length = match(pattern, at: p, text[t]) {
        p += length
        t += 1
      } else if p < pattern.count, pattern[p] == "*" {
        star = (p, t)
        p += 1
      } else if let last = star {
        // Let the last `*` take one more character and try again after it.
        star = (last.pattern, last.text + 1)
        p = last.pattern + 1
        t = last.text + 1
      } else {
        return false
      }
    }
    while p < pattern.count, pattern[p] == "*" { p += 1 }
    return p == pattern.count
  }

  /// How many pattern characters match `character` at `p`, or `nil` when they do not (or
  /// `p` is a `*`).
  static func match(_ pattern: [Character], at p: Int, _ character: Character) -> Int? {
    switch pattern[p] {
    case "*":
      return nil
    case "?":
      return 1
    case "[":
      guard p + 2 < pattern.count, let close = pattern[(p + 2)...].firstIndex(of: "]") else {
        return character == "[" ? 1 : nil
      }
      return PathPattern.classContains(pattern[(p + 1)..<close], character)
        ? close - p + 1 : nil
    case "\\" where p + 1 < pattern.count:
      return pattern[p + 1] == character ? 2 : nil
    default:
      return pattern[p] == character ? 1 : nil
    }
  }
}
