import Foundation

/// Folders and files LayerLab makes on the host for itself (its store, scratch space,
/// progress), with modes the umask does not decide.
///
/// libarchive sets the process umask to 0 for an instant while it extracts, on whichever
/// thread; a folder made in that instant with the default mode would be world-writable.
public enum HostPaths {
  /// Creates a folder and its missing parents with `mode`.
  public static func createDirectories(_ path: String, mode: mode_t = 0o755)
    throws(FileSystemError)
  {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      current += "/" + component
      if mkdir(current, mode) == 0 {
        chmod(current, mode)
      } else if errno != EEXIST {
        throw .from(errno: errno)
      }
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
