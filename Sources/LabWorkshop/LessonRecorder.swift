import Foundation
import LabFiles
import LabLesson
import LabSnapshot

/// What recording a lesson changed.
public struct Recording: Sendable {
  /// One rewritten or filled output block: the lines it replaces (0-based start) and the new.
  public struct Change: Sendable {
    public var start: Int
    public var count: Int
    public var replacement: [String]
  }

  public var path: String
  /// The lesson as it was read.
  public var original: String
  /// The lesson with the new outputs.
  public var updated: String
  /// The blocks that change, top first.
  public var changes: [Change]
  public var report: LessonReport

  /// How many output blocks were rewritten or filled.
  public var changedBlocks: Int { changes.count }
  public var isUpToDate: Bool { original == updated }

  /// The lesson with only the chosen changes (`record --interactive`).
  public func keeping(_ chosen: Set<Int>) -> Recording {
    var copy = self
    copy.changes = changes.enumerated().filter { chosen.contains($0.offset) }.map(\.element)
    copy.updated = LessonRecorder.apply(copy.changes, to: original)
    return copy
  }

  /// A change as `diff` shows it: the lesson's lines it takes out, and the new ones.
  public func describe(_ change: Change) -> String {
    let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
    var out = "@@ \(path):\(change.start + 1) @@\n"
    for line in lines[
      min(change.start, lines.count)..<min(change.start + change.count, lines.count)]
    {
      out += "-\(line)\n"
    }
    for line in change.replacement { out += "+\(line)\n" }
    return out
  }
}

