import Foundation

/// Private temporary directories for one run: created 0700 in the host's temporary folder,
/// named after the process that owns them, and removed by a later run when that process is
/// gone (a run killed with `kill -9` cannot clean up after itself).
public enum ScratchDirectory {
  static let prefix = "layerlab-"

  /// The host's temporary folder, without a trailing slash.
  static var temporaryFolder: String {
    let folder = NSTemporaryDirectory()
    return folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
  }

  /// Makes a new private directory, `layerlab-LABEL-PID-UUID`.
  public static func make(_ label: String) throws(FileSystemError) -> String {
    let pid = getpid()
    let path = "\(temporaryFolder)/\(prefix)\(label)-\(pid)-\(UUID().uuidString)"
    guard mkdir(path, 0o700) == 0 else { throw .current }
    chmod(path, 0o700)
    return path
  }

  /// Removes a scratch directory and everything in it, links never followed.
  public static func remove(_ path: String) {
    let parent = HostDirectory(PathText.parent(path))
    try? parent.remove(PathText.name(path), recursive: true)
  }

  /// Removes the scratch directories of runs whose process no longer exists, or of one
  /// finished child process.
  ///
  /// - Parameter pid: Only that process's directories (a worker that died); otherwise every
  ///   directory whose process is gone.
  /// - Returns: The names of the directories removed.
  @discardableResult
  public static func removeStale(of pid: Int32? = nil) -> [String] {
    let folder = HostDirectory(temporaryFolder)
    var removed: [String] = []
    for name in (try? folder.names("")) ?? [] where name.hasPrefix(prefix) {
      guard let owner = owner(of: name) else { continue }
      if let pid {
        guard owner == pid else { continue }
      } else if owner == getpid() || kill(owner, 0) == 0 || errno != ESRCH {
        continue
      }
      // Only LayerLab's own directories: a real directory, not a link, owned by this user.
      guard let status = try? folder.status(name), status.isDirectory,
        (try? ownerUser(of: name)) == getuid()
      else { continue }
      try? folder.remove(name, recursive: true)
      removed.append(name)
    }
    return removed
  }

  /// The process ID in a scratch directory's name: the number before the UUID.
  static func owner(of name: String) -> Int32? {
    let parts = name.split(separator: "-")
    // layerlab-LABEL-PID-UUID, where the UUID has five parts.
    guard parts.count >= 8 else { return nil }
    return Int32(parts[parts.count - 6])
  }

  private static func ownerUser(of name: String) throws -> uid_t {
    var status = stat()
    guard lstat("\(temporaryFolder)/\(name)", &status) == 0 else { throw FileSystemError.current }
    return status.st_uid
  }
}
