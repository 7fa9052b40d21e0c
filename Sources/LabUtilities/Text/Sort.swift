import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `sort`: sorts lines, by key, numbers and human sizes too.
///
/// An external merge sort, so that it holds a bounded part of its input, whatever its size:
/// lines gather into a run of at most ``runBytes`` (less with `-S`), each full run is sorted
/// and spilled to a file of the sandbox's `/tmp` (the session's own scratch space, charged to
/// its disk quota, removed before `sort` returns), and the runs are then merged, at most
/// ``mergeWidth`` at once. Its output goes straight to a file it is redirected to.
struct Sort: Utility {
  static let name = "sort"
  static let options = OptionSpec(
    "rnufhV", values: "ktS",
    long: [
      "reverse": "r", "numeric-sort": "n", "human-numeric-sort": "h", "unique": "u",
      "version-sort": "V",
      "ignore-case": "f", "key": "k", "field-separator": "t", "buffer-size": "S",
    ])

  /// The most line bytes one run holds in memory: with its index, the run takes some three
  /// times this, well inside the 64 MiB a command may hold.
  static let runBytes = 4 << 20
  /// How many runs one merge reads at once, as GNU's `--batch-size` default.
  static let mergeWidth = 16

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Sort.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var order = SortOrder(options: options)
    if let spec = options.values["k"] {
      let key = UtilityContext.sortKeyField(spec)
      if let error = key.error { return .failure("sort: \(error)", status: 2) }
      order.field = key.field
    }
    var limit = runBytes
    if let size = options.values["S"] {
      switch SortBufferSize.parse(size) {
      case .bytes(let bytes): limit = max(1, min(limit, bytes))
      case .failure(let message): return .failure("sort: \(message)", status: 2)
      }
    }
    var output = CommandOutput(streamingTo: invocation.standardOutput)
    let files = context.inputChunks(options.operands, invocation: invocation, output: &output)
    var sorter = ExternalSort(
      order: order, runLimit: limit, fileSystem: context.fileSystem)
    defer { sorter.removeSpills() }
    for var file in files {
      do {
        let stopped = try file.chunks.forEachLine { line in sorter.add(line) }
        if stopped != nil {
          output.status = 1
          return output
        }
      } catch {
        output.printError("sort: \(file.name): \(error)\n")
        output.status = 1
      }
    }
    if sorter.merge(into: &output, unique: options.has("u")) != nil { output.status = 1 }
    return output
  }
}

/// How `sort` orders lines: the options that decide it, and a line's key under them.
struct SortOrder {
  /// `-k`'s first field: the key is the fields from there on, joined by spaces.
  var field: Int?
  /// `-t`, as bytes; blanks separate fields without it.
  var separator: [UInt8]?
  var numeric: Bool
  var human: Bool
  var version: Bool
  var folded: Bool
  var reverse: Bool

  init(options: Options) {
    separator = options.values["t"].flatMap(\.first).map { Array(String($0).utf8) }
    numeric = options.has("n")
    human = options.has("h")
    version = options.has("V")
    folded = options.has("f")
    reverse = options.has("r")
  }

  /// Whether the key is also read as text (numbers, versions, case).
  var readsText: Bool { numeric || human || version || folded }

  /// The key of `line` appended to `keys`: the fields from ``field`` on, joined by spaces, or
  /// nothing when there is no `-k` (the key is the line).
  func appendKey(of line: UnsafeBufferPointer<UInt8>, to keys: inout [UInt8]) {
    guard let field else { return }
    var number = 1
    var index = 0
    let count = line.count
    if let separator {
      // Fields split at each separator; empty fields count.
      while number < field {
        guard let next = Self.find(separator, in: line, from: index) else { return }
        index = next + separator.count
        number += 1
      }
      while let next = Self.find(separator, in: line, from: index) {
        keys.append(contentsOf: line[index..<next])
        keys.append(32)
        index = next + separator.count
      }
      keys.append(contentsOf: line[index..<count])
      return
    }
    // Fields are runs of other bytes than blanks.
    func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
    var first = true
    while index < count {
      while index < count, isBlank(line[index]) { index += 1 }
      guard index < count else { return }
      let start = index
      while index < count, !isBlank(line[index]) { index += 1 }
      if number >= field {
        if !first { keys.append(32) }
        keys.append(contentsOf: line[start..<index])
        first = false
      }
      number += 1
    }
  }

  static func find(_ needle: [UInt8], in line: UnsafeBufferPointer<UInt8>, from start: Int)
    -> Int?
  {
    guard let first = needle.first, line.count >= needle.count else { return nil }
    var index = start
    while index <= line.count - needle.count {
      if line[index] == first,
        needle.count == 1 || Array(line[index..<(index + needle.count)]) == needle
      {
        return index
      }
      index += 1
    }
    return nil
  }

