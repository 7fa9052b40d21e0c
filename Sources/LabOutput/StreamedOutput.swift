import Synchronization

/// Standard output passed on as a command writes it, to the file a redirection names, so that
/// a command writing much (`sort big > sorted`) need not hold it whole.
///
/// The shell makes one for a utility whose standard output alone goes to a file, and flushes
/// it when the utility returns; a ``CommandOutput`` made with it sends its standard output
/// here instead of keeping it.
public final class StreamedOutput: Sendable, Equatable {
  /// How much is gathered before it is passed on.
  public static let flushBytes = 1 << 16

  private let send: @Sendable ([UInt8]) -> Void
  private let pending = Mutex<[UInt8]>([])

  /// - Parameter send: Takes the bytes, in order, a batch at a time.
  public init(send: @escaping @Sendable ([UInt8]) -> Void) { self.send = send }

  /// Takes bytes; passes them on once a batch has gathered.
  public func write(_ bytes: [UInt8]) {
    let batch: [UInt8]? = pending.withLock { pending in
      if pending.isEmpty, bytes.count >= Self.flushBytes { return bytes }
      pending += bytes
      guard pending.count >= Self.flushBytes else { return nil }
      defer { pending = [] }
      return pending
    }
    if let batch { send(batch) }
  }

  /// Passes on what has gathered.
  public func flush() {
    let batch = pending.withLock { pending in
      defer { pending = [] }
      return pending
    }
    if !batch.isEmpty { send(batch) }
  }

  public static func == (left: StreamedOutput, right: StreamedOutput) -> Bool { left === right }
}
