/// Go's `text/tabwriter` as Docker configures it: `NewWriter(out, 10, 1, 3, ' ', 0)`.
///
/// Cells end at a tab; the text after a line's last tab is not aligned or padded. A column
/// is as wide as its widest cell plus the padding, and at least the minimum width.
public struct TabWriter: Sendable {
  public var minimumWidth = 10
  public var padding = 3

  public init(minimumWidth: Int = 10, padding: Int = 3) {
    self.minimumWidth = minimumWidth
    self.padding = padding
  }

  /// Aligns tab-separated `text` (lines end in `\n`).
  public func format(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    let endsWithNewline = text.hasSuffix("\n")
    if endsWithNewline { lines.removeLast() }
    var widths = Array(repeating: [Int](), count: lines.count)
    formatBlock(lines, &widths, from: 0, to: lines.count, column: 0)
    var out = ""
    for (index, cells) in lines.enumerated() {
      for (column, cell) in cells.enumerated() {
        out += cell
        if column < cells.count - 1 {
          let width = widths[index].count > column ? widths[index][column] : 0
          out += String(repeating: " ", count: max(0, width - displayWidth(cell)))
        }
      }
      if index < lines.count - 1 || endsWithNewline { out += "\n" }
    }
    return out
  }

  /// Go's recursive column-block algorithm, with a stack of blocks for its calls, so that no
  /// number of columns nests them.
  private func formatBlock(
    _ lines: [[String]], _ widths: inout [[Int]], from start: Int, to end: Int, column: Int
  ) {
    var blocks = [(start: start, end: end, column: column)]
    while let (start, end, column) = blocks.popLast() {
      var line = start
      var inner: [(start: Int, end: Int, column: Int)] = []
      while line < end {
        guard column < lines[line].count - 1 else {
          line += 1
          continue
        }
        // A block of consecutive lines that all have a cell in this column.
        let blockStart = line
        var width = minimumWidth
        while line < end, column < lines[line].count - 1 {
          width = max(width, displayWidth(lines[line][column]) + padding)
          line += 1
        }
        for index in blockStart..<line {
          while widths[index].count <= column { widths[index].append(0) }
          widths[index][column] = width
        }
        inner.append((blockStart, line, column + 1))
      }
      // The blocks of the next column, first one first.
      blocks += inner.reversed()
    }
  }

  /// Display columns, counting East Asian wide characters as two, as go-runewidth does.
  func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { total, scalar in
      let value = scalar.value
      let wide =
        (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
        || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
        || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
        || (0xFFE0...0xFFE6).contains(value) || (0x1F300...0x1FAFF).contains(value)
      return total + (wide ? 2 : 1)
    }
  }
}
