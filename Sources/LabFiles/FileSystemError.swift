import Foundation

/// A failure of a file operation, with the text `strerror` gives for it.
public enum FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
  case noSuchFile
  case notDirectory
  case isDirectory
  case readOnly
  case exists
  case notEmpty
  case permissionDenied
  case loop
  /// A device, FIFO or socket: never opened.
  case notRegularFile
  case noSpace
  case nameTooLong
  case crossDevice
  case invalidArgument

  public var description: String {
    switch self {
    case .noSuchFile: "No such file or directory"
    case .notDirectory: "Not a directory"
    case .isDirectory: "Is a directory"
    case .readOnly: "Read-only file system"
    case .exists: "File exists"
    case .notEmpty: "Directory not empty"
    case .permissionDenied: "Permission denied"
    case .loop: "Too many levels of symbolic links"
    case .notRegularFile: "No such device or address"
    case .noSpace: "No space left on device"
    case .nameTooLong: "File name too long"
    case .crossDevice: "Invalid cross-device link"
    case .invalidArgument: "Invalid argument"
    }
  }

  /// The error for an `errno` value.
  static func from(errno code: Int32) -> FileSystemError {
    switch code {
    case ENOENT: .noSuchFile
    case ENOTDIR: .notDirectory
    case EISDIR: .isDirectory
    case EROFS: .readOnly
    case EEXIST: .exists
    case ENOTEMPTY: .notEmpty
    case ELOOP: .loop
    case ENXIO, ENODEV: .notRegularFile
    case ENOSPC, EDQUOT, EFBIG: .noSpace
    case ENAMETOOLONG: .nameTooLong
    case EXDEV: .crossDevice
    case EINVAL: .invalidArgument
    default: .permissionDenied
    }
  }

  static var current: FileSystemError { from(errno: errno) }
}
