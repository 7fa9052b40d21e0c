import Foundation

/// The terminal LayerLab talks to: whether there is one, how wide it is, and whether colours
/// are wanted.
public enum Terminal {
  /// Whether standard input and output are both a terminal: a person is typing.
  public static var isInteractive: Bool { isatty(0) != 0 && isatty(1) != 0 }

  /// The width in columns: the terminal's, else `COLUMNS`, else 80.
  public static var width: Int {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init),
      columns > 0
    {
      return columns
    }
    return 80
  }

  /// Whether to colour output: only on a terminal, and never with `NO_COLOR`.
  public static var usesColor: Bool {
    isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  }
}

extension Terminal {
  /// `text` broken at spaces into lines of at most `width` columns.
  ///
  /// Lines after the first start with `indent`; a word longer than the width stands alone.
  public static func wrap(_ text: String, width: Int, indent: String = "") -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      let prefix = lines.isEmpty ? "" : indent
      if current.isEmpty {
        current = prefix + word
      } else if current.count + 1 + word.count <= width {
        current += " " + word
      } else {
        lines.append(current)
        current = indent + word
      }
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
  }
}