  /// What the options read from a key's text, made once a line.
  final class TextKey {
    let numbers: [Double]
    let version: [UtilityContext.VersionPart]
    let folded: String

    init(_ text: String, order: SortOrder) {
      numbers =
        order.numeric || order.human ? UtilityContext.numericKey(text, human: order.human) : []
      version = order.version ? UtilityContext.versionKey(text) : []
      folded = order.folded ? text.lowercased() : ""
    }
  }

  func textKey(_ key: UnsafeBufferPointer<UInt8>) -> TextKey? {
    readsText ? TextKey(String(decoding: key, as: UTF8.self), order: self) : nil
  }

  /// The key of a line and its text, as a line read back from a spilled run needs them.
  func key(of line: [UInt8]) -> (key: [UInt8], text: TextKey?) {
    line.withUnsafeBufferPointer { line in
      guard field != nil else { return ([], textKey(line)) }
      var key: [UInt8] = []
      appendKey(of: line, to: &key)
      return (key, key.withUnsafeBufferPointer { textKey($0) })
    }
  }

  /// Compares two lines: negative when `a` comes first.
  ///
  /// Numbers, then versions, then case folded text, then the key's bytes, then the line's:
  /// lines that compare equal are the same bytes. `-r` turns it round.
  func compare(
    _ a: (line: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, text: TextKey?),
    _ b: (line: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, text: TextKey?)
  ) -> Int {
    let result = compareForward(a, b)
    return reverse ? -result : result
  }

  private func compareForward(
    _ a: (line: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, text: TextKey?),
    _ b: (line: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, text: TextKey?)
  ) -> Int {
    if let x = a.text, let y = b.text {
      // `-h` ranks by the suffix first (K < M < G …), then by the number, as GNU does.
      if numeric || human, x.numbers != y.numbers {
        return x.numbers.lexicographicallyPrecedes(y.numbers) ? -1 : 1
      }
      if version, x.version != y.version {
        return x.version.lexicographicallyPrecedes(y.version, by: UtilityContext.versionPrecedes)
          ? -1 : 1
      }
      if folded, x.folded != y.folded { return x.folded < y.folded ? -1 : 1 }
    }
    let keys = field == nil ? 0 : Self.compareBytes(a.key, b.key)
    return keys != 0 ? keys : Self.compareBytes(a.line, b.line)
  }

  /// The bytes' order: negative, zero or positive.
  static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>)
    -> Int
  {
    let common = min(a.count, b.count)
    if common > 0, let x = a.baseAddress, let y = b.baseAddress {
      let result = memcmp(x, y, common)
      if result != 0 { return Int(result) }
    }
    return a.count - b.count
  }
}

/// `sort -S`'s size: a number of kibibytes, or with a unit (`b`, `K`, `M`, `G`…, `%`).
enum SortBufferSize: Equatable {
  case bytes(Int)
  case failure(String)

  static func parse(_ text: String) -> SortBufferSize {
    let digits = text.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty else { return .failure("invalid -S argument '\(text)'") }
    let suffix = text.dropFirst(digits.count)
    let shifts: [Character: Int] = [
      "b": 0, "k": 10, "K": 10, "m": 20, "M": 20, "g": 30, "G": 30, "t": 40, "T": 40, "P": 50,
      "E": 60, "Z": 70, "Y": 80,
    ]
    guard suffix.count <= 1 else { return .failure("invalid suffix in -S argument '\(text)'") }
    guard let number = Int(digits) else { return .failure("-S argument '\(text)' too large") }
    guard let unit = suffix.first else { return scaled(number, 10, text) }
    // A share of the memory: the sandbox's own bound applies anyway.
    if unit == "%" { return .bytes(Int.max) }
    guard let shift = shifts[unit] else {
      return .failure("invalid suffix in -S argument '\(text)'")
    }
    return scaled(number, shift, text)
  }

  private static func scaled(_ number: Int, _ shift: Int, _ text: String) -> SortBufferSize {
    guard shift < 63, number <= Int.max >> shift else {
      return .failure("-S argument '\(text)' too large")
    }
    return .bytes(number << shift)
  }
}

/// Lines sorted in runs of bounded size, spilled to the sandbox's `/tmp` when more follow,
/// then merged.
struct ExternalSort {
  /// One line of a run: where its bytes and its key are, and its key read as text.
  struct Entry {
    var line: Range<Int>
    var key: Range<Int>
    var text: SortOrder.TextKey?
  }

