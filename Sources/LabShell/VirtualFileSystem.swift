import Foundation
import LabImage

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
    }
  }
}

/// What `stat` tells of a file in the sandbox.
public struct FileInfo: Sendable {
  public enum Kind: Sendable {
    case file, directory, symlink, characterDevice, blockDevice, fifo, socket
  }

  public var kind: Kind
  public var size: Int64
  public var mode: UInt32
  public var modified: Date
  public var links: Int
  public var inode: UInt64
  public var blocks: Int64
  public var owner: String
  public var linkTarget: String?
}

/// The sandbox's file system: a few mounts of host directories, and nothing else.
///
/// `/var/lib/docker` is the store (read-only), the home directory is the workspace, and `/tmp`
/// is scratch space. Paths are resolved here, component by component, with symbolic links
/// followed inside the sandbox: no path can reach the host outside these directories, whatever
/// `..` or links it holds.
public struct VirtualFileSystem: Sendable {
  public struct Mount: Sendable {
    public var path: String
    /// The host directory; for an overlay, the upper directory that takes the changes.
    public var host: String
    public var isReadOnly: Bool
    public var owner: String
    /// For an overlay, the read-only layer directories below `host`, top first.
    public var lowers: [String] = []
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
  public init(layers: [String], upper: String) {
    mounts = [Mount(path: "/", host: upper, isReadOnly: false, owner: "root", lowers: layers)]
    isPrivileged = true
    hasDocker = false
  }

  public init(storeRoot: String, workspace: String, temporary: String) {
    mounts = [
      Mount(path: Self.dockerRoot, host: storeRoot, isReadOnly: true, owner: "root"),
      Mount(path: Self.home, host: workspace, isReadOnly: false, owner: "learner"),
      Mount(path: "/tmp", host: temporary, isReadOnly: false, owner: "learner"),
    ]
  }

  // MARK: - Paths

  /// `path` made absolute against `directory`, with `.` and `..` removed.
  public func normalize(_ path: String, from directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    var parts: [Substring] = []
    for component in joined.split(separator: "/") {
      if component == "." { continue }
      if component == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(component)
    }
    return "/" + parts.joined(separator: "/")
  }

  /// The mount that holds a normalized path, and the host path inside it.
  func locate(_ path: String) -> (mount: Mount, host: String)? {
    for mount in mounts {
      let rest: String
      if mount.path == "/" {
        rest = path == "/" ? "" : path
      } else if path == mount.path || path.hasPrefix(mount.path + "/") {
        rest = String(path.dropFirst(mount.path.count))
      } else {
        continue
      }
      // LayerLab's own state in the store is not part of the sandbox.
      if mount.path == Self.dockerRoot, rest == "/.layerlab" || rest.hasPrefix("/.layerlab/") {
        return nil
      }
      return (mount, mount.host + rest)
    }
    return nil
  }

