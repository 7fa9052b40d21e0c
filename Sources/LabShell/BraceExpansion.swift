import Foundation
import LabLimits
import LabUtilities

/// Bash's brace expansion: `app/{src,tests}` and `file{1..3}.txt`, before any other expansion.
///
/// A brace group is expanded when it lies within one unquoted stretch of a word; `{}` and
/// braces without a comma or a range stay as they are, as in bash.
enum BraceExpansion {
  /// The words a word becomes (the word itself when it has no brace group), and bash's message
  /// when a sequence or the whole expansion is too large to make: such a group stays as written,
  /// as bash leaves a sequence it cannot allocate.
  static func expand(_ word: ShellWord) -> (words: [ShellWord], error: String?) {
    var words: [ShellWord] = []
    var error: String?
    // Depth first, in order: the pending words are a stack, the next one last.
    var pending = [word]
    while let next = pending.popLast() {
      guard let (index, alternatives) = firstGroup(in: next, error: &error) else {
        words.append(next)
        continue
      }
      guard words.count + pending.count + alternatives.count <= Limits.braceWords else {
        return (
          [word],
          "bash: brace expansion: the sandbox makes at most \(Limits.braceWords) words of one word"
        )
      }
      pending += alternatives.reversed().map { alternative in
        var parts = next.parts
        parts[index] = .text(alternative, quoted: false)
        return ShellWord(parts)
      }
    }
    return (words, error)
  }

  /// The first expandable group of a word: the part it is in, and that part's text with each
  /// alternative in place of the group.
  static func firstGroup(in word: ShellWord, error: inout String?) -> (Int, [String])? {
    for (index, part) in word.parts.enumerated() {
      guard case .text(let text, quoted: false) = part else { continue }
      let characters = Array(text)
      guard let (range, alternatives) = firstGroup(in: characters, error: &error) else { continue }
      let prefix = String(characters[..<range.lowerBound])
      let suffix = String(characters[range.upperBound...])
      return (index, alternatives.map { prefix + $0 + suffix })
    }
    return nil
  }

  /// The first expandable `{…}` in `text`: its range and what it stands for.
  static func firstGroup(in text: [Character], error: inout String?) -> (Range<Int>, [String])? {
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
      if let items = sequence(String(body), error: &error) { return (open..<(close + 1), items) }
    }
    return nil
  }

  /// `1..5`, `5..1`, `1..10..2`, `a..e`: the items of a range.
  ///
  /// As in bash, a range whose ends or count overflow is no range, and one too long to make is
  /// no range either, with bash's message.
  static func sequence(_ body: String, error: inout String?) -> [String]? {
    let ends = body.components(separatedBy: "..")
    guard ends.count == 2 || ends.count == 3 else { return nil }
    var increment = 1
    if ends.count == 3 {
      guard let step = Int(ends[2]), step != 0, step != Int.min else { return nil }
      increment = abs(step)
    }
    if let first = Int(ends[0]), let last = Int(ends[1]) {
      let (distance, overflow) = last.subtractingReportingOverflow(first)
      guard !overflow, distance != Int.min else { return nil }
      let count = abs(distance) / increment + 1
      guard count <= Int(Int32.max) - 3 else { return nil }
      guard count <= Limits.braceWords else {
        error = error ?? "bash: brace expansion: failed to allocate memory for \(count) elements"
        return nil
      }
      let step = first <= last ? increment : -increment
      return (0..<count).map { String(first + $0 * step) }
    }
    guard ends.count == 2, ends[0].count == 1, ends[1].count == 1,
      let first = ends[0].unicodeScalars.first, let last = ends[1].unicodeScalars.first,
      first.properties.isAlphabetic, last.properties.isAlphabetic, first.isASCII, last.isASCII
    else { return nil }
    let step = first.value <= last.value ? increment : -increment
    return stride(from: Int(first.value), through: Int(last.value), by: step).compactMap {
      Unicode.Scalar(UInt32($0)).map { String(Character($0)) }
    }
  }
}
