import Foundation

/// Runs ``DiveExplorer`` full screen on the process's terminal: raw input, the alternate
/// screen, a redraw whenever the size changes; the terminal is given back as it was on every
/// way out (`q`, Ctrl-C, end of input, a hang-up or termination signal).
public enum DiveTerminal {
  /// Shows the explorer until the user quits.
  ///
  /// Returns false, touching nothing, when standard input and output are not a terminal.
  @discardableResult
  public static func run(_ explorer: DiveExplorer) -> Bool {
    guard isatty(0) != 0, isatty(1) != 0 else { return false }
    var original = termios()
    guard tcgetattr(0, &original) == 0 else { return false }
    var raw = original
    // Raw input: no echo, no line editing, Ctrl-C and Ctrl-Z as keys, CR not turned into NL.
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    raw.c_cflag |= tcflag_t(CS8)
    guard tcsetattr(0, TCSAFLUSH, &raw) == 0 else { return false }
    Restore.save(original)
    let previousHangUp = signal(SIGHUP, Restore.handler)
    let previousTerminate = signal(SIGTERM, Restore.handler)
    write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
    defer {
      write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
      var saved = original
      tcsetattr(0, TCSAFLUSH, &saved)
      signal(SIGHUP, previousHangUp)
      signal(SIGTERM, previousTerminate)
      Restore.clear()
    }
    var explorer = explorer
    var size = terminalSize()
    draw(&explorer, size)
    var pending: [UInt8] = []
    while true {
      var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, 100)
      let now = terminalSize()
      if now != size {
        size = now
        draw(&explorer, size)
      }
      guard ready > 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 256)
      let count = read(0, &buffer, buffer.count)
      // The end of input (the terminal went away) ends the view too.
      guard count > 0 else { return true }
      pending += buffer[0..<count]
      var keys: [DiveExplorer.Key] = []
      (keys, pending) = parseKeys(pending)
      for key in keys where !explorer.handle(key) { return true }
      if !keys.isEmpty { draw(&explorer, size) }
    }
  }

  /// The keys in `bytes`, and what is left of an escape sequence not yet complete.
  public static func parseKeys(_ bytes: [UInt8]) -> ([DiveExplorer.Key], [UInt8]) {
    var keys: [DiveExplorer.Key] = []
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == 0x1B {
        guard index + 1 < bytes.count else {
          // A lone Escape: nothing to do in this view.
          return (keys, [])
        }
        let next = bytes[index + 1]
        if next == UInt8(ascii: "[") || next == UInt8(ascii: "O") {
          var end = index + 2
          while end < bytes.count, !(0x40...0x7E).contains(bytes[end]) { end += 1 }
          guard end < bytes.count else { return (keys, Array(bytes[index...])) }
          let body = String(decoding: bytes[(index + 2)...end], as: UTF8.self)
          switch body {
          case "A": keys.append(.up)
          case "B": keys.append(.down)
          case "C": keys.append(.right)
          case "D": keys.append(.left)
          case "5~": keys.append(.pageUp)
          case "6~": keys.append(.pageDown)
          default: break
          }
          index = end + 1
          continue
        }
        index += 1
        continue
      }
      switch byte {
      case 0x09: keys.append(.tab)
      case 0x20: keys.append(.space)
      case 0x01...0x1A: keys.append(.control(Character(UnicodeScalar(byte + 0x60))))
      case 0x21...0x7E: keys.append(.character(Character(UnicodeScalar(byte))))
      default: break
      }
      index += 1
    }
    return (keys, [])
  }

  private struct Size: Equatable {
    var width: Int
    var height: Int
  }

  private static func terminalSize() -> Size {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
      return Size(width: Int(size.ws_col), height: Int(size.ws_row))
    }
    return Size(width: 80, height: 24)
  }

  private static func draw(_ explorer: inout DiveExplorer, _ size: Size) {
    let lines = explorer.render(width: size.width, height: size.height)
    var frame = "\u{1B}[H"
    for (number, line) in lines.enumerated() {
      frame += line + "\u{1B}[0m\u{1B}[K"
      if number < lines.count - 1 { frame += "\r\n" }
    }
    write(frame)
  }

  private static func write(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
      if written <= 0 { return }
      bytes = bytes.dropFirst(written)
    }
  }

  /// The terminal's settings while the view is up, for a signal handler to put back.
  private enum Restore {
    /// Written before the handlers are installed and read only by them: a signal handler
    /// can reach nothing but globals.
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var isSaved = false

    static func save(_ settings: termios) {
      saved = settings
      isSaved = true
    }

    static func clear() { isSaved = false }

    static let handler: @convention(c) (Int32) -> Void = { number in
      if Restore.isSaved {
        let text = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)
        _ = text.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        tcsetattr(0, TCSAFLUSH, &Restore.saved)
      }
      signal(number, SIG_DFL)
      raise(number)
    }
  }
}
