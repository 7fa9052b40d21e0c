/// What a simulated command printed and how it exited.
///
/// A failing command is a value, not a thrown error: Docker's messages and exit codes are
/// part of the output a lesson checks.
public struct CommandResult: Equatable, Sendable {
  public var stdout = ""
  public var stderr = ""
  public var status: Int32 = 0
  /// Standard output when it is not text, such as `docker save` writing an archive.
  public var binaryOutput: [UInt8]?

  public init(stdout: String = "", stderr: String = "", status: Int32 = 0) {
    self.stdout = stdout
    self.stderr = stderr
    self.status = status
  }

  public var isSuccess: Bool { status == 0 }

  /// A failure with one message line on standard error.
  public static func failure(_ message: String, status: Int32 = 1) -> CommandResult {
    CommandResult(stderr: message.hasSuffix("\n") ? message : message + "\n", status: status)
  }
}