  /// Lines in memory: their bytes back to back, their keys, and where each is.
  struct Run {
    var bytes: [UInt8] = []
    var keys: [UInt8] = []
    var entries: [Entry] = []

    mutating func add(_ line: ArraySlice<UInt8>, order: SortOrder, limit: Int) {
      // Room for a whole run at once: growing by doubling would leave the old copies behind.
      if bytes.isEmpty { bytes.reserveCapacity(min(limit, 1 << 26)) }
      let start = bytes.count
      bytes += line
      let keyStart = keys.count
      let text: SortOrder.TextKey?
      if order.field == nil {
        text = bytes.withUnsafeBufferPointer {
          order.textKey(UnsafeBufferPointer(rebasing: $0[start...]))
        }
      } else {
        bytes.withUnsafeBufferPointer {
          order.appendKey(of: UnsafeBufferPointer(rebasing: $0[start...]), to: &keys)
        }
        text = keys.withUnsafeBufferPointer {
          order.textKey(UnsafeBufferPointer(rebasing: $0[keyStart...]))
        }
      }
      entries.append(Entry(line: start..<bytes.count, key: keyStart..<keys.count, text: text))
    }

    mutating func sort(_ order: SortOrder) {
      // Whole lines as bytes, the usual case: nothing but the bytes to compare.
      if order.field == nil && !order.readsText {
        let reverse = order.reverse
        bytes.withUnsafeBufferPointer { bytes in
          entries.sort { a, b in
            let result = SortOrder.compareBytes(
              UnsafeBufferPointer(rebasing: bytes[a.line]),
              UnsafeBufferPointer(rebasing: bytes[b.line]))
            return reverse ? result > 0 : result < 0
          }
        }
        return
      }
      bytes.withUnsafeBufferPointer { bytes in
        keys.withUnsafeBufferPointer { keys in
          entries.sort { a, b in
            order.compare(
              (
                UnsafeBufferPointer(rebasing: bytes[a.line]),
                UnsafeBufferPointer(rebasing: keys[a.key]), a.text
              ),
              (
                UnsafeBufferPointer(rebasing: bytes[b.line]),
                UnsafeBufferPointer(rebasing: keys[b.key]), b.text
              )
            ) < 0
          }
        }
      }
    }
  }

  let order: SortOrder
  let runLimit: Int
  let fileSystem: VirtualFileSystem
  var run = Run()
  /// The sorted runs spilled so far, as paths in the sandbox.
  var spills: [String] = []
  /// Runs that could not be spilled (no `/tmp`, a full quota), kept in memory.
  var heldRuns: [Run] = []

  init(order: SortOrder, runLimit: Int, fileSystem: VirtualFileSystem) {
    self.order = order
    self.runLimit = runLimit
    self.fileSystem = fileSystem
  }

  /// Takes a line; spills the run once it is full.
  mutating func add(_ line: ArraySlice<UInt8>) -> Bool {
    if !run.entries.isEmpty, run.bytes.count + line.count > runLimit { spill() }
    run.add(line, order: order, limit: runLimit)
    return true
  }

  /// Sorts the run in memory and writes it to a new file of `/tmp`.
  mutating func spill() {
    run.sort(order)
    var full = Run()
    swap(&full, &run)
    guard let path = newSpillPath() else {
      heldRuns.append(full)
      return
    }
    do {
      let writer = try fileSystem.writer(to: path, from: "/")
      spills.append(path)
      var batch: [UInt8] = []
      batch.reserveCapacity(StreamedOutput.flushBytes + 4096)
      for entry in full.entries {
        batch += full.bytes[entry.line]
        batch.append(10)
        if batch.count >= StreamedOutput.flushBytes {
          try writer.write(batch)
          batch.removeAll(keepingCapacity: true)
        }
      }
      try writer.write(batch)
    } catch {
      heldRuns.append(full)
      if spills.last == path {
        spills.removeLast()
        try? fileSystem.remove(path, from: "/", recursive: false)
      }
    }
  }

  /// A name in `/tmp` nothing has, as GNU's `sortXXXXXX`.
  func newSpillPath() -> String? {
    let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    for _ in 0..<100 {
      let path = "/tmp/sort" + String((0..<6).map { _ in letters.randomElement() ?? "x" })
      if !fileSystem.exists(path, from: "/") { return path }
    }
    return nil
  }

  mutating func removeSpills() {
    for path in spills { try? fileSystem.remove(path, from: "/", recursive: false) }
    spills = []
  }

