import ArgumentParser
import Foundation
import LabDocker
import LabImage
import LabShell

extension LayerLab {
  /// The interactive playground: a bash-like prompt over the sandbox.
  struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "shell",
      abstract:
        "Open a sandbox shell: Docker's image commands and a few utilities, nothing of the host.")

    @OptionGroup var options: StoreOptions

    @Option(
      help: ArgumentHelp(
        "Use DIR as the sandbox's home: commands can change files there (default: a workspace beside the store).",
        valueName: "dir"))
    var workdir: String?

    func run() throws {
      let terminal = isatty(0) != 0 && isatty(1) != 0
      var session = try options.session(workdir: workdir, isTerminal: isatty(1) != 0)
      var editor = LineEditor()
      while true {
        let prompt = session.sandbox.shell.prompt
        guard var line = terminal ? editor.read(prompt: prompt) : readPlainLine(prompt: prompt)
        else {
          if terminal { printOut("exit\n") }
          break
        }
        // An open quote, `if` or loop goes on at bash's `> ` prompt.
        while ShellParser.needsMoreInput(line),
          let more = terminal ? editor.read(prompt: "> ") : readPlainLine(prompt: "> ")
        {
          line += "\n" + more
        }
        if line.trimmingCharacters(in: .whitespaces) == "exit" && !session.sandbox.shell.isRoot {
          break
        }
        if line.trimmingCharacters(in: .whitespaces) == "exit" {
          session.sandbox.shell.isRoot = false
          continue
        }
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        editor.history.append(line)
        emit(session.run(line))
        if session.sandbox.shell.exitRequested != nil { break }
      }
    }

    private func readPlainLine(prompt: String) -> String? {
      printOut(prompt)
      return readLine(strippingNewline: true)
    }
  }
}

/// A small line editor for the playground: arrows, history, Ctrl-A/E/U/C/D.
struct LineEditor {
  var history: [String] = []

  mutating func read(prompt: String) -> String? {
    var original = termios()
    tcgetattr(0, &original)
    var raw = original
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON)
    tcsetattr(0, TCSANOW, &raw)
    defer { tcsetattr(0, TCSANOW, &original) }
    var line: [Character] = []
    var cursor = 0
    var historyIndex = history.count
    func redraw() {
      printOut("\r\u{1B}[2K" + prompt + String(line))
      let back = line.count - cursor
      if back > 0 { printOut("\u{1B}[\(back)D") }
    }
    printOut(prompt)
    var pending: [UInt8] = []
    while true {
      var byte: UInt8 = 0
      guard Foundation.read(0, &byte, 1) == 1 else { return nil }
      if !pending.isEmpty || byte == 0x1B {
        pending.append(byte)
        if pending.count < 3 { continue }
        switch pending[2] {
        case UInt8(ascii: "A") where historyIndex > 0:
          historyIndex -= 1
          line = Array(history[historyIndex])
          cursor = line.count
        case UInt8(ascii: "B") where historyIndex < history.count:
          historyIndex += 1
          line = historyIndex < history.count ? Array(history[historyIndex]) : []
          cursor = line.count
        case UInt8(ascii: "C") where cursor < line.count: cursor += 1
        case UInt8(ascii: "D") where cursor > 0: cursor -= 1
        default: break
        }
        pending = []
        redraw()
        continue
      }
      switch byte {
      case 10, 13:
        printOut("\n")
        return String(line)
      case 4:
        if line.isEmpty {
          printOut("\n")
          return nil
        }
      case 3:
        printOut("^C\n")
        line = []
        cursor = 0
        printOut(prompt)
      case 127, 8:
        if cursor > 0 {
          line.remove(at: cursor - 1)
          cursor -= 1
          redraw()
        }
      case 1:
        cursor = 0
        redraw()
      case 5:
        cursor = line.count
        redraw()
      case 21:
        line.removeFirst(cursor)
        cursor = 0
        redraw()
      default:
        guard byte >= 32 else { continue }
        var bytes = [byte]
        // Read the rest of a UTF-8 character.
        let extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0
        for _ in 0..<extra {
          var next: UInt8 = 0
          if Foundation.read(0, &next, 1) == 1 { bytes.append(next) }
        }
        for character in String(decoding: bytes, as: UTF8.self) {
          line.insert(character, at: cursor)
          cursor += 1
        }
        redraw()
      }
    }
  }
}
