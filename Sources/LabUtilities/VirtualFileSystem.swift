import Foundation
import LabFiles
import LabImage

/// What `stat` tells of a file in the sandbox.
public struct FileInfo: Sendable {
  public typealias Kind = FileStatus.Kind

  public var kind: Kind
  public var size: Int64
  public var mode: UInt32
  public var modified: Date
  public var links: Int
  public var inode: UInt64
  public var blocks: Int64
  public var owner: String
  public var linkTarget: String?

  public init(
    kind: Kind, size: Int64, mode: UInt32, modified: Date, links: Int, inode: UInt64,
    blocks: Int64, owner: String, linkTarget: String?
  ) {
    self.kind = kind
    self.size = size
    self.mode = mode
    self.modified = modified
    self.links = links
    self.inode = inode
    self.blocks = blocks
    self.owner = owner
    self.linkTarget = linkTarget
  }
}

/// The sandbox's file system: a few mounts of host directories, and nothing else.
///
/// `/var/lib/docker` is the store (read-only), the home directory is the workspace, and `/tmp`
/// is scratch space; inside a build, `/` is the image's layers. Paths are resolved by
/// ``PathResolver`` inside the sandbox, and every host access goes through ``FileTree`` and
/// ``HostDirectory``, which never follow a link: no path reaches the host outside these
/// directories, whatever `..` or links it holds.
public struct VirtualFileSystem: Sendable {
  public struct Mount: Sendable {
    public var path: String
    public var tree: FileTree
    public var isReadOnly: Bool
    public var owner: String
  }

  public static let home = "/home/learner"
  public static let dockerRoot = "/var/lib/docker"

  public let mounts: [Mount]
  /// Whether `docker` is reachable from this file system's shell (not inside a build).
  public var hasDocker = true
  /// Whether the command runs as root (`sudo`): only root may look inside `/var/lib/docker`.
  public var isPrivileged = false
  /// The virtual clock's time, which entries this file system writes take (and their
  /// directory with them), so `ls -l` prints the same dates on every machine.
  public var now: Date?

  /// A file system that is an image's layers, as `RUN` sees it: changes go to `upper`,
  /// removals leave `.wh.` whiteouts there.
  ///
  /// `binds` are folders of the sandbox's own, bound over paths of the image (`docker run -v`).
  public init(layers: [String], upper: String, binds: [Bind] = []) {
    let tree = FileTree(upper: HostDirectory(upper), lowers: layers.map(HostDirectory.init))
    // The longest path first: a path is the first mount's that holds it.
    mounts =
      binds.sorted { $0.path.count > $1.path.count }.map {
        Mount(
          path: $0.path, tree: FileTree(directory: HostDirectory($0.hostDirectory)),
          isReadOnly: $0.isReadOnly, owner: "root")
      } + [Mount(path: "/", tree: tree, isReadOnly: false, owner: "root")]
    isPrivileged = true
    hasDocker = false
  }

  /// A sandbox folder bound into a container.
  public struct Bind: Equatable, Sendable {
    /// Where it appears in the container, absolute.
    public var path: String
    /// The host folder, inside the sandbox's workspace.
    public var hostDirectory: String
    public var isReadOnly: Bool

    public init(path: String, hostDirectory: String, isReadOnly: Bool) {
      self.path = path
      self.hostDirectory = hostDirectory
      self.isReadOnly = isReadOnly
    }
  }

  public init(storeRoot: String, workspace: String, temporary: String) {
    func plain(_ path: String) -> FileTree { FileTree(directory: HostDirectory(path)) }
    mounts = [
      Mount(path: Self.dockerRoot, tree: plain(storeRoot), isReadOnly: true, owner: "root"),
      Mount(path: Self.home, tree: plain(workspace), isReadOnly: false, owner: "learner"),
      Mount(path: "/tmp", tree: plain(temporary), isReadOnly: false, owner: "learner"),
    ]
  }

