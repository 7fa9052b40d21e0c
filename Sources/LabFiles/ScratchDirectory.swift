internal import CFileSystem
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

  /// The memory-backed folder throw-away stores prefer.
  static let memoryFolder = "/dev/shm"

  /// Makes a new private directory, `layerlab-LABEL-PID-UUID`, in the host's temporary folder.
  public static func make(_ label: String) throws(FileSystemError) -> String {
    try make(label, in: temporaryFolder)
  }

  /// Makes a private directory for a store that nothing needs after the run (`check`'s).
  ///
  /// It goes to memory, `/dev/shm`, when that is a tmpfs with `room` bytes free twice over
  /// (for this store and one beside it): a disk file system pays for creating and deleting a
  /// whole store per lesson (on ext4, allocating inodes right after thousands were freed scans
  /// past each of them), and none of it needs to outlive the run. Otherwise, and when
  /// `LAYERLAB_SCRATCH` names a folder, it goes there or to the temporary folder.
  ///
  /// - Parameters:
  ///   - label: Part of the directory's name.
  ///   - room: The most the store may hold: the session's disk quota.
  /// - Returns: The directory's path.
  /// - Throws: The error `mkdir` gave.
  public static func makeThrowaway(_ label: String, room: Int64) throws(FileSystemError) -> String {
    let memory = MemoryFolder.probe(memoryFolder)
    let folder = throwawayFolder(
      room: room, override: ProcessInfo.processInfo.environment["LAYERLAB_SCRATCH"],
      memory: memory)
    return try make(label, in: folder)
  }

  /// A memory-backed folder as found on this machine.
  struct MemoryFolder: Equatable {
    var path: String
    var freeBytes: Int64

    /// The folder, when it is a writable tmpfs.
    static func probe(_ path: String) -> MemoryFolder? {
      var space = statvfs()
      guard layerlab_file_system_type(path) == 0x0102_1994,  // TMPFS_MAGIC
        statvfs(path, &space) == 0, access(path, W_OK | X_OK) == 0
      else { return nil }
      return MemoryFolder(
        path: path, freeBytes: Int64(space.f_bavail) &* Int64(space.f_frsize))
    }
  }

  /// Where a throw-away store of at most `room` bytes goes: the override when set, memory when
  /// it has room twice over, the temporary folder otherwise.
  static func throwawayFolder(room: Int64, override: String?, memory: MemoryFolder?) -> String {
    if let override, !override.isEmpty {
      return override.count > 1 && override.hasSuffix("/") ? String(override.dropLast()) : override
    }
    if let memory, memory.freeBytes / 2 >= room { return memory.path }
    return temporaryFolder
  }

  static func make(_ label: String, in folder: String) throws(FileSystemError) -> String {
    let pid = getpid()
    let path = "\(folder)/\(prefix)\(label)-\(pid)-\(UUID().uuidString)"
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
    var folders = [temporaryFolder, memoryFolder]
    if let override = ProcessInfo.processInfo.environment["LAYERLAB_SCRATCH"], !override.isEmpty {
      folders.append(throwawayFolder(room: 0, override: override, memory: nil))
    }
    var removed: [String] = []
    for path in Set(folders).sorted() {
      removed += removeStale(of: pid, in: path)
    }
    return removed
  }

  private static func removeStale(of pid: Int32?, in path: String) -> [String] {
    let folder = HostDirectory(path)
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
        (try? ownerUser(of: "\(path)/\(name)")) == getuid()
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

  private static func ownerUser(of path: String) throws -> uid_t {
    var status = stat()
    guard lstat(path, &status) == 0 else { throw FileSystemError.current }
    return status.st_uid
  }
}