  /// The host path of an entry that exists: the mount's, or for an overlay the topmost
  /// layer's that no whiteout hides.
  func existing(_ path: String) -> (mount: Mount, host: String)? {
    guard let (mount, upper) = locate(path) else { return nil }
    var status = stat()
    guard !mount.lowers.isEmpty else { return lstat(upper, &status) == 0 ? (mount, upper) : nil }
    let components = path.split(separator: "/").map(String.init)
    for layer in [mount.host] + mount.lowers {
      // A whiteout of the entry or of a directory above it hides the layers below.
      for depth in 0..<components.count {
        let parent = layer + "/" + components[..<depth].joined(separator: "/")
        if lstat(parent + "/.wh." + components[depth], &status) == 0 { return nil }
      }
      let candidate = components.isEmpty ? layer : layer + "/" + components.joined(separator: "/")
      if lstat(candidate, &status) == 0 { return (mount, candidate) }
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
    var pending = normalize(path, from: directory).split(separator: "/").map(String.init)
    var resolved: [String] = []
    var hops = 0
    while !pending.isEmpty {
      let name = pending.removeFirst()
      if name == ".." {
        if !resolved.isEmpty { resolved.removeLast() }
        continue
      }
      if name == "." || name.isEmpty { continue }
      let candidate = "/" + (resolved + [name]).joined(separator: "/")
      let isLast = pending.isEmpty
      if !isPrivileged, candidate.hasPrefix(Self.dockerRoot + "/") { throw .permissionDenied }
      if locate(candidate) != nil {
        var status = stat()
        guard let (_, host) = existing(candidate), lstat(host, &status) == 0 else {
          if isLast { return candidate }
          throw .noSuchFile
        }
        if (status.st_mode & S_IFMT) == S_IFLNK, !isLast || followLast {
          hops += 1
          guard hops <= 40 else { throw .loop }
          let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: host)) ?? ""
          if target.hasPrefix("/") { resolved = [] }
          pending = target.split(separator: "/").map(String.init) + pending
          continue
        }
        if !isLast, (status.st_mode & S_IFMT) != S_IFDIR { throw .notDirectory }
        resolved.append(name)
      } else if syntheticChildren(candidate) != nil {
        resolved.append(name)
      } else {
        if isLast { return candidate }
        throw .noSuchFile
      }
    }
    return "/" + resolved.joined(separator: "/")
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
        inode: 2, blocks: 8, owner: "root", linkTarget: nil)
    }
    guard let (mount, host) = existing(resolved) else { throw .noSuchFile }
    var status = stat()
    guard lstat(host, &status) == 0 else { throw .noSuchFile }
    let kind: FileInfo.Kind
    switch status.st_mode & S_IFMT {
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .symlink
    case S_IFCHR: kind = .characterDevice
    case S_IFBLK: kind = .blockDevice
    case S_IFIFO: kind = .fifo
    case S_IFSOCK: kind = .socket
    default: kind = .file
    }
    return FileInfo(
      kind: kind, size: Int64(status.st_size), mode: UInt32(status.st_mode & 0o7777),
      modified: Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec)),
      links: Int(status.st_nlink),
      inode: UInt64(status.st_ino), blocks: Int64(status.st_blocks), owner: mount.owner,
      linkTarget: kind == .symlink
        ? try? FileManager.default.destinationOfSymbolicLink(atPath: host) : nil)
  }

  public func exists(_ path: String, from directory: String) -> Bool {
    (try? info(path, from: directory)) != nil
  }

  /// The names in a directory, unsorted, without `.` and `..`.
  public func list(_ path: String, from directory: String) throws(FileSystemError) -> [String] {
    let resolved = try resolve(path, from: directory)
    if resolved == Self.dockerRoot && !isPrivileged { throw .permissionDenied }
    if let children = syntheticChildren(resolved), locate(resolved) == nil { return children }
    let entry = try info(resolved, from: "/")
    guard entry.kind == .directory else { throw .notDirectory }
    guard let (mount, host) = existing(resolved) else { throw .noSuchFile }
    var names = (try? FileManager.default.contentsOfDirectory(atPath: host)) ?? []
    if resolved == Self.dockerRoot { names.removeAll { $0 == ".layerlab" } }
    guard !mount.lowers.isEmpty else { return names }
    // An overlay lists the union of its layers, less what whiteouts hide.
    var union: Set<String> = []
    let rest = resolved == "/" ? "" : resolved
    for layer in [mount.host] + mount.lowers {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: layer + rest)) ?? [] {
        union.insert(name)
      }
    }
    return union.filter { name in !name.hasPrefix(".wh.") && existing(rest + "/" + name) != nil }
      .sorted()
  }

  public func read(_ path: String, from directory: String) throws(FileSystemError) -> [UInt8] {
    let entry = try info(path, from: directory)
    guard entry.kind != .directory else { throw .isDirectory }
    let resolved = try resolve(path, from: directory)
    guard let (_, host) = existing(resolved), let data = FileManager.default.contents(atPath: host)
    else {
      throw .noSuchFile
    }
    return Array(data)
  }

  /// The host path of an existing file, for streaming it (tar, sha256sum).
  public func hostPath(_ path: String, from directory: String) throws(FileSystemError) -> String {
    let resolved = try resolve(path, from: directory)
    guard let (_, host) = existing(resolved) ?? locate(resolved) else { throw .noSuchFile }
    return host
  }

  /// The host path of a path given to `docker` (a build context, `save -o`, `load -i`):
  /// resolved in the sandbox, and only inside a writable mount.
  public func hostPathForDocker(_ path: String, from directory: String) -> String? {
    guard let resolved = try? resolve(path, from: directory), let (mount, host) = locate(resolved),
      !mount.isReadOnly
    else { return nil }
    return host
  }

  // MARK: - Writing

  /// The host path where a new entry may be written; the parent must exist and be writable.
  func writableHost(_ path: String, from directory: String, followLast: Bool = true)
    throws(FileSystemError) -> String
  {
    let resolved = try resolve(path, from: directory, followLast: followLast)
    guard let (mount, host) = locate(resolved) else {
      if syntheticChildren(resolved) != nil || resolved == "/" { throw .isDirectory }
      throw exists(PathText.parent(resolved), from: "/") ? .permissionDenied : .noSuchFile
    }
    guard !mount.isReadOnly else { throw .readOnly }
    let parent = PathText.parent(resolved)
    if parent != resolved {
      let parentInfo = try info(parent, from: "/")
      guard parentInfo.kind == .directory else { throw .notDirectory }
    }
    if !mount.lowers.isEmpty {
      // The directories above the entry are copied up into the upper layer.
      try? FileManager.default.createDirectory(
        atPath: PathText.parent(host), withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o755])
      try? FileManager.default.removeItem(
        atPath: PathText.parent(host) + "/.wh." + PathText.name(host))
    }
    return host
  }

  public func write(_ bytes: [UInt8], to path: String, from directory: String, append: Bool = false)
    throws(FileSystemError)
  {
    let lower = append ? try? read(path, from: directory) : nil
    let host = try writableHost(path, from: directory)
    if let lower, !FileManager.default.fileExists(atPath: host) {
      // Appending to a file of a lower layer starts from a copy of it.
      guard FileManager.default.createFile(atPath: host, contents: Data(lower)) else {
        throw .permissionDenied
      }
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: host, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      throw .isDirectory
    }
    defer { stamp(host) }
    if append, let handle = FileHandle(forWritingAtPath: host) {
      defer { try? handle.close() }
      _ = try? handle.seekToEnd()
      try? handle.write(contentsOf: Data(bytes))
      return
    }
    // New files get 0644 explicitly: the process umask must not change image IDs.
    var status = stat()
    let mode = lstat(host, &status) == 0 ? Int(status.st_mode & 0o7777) : 0o644
    guard
      FileManager.default.createFile(
        atPath: host, contents: Data(bytes), attributes: [.posixPermissions: mode])
    else {
      throw .permissionDenied
    }
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
        let host = try writableHost(current, from: "/")
        do {
          try FileManager.default.createDirectory(
            atPath: host, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755]
          )
        } catch {
          throw .permissionDenied
        }
        stamp(host)
      }
      return
    }
    if exists(normalized, from: "/") { throw .exists }
    let host = try writableHost(normalized, from: "/")
    do {
      try FileManager.default.createDirectory(
        atPath: host, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
    } catch {
      throw .noSuchFile
    }
    stamp(host)
  }

  public func remove(_ path: String, from directory: String, recursive: Bool)
    throws(FileSystemError)
  {
    let entry = try info(path, from: directory, follow: false)
    let resolved = try resolve(path, from: directory, followLast: false)
    let host = try writableHost(path, from: directory, followLast: false)
    if entry.kind == .directory && !recursive { throw .isDirectory }
    var status = stat()
    if lstat(host, &status) == 0 {
      do {
        try FileManager.default.removeItem(atPath: host)
      } catch {
        throw .permissionDenied
      }
      stamp(PathText.parent(host), parent: false)
    }
    // In an overlay, an entry a lower layer still shows is hidden with a whiteout.
    if let (mount, _) = locate(resolved), !mount.lowers.isEmpty, existing(resolved) != nil {
      let whiteout = PathText.parent(host) + "/.wh." + PathText.name(host)
      guard FileManager.default.createFile(atPath: whiteout, contents: nil) else {
        throw .permissionDenied
      }
    }
  }

  public func symlink(_ target: String, at path: String, from directory: String)
    throws(FileSystemError)
  {
    if (try? info(path, from: directory, follow: false)) != nil { throw .exists }
    let host = try writableHost(path, from: directory, followLast: false)
    do {
      try FileManager.default.createSymbolicLink(atPath: host, withDestinationPath: target)
    } catch {
      throw .permissionDenied
    }
    stamp(host)
  }

  public func move(_ source: String, to destination: String, from directory: String)
    throws(FileSystemError)
  {
    _ = try info(source, from: directory, follow: false)
    let from = try writableHost(source, from: directory, followLast: false)
    let to = try writableHost(destination, from: directory, followLast: false)
    guard rename(from, to) == 0 else { throw .permissionDenied }
    stamp(PathText.parent(from), parent: false)
    stamp(PathText.parent(to), parent: false)
  }

  public func setMode(_ mode: UInt32, of path: String, from directory: String)
    throws(FileSystemError)
  {
    let host = try writableHost(path, from: directory)
    guard chmod(host, mode_t(mode)) == 0 else { throw .noSuchFile }
  }

  /// Gives a host entry, and the directory it is in, the virtual clock's time.
  private func stamp(_ host: String, parent: Bool = true) {
    guard let now else { return }
    ImageStore.setTime(now, of: host)
    if parent { ImageStore.setTime(now, of: PathText.parent(host)) }
  }

  /// Sets a file's modification time, so files the shell writes carry the virtual clock's time.
  public func touch(_ path: String, from directory: String, at date: Date) throws(FileSystemError) {
    let host = try writableHost(path, from: directory)
    if !FileManager.default.fileExists(atPath: host) {
      guard
        FileManager.default.createFile(
          atPath: host, contents: nil, attributes: [.posixPermissions: 0o644])
      else {
        throw .permissionDenied
      }
    }
    try? FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: host)
  }
}
