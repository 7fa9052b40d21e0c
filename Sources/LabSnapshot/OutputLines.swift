import Foundation

/// An output as the matcher reads it: lines as a terminal shows them (escapes dropped,
/// carriage returns overprinting, trailing blanks and blank lines at either end removed), each
/// with its place in the original text.
struct OutputLines {
  var lines: [String]
  /// For each line, its index among the text's lines.
  var numbers: [Int]

  init(_ text: String) {
    let cleaned = text.replacingOccurrences(
      of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
    // Split at every line feed, also the one of a `\r\n` (one Character in Swift).
    let rawLines = cleaned.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    var lines = rawLines.map { scalars -> String in
      var text = Self.overprinted(String(String.UnicodeScalarView(scalars)))
      while let last = text.last, last == " " || last == "\t" { text.removeLast() }
      return text
    }
    var numbers = Array(lines.indices)
    while lines.last?.isEmpty == true {
      lines.removeLast()
      numbers.removeLast()
    }
    while lines.first?.isEmpty == true {
      lines.removeFirst()
      numbers.removeFirst()
    }
    self.lines = lines
    self.numbers = numbers
  }

  init(lines: [String], numbers: [Int]) {
    self.lines = lines
    self.numbers = numbers
  }

  var count: Int { lines.count }
  var isEmpty: Bool { lines.isEmpty }

  /// The original line number of the line at `index`; one past the end for `count`.
  func number(_ index: Int) -> Int? {
    index < numbers.count ? numbers[index] : numbers.last.map { $0 + 1 }
  }

  /// A line as a terminal shows it: text after a carriage return overwrites the start.
  static func overprinted(_ line: String) -> String {
    guard line.contains("\r") else { return line }
    var shown: [Character] = []
    for segment in line.split(separator: "\r", omittingEmptySubsequences: false) {
      let characters = Array(segment)
      if characters.count >= shown.count {
        shown = characters
      } else {
        shown.replaceSubrange(0..<characters.count, with: characters)
      }
    }
    return String(shown)
  }

  /// `...`, `…`, `-SNIP-` or `[...]`: a line that stands for any run of lines.
  static func isElision(_ line: String) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    return trimmed == "..." || trimmed == "…" || trimmed == "-SNIP-" || trimmed == "[...]"
  }
}