  /// The sandbox as a check sees it: the store read-only, the workspace under a copy-on-write
  /// layer, and a `/tmp` of its own, so nothing the check does reaches what the learner built.
  ///
  /// - Parameters:
  ///   - storeRoot: The learner's store.
  ///   - workspace: The learner's workspace, read through.
  ///   - upper: An empty directory that takes the check's changes to the workspace.
  ///   - temporary: An empty directory for the check's `/tmp`.
  public init(storeRoot: String, workspace: String, upper: String, temporary: String) {
    mounts = [
      Mount(
        path: Self.dockerRoot, tree: FileTree(directory: HostDirectory(storeRoot)),
        isReadOnly: true, owner: "root"),
      Mount(
        path: Self.home,
        tree: FileTree(upper: HostDirectory(upper), lowers: [HostDirectory(workspace)]),
        isReadOnly: false, owner: "learner"),
      Mount(
        path: "/tmp", tree: FileTree(directory: HostDirectory(temporary)), isReadOnly: false,
        owner: "learner"),
    ]
  }

  // MARK: - Paths

  /// `path` made absolute against `directory`, with `.` and `..` removed.
  public func normalize(_ path: String, from directory: String) -> String {
    PathResolver.normalize(path, from: directory)
  }

  /// The mount that holds a normalized path, and the path relative to the mount.
  func locate(_ path: String) -> (mount: Mount, relative: String)? {
    for mount in mounts {
      let rest: String
      if mount.path == "/" {
        rest = path
      } else if path == mount.path || path.hasPrefix(mount.path + "/") {
        rest = String(path.dropFirst(mount.path.count))
      } else {
        continue
      }
      // LayerLab's own state in the store is not part of the sandbox.
      if mount.path == Self.dockerRoot, rest == "/.layerlab" || rest.hasPrefix("/.layerlab/") {
        return nil
      }
      return (mount, String(rest.drop { $0 == "/" }))
    }
    return nil
  }

  /// Directories that exist only to lead to mounts: `/`, `/var`, `/var/lib`, `/home`.
  func syntheticChildren(_ path: String) -> [String]? {
    let prefix = path == "/" ? "/" : path + "/"
    var names: Set<String> = []
    for mount in mounts where mount.path.hasPrefix(prefix) && mount.path != path {
      if let name = mount.path.dropFirst(prefix.count).split(separator: "/").first {
        names.insert(String(name))
      }
    }
    return names.isEmpty ? nil : names.sorted()
  }

  /// Resolves symbolic links inside the sandbox.
  ///
  /// - Parameters:
  ///   - path: A path as the user wrote it.
  ///   - directory: The current directory.
  ///   - followLast: Whether a link in the last component is followed too.
  /// - Returns: The normalized path with every link resolved.
  /// - Throws: ``FileSystemError/noSuchFile`` when a directory on the way is missing.
  public func resolve(_ path: String, from directory: String, followLast: Bool = true)
    throws(FileSystemError) -> String
  {
    try PathResolver.resolve(path, from: directory, followLast: followLast) {
      (candidate) throws(FileSystemError) in
      if !isPrivileged, candidate.hasPrefix(Self.dockerRoot + "/") { throw .permissionDenied }
      if let (mount, relative) = locate(candidate) {
        guard let entry = mount.tree.entry(relative) else { return .missing }
        switch entry.status.kind {
        case .directory: return .directory
        case .symlink: return .link(target: try mount.tree.linkTarget(relative))
        default: return .other
        }
      }
      return syntheticChildren(candidate) != nil ? .directory : .missing
    }
  }

  /// The mount and relative path of an existing entry, after resolving.
  private func entry(_ path: String, from directory: String, follow: Bool = true)
    throws(FileSystemError) -> (mount: Mount, relative: String, status: FileStatus)
  {
    let resolved = try resolve(path, from: directory, followLast: follow)
    guard let (mount, relative) = locate(resolved), let entry = mount.tree.entry(relative) else {
      throw .noSuchFile
    }
    return (mount, relative, entry.status)
  }

  // MARK: - Reading

  public func info(_ path: String, from directory: String, follow: Bool = true)
    throws(FileSystemError) -> FileInfo
  {
    let resolved = try resolve(path, from: directory, followLast: follow)
    if syntheticChildren(resolved) != nil && locate(resolved) == nil {
      return FileInfo(
        kind: .directory, size: 4096, mode: 0o755,
        modified: Date(timeIntervalSince1970: 1_725_192_000), links: 2,
        inode: Self.inode(resolved), blocks: 8, owner: "root", linkTarget: nil)
    }
    guard let (mount, relative) = locate(resolved), let entry = mount.tree.entry(relative) else {
      throw .noSuchFile
    }
    let status = entry.status
    var mode = status.mode
    // The mounts' roots are what a real machine has there.
    if relative.isEmpty, mount.path == "/tmp" { mode = 0o1777 }
    // Blocks as a 4 KiB-block file system would count them, whatever the host's: the same on
    // every machine, and a package's sparse stand-in takes its real size.
    let blocks: Int64 =
      switch status.kind {
      case .file: (status.size + 4_095) / 4_096 * 8
      case .directory: 8
      // ext4 keeps a target under 60 bytes in the inode, a longer one in a block.
      case .symlink: status.size >= 60 ? 8 : 0
      default: 0
      }
    return FileInfo(
      kind: status.kind, size: status.size, mode: mode, modified: status.modified,
      links: status.links, inode: Self.inode(resolved), blocks: blocks, owner: mount.owner,
      linkTarget: status.kind == .symlink ? try? mount.tree.linkTarget(relative) : nil)
  }

