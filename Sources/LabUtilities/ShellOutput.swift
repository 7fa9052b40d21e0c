import Foundation
import LabLimits

/// What a command wrote and how it ended, as bytes (pipes carry archives too).
public struct ShellOutput: Sendable {
  /// A run of bytes written to one stream.
  public struct Chunk: Sendable {
    public var isError: Bool
    public var bytes: [UInt8]
  }

  /// Both streams in the order they were written, so that `2>&1` and a terminal show them
  /// interleaved as bash would.
  public private(set) var chunks: [Chunk] = []
  /// How many bytes the chunks hold, which ``Limits/outputBytes`` bounds.
  private var byteCount = 0
  /// Whether the command wrote past ``Limits/outputBytes``: the rest was dropped, and it fails.
  private(set) var isOverflowing = false
  private var exitStatus: Int32 = 0
  public var status: Int32 {
    get { isOverflowing && exitStatus == 0 ? 1 : exitStatus }
    set { exitStatus = newValue }
  }

  public init(stdout: [UInt8] = [], stderr: [UInt8] = [], status: Int32 = 0) {
    write(stdout)
    write(stderr, isError: true)
    self.status = status
  }

  public static func error(_ message: String, status: Int32 = 1) -> ShellOutput {
    ShellOutput(stderr: Array((message + "\n").utf8), status: status)
  }

  /// Everything written to standard output.
  public var stdout: [UInt8] { bytes { !$0.isError } }
  /// Everything written to standard error.
  public var stderr: [UInt8] { bytes { $0.isError } }
  /// Both streams as a terminal shows them.
  public var interleaved: [UInt8] { bytes { _ in true } }

  private func bytes(_ include: (Chunk) -> Bool) -> [UInt8] {
    let selected = chunks.filter(include)
    if selected.count == 1 { return selected[0].bytes }
    return selected.flatMap(\.bytes)
  }

  public mutating func write(_ bytes: [UInt8], isError: Bool = false) {
    guard !bytes.isEmpty, !isOverflowing else { return }
    guard bytes.count <= Limits.outputBytes - byteCount else {
      isOverflowing = true
      chunks.append(Chunk(isError: true, bytes: Array((Limits.outputMessage("bash") + "\n").utf8)))
      return
    }
    byteCount += bytes.count
    if let last = chunks.indices.last, chunks[last].isError == isError {
      chunks[last].bytes += bytes
    } else {
      chunks.append(Chunk(isError: isError, bytes: bytes))
    }
  }

  /// Appends what `other` wrote, in its order; the status stays.
  public mutating func append(_ other: ShellOutput) {
    for chunk in other.chunks { write(chunk.bytes, isError: chunk.isError) }
  }

  public mutating func print(_ text: String) { write(Array(text.utf8)) }
  public mutating func printError(_ text: String) { write(Array(text.utf8), isError: true) }
}

/// One command to run: its name, arguments and standard input.
public struct Invocation: Sendable {
  public var name: String
  public var arguments: [String]
  public var input: [UInt8]
  /// Whether standard output goes to the terminal (not a pipe or a file): `ls` lays out
  /// columns only then.
  public var outputIsTerminal: Bool

  public init(name: String, arguments: [String], input: [UInt8], outputIsTerminal: Bool) {
    self.name = name
    self.arguments = arguments
    self.input = input
    self.outputIsTerminal = outputIsTerminal
  }
}
