import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `diff`: compares files line by line, or directories, in GNU diffutils' normal and unified
/// formats, with its exit status: 0 the same, 1 different, 2 trouble.
///
/// Lessons use it to show what a `RUN` changed in a file, or what `docker cp` brought out.
struct Diff: Utility {
  static let name = "diff"
  static let options = OptionSpec(
    "uqrNs", values: "U",
    long: [
      "unified": "u", "brief": "q", "recursive": "r", "new-file": "N",
      "report-identical-files": "s", "color": OptionSpec.ignored,
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.diff(invocation)
  }

  /// A file's text as diff reads it: lines, and whether the last one lacks its newline.
  struct Text {
    var lines: [String]
    var isIncomplete: Bool
    var isBinary: Bool

    init(_ bytes: [UInt8]) {
      lines = bytes.lines
      isIncomplete = !bytes.isEmpty && bytes.last != 10
      // GNU looks for a NUL in the first buffer it reads.
      isBinary = bytes.prefix(32768).contains(0)
    }
  }

  /// How the changes are printed.
  struct Format {
    var unified: Int?
    var brief: Bool
  }

  /// The text of one side of a change: `< line` or `-line`, and GNU's note after a last line
  /// without its newline.
  static func lines(_ text: Text, _ range: Range<Int>, prefix: String) -> String {
    var out = ""
    for index in range {
      out += prefix + text.lines[index] + "\n"
      if index == text.lines.count - 1 && text.isIncomplete {
        out += "\\ No newline at end of file\n"
      }
    }
    return out
  }

  /// `3`, or `3,5`: 1-based lines of a normal diff's range; an empty range names the line
  /// before it.
  static func normalRange(_ start: Int, _ count: Int) -> String {
    count <= 1 ? String(start + max(count, 0)) : "\(start + 1),\(start + count)"
  }

  /// A unified hunk's range: `-3,5`, `-3` for one line, `-2,0` for none.
  static func unifiedRange(_ start: Int, _ count: Int) -> String {
    switch count {
    case 0: "\(start),0"
    case 1: String(start + 1)
    default: "\(start + 1),\(count)"
    }
  }

  /// The changes between two texts in normal or unified format; empty when they are equal.
  static func body(_ old: Text, _ new: Text, context: Int?) -> String {
    var numbers: [String: Int] = [:]
    func key(_ text: Text, _ index: Int) -> Int {
      // A last line without its newline differs from the same line with one.
      let incomplete = index == text.lines.count - 1 && text.isIncomplete
      let line = incomplete ? text.lines[index] + "\n\u{0}" : text.lines[index]
      if let number = numbers[line] { return number }
      numbers[line] = numbers.count
      return numbers.count - 1
    }
    let comparison = LineComparison(
      old.lines.indices.map { key(old, $0) }, new.lines.indices.map { key(new, $0) },
      horizon: context ?? 0)
    let changes = comparison.changes
    guard let context else {
      var out = ""
      for change in changes {
        let letter = change.inserted == 0 ? "d" : change.deleted == 0 ? "a" : "c"
        out +=
          normalRange(change.old, change.deleted) + letter
          + normalRange(change.new, change.inserted) + "\n"
        out += lines(old, change.old..<(change.old + change.deleted), prefix: "< ")
        if change.deleted > 0 && change.inserted > 0 { out += "---\n" }
        out += lines(new, change.new..<(change.new + change.inserted), prefix: "> ")
      }
      return out
    }
    // Changes closer than twice the context share a hunk.
    var hunks: [[LineComparison.Change]] = []
    for change in changes {
      if let last = hunks.last?.last, change.old - (last.old + last.deleted) <= 2 * context {
        hunks[hunks.count - 1].append(change)
      } else {
        hunks.append([change])
      }
    }
    var out = ""
    for hunk in hunks {
      guard let first = hunk.first, let last = hunk.last else { continue }
      let oldStart = max(0, first.old - context)
      let newStart = max(0, first.new - context)
      let oldEnd = min(old.lines.count, last.old + last.deleted + context)
      let newEnd = min(new.lines.count, last.new + last.inserted + context)
      out +=
        "@@ -\(unifiedRange(oldStart, oldEnd - oldStart)) +\(unifiedRange(newStart, newEnd - newStart)) @@\n"
      var position = oldStart
      for change in hunk {
        out += lines(old, position..<change.old, prefix: " ")
        out += lines(old, change.old..<(change.old + change.deleted), prefix: "-")
        out += lines(new, change.new..<(change.new + change.inserted), prefix: "+")
        position = change.old + change.deleted
      }
      out += lines(old, position..<oldEnd, prefix: " ")
    }
    return out
  }

  /// `2024-09-01 12:00:00.000000000 +0000`, the time GNU's unified header gives a file.
  static func timestamp(_ date: Date) -> String {
    let seconds = date.timeIntervalSince1970.rounded(.down)
    let nanoseconds = Int(((date.timeIntervalSince1970 - seconds) * 1e9).rounded())
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    let fraction = String(min(nanoseconds, 999_999_999))
    return formatter.string(from: Date(timeIntervalSince1970: seconds)) + "."
      + String(repeating: "0", count: 9 - fraction.count) + fraction + " +0000"
  }
}

extension UtilityContext {
  mutating func diff(_ invocation: Invocation) -> CommandOutput {
    let options = Diff.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) {
      var failure = invalid
      failure.status = 2
      return failure
    }
    var context: Int?
    if let value = options.values["U"] {
      guard let number = Int(value), number >= 0 else {
        return .failure(
          "diff: invalid context length '\(value)'\ndiff: Try 'diff --help' for more information.",
          status: 2)
      }
      context = number
    } else if options.has("u") {
      context = 3
    }
    guard options.operands.count == 2 else {
      let message =
        options.operands.count < 2
        ? "missing operand after '\(options.operands.last ?? "diff")'"
        : "extra operand '\(options.operands[2])'"
      return .failure("diff: \(message)\ndiff: Try 'diff --help' for more information.", status: 2)
    }
    // GNU names the options as they were given in the `diff` line it prints for each pair of
    // files in directories.
    let switches = invocation.arguments.filter { $0.hasPrefix("-") && $0 != "-" && $0 != "--" }
    var run = DiffRun(
      context: self, unified: context, brief: options.has("q"), recursive: options.has("r"),
      newFiles: options.has("N"), reportIdentical: options.has("s"),
      header: (["diff"] + switches).joined(separator: " "))
    var (old, new) = (options.operands[0], options.operands[1])
    // `diff file dir` compares the file with the one of its name in the directory.
    let oldInfo = run.info(old)
    let newInfo = run.info(new)
    if oldInfo?.kind == .directory, newInfo != nil, newInfo?.kind != .directory, new != "-" {
      old += "/" + PathText.name(new)
    } else if newInfo?.kind == .directory, oldInfo != nil, oldInfo?.kind != .directory, old != "-" {
      new += "/" + PathText.name(old)
    }
    run.compare(old, new, input: invocation.input, topLevel: true, depth: 0)
    if run.output.status == 0 && run.differ { run.output.status = 1 }
    return run.output
  }
}