  /// The inode number the sandbox gives the entry at a resolved path (`ls -i`, `stat`).
  ///
  /// The host's numbers differ from one machine and one checkout to the next, so the sandbox
  /// makes its own from the path: the same file has the same number on every machine, and
  /// different files almost surely differ. `/` is 2, as on ext4. Unlike a real inode, the
  /// number does not follow a file that `mv` renames; the sandbox has no hard links to share
  /// one.
  public static func inode(_ resolved: String) -> UInt64 {
    guard resolved != "/" else { return 2 }
    // FNV-1a, folded into the seven digits a container's overlay numbers usually have.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in resolved.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return 1_000_000 + hash % 9_000_000
  }

  public func exists(_ path: String, from directory: String) -> Bool {
    (try? info(path, from: directory)) != nil
  }

  /// The names in a directory, sorted, without `.` and `..`.
  public func list(_ path: String, from directory: String) throws(FileSystemError) -> [String] {
    let resolved = try resolve(path, from: directory)
    if resolved == Self.dockerRoot && !isPrivileged { throw .permissionDenied }
    if let children = syntheticChildren(resolved), locate(resolved) == nil { return children }
    let (mount, relative, status) = try entry(resolved, from: "/")
    guard status.isDirectory else { throw .notDirectory }
    var names = try mount.tree.names(relative)
    if resolved == Self.dockerRoot { names.removeAll { $0 == ".layerlab" } }
    return names
  }

  public func read(_ path: String, from directory: String) throws(FileSystemError) -> [UInt8] {
    let (mount, relative, status) = try entry(path, from: directory)
    guard !status.isDirectory else { throw .isDirectory }
    return try mount.tree.read(relative)
  }

  /// Opens a regular file for reading a chunk at a time.
  public func reader(_ path: String, from directory: String) throws(FileSystemError)
    -> FileReader
  {
    let (mount, relative, status) = try entry(path, from: directory)
    guard !status.isDirectory else { throw .isDirectory }
    return try mount.tree.reader(relative)
  }

  /// The host path of an existing directory, for the `docker` toolkit's working directory.
  public func hostPath(_ path: String, from directory: String) throws(FileSystemError) -> String {
    let (mount, relative, _) = try entry(path, from: directory)
    guard !mount.tree.isOverlay else { throw .permissionDenied }
    return mount.tree.top.hostPath(relative)
  }

  /// The host path of a path given to `docker` (a build context, `save -o`, `load -i`):
  /// resolved in the sandbox, inside a writable mount that is one plain directory, so the
  /// host path has no link on its way.
  public func hostPathForDocker(_ path: String, from directory: String) -> String? {
    guard let resolved = try? resolve(path, from: directory),
      let (mount, relative) = locate(resolved),
      !mount.isReadOnly, !mount.tree.isOverlay
    else { return nil }
    return mount.tree.top.hostPath(relative)
  }

  // MARK: - Writing

  /// The mount and relative path where an entry may be written: resolved, in a writable
  /// mount, with an existing directory above it.
  func writable(_ path: String, from directory: String, followLast: Bool = true)
    throws(FileSystemError) -> (tree: FileTree, relative: String)
  {
    let resolved = try resolve(path, from: directory, followLast: followLast)
    guard let (mount, relative) = locate(resolved) else {
      if syntheticChildren(resolved) != nil || resolved == "/" { throw .isDirectory }
      throw exists(PathText.parent(resolved), from: "/") ? .permissionDenied : .noSuchFile
    }
    guard !mount.isReadOnly else { throw .readOnly }
    if !relative.isEmpty {
      let parent = PathText.parent(resolved)
      let parentInfo = try info(parent, from: "/")
      guard parentInfo.kind == .directory else { throw .notDirectory }
    }
    return (mount.tree, relative)
  }

