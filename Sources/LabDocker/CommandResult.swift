/// What a simulated command printed and how it exited.
///
/// A failing command is a value, not a thrown error: Docker's messages and exit codes are
/// part of the output a lesson checks.
public struct CommandResult: Equatable, Sendable {
  /// Text written to one stream.
  public struct Chunk: Equatable, Sendable {
    public var isError: Bool
    public var text: String
  }

  /// Both streams in the order they were written: the legacy builder's deprecation notice on
  /// standard error comes before its steps on standard output, and `2>&1` keeps that order.
  public private(set) var chunks: [Chunk] = []
  public var status: Int32 = 0
  /// Standard output when it is not text, such as `docker save` writing an archive.
  public var binaryOutput: [UInt8]?

  public init(stdout: String = "", stderr: String = "", status: Int32 = 0) {
    print(stdout)
    printError(stderr)
    self.status = status
  }

  /// Everything written to standard output.
  public var stdout: String { chunks.filter { !$0.isError }.map(\.text).joined() }
  /// Everything written to standard error.
  public var stderr: String { chunks.filter(\.isError).map(\.text).joined() }

  /// Both streams as a terminal shows them.
  public var interleaved: String { chunks.map(\.text).joined() }

  public var isSuccess: Bool { status == 0 }

  public mutating func print(_ text: String) { write(text, isError: false) }
  public mutating func printError(_ text: String) { write(text, isError: true) }

  private mutating func write(_ text: String, isError: Bool) {
    guard !text.isEmpty else { return }
    if let last = chunks.indices.last, chunks[last].isError == isError {
      chunks[last].text += text
    } else {
      chunks.append(Chunk(isError: isError, text: text))
    }
  }

  /// A failure with one message line on standard error.
  public static func failure(_ message: String, status: Int32 = 1) -> CommandResult {
    CommandResult(stderr: message.hasSuffix("\n") ? message : message + "\n", status: status)
  }
}