  /// Writes every line in order to `output`.
  ///
  /// With `unique`, only the first of lines with the same key. Stops, and says why, when the
  /// command's budget runs out.
  mutating func merge(into output: inout CommandOutput, unique: Bool) -> BudgetExceeded? {
    run.sort(order)
    // Too many runs to read at once: merge the first ones into a run of their own.
    while spills.count + heldRuns.count + 1 > Sort.mergeWidth, spills.count >= 2 {
      let merging = Array(spills.prefix(Sort.mergeWidth))
      guard let path = newSpillPath(), let writer = try? fileSystem.writer(to: path, from: "/")
      else { break }
      spills.append(path)
      var batch: [UInt8] = []
      var failed = false
      let stopped = mergeSources(merging.compactMap { fileSource($0) }) { line in
        batch += line
        batch.append(10)
        if batch.count >= StreamedOutput.flushBytes {
          failed = (try? writer.write(batch)) == nil
          batch.removeAll(keepingCapacity: true)
        }
        return !failed
      }
      if stopped != nil { return stopped }
      if !failed { failed = (try? writer.write(batch)) == nil }
      guard !failed else {
        spills.removeLast()
        try? fileSystem.remove(path, from: "/", recursive: false)
        break
      }
      for merged in merging { try? fileSystem.remove(merged, from: "/", recursive: false) }
      spills.removeFirst(merging.count)
    }
    var sources = spills.compactMap { fileSource($0) }
    sources += heldRuns.map { MergeSource.memory($0, 0) }
    sources.append(.memory(run, 0))
    heldRuns = []
    run = Run()
    var batch: [UInt8] = []
    var previousKey: [UInt8]?
    let status = output.status
    let order = order
    let stopped = mergeSources(sources) { line in
      if unique {
        // Lines with the same key are next to each other: the first of them stays.
        let key = order.field == nil ? line : order.key(of: line).key
        if key == previousKey { return true }
        previousKey = key
      }
      batch += line
      batch.append(10)
      if batch.count >= StreamedOutput.flushBytes {
        output.write(batch)
        batch.removeAll(keepingCapacity: true)
      }
      return output.status == status
    }
    output.write(batch)
    return stopped
  }

  /// Where merged lines come from: a sorted run in memory and how far it was read, or a
  /// spilled file.
  enum MergeSource {
    case memory(Run, Int)
    case file(SpillReader)
  }

  func fileSource(_ path: String) -> MergeSource? {
    guard let reader = try? fileSystem.reader(path, from: "/") else { return nil }
    return .file(SpillReader(reader: reader))
  }

  /// The next line of a source, with its key; `nil` when it has no more.
  struct Head {
    var line: [UInt8]
    var key: [UInt8]
    var text: SortOrder.TextKey?
    var source: Int
  }

  /// Merges sorted sources, calling `body` with each line in order until it returns `false`.
  func mergeSources(_ sources: [MergeSource], _ body: ([UInt8]) -> Bool) -> BudgetExceeded? {
    // One run in memory (nothing spilled): its lines in order, no heap.
    if sources.count == 1, case .memory(let run, _) = sources[0] {
      for (index, entry) in run.entries.enumerated() {
        if index % 4096 == 4095, let reason = Budget.shouldStop() { return reason }
        guard body(Array(run.bytes[entry.line])) else { return nil }
      }
      return nil
    }
    var sources = sources
    func next(_ index: Int) -> Head? {
      switch sources[index] {
      case .memory(let run, let position):
        guard position < run.entries.count else { return nil }
        let entry = run.entries[position]
        sources[index] = .memory(run, position + 1)
        return Head(
          line: Array(run.bytes[entry.line]), key: Array(run.keys[entry.key]), text: entry.text,
          source: index)
      case .file(let reader):
        guard let line = reader.nextLine() else { return nil }
        let (key, text) = order.key(of: line)
        return Head(line: line, key: key, text: text, source: index)
      }
    }
    func precedes(_ a: Head, _ b: Head) -> Bool {
      let result = a.line.withUnsafeBufferPointer { aLine in
        b.line.withUnsafeBufferPointer { bLine in
          a.key.withUnsafeBufferPointer { aKey in
            b.key.withUnsafeBufferPointer { bKey in
              order.compare((aLine, aKey, a.text), (bLine, bKey, b.text))
            }
          }
        }
      }
      // Equal lines: the earlier source first, so that the merge keeps input order.
      return result < 0 || (result == 0 && a.source < b.source)
    }
    var heap: [Head] = []
    func siftUp(_ start: Int) {
      var child = start
      while child > 0 {
        let parent = (child - 1) / 2
        guard precedes(heap[child], heap[parent]) else { return }
        heap.swapAt(child, parent)
        child = parent
      }
    }
    func siftDown(_ start: Int) {
      var parent = start
      while true {
        var best = parent
        let left = 2 * parent + 1
        if left < heap.count, precedes(heap[left], heap[best]) { best = left }
        if left + 1 < heap.count, precedes(heap[left + 1], heap[best]) { best = left + 1 }
        guard best != parent else { return }
        heap.swapAt(best, parent)
        parent = best
      }
    }
    for index in sources.indices {
      if let head = next(index) {
        heap.append(head)
        siftUp(heap.count - 1)
      }
    }
    var count = 0
    while let top = heap.first {
      count += 1
      if count % 4096 == 0, let reason = Budget.shouldStop() { return reason }
      guard body(top.line) else { return nil }
      if let following = next(top.source) {
        heap[0] = following
      } else {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
      }
      if !heap.isEmpty { siftDown(0) }
    }
    return nil
  }
}

