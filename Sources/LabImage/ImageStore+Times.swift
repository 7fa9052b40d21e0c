import Foundation
import LabFiles
import Synchronization

extension ImageStore {
  /// Gives the entries the store's commands wrote since the last call the virtual clock's
  /// `time`, so that `ls -l /var/lib/docker/…` prints the same dates on every machine.
  ///
  /// The store writes with the host's clock, which has nanoseconds; virtual times are whole
  /// seconds. An entry with nanoseconds is therefore one not stamped yet. Only what the
  /// ``StoreJournal`` noted is visited, with the folders above it and, for a new folder, what
  /// is new in it: the cost is what the command wrote, not the size of the store. Layer
  /// contents under `overlay2/<id>/diff` carry their archive's times and are not walked.
  public func stampNewEntries(at time: Date) {
    let noted = StoreJournal.shared.take(under: root)
    var stamped: Set<String> = []
    for (path, walk) in noted.sorted(by: { $0.key < $1.key })
    where path != stateDirectory && !path.hasPrefix(stateDirectory + "/") {
      stamp(path, walk: walk, at: time, done: &stamped)
      var parent = PathText.parent(path)
      while parent.hasPrefix(root), parent.count >= root.count, stamped.insert(parent).inserted {
        Self.stampIfNew(parent, at: time)
        if parent == root { break }
        parent = PathText.parent(parent)
      }
    }
  }

  /// Stamps `path` if it is new and, with `walk`, what is new in it when it is a folder.
  private func stamp(_ path: String, walk: Bool, at time: Date, done: inout Set<String>) {
    guard done.insert(path).inserted else { return }
    var status = stat()
    guard lstat(path, &status) == 0, status.st_mtim.tv_nsec != 0 else { return }
    if walk && status.st_mode & S_IFMT == S_IFDIR
      && !(PathText.parent(path).hasPrefix(overlayDirectory + "/") && PathText.name(path) == "diff")
    {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      where "\(path)/\(name)" != stateDirectory {
        stamp("\(path)/\(name)", walk: true, at: time, done: &done)
      }
    }
    Self.setTime(time, of: path)
  }

  private static func stampIfNew(_ path: String, at time: Date) {
    var status = stat()
    if lstat(path, &status) == 0, status.st_mtim.tv_nsec != 0 { setTime(time, of: path) }
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

/// The entries written in stores since they were last stamped: each path, and whether it may
/// be a new folder whose contents are new too (made or moved into place, to be walked) or is
/// only one entry (a file replaced, a folder an entry left).
///
/// Every write in a store goes through ``writeFileAtomically(_:_:mode:)``,
/// ``createDirectories(_:mode:)`` or the `FileManager` methods below, which note it here, so
/// stamping never walks the store. Paths outside every store opened are not kept.
public final class StoreJournal: Sendable {
  public static let shared = StoreJournal()

  private struct State {
    var roots: Set<String> = []
    var paths: [String: Bool] = [:]
  }
  private let state = Mutex(State())

  /// Starts keeping what is written under `root`.
  func watch(_ root: String) {
    state.withLock { _ = $0.roots.insert(root) }
  }

  /// Notes an entry made, replaced or moved into place; `walk` when it may be a folder whose
  /// contents are new too.
  public func noteWrite(_ path: String, walk: Bool = true) {
    state.withLock { state in
      guard state.roots.contains(where: { path.hasPrefix($0 + "/") }) else { return }
      state.paths[path] = (state.paths[path] ?? false) || walk
    }
  }

  /// Notes an entry removed (or moved away): its folder changed.
  public func noteRemoval(_ path: String) {
    noteWrite(PathText.parent(path), walk: false)
  }

  /// What was noted under `root`, forgotten here.
  func take(under root: String) -> [String: Bool] {
    state.withLock { state in
      let prefix = root + "/"
      var taken: [String: Bool] = [:]
      for (path, walk) in state.paths where path == root || path.hasPrefix(prefix) {
        taken[path] = walk
      }
      for path in taken.keys { state.paths[path] = nil }
      return taken
    }
  }
}

extension FileManager {
  /// `removeItem(atPath:)`, noting the folder it changes in the ``StoreJournal``.
  public func removeStoreItem(atPath path: String) throws {
    defer { StoreJournal.shared.noteRemoval(path) }
    try removeItem(atPath: path)
  }

  /// `moveItem(atPath:toPath:)`, noting both ends in the ``StoreJournal``.
  public func moveStoreItem(atPath source: String, toPath destination: String) throws {
    defer {
      StoreJournal.shared.noteRemoval(source)
      StoreJournal.shared.noteWrite(destination)
    }
    try moveItem(atPath: source, toPath: destination)
  }

  /// `createSymbolicLink(atPath:withDestinationPath:)`, noted in the ``StoreJournal``.
  public func createStoreSymbolicLink(atPath path: String, withDestinationPath target: String)
    throws
  {
    defer { StoreJournal.shared.noteWrite(path, walk: false) }
    try createSymbolicLink(atPath: path, withDestinationPath: target)
  }
}
