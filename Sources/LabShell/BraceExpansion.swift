import Foundation

/// Bash's brace expansion: `app/{src,tests}` and `file{1..3}.txt`, before any other expansion.
///
/// A brace group is expanded when it lies within one unquoted stretch of a word; `{}` and
/// braces without a comma or a range stay as they are, as in bash.
enum BraceExpansion {
  /// The words a word becomes; the word itself when it has no brace group.
  static func expand(_ word: ShellWord) -> [ShellWord] {
    for (index, part) in word.parts.enumerated() {
      guard case .text(let text, quoted: false) = part,
        let (range, alternatives) = firstGroup(in: Array(text))
      else { continue }
      let characters = Array(text)
      let prefix = String(characters[..<range.lowerBound])
      let suffix = String(characters[range.upperBound...])
      return alternatives.flatMap { alternative -> [ShellWord] in
        var parts = word.parts
        parts[index] = .text(prefix + alternative + suffix, quoted: false)
        return expand(ShellWord(parts))
      }
    }
    return [word]
  }

  /// The first expandable `{…}` in `text`: its range and what it stands for.
  static func firstGroup(in text: [Character]) -> (Range<Int>, [String])? {
    var start = 0
    while let open = text[start...].firstIndex(of: "{") {
      start = open + 1
      var depth = 0
      var close: Int?
      var commas: [Int] = []
      for position in open..<text.count {
        switch text[position] {
        case "{": depth += 1
        case "}":
          depth -= 1
          if depth == 0 { close = position }
        case "," where depth == 1: commas.append(position)
        default: break
        }
        if close != nil { break }
      }
      guard let close else { return nil }
      let body = Array(text[(open + 1)..<close])
      if !commas.isEmpty {
        var items: [String] = []
        var from = open + 1
        for comma in commas + [close] {
          items.append(String(text[from..<comma]))
          from = comma + 1
        }
        return (open..<(close + 1), items)
      }
      if let items = sequence(String(body)) { return (open..<(close + 1), items) }
    }
    return nil
  }

  /// `1..5`, `5..1`, `1..10..2`, `a..e`: the items of a range.
  static func sequence(_ body: String) -> [String]? {
    let ends = body.components(separatedBy: "..")
    guard ends.count == 2 || ends.count == 3 else { return nil }
    var increment = 1
    if ends.count == 3 {
      guard let step = Int(ends[2]), step != 0 else { return nil }
      increment = abs(step)
    }
    if let first = Int(ends[0]), let last = Int(ends[1]) {
      let step = first <= last ? increment : -increment
      return stride(from: first, through: last, by: step).map(String.init)
    }
    guard ends.count == 2, ends[0].count == 1, ends[1].count == 1,
      let first = ends[0].unicodeScalars.first, let last = ends[1].unicodeScalars.first,
      first.properties.isAlphabetic, last.properties.isAlphabetic, first.isASCII, last.isASCII
    else { return nil }
    let step = first.value <= last.value ? 1 : -1
    return stride(from: Int(first.value), through: Int(last.value), by: step).compactMap {
      Unicode.Scalar(UInt32($0)).map { String(Character($0)) }
    }
  }
}
