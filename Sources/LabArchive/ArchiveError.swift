/// A failure reading, writing or extracting an archive.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// libarchive reported an error; the message is its own.
  case library(operation: String, message: String)
  /// An entry's path is absolute or climbs out with `..`.
  case unsafePath(String)
  /// A link would lead outside the directory being extracted into.
  case linkEscapes(path: String, target: String)
  /// The archive ended in the middle of an entry or a header.
  case truncated(String)
  /// A file could not be opened, read or written.
  case io(path: String, reason: String)
  /// The session's disk quota is used up.
  case noSpace

  public var description: String {
    switch self {
    case .library(let operation, let message):
      "\(operation): \(message)"
    case .unsafePath(let path):
      "refusing to extract \"\(path)\": the path leads outside the layer"
    case .linkEscapes(let path, let target):
      "refusing to extract \"\(path)\": its link to \"\(target)\" leads outside the layer"
    case .truncated(let what):
      "unexpected end of archive in \(what)"
    case .io(let path, let reason):
      "\(path): \(reason)"
    case .noSpace:
      "write: no space left on device"
    }
  }
}