/// One `diff` command's walk over its operands.
private struct DiffRun {
  var context: UtilityContext
  let unified: Int?
  let brief: Bool
  let recursive: Bool
  let newFiles: Bool
  let reportIdentical: Bool
  let header: String
  var output = CommandOutput()
  var differ = false

  func info(_ path: String) -> FileInfo? {
    if path == "-" || path == "/dev/null" {
      return FileInfo(
        kind: .file, size: 0, mode: 0o644, modified: context.now, links: 1, inode: 0, blocks: 0,
        owner: "", linkTarget: nil)
    }
    return try? context.fileSystem.info(path, from: context.directory)
  }

  mutating func trouble(_ message: String) {
    output.printError("diff: \(message)\n")
    output.status = 2
  }

  mutating func compare(_ old: String, _ new: String, input: [UInt8], topLevel: Bool, depth: Int) {
    var oldInfo = info(old)
    var newInfo = info(new)
    if oldInfo == nil && newInfo == nil || !newFiles && (oldInfo == nil || newInfo == nil) {
      for (path, found) in [(old, oldInfo), (new, newInfo)] where found == nil {
        trouble("\(path): No such file or directory")
      }
      return
    }
    // `-N`: a missing file is an empty one, of the other's kind.
    let absent = FileInfo(
      kind: .file, size: 0, mode: 0, modified: Date(timeIntervalSince1970: 0), links: 0,
      inode: 0, blocks: 0, owner: "", linkTarget: nil)
    if oldInfo == nil { oldInfo = newInfo?.kind == .directory ? newInfo : absent }
    if newInfo == nil { newInfo = oldInfo?.kind == .directory ? oldInfo : absent }
    guard let oldInfo, let newInfo else { return }
    if oldInfo.kind == .directory && newInfo.kind == .directory {
      guard topLevel || recursive else {
        output.print("Common subdirectories: \(old) and \(new)\n")
        return
      }
      guard depth < Limits.directoryDepth else {
        trouble("\(old): too deeply nested")
        return
      }
      compareDirectories(old, new, input: input, depth: depth)
      return
    }
    if oldInfo.kind == .directory || newInfo.kind == .directory {
      func kind(_ info: FileInfo) -> String {
        info.kind == .directory ? "directory" : UtilityContext.fileTypeName(info)
      }
      output.print(
        "File \(old) is a \(kind(oldInfo)) while file \(new) is a \(kind(newInfo))\n")
      differ = true
      return
    }
    func read(_ path: String, _ info: FileInfo) -> [UInt8]? {
      if path == "-" { return input }
      if path == "/dev/null" || info.links == 0 { return [] }
      do {
        return try context.fileSystem.read(path, from: context.directory)
      } catch {
        trouble("\(path): \(error)")
        return nil
      }
    }
    guard let oldBytes = read(old, oldInfo), let newBytes = read(new, newInfo) else { return }
    guard oldBytes != newBytes else {
      if reportIdentical { output.print("Files \(old) and \(new) are identical\n") }
      return
    }
    differ = true
    let oldText = Diff.Text(oldBytes)
    let newText = Diff.Text(newBytes)
    if brief || oldText.isBinary || newText.isBinary {
      output.print("\(brief ? "Files" : "Binary files") \(old) and \(new) differ\n")
      return
    }
    if !topLevel { output.print("\(header) \(old) \(new)\n") }
    if unified != nil {
      output.print("--- \(old)\t\(Diff.timestamp(oldInfo.modified))\n")
      output.print("+++ \(new)\t\(Diff.timestamp(newInfo.modified))\n")
    }
    output.print(Diff.body(oldText, newText, context: unified))
  }

  mutating func compareDirectories(_ old: String, _ new: String, input: [UInt8], depth: Int) {
    var names: [String: (old: Bool, new: Bool)] = [:]
    do {
      for name in try context.fileSystem.list(old, from: context.directory) {
        names[name, default: (false, false)].old = true
      }
    } catch {
      if info(old) != nil { return trouble("\(old): \(error)") }
    }
    do {
      for name in try context.fileSystem.list(new, from: context.directory) {
        names[name, default: (false, false)].new = true
      }
    } catch {
      if info(new) != nil { return trouble("\(new): \(error)") }
    }
    for name in names.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    {
      if Budget.shouldStop() != nil { return }
      guard let sides = names[name] else { continue }
      let oldPath = old + "/" + name
      let newPath = new + "/" + name
      if !sides.old || !sides.new, !newFiles {
        output.print("Only in \(sides.old ? old : new): \(name)\n")
        differ = true
        continue
      }
      compare(oldPath, newPath, input: input, topLevel: false, depth: depth + 1)
    }
  }
}
