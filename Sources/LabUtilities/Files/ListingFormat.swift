import Foundation
import LabFiles

/// GNU `ls` output: the 80-column grid with tab padding, `-1`, and the long format.
enum Listing {
  static let lineLength = 80
  static let tabSize = 8

  /// Names in columns, filled down then across, as GNU ls lays them out on a terminal.
  static func columns(_ names: [String]) -> String {
    guard !names.isEmpty else { return "" }
    let widths = names.map(displayWidth)
    let maxColumns = max(1, min(names.count, lineLength / 3))
    var best = 1
    var bestWidths = [widths.max() ?? 0]
    for columns in stride(from: maxColumns, through: 1, by: -1) {
      let rows = (names.count + columns - 1) / columns
      var columnWidths = Array(repeating: 3, count: columns)
      for (index, width) in widths.enumerated() {
        let column = index / rows
        let real = width + (column == columns - 1 ? 0 : 2)
        columnWidths[column] = max(columnWidths[column], real)
      }
      if columnWidths.reduce(0, +) < lineLength {
        best = columns
        bestWidths = columnWidths
        break
      }
    }
    let rows = (names.count + best - 1) / best
    var out = ""
    for row in 0..<rows {
      var index = row
      var column = 0
      var position = 0
      while true {
        out += names[index]
        let width = widths[index]
        let columnWidth = bestWidths[column]
        column += 1
        index += rows
        if index >= names.count { break }
        out += indent(from: position + width, to: position + columnWidth)
        position += columnWidth
      }
      out += "\n"
    }
    return out
  }

  /// GNU's padding: tabs where a tab stop fits, spaces for the rest.
  static func indent(from start: Int, to end: Int) -> String {
    var from = start
    var out = ""
    while from < end {
      if end / tabSize > (from + 1) / tabSize {
        out += "\t"
        from += tabSize - from % tabSize
      } else {
        out += " "
        from += 1
      }
    }
    return out
  }

  static func displayWidth(_ text: String) -> Int { text.count }

  /// `ls -h` sizes: powers of 1024, one decimal below 10, rounded up.
  static func humanSize(_ bytes: Int64) -> String {
    guard bytes >= 1024 else { return String(bytes) }
    let units = ["K", "M", "G", "T", "P"]
    var value = Double(bytes)
    var unit = -1
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if value < 10 {
      let rounded = (value * 10).rounded(.up) / 10
      if rounded >= 10 { return "10" + units[unit] }
      return String(format: "%.1f", rounded) + units[unit]
    }
    let rounded = value.rounded(.up)
    if rounded >= 1024, unit < units.count - 1 { return "1.0" + units[unit + 1] }
    return String(Int(rounded)) + units[unit]
  }

  static func permissions(_ info: FileInfo) -> String {
    let type: Character
    switch info.kind {
    case .directory: type = "d"
    case .symlink: type = "l"
    case .characterDevice: type = "c"
    case .blockDevice: type = "b"
    case .fifo: type = "p"
    case .socket: type = "s"
    case .file: type = "-"
    }
    var text = String(type)
    let bits: [(UInt32, Character)] = [
      (0o400, "r"), (0o200, "w"), (0o100, "x"), (0o040, "r"), (0o020, "w"), (0o010, "x"),
      (0o004, "r"),
      (0o002, "w"), (0o001, "x"),
    ]
    for (index, (bit, letter)) in bits.enumerated() {
      var character: Character = info.mode & bit != 0 ? letter : "-"
      if index == 2, info.mode & 0o4000 != 0 { character = character == "x" ? "s" : "S" }
      if index == 5, info.mode & 0o2000 != 0 { character = character == "x" ? "s" : "S" }
      if index == 8, info.mode & 0o1000 != 0 { character = character == "x" ? "t" : "T" }
      text.append(character)
    }
    return text
  }

  /// `Aug 13 00:20` for recent times, `Aug 13  2023` for old or future ones.
  static func date(_ date: Date, now: Date) -> String {
    let calendar = { () -> Calendar in
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
      return calendar
    }()
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    let month = months[((parts.month ?? 1) - 1) % 12]
    let day = parts.day ?? 1
    let dayText = day < 10 ? " \(day)" : "\(day)"
    let sixMonths: TimeInterval = 31_556_952 / 2
    let recent = date <= now.addingTimeInterval(60) && now.timeIntervalSince(date) < sixMonths
    if recent {
      let hour = parts.hour ?? 0
      let minute = parts.minute ?? 0
      return "\(month) \(dayText) \(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)"
    }
    return "\(month) \(dayText)  \(parts.year ?? 1970)"
  }
}
