import LabLimits

/// What a command wrote and how it ended: the one output value from the `docker` toolkit and
/// the utilities through the shell to the reports.
///
/// Both streams are kept as bytes, in the order they were written, so that `2>&1`, a pipe and
/// a terminal see what the real programs print in their order, and an archive on standard
/// output stays whole. A failing command is a value, not a thrown error: Docker's messages
/// and exit codes are part of the output a lesson checks.
public struct CommandOutput: Equatable, Sendable {
  /// A run of bytes written to one stream.
  public struct Chunk: Equatable, Sendable {
    public var isError: Bool
    public var bytes: [UInt8]

    /// The bytes as text (UTF-8, invalid sequences replaced).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
  }

  /// Both streams in the order they were written.
  public private(set) var chunks: [Chunk] = []
  /// How many bytes the chunks hold, which ``Limits/outputBytes`` bounds.
  private var byteCount = 0
  /// Whether the command wrote past ``Limits/outputBytes``: the rest was dropped, and it fails.
  private(set) var isOverflowing = false
  private var exitStatus: Int32 = 0
  /// Where standard output goes as it is written, instead of into ``chunks``.
  private var stream: StreamedOutput?

  public var status: Int32 {
    get { isOverflowing && exitStatus == 0 ? 1 : exitStatus }
    set { exitStatus = newValue }
  }

  public init(status: Int32 = 0) { exitStatus = status }

  /// An output whose standard output goes to `stream` as it is written (when there is one);
  /// standard error is kept.
  public init(streamingTo stream: StreamedOutput?) { self.stream = stream }

  public init(stdout: String, stderr: String = "", status: Int32 = 0) {
    print(stdout)
    printError(stderr)
    exitStatus = status
  }

  public init(stderr: String, status: Int32 = 0) {
    printError(stderr)
    exitStatus = status
  }

  public init(stdout: [UInt8], stderr: [UInt8] = [], status: Int32 = 0) {
    write(stdout)
    write(stderr, isError: true)
    exitStatus = status
  }

  public init(stderr: [UInt8], status: Int32 = 0) {
    write(stderr, isError: true)
    exitStatus = status
  }

  /// A failure with one message line on standard error.
  public static func failure(_ message: String, status: Int32 = 1) -> CommandOutput {
    CommandOutput(stderr: message.hasSuffix("\n") ? message : message + "\n", status: status)
  }

  public var isSuccess: Bool { status == 0 }

  /// Standard output as text.
  public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
  /// Standard error as text.
  public var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
  /// Both streams as a terminal shows them, as text.
  public var interleaved: String { String(decoding: interleavedBytes, as: UTF8.self) }

  /// Everything written to standard output.
  public var stdoutBytes: [UInt8] { bytes { !$0.isError } }
  /// Everything written to standard error.
  public var stderrBytes: [UInt8] { bytes { $0.isError } }
  /// Both streams as a terminal shows them.
  public var interleavedBytes: [UInt8] { bytes { _ in true } }

  private func bytes(_ include: (Chunk) -> Bool) -> [UInt8] {
    let selected = chunks.filter(include)
    if selected.count == 1 { return selected[0].bytes }
    return selected.flatMap(\.bytes)
  }

  /// Writes bytes to one stream; past ``Limits/outputBytes`` the rest is dropped.
  public mutating func write(_ bytes: [UInt8], isError: Bool = false) {
    guard !bytes.isEmpty, !isOverflowing else { return }
    guard bytes.count <= Limits.outputBytes - byteCount else {
      isOverflowing = true
      chunks.append(Chunk(isError: true, bytes: Array((Limits.outputMessage("bash") + "\n").utf8)))
      return
    }
    byteCount += bytes.count
    if !isError, let stream {
      stream.write(bytes)
      return
    }
    if let last = chunks.indices.last, chunks[last].isError == isError {
      chunks[last].bytes += bytes
    } else {
      chunks.append(Chunk(isError: isError, bytes: bytes))
    }
  }

  /// Appends what `other` wrote, in its order; the status stays.
  public mutating func append(_ other: CommandOutput) {
    for chunk in other.chunks { write(chunk.bytes, isError: chunk.isError) }
  }

  public mutating func print(_ text: String) { write(Array(text.utf8)) }
  public mutating func printError(_ text: String) { write(Array(text.utf8), isError: true) }
}
