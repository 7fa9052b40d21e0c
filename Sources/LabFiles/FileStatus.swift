import Foundation

/// What `lstat` tells of one entry, with the mode the sandbox gave it.
public struct FileStatus: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    case file, directory, symlink, characterDevice, blockDevice, fifo, socket
  }

  public var kind: Kind
  public var size: Int64
  /// Permission bits with setuid, setgid and sticky, as the sandbox sees them: the host file
  /// may carry fewer (see ``HostDirectory/hostMode(for:kind:)``).
  public var mode: UInt32
  public var modified: Date
  public var links: Int
  public var inode: UInt64
  public var blocks: Int64
  /// The host's device and change time (nanoseconds since 1970): with the inode and size,
  /// what tells a file apart from any later content at the same path, since no command can
  /// set a change time back.
  public var device: UInt64
  public var changed: Int64

  public var isDirectory: Bool { kind == .directory }

  init(_ status: stat, mode: UInt32? = nil) {
    switch status.st_mode & S_IFMT {
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .symlink
    case S_IFCHR: kind = .characterDevice
    case S_IFBLK: kind = .blockDevice
    case S_IFIFO: kind = .fifo
    case S_IFSOCK: kind = .socket
    default: kind = .file
    }
    size = Int64(status.st_size)
    self.mode = mode ?? UInt32(status.st_mode & 0o7777)
    modified = Date(
      timeIntervalSince1970: Double(status.st_mtim.tv_sec)
        + Double(status.st_mtim.tv_nsec) / 1_000_000_000)
    links = Int(status.st_nlink)
    inode = UInt64(status.st_ino)
    blocks = Int64(status.st_blocks)
    device = UInt64(status.st_dev)
    changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
  }
}
