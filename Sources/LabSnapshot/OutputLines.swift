import Foundation

/// An output as the matcher reads it: lines as a terminal shows them (escapes dropped,
/// carriage returns overprinting, trailing blanks and blank lines at either end removed), each
/// with its place in the original text.
struct OutputLines {
  var lines: [String]
  /// For each line, its index among the text's lines.
  var numbers: [Int]

  init(_ text: String) {
    // Only text with an escape has colour codes to drop: the pattern is built for no other.
    let cleaned =
      text.utf8.contains(0x1B)
      ? text.replacingOccurrences(
        of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression) : text
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

  /// The lines without what a pasted terminal adds or an older Docker printed, which a run
  /// here never prints: a pull's progress lines (`Pulling fs layer`, `Waiting`, `Download
  /// complete`…), pip's progress bars, whose speed is the network's, blank lines, and the
  /// `VIRTUAL SIZE` column of Docker before 1.8.
  ///
  /// - Returns: The lines, and what was set aside, for the report.
  func withoutTerminalNoise() -> (lines: OutputLines, removed: [String]) {
    var kept = OutputLines(lines: [], numbers: [])
    var removed: Set<String> = []
    var oldTable = false
    for (index, line) in lines.enumerated() {
      if line.trimmingCharacters(in: .whitespaces).isEmpty {
        removed.insert("blank lines")
        continue
      }
      if Self.isPullProgress(line) {
        removed.insert("a pull's progress lines")
        continue
      }
      if line.contains("━━━━━━━━━━") {
        removed.insert("pip's progress bars")
        continue
      }
      var line = line
      if line.hasPrefix("REPOSITORY"), line.hasSuffix("VIRTUAL SIZE") {
        line = String(line.dropLast("VIRTUAL SIZE".count)) + "SIZE"
        removed.insert("the VIRTUAL SIZE header of Docker before 1.8")
        oldTable = true
      } else if oldTable, let size = line.firstMatch(of: #/(\d) ([kKMGT]?B)$/#) {
        // That Docker wrote `130 MB` where today's writes `130MB`.
        line.replaceSubrange(size.range, with: "\(size.output.1)\(size.output.2)")
      }
      kept.lines.append(line)
      kept.numbers.append(numbers[index])
    }
    return (kept, removed.sorted())
  }

  /// `e3ec397e2427: Pulling fs layer`, `…: Waiting`, `…: Downloading [==>  ] 3.1MB/29.1MB`,
  /// `…: Verifying Checksum`, `…: Download complete`, `…: Extracting …`: what a terminal
  /// shows while a pull runs, and a log or a second pull does not.
  static func isPullProgress(_ line: String) -> Bool {
    guard line.count > 14, line.prefix(12).allSatisfy(\.isHexDigit),
      line.dropFirst(12).hasPrefix(": ")
    else { return false }
    let status = line.dropFirst(14)
    return ["Pulling fs layer", "Waiting", "Verifying Checksum", "Download complete"].contains(
      String(status)) || status.hasPrefix("Downloading") || status.hasPrefix("Extracting")
  }

  /// `...`, `…`, `-SNIP-` or `[...]`: a line that stands for any run of lines.
  static func isElision(_ line: String) -> Bool {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    return trimmed == "..." || trimmed == "…" || trimmed == "-SNIP-" || trimmed == "[...]"
  }
}
