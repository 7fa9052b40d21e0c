import Foundation

extension ImageStore {
  /// Gives the entries written since the last call the virtual clock's `time`, so that
  /// `ls -l /var/lib/docker/…` prints the same dates on every machine.
  ///
  /// The store writes with the host's clock, which has nanoseconds; virtual times are whole
  /// seconds. An entry with nanoseconds is therefore one not stamped yet. Layer contents under
  /// `overlay2/<id>/diff` carry their archive's times and are not walked.
  public func stampNewEntries(at time: Date) {
    stamp(directory: root, at: time)
  }

  private func stamp(directory: String, at time: Date) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return
    }
    for name in names {
      let path = "\(directory)/\(name)"
      if path == stateDirectory { continue }
      var status = stat()
      guard lstat(path, &status) == 0 else { continue }
      let isDirectory = status.st_mode & S_IFMT == S_IFDIR
      if isDirectory && !(directory.hasPrefix(overlayDirectory + "/") && name == "diff") {
        stamp(directory: path, at: time)
      }
      if status.st_mtim.tv_nsec != 0 { Self.setTime(time, of: path) }
    }
    var status = stat()
    if lstat(directory, &status) == 0, status.st_mtim.tv_nsec != 0 {
      Self.setTime(time, of: directory)
    }
  }

  /// Stamps a folder and everything in it with `time`: a container's fresh layers.
  public static func stamp(tree path: String, at time: Date) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
      var status = stat()
      guard lstat("\(path)/\(name)", &status) == 0 else { continue }
      if status.st_mode & S_IFMT == S_IFDIR {
        stamp(tree: "\(path)/\(name)", at: time)
      } else {
        Self.setTime(time, of: "\(path)/\(name)")
      }
    }
    Self.setTime(time, of: path)
  }

  /// Sets an entry's access and modification times, without following a symbolic link.
  public static func setTime(_ time: Date, of path: String) {
    let seconds = Int(time.timeIntervalSince1970.rounded(.down))
    let stamp = timespec(tv_sec: seconds, tv_nsec: 0)
    let times = [stamp, stamp]
    _ = utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW)
  }
}