  public func write(_ bytes: [UInt8], to path: String, from directory: String, append: Bool = false)
    throws(FileSystemError)
  {
    let (tree, relative) = try writable(path, from: directory)
    guard !relative.isEmpty else { throw .isDirectory }
    try tree.write(bytes, to: relative, append: append)
    stamp(tree, relative)
  }

  /// Writes a file of `size` zero bytes, sparse on disk: a package's program, as a stand-in.
  public func writeSparse(size: Int64, mode: UInt32, to path: String, from directory: String)
    throws(FileSystemError)
  {
    let (tree, relative) = try writable(path, from: directory)
    guard !relative.isEmpty else { throw .isDirectory }
    try tree.writer(relative, mode: mode).extend(to: size)
    stamp(tree, relative)
  }

  /// Opens a regular file for writing a chunk at a time, created or emptied.
  public func writer(to path: String, from directory: String) throws(FileSystemError)
    -> FileWriter
  {
    let (tree, relative) = try writable(path, from: directory)
    guard !relative.isEmpty else { throw .isDirectory }
    let writer = try tree.writer(relative)
    stamp(tree, relative)
    return writer
  }

  public func makeDirectory(_ path: String, from directory: String, parents: Bool)
    throws(FileSystemError)
  {
    let normalized = normalize(path, from: directory)
    if parents {
      var current = ""
      for component in normalized.split(separator: "/") {
        current += "/" + component
        if let entry = try? info(current, from: "/") {
          guard entry.kind == .directory else { throw .exists }
          continue
        }
        let (tree, relative) = try writable(current, from: "/")
        try tree.makeDirectory(relative)
        stamp(tree, relative)
      }
      return
    }
    if exists(normalized, from: "/") { throw .exists }
    let (tree, relative) = try writable(normalized, from: "/")
    guard !relative.isEmpty else { throw .exists }
    try tree.makeDirectory(relative)
    stamp(tree, relative)
  }

  public func remove(_ path: String, from directory: String, recursive: Bool)
    throws(FileSystemError)
  {
    let entry = try info(path, from: directory, follow: false)
    let (tree, relative) = try writable(path, from: directory, followLast: false)
    guard !relative.isEmpty else { throw .permissionDenied }
    if entry.kind == .directory && !recursive { throw .isDirectory }
    try tree.remove(relative, recursive: true)
    stamp(tree, PathText.parent(relative), parent: false)
  }

  public func symlink(_ target: String, at path: String, from directory: String)
    throws(FileSystemError)
  {
    if (try? info(path, from: directory, follow: false)) != nil { throw .exists }
    let (tree, relative) = try writable(path, from: directory, followLast: false)
    try tree.makeSymlink(relative, target: target)
    stamp(tree, relative)
  }

  public func move(_ source: String, to destination: String, from directory: String)
    throws(FileSystemError)
  {
    _ = try info(source, from: directory, follow: false)
    let (fromTree, from) = try writable(source, from: directory, followLast: false)
    let (toTree, to) = try writable(destination, from: directory, followLast: false)
    guard !from.isEmpty, !to.isEmpty else { throw .permissionDenied }
    if fromTree == toTree, to == from || to.hasPrefix(from + "/") { throw .invalidArgument }
    try fromTree.rename(from, to: toTree, to)
    stamp(fromTree, PathText.parent(from), parent: false)
    stamp(toTree, to)
  }

  public func setMode(_ mode: UInt32, of path: String, from directory: String)
    throws(FileSystemError)
  {
    let (tree, relative) = try writable(path, from: directory)
    try tree.setMode(relative, mode)
  }

  /// Gives an entry, and the directory it is in, the virtual clock's time.
  private func stamp(_ tree: FileTree, _ relative: String, parent: Bool = true) {
    guard let now else { return }
    try? tree.setModificationTime(relative, now)
    if parent, !relative.isEmpty { try? tree.setModificationTime(PathText.parent(relative), now) }
  }

  /// Sets a file's modification time, creating it empty if it is missing.
  public func touch(_ path: String, from directory: String, at date: Date) throws(FileSystemError) {
    let (tree, relative) = try writable(path, from: directory)
    if !tree.exists(relative) { try tree.write([], to: relative) }
    try tree.setModificationTime(relative, date)
  }
}
