import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `column`: lays lines out in columns, as util-linux `column` does; lessons use `-t` to
/// align `docker inspect` output split on a separator.
struct Column: Utility {
  static let name = "column"
  static let options = OptionSpec(
    "tx", values: "sco",
    long: [
      "table": "t", "fillrows": "x", "separator": "s", "output-separator": "o",
      "output-width": "c",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.column(invocation)
  }

  /// The tab stop the fill modes pad to.
  static let tab = 8

  /// A line's cells: split at any of `separators`; with the default blanks, runs of them
  /// are one separator and leading ones are dropped (`wcstok`), with `-s` each one counts.
  static func cells(_ line: String, separators: Set<Character>, greedy: Bool) -> [String] {
    if greedy {
      return line.split(whereSeparator: { separators.contains($0) }).map(String.init)
    }
    return line.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) })
      .map(String.init)
  }

  /// `-t`: each column as wide as its widest cell, the last one unpadded.
  static func table(_ rows: [[String]], separator: String) -> String {
    let columns = rows.map(\.count).max() ?? 0
    var widths = Array(repeating: 0, count: columns)
    for row in rows {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    var out = ""
    for row in rows {
      var line = ""
      for index in 0..<columns {
        let cell = index < row.count ? row[index] : ""
        if index == columns - 1 {
          line += cell
        } else {
          line += cell + String(repeating: " ", count: widths[index] - cell.count) + separator
        }
      }
      out += line + "\n"
    }
    return out
  }

  /// The fill modes: entries in columns of tab stops, down the columns first unless
  /// `acrossFirst`, as BSD's `column` always has.
  static func fill(_ entries: [String], width: Int, acrossFirst: Bool) -> String {
    guard let longest = entries.map(\.count).max() else { return "" }
    if longest >= width { return entries.map { $0 + "\n" }.joined() }
    let columnWidth = (longest + tab) & ~(tab - 1)
    let columns = max(1, width / columnWidth)
    func tabs(from count: Int, to end: Int) -> (String, Int) {
      var text = ""
      var position = count
      while (position + tab) & ~(tab - 1) <= end {
        text += "\t"
        position = (position + tab) & ~(tab - 1)
      }
      return (text, position)
    }
    var out = ""
    if acrossFirst {
      var position = 0
      var end = columnWidth
      var column = 0
      for (index, entry) in entries.enumerated() {
        out += entry
        position += entry.count
        if index == entries.count - 1 { break }
        column += 1
        if column == columns {
          out += "\n"
          (position, column, end) = (0, 0, columnWidth)
        } else {
          let (text, reached) = tabs(from: position, to: end)
          out += text
          position = reached
          end += columnWidth
        }
      }
      if position > 0 { out += "\n" }
      return out
    }
    let rows = (entries.count + columns - 1) / columns
    for row in 0..<rows {
      var position = 0
      var end = columnWidth
      var index = row
      while true {
        out += entries[index]
        position += entries[index].count
        index += rows
        if index >= entries.count { break }
        let (text, reached) = tabs(from: position, to: end)
        out += text
        position = reached
        end += columnWidth
      }
      out += "\n"
    }
    return out
  }
}

extension UtilityContext {
  mutating func column(_ invocation: Invocation) -> CommandOutput {
    let options = Column.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    var width = Int(variables["COLUMNS"] ?? "") ?? 80
    if let value = options.values["c"] {
      guard let number = Int(value), number > 0 else {
        return .failure("column: invalid columns argument: '\(value)'")
      }
      width = number
    }
    let separators = Set(options.values["s"] ?? " \t")
    // Empty lines are left out, in both modes.
    let lines = inputs(options.operands, invocation: invocation, output: &output).flatMap {
      $0.bytes.lines
    }.filter { !$0.isEmpty }
    if options.has("t") {
      let rows = lines.map {
        Column.cells($0, separators: separators, greedy: options.values["s"] == nil)
      }.filter { !$0.isEmpty }
      output.print(Column.table(rows, separator: options.values["o"] ?? "  "))
    } else {
      output.print(Column.fill(lines, width: width, acrossFirst: options.has("x")))
    }
    return output
  }
}
