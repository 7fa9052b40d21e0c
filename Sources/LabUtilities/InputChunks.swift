import LabFiles
import LabLimits
import LabOutput

/// A file or standard input, read a fixed-size chunk at a time: a utility that reads a large
/// file holds one chunk of it, not the file.
public struct InputChunks {
  /// How much one read takes.
  public static let chunkSize = 1 << 16

  private var reader: FileReader?
  private var bytes: [UInt8]?

  /// Bytes already in memory: standard input, or an empty file.
  public init(bytes: [UInt8]) { self.bytes = bytes }

  /// A file opened for reading.
  public init(reader: FileReader) { self.reader = reader }

  /// The next chunk; `nil` at the end.
  public mutating func next() throws(FileSystemError) -> [UInt8]? {
    if let bytes {
      self.bytes = nil
      return bytes.isEmpty ? nil : bytes
    }
    guard let reader else { return nil }
    let chunk = try reader.read(upTo: Self.chunkSize)
    if chunk.isEmpty {
      self.reader = nil
      return nil
    }
    return chunk
  }

  /// Calls `body` with each line, without its newline.
  ///
  /// Lines are split as ``Swift/Array/lines`` splits them: a last line without a newline
  /// counts, a `\r` stays. `body` returns `false` to stop. Stops, and returns why, when the
  /// command's budget runs out.
  public mutating func forEachLine(_ body: (ArraySlice<UInt8>) -> Bool) throws(FileSystemError)
    -> BudgetExceeded?
  {
    try forEachRawLine { line in body(line.last == 10 ? line.dropLast() : line) }
  }
}

extension InputChunks {
  /// Calls `body` with each line as it is, its newline included.
  ///
  /// A last line without a newline comes without one. `body` returns `false` to stop. Stops,
  /// and returns why, when the command's budget runs out.
  public mutating func forEachRawLine(_ body: (ArraySlice<UInt8>) -> Bool) throws(FileSystemError)
    -> BudgetExceeded?
  {
    var carry: [UInt8] = []
    while let chunk = try next() {
      if let reason = Budget.shouldStop() { return reason }
      var start = chunk.startIndex
      while let newline = chunk[start...].firstIndex(of: 10) {
        let keepGoing: Bool
        if carry.isEmpty {
          keepGoing = body(chunk[start...newline])
        } else {
          carry += chunk[start...newline]
          keepGoing = body(carry[...])
          carry.removeAll(keepingCapacity: true)
        }
        guard keepGoing else { return nil }
        start = newline + 1
      }
      carry += chunk[start...]
    }
    if !carry.isEmpty { _ = body(carry[...]) }
    return nil
  }
}

extension UtilityContext {
  /// Files or standard input (`-` or no operands) to read a chunk at a time, with GNU's error
  /// lines for those that cannot be opened, written to `output` before anything is read.
  public mutating func inputChunks(
    _ operands: [String], invocation: Invocation, output: inout CommandOutput
  ) -> [(name: String, chunks: InputChunks)] {
    if operands.isEmpty { return [("-", InputChunks(bytes: invocation.input))] }
    var result: [(String, InputChunks)] = []
    for operand in operands {
      if operand == "-" {
        result.append(("-", InputChunks(bytes: invocation.input)))
        continue
      }
      if operand == "/dev/null" {
        result.append((operand, InputChunks(bytes: [])))
        continue
      }
      do {
        result.append((operand, try chunks(of: operand)))
      } catch {
        output.printError("\(invocation.name): \(operand): \(error)\n")
        output.status = 1
      }
    }
    return result
  }

  /// One file of the sandbox, to read a chunk at a time.
  public func chunks(of path: String) throws(FileSystemError) -> InputChunks {
    InputChunks(reader: try fileSystem.reader(path, from: directory))
  }
}
