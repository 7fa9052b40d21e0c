import Foundation

/// Folders and files LayerLab makes on the host for itself (its store, scratch space,
/// progress), with modes the umask does not decide.
///
/// libarchive sets the process umask to 0 for an instant while it extracts, on whichever
/// thread; a folder made in that instant with the default mode would be world-writable.
public enum HostPaths {
  /// Creates a folder and its missing parents with `mode`.
  ///
  /// The folder itself is tried first, and its parents only when they are missing: one call
  /// when it is there already.
  public static func createDirectories(_ path: String, mode: mode_t = 0o755)
    throws(FileSystemError)
  {
    if mkdir(path, mode) == 0 {
      chmod(path, mode)
      return
    }
    switch errno {
    case EEXIST:
      return
    case ENOENT:
      let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
      guard let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex else {
        throw .from(errno: ENOENT)
      }
      try createDirectories(String(trimmed[..<slash]), mode: mode)
      if mkdir(trimmed, mode) == 0 {
        chmod(trimmed, mode)
      } else if errno != EEXIST {
        throw .from(errno: errno)
      }
    default:
      throw .from(errno: errno)
    }
  }

  /// Creates (or empties) a file with `mode` and writes `bytes` into it.
  public static func createFile(_ path: String, contents bytes: [UInt8] = [], mode: mode_t = 0o644)
    throws(FileSystemError)
  {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw .from(errno: errno) }
    defer { close(descriptor) }
    fchmod(descriptor, mode)
    var written = 0
    while written < bytes.count {
      let count = bytes[written...].withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress, buffer.count)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw .from(errno: errno)
      }
      written += count
    }
  }
}
