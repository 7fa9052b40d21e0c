/// One member of a tar archive, as this project writes them.
///
/// Entries carry fixed metadata (owner 0:0, no user names) so that the same
/// entries always give the same bytes.
public struct TarEntry: Equatable, Sendable {
  /// What the entry is, and its payload.
  public enum Kind: Equatable, Sendable {
    case file([UInt8])
    /// A file of `size` bytes that holds only zeros; it is stored sparse, so it
    /// costs nothing in the archive or on disk.
    case sparseFile(size: Int64)
    case directory
    case symlink(target: String)
    case hardlink(target: String)
  }

  /// The path inside the archive, relative, without a leading `/`.
  public var path: String
  public var kind: Kind
  /// Permission bits, such as `0o755`.
  public var mode: UInt32
  /// Modification time in seconds since the Unix epoch.
  public var modificationTime: Int64
  public var uid: Int64
  public var gid: Int64

  public init(
    path: String, kind: Kind, mode: UInt32? = nil, modificationTime: Int64 = 0,
    uid: Int64 = 0, gid: Int64 = 0
  ) {
    self.path = path
    self.kind = kind
    self.mode =
      mode
      ?? {
        switch kind {
        case .directory: 0o755
        case .symlink: 0o777
        default: 0o644
        }
      }()
    self.modificationTime = modificationTime
    self.uid = uid
    self.gid = gid
  }

  /// The size the file has once extracted.
  public var size: Int64 {
    switch kind {
    case .file(let bytes): Int64(bytes.count)
    case .sparseFile(let size): size
    default: 0
    }
  }
}