/// Writes a lesson's actual outputs back into it, keeping what the author wrote that still
/// holds.
///
/// Only the lines of an output that differ change: each failing step's unified diff is applied
/// to the lesson, so lines that still match keep the author's text (`...`, `[..]`, `(re)`,
/// their own IDs), and new lines show the author's IDs wherever they are bound. Passing steps,
/// the prose, fences and prompts are untouched.
public enum LessonRecorder {
  /// Runs the lesson and works out its new text; writes nothing.
  ///
  /// - Parameters:
  ///   - path: The lesson file.
  ///   - runner: How the lesson runs (registry, strictness, time limit).
  ///   - fill: Whether a command the lesson shows no output for gets its output written after
  ///     it (prompt-style blocks only).
  /// - Returns: The lesson's old and new text.
  /// - Throws: ``LessonError`` for a lesson that cannot be read or parsed.
  public static func record(path: String, runner: LessonRunner, fill: Bool) throws(LessonError)
    -> Recording
  {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path)
    }
    let original = String(decoding: data, as: UTF8.self)
    let lesson = try LessonParser.parse(contentsOf: path)
    let report = runner.run(lesson, directory: PathText.parent(path))
    let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let restore = authorIDs(report.bindings)
    /// Edits by the lesson line they start at: the lines they replace, and the new lines.
    var edits: [(start: Int, count: Int, replacement: [String])] = []
    for (step, stepReport) in zip(lesson.steps, report.steps) {
      guard case .command(let command) = step else { continue }
      if let expected = command.expected, stepReport.outcome == .failed,
        let actual = stepReport.actual
      {
        // A status the lesson asserts is the author's to change.
        if let status = expected.status, !status.accepts(stepReport.status) { continue }
        edits.append(
          edit(
            expected: expected, hunk: stepReport.hunk, actual: actual, lines: lines,
            restore: restore))
      } else if fill, command.expected == nil, let actual = stepReport.actual, !actual.isEmpty,
        isPromptLine(lines, command.location.line), !command.command.contains("\n")
      {
        let output = actual.split(separator: "\n", omittingEmptySubsequences: false).dropLast(
          actual.hasSuffix("\n") ? 1 : 0
        ).map { restore(String($0)) }
        edits.append((command.location.line, 0, output))
      }
    }
    let changes = edits.sorted { $0.start < $1.start }.map {
      Recording.Change(start: $0.start, count: $0.count, replacement: $0.replacement)
    }
    return Recording(
      path: path, original: original, updated: apply(changes, to: original), changes: changes,
      report: report)
  }

  /// The lesson text with `changes` made, from the bottom up so line numbers stay right.
  static func apply(_ changes: [Recording.Change], to text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for change in changes.sorted(by: { $0.start > $1.start }) {
      let start = max(0, min(lines.count, change.start))
      let end = min(lines.count, start + change.count)
      lines.replaceSubrange(start..<end, with: change.replacement)
    }
    return lines.joined(separator: "\n")
  }

  /// The lines of a failing output block, rewritten.
  ///
  /// The step's diff is applied where there is one, the whole output replaces the block
  /// otherwise. `start` is a 0-based index into the file's lines.
  static func edit(
    expected: Expectation, hunk: [DiffLine], actual: String, lines: [String],
    restore: (String) -> String
  ) -> (start: Int, count: Int, replacement: [String]) {
    let numbered = hunk.compactMap(\.expectedLine)
    let complete = hunk.contains { $0.kind == .context } || hunk.contains { $0.kind == .added }
    if let first = numbered.min(), let last = numbered.max(), complete {
      var replacement: [String] = []
      /// Lines removed and added since the last context line.
      var removed: [String] = []
      var added: [String] = []
      func flush() {
        // An elision line (`...`) goes on standing for the lines the output has in its place:
        // the lines around it pair with as many new lines at either end.
        if let mark = removed.firstIndex(where: isElision) {
          let before = mark
          let after = removed.count - mark - 1
          replacement += added.prefix(before).map(restore)
          replacement.append(removed[mark])
          replacement += added.dropFirst(before).suffix(after).map(restore)
        } else {
          replacement += added.map(restore)
        }
        removed = []
        added = []
      }
      for line in hunk {
        switch line.kind {
        case .context:
          flush()
          // The author's own line, byte for byte.
          if let number = line.expectedLine, number - 1 < lines.count {
            replacement.append(lines[number - 1])
          }
        case .added: added.append(line.text)
        case .removed:
          if let number = line.expectedLine, number - 1 < lines.count {
            removed.append(lines[number - 1])
          }
        }
      }
      flush()
      return (first - 1, last - first + 1, replacement)
    }
    // No diff to apply (a table or JSON compared as data): the whole output, IDs restored.
    let count =
      expected.text.split(separator: "\n", omittingEmptySubsequences: false).count
      - (expected.text.hasSuffix("\n") ? 1 : 0)
    var output = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if actual.hasSuffix("\n") { output.removeLast() }
    return (expected.location.line - 1, count, output.map(restore))
  }

  /// Whether a line elides output, as `...`, `…` or `-SNIP-` do.
  static func isElision(_ line: String) -> Bool {
    ["...", "…", "-SNIP-", "[...]"].contains(line.trimmingCharacters(in: .whitespaces))
  }

  /// Whether a lesson line (1-based) is a prompt line, after which an output can be written.
  static func isPromptLine(_ lines: [String], _ number: Int) -> Bool {
    guard number >= 1, number <= lines.count else { return false }
    let line = lines[number - 1]
    return line.hasPrefix("$ ") || line.hasPrefix("# ")
  }

  /// Rewrites the learner's IDs in a line back to the author's, full and short.
  static func authorIDs(_ pairs: [Bindings.Pair]) -> @Sendable (String) -> String {
    let replacements = pairs.flatMap { pair -> [(String, String)] in
      var forms = [(pair.actual, pair.author)]
      if pair.actual.count > 12, pair.author.count > 12 {
        forms.append((String(pair.actual.prefix(12)), String(pair.author.prefix(12))))
      }
      return forms
    }.sorted { $0.0.count > $1.0.count }
    return { line in
      var text = line
      for (actual, author) in replacements where !actual.isEmpty {
        text = replacingWholeIDs(actual, with: author, in: text)
      }
      return text
    }
  }

  /// Replaces `id` where it stands alone, not inside a longer run of hex digits.
  static func replacingWholeIDs(_ id: String, with author: String, in text: String) -> String {
    var result = ""
    var rest = Substring(text)
    func isHex(_ character: Character?) -> Bool { character?.isHexDigit ?? false }
    while let range = rest.range(of: id) {
      let before =
        range.lowerBound == rest.startIndex
        ? result.last : rest[rest.index(before: range.lowerBound)]
      let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
      result += rest[..<range.lowerBound]
      result += isHex(before) || isHex(after) ? id : author
      rest = rest[range.upperBound...]
    }
    return result + rest
  }

  /// Writes the recording through a temporary file and a rename, so a killed run leaves the
  /// lesson whole; refuses when the lesson changed since it was read.
  public static func write(_ recording: Recording) throws(LessonError) {
    guard !recording.isUpToDate else { return }
    guard let now = FileManager.default.contents(atPath: recording.path),
      String(decoding: now, as: UTF8.self) == recording.original
    else {
      throw .badDirective(
        SourceLocation(file: recording.path, line: 1),
        "the lesson changed while it was recorded; nothing was written")
    }
    let directory = PathText.parent(recording.path)
    let temporary = "\(directory)/.\(PathText.name(recording.path)).record-\(UUID().uuidString)"
    var mode: mode_t = 0o644
    var status = stat()
    if stat(recording.path, &status) == 0 { mode = status.st_mode & 0o777 }
    do {
      try HostPaths.createFile(temporary, contents: Array(recording.updated.utf8), mode: mode)
    } catch {
      throw .badDirective(
        SourceLocation(file: recording.path, line: 1), "cannot write the lesson: \(error)")
    }
    guard rename(temporary, recording.path) == 0 else {
      unlink(temporary)
      throw .badDirective(
        SourceLocation(file: recording.path, line: 1),
        "cannot write the lesson: \(String(cString: strerror(errno)))")
    }
  }

  /// The change as `diff -u` shows it, one hunk per changed region.
  public static func unifiedDiff(_ recording: Recording) -> String {
    let old = recording.original.split(separator: "\n", omittingEmptySubsequences: false)
    let new = recording.updated.split(separator: "\n", omittingEmptySubsequences: false)
    guard old != new else { return "" }
    var prefix = 0
    while prefix < min(old.count, new.count), old[prefix] == new[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < min(old.count, new.count) - prefix,
      old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
    {
      suffix += 1
    }
    let context = 3
    let start = max(0, prefix - context)
    let oldEnd = min(old.count, old.count - suffix + context)
    let newEnd = min(new.count, new.count - suffix + context)
    var out = "--- \(recording.path)\n+++ \(recording.path)\n"
    out += "@@ -\(start + 1),\(oldEnd - start) +\(start + 1),\(newEnd - start) @@\n"
    for line in old[start..<prefix] { out += " \(line)\n" }
    for line in old[prefix..<(old.count - suffix)] { out += "-\(line)\n" }
    for line in new[prefix..<(new.count - suffix)] { out += "+\(line)\n" }
    for line in old[(old.count - suffix)..<oldEnd] { out += " \(line)\n" }
    return out
  }
}
