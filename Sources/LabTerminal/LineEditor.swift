internal import CEdit
import Foundation

/// The line editor people already know, from libedit: emacs keys, history kept across sessions
/// with Ctrl-R search, Tab completion, and long lines that wrap and redraw at any width.
///
/// Ctrl-C cancels the line being typed and never ends the program; Ctrl-D on an empty line is
/// the end of input. It runs in the process itself: no program is started.
public final class LineEditor {
  /// What reading a line gave.
  public enum Input: Equatable, Sendable {
    case line(String)
    /// Ctrl-C: the line is dropped.
    case cancelled
    /// Ctrl-D on an empty line, or the end of the input.
    case endOfInput
  }

  /// The candidates for the word before the cursor: full words, a directory ending in `/`.
  public typealias Completer = (_ line: String) -> (word: String, candidates: [String])

  private let editor: OpaquePointer
  private let history: OpaquePointer
  private let historyFile: String?
  private var prompt = strdup("") ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)
  private var wasCancelled = false
  private let completer: Completer?

  /// - Parameters:
  ///   - historyFile: Where the history is kept between sessions.
  ///   - completer: What Tab completes.
  public init?(historyFile: String? = nil, completer: Completer? = nil) {
    // libedit reads characters in the locale's encoding: UTF-8, whatever the environment says.
    if setlocale(LC_CTYPE, "").map({ String(cString: $0).lowercased().contains("utf") }) != true {
      setlocale(LC_CTYPE, "C.UTF-8")
    }
    guard let editor = layerlab_el_init("layerlab") else { return nil }
    guard let history = history_init() else {
      el_end(editor)
      return nil
    }
    self.editor = editor
    self.history = history
    self.historyFile = historyFile
    self.completer = completer
    layerlab_history_set_size(history, 1000)
    layerlab_history_set_unique(history)
    if let historyFile { layerlab_history_load(history, historyFile) }
    layerlab_el_set_editor(editor, "emacs")
    // libedit follows the terminal's size on SIGWINCH and restores it on a signal.
    layerlab_el_set_signal(editor, 1)
    layerlab_el_set_history(editor, history)
    layerlab_el_set_client(editor, Unmanaged.passUnretained(self).toOpaque())
    layerlab_el_set_prompt(editor) { editor in
      guard let editor else { return nil }
      return LineEditor.owner(of: editor).prompt
    }
    // Ctrl-C is a key while editing: it cancels the line instead of ending the program.
    layerlab_el_keep_interrupt_key(editor)
    layerlab_el_add_function(editor, "layerlab-cancel", "Cancel the line") { editor, _ in
      guard let editor else { return UInt8(CC_NEWLINE) }
      LineEditor.owner(of: editor).cancel()
      return UInt8(CC_NEWLINE)
    }
    layerlab_el_bind(editor, "^C", "layerlab-cancel")
    layerlab_el_add_function(editor, "layerlab-complete", "Complete the word") { editor, _ in
      guard let editor else { return UInt8(CC_NORM) }
      return LineEditor.owner(of: editor).complete()
    }
    layerlab_el_bind(editor, "^I", "layerlab-complete")
    // Home, End and Delete as xterm, tmux, screen and rxvt send them: unbound, libedit would
    // insert their last character.
    for (keys, function) in [
      ("\\e[1~", "ed-move-to-beg"), ("\\e[7~", "ed-move-to-beg"), ("\\e[H", "ed-move-to-beg"),
      ("\\eOH", "ed-move-to-beg"), ("\\e[4~", "ed-move-to-end"), ("\\e[8~", "ed-move-to-end"),
      ("\\e[F", "ed-move-to-end"), ("\\eOF", "ed-move-to-end"), ("\\e[3~", "ed-delete-next-char"),
      ("\\e[1;5C", "em-next-word"), ("\\e[1;5D", "ed-prev-word"),
    ] {
      layerlab_el_bind(editor, keys, function)
    }
  }

  deinit {
    el_end(editor)
    history_end(history)
    free(prompt)
  }

  private static func owner(of editor: OpaquePointer) -> LineEditor {
    Unmanaged<LineEditor>.fromOpaque(layerlab_el_get_client(editor)).takeUnretainedValue()
  }

  /// Reads one line after `prompt`.
  public func read(prompt text: String) -> Input {
    free(prompt)
    prompt = strdup(text) ?? prompt
    wasCancelled = false
    var count: Int32 = 0
    errno = 0
    guard let line = el_gets(editor, &count), count > 0 else {
      // Ctrl-C pressed just as the line editor took the terminal back interrupts its read:
      // the line is cancelled, and the shell is not left.
      if errno == EINTR {
        layerlab_print("^C\n")
        return .cancelled
      }
      return .endOfInput
    }
    var text = String(cString: line)
    if text.hasSuffix("\n") { text.removeLast() }
    if wasCancelled { return .cancelled }
    return .line(text)
  }

  /// Keeps a line in the history, and in the history file.
  public func remember(_ line: String) {
    guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
    layerlab_history_enter(history, line)
    if let historyFile {
      try? FileManager.default.createDirectory(
        atPath: (historyFile as NSString).deletingLastPathComponent,
        withIntermediateDirectories: true)
      layerlab_history_save(history, historyFile)
    }
  }

  // MARK: - Keys

  private func cancel() {
    wasCancelled = true
    guard let info = el_line(editor) else { return }
    // Show the whole line, then ^C after it, as bash does.
    el_cursor(editor, Int32(info.pointee.lastchar - info.pointee.cursor))
    layerlab_print("^C\n")
  }

  private func complete() -> UInt8 {
    guard let completer, let info = el_line(editor) else { return UInt8(CC_ERROR) }
    let length = info.pointee.cursor - info.pointee.buffer
    let bytes = UnsafeBufferPointer(
      start: UnsafeRawPointer(info.pointee.buffer).assumingMemoryBound(to: UInt8.self),
      count: length)
    let line = String(decoding: bytes, as: UTF8.self)
    let (word, candidates) = completer(line)
    guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
    let common = Self.commonPrefix(candidates)
    if common.count > word.count {
      var insertion = String(common.dropFirst(word.count))
      if candidates.count == 1, !common.hasSuffix("/") { insertion += " " }
      el_insertstr(editor, insertion)
      return UInt8(CC_REFRESH)
    }
    if candidates.count == 1 { return UInt8(CC_REFRESH) }
    // Several: list them under the line, as bash does on a second Tab.
    layerlab_print("\n" + Self.columns(candidates, width: Terminal.width))
    return UInt8(CC_REDISPLAY)
  }

  static func commonPrefix(_ words: [String]) -> String {
    guard var prefix = words.first else { return "" }
    for word in words.dropFirst() {
      while !word.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
  }

  /// Words in columns across the width, as `ls` lays them out.
  static func columns(_ words: [String], width: Int) -> String {
    let cell = (words.map(\.count).max() ?? 0) + 2
    let perLine = max(1, width / max(cell, 1))
    var out = ""
    for (index, word) in words.enumerated() {
      let last = index % perLine == perLine - 1 || index == words.count - 1
      out += last ? word + "\n" : word.padding(toLength: cell, withPad: " ", startingAt: 0)
    }
    return out
  }
}

@available(*, unavailable)
extension LineEditor: Sendable {}