/// A spilled run read back a line at a time.
final class SpillReader {
  let reader: FileReader
  var buffer: [UInt8] = []
  var position = 0
  var atEnd = false

  init(reader: FileReader) { self.reader = reader }

  /// The next line without its newline; `nil` at the end.
  func nextLine() -> [UInt8]? {
    var line: [UInt8] = []
    while true {
      if position < buffer.count {
        if let newline = buffer[position...].firstIndex(of: 10) {
          line += buffer[position..<newline]
          position = newline + 1
          return line
        }
        line += buffer[position...]
        position = buffer.count
      }
      guard !atEnd, let chunk = try? reader.read(upTo: InputChunks.chunkSize), !chunk.isEmpty
      else {
        atEnd = true
        return line.isEmpty ? nil : line
      }
      buffer = chunk
      position = 0
    }
  }
}

extension UtilityContext {
  /// The first field of a `sort -k` key (`2`, `2,3`, `1.2n`), or GNU's complaint about it.
  ///
  /// A field past `Int` means one no line has, as GNU's clamped number does.
  static func sortKeyField(_ spec: String) -> (field: Int, error: String?) {
    let digits = spec.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty else {
      return (0, "invalid number at field start: invalid count at start of ‘\(spec)’")
    }
    let field = digits.allSatisfy { $0 == "0" } ? 0 : Int(digits) ?? Int.max
    guard field > 0 else {
      return (0, "field number is zero: invalid field specification ‘\(spec)’")
    }
    // .C, the ordering letters, then an optional end: ,F[.C][letters].
    let allowed = Set("0123456789.bdfgiMhnRrV")
    let rest = spec.dropFirst(digits.count)
    let end = rest.firstIndex(of: ",").map { rest[rest.index(after: $0)...] } ?? ""
    let start = rest.prefix { $0 != "," }
    guard start.allSatisfy(allowed.contains), end.allSatisfy(allowed.contains) else {
      return (0, "stray character in field spec: invalid field specification ‘\(spec)’")
    }
    return (field, nil)
  }
}

extension UtilityContext {
  /// A part of a version key as `sort -V` reads one: runs of digits as numbers, the rest as
  /// text.
  enum VersionPart: Equatable {
    case number(Int)
    case text(String)
  }

  static func versionKey(_ text: String) -> [VersionPart] {
    var parts: [VersionPart] = []
    var current = ""
    var inDigits = false
    func flush() {
      guard !current.isEmpty else { return }
      parts.append(inDigits ? .number(Int(current.prefix(18)) ?? 0) : .text(current))
      current = ""
    }
    for character in text {
      let digit = character.isASCII && character.isNumber
      if digit != inDigits { flush() }
      inDigits = digit
      current.append(character)
    }
    flush()
    return parts
  }

  static func versionPrecedes(_ left: VersionPart, _ right: VersionPart) -> Bool {
    switch (left, right) {
    case (.number(let x), .number(let y)): x < y
    case (.text(let x), .text(let y)): Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
    case (.number, .text): true
    case (.text, .number): false
    }
  }

  /// The number a line starts with for `sort -n`, and for `sort -h` its unit's rank before it.
  static func numericKey(_ text: String, human: Bool) -> [Double] {
    let trimmed = text.drop { $0 == " " || $0 == "\t" }
    let digits = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "-" }
    let number = Double(digits) ?? 0
    guard human else { return [number] }
    let unit = trimmed.dropFirst(digits.count).first.map { String($0).uppercased() } ?? ""
    let rank = Double(
      ["K", "M", "G", "T", "P", "E", "Z", "Y"].firstIndex(of: unit).map { $0 + 1 } ?? 0)
    return [number < 0 ? -rank : rank, number]
  }
}
