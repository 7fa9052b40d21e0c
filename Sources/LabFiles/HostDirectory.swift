internal import CFileSystem
import Foundation
import LabLimits

/// A directory on the host that paths below it cannot leave.
///
/// Every operation walks its path one component at a time with `openat(…, O_NOFOLLOW)`, so the
/// host never follows a symbolic link on the way: a link in the middle of a path is an error
/// here, and resolving links is the caller's job, inside its own virtual root (see
/// ``PathResolver``). Only regular files are opened for reading and writing; devices, FIFOs and
/// sockets never are.
///
/// No file written here is setuid, setgid or world-writable on the host. A mode with those bits
/// is kept as the sandbox's metadata (an extended attribute) and reported by ``status(_:)``, so
/// `ls -l` and the layers built from these files carry it.
public struct HostDirectory: Hashable, Sendable {
  /// The host path of the directory; trusted, it is LayerLab's own.
  public let path: String

  public init(_ path: String) {
    self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
  }

  /// The host path of an entry, for messages inside LayerLab and for libarchive, which
  /// refuses links on the way itself.
  public func hostPath(_ relative: String) -> String {
    let components = Self.split(relative)
    return components.isEmpty ? path : path + "/" + components.joined(separator: "/")
  }

  // MARK: - Reading

  /// The entry's status, without following a link at its end.
  public func status(_ relative: String) throws(FileSystemError) -> FileStatus {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      var status = stat()
      guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { throw .current }
      let kind = status.st_mode & S_IFMT
      guard kind == S_IFREG || kind == S_IFDIR else { return FileStatus(status) }
      return FileStatus(status, mode: Self.recordedMode(directory, name))
    }
  }

  /// Whether an entry exists, as `lstat` sees it.
  public func exists(_ relative: String) -> Bool { (try? status(relative)) != nil }

  /// The target of a symbolic link, as written.
  public func linkTarget(_ relative: String) throws(FileSystemError) -> String {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let count = readlinkat(directory, name, &buffer, buffer.count - 1)
      guard count >= 0 else { throw .current }
      return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
  }

  /// The names in a directory, unsorted, without `.` and `..`.
  public func names(_ relative: String) throws(FileSystemError) -> [String] {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      let descriptor = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      guard descriptor >= 0 else { throw .current }
      defer { close(descriptor) }
      return try Self.names(ofOpen: descriptor)
    }
  }

  /// Opens a regular file for reading.
  public func reader(_ relative: String) throws(FileSystemError) -> FileReader {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just after.
      let descriptor = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
      guard descriptor >= 0 else {
        throw errno == ELOOP ? .notRegularFile : .current
      }
      var status = stat()
      guard fstat(descriptor, &status) == 0 else {
        close(descriptor)
        throw .current
      }
      switch status.st_mode & S_IFMT {
      case S_IFREG:
        return FileReader(descriptor: descriptor, size: Int64(status.st_size))
      case S_IFDIR:
        close(descriptor)
        throw .isDirectory
      default:
        close(descriptor)
        throw .notRegularFile
      }
    }
  }

  /// A regular file's bytes, whole.
  ///
  /// - Parameters:
  ///   - relative: The file's path below this directory.
  ///   - limit: The most bytes to read.
  /// - Returns: The file's bytes.
  /// - Throws: ``FileSystemError/noSpace`` for a file larger than `limit`, before anything is
  ///   allocated; what opening or reading the file throws.
  public func read(_ relative: String, limit: Int64 = .max) throws(FileSystemError) -> [UInt8] {
    let reader = try reader(relative)
    guard reader.size <= limit else { throw .noSpace }
    return try reader.readAll(limit: limit)
  }

  // MARK: - Writing

  /// Creates or truncates a regular file (appends with `append`), writes `bytes`, and gives a
  /// new file `mode`.
  public func write(
    _ bytes: [UInt8], to relative: String, append: Bool = false, mode: UInt32 = 0o644
  ) throws(FileSystemError) {
    let writer = try writer(relative, append: append, mode: mode)
    try writer.write(bytes)
  }

  /// Opens a regular file for writing, creating it with `mode` if it is new.
  public func writer(_ relative: String, append: Bool = false, mode: UInt32 = 0o644)
    throws(FileSystemError) -> FileWriter
  {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      let flags =
        O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
      var existing = stat()
      let isNew = fstatat(directory, name, &existing, AT_SYMLINK_NOFOLLOW) != 0
      if !isNew {
        switch existing.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .isDirectory
        default: throw .notRegularFile
        }
        // Emptying a file gives its bytes back to the quota.
        if !append { Budget.current?.disk?.credit(Int64(existing.st_size)) }
      }
      let descriptor = openat(directory, name, flags, mode_t(Self.hostMode(for: mode, kind: .file)))
      guard descriptor >= 0 else { throw errno == ELOOP ? .notRegularFile : .current }
      var status = stat()
      guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
        close(descriptor)
        throw .notRegularFile
      }
      if isNew {
        // The umask must not decide modes: they go into layers and image IDs.
        fchmod(descriptor, mode_t(Self.hostMode(for: mode, kind: .file)))
        Self.record(mode: mode, kind: .file, on: descriptor)
      }
      return FileWriter(descriptor: descriptor)
    }
  }

  public func makeDirectory(_ relative: String, mode: UInt32 = 0o755) throws(FileSystemError) {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      guard mkdirat(directory, name, mode_t(Self.hostMode(for: mode, kind: .directory))) == 0 else {
        throw .current
      }
      try Self.apply(mode: mode, kind: .directory, directory, name)
    }
  }

  /// Creates every missing directory of `relative`, each with `mode`.
  public func makeDirectories(_ relative: String, mode: UInt32 = 0o755) throws(FileSystemError) {
    var prefix: [String] = []
    for component in Self.split(relative) {
      prefix.append(component)
      let path = prefix.joined(separator: "/")
      if let status = try? status(path) {
        guard status.isDirectory else { throw .notDirectory }
        continue
      }
      try makeDirectory(path, mode: mode)
    }
  }

  public func makeSymlink(_ relative: String, target: String) throws(FileSystemError) {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      guard symlinkat(target, directory, name) == 0 else { throw .current }
    }
  }

  /// Makes `relative` a second name of the regular file `existing`.
  public func makeHardLink(_ relative: String, to existing: String) throws(FileSystemError) {
    try withParent(existing) { (sourceDirectory, sourceName) throws(FileSystemError) in
      try withParent(relative) { (directory, name) throws(FileSystemError) in
        guard linkat(sourceDirectory, sourceName, directory, name, 0) == 0 else { throw .current }
      }
    }
  }

  /// Removes an entry; a directory only when `recursive` or empty.
  ///
  /// A link is removed, never what it points at.
  public func remove(_ relative: String, recursive: Bool) throws(FileSystemError) {
    let components = Self.split(relative)
    guard !components.isEmpty else { throw .permissionDenied }
    if recursive, try status(relative).kind == .directory {
      try removeTree(relative)
    } else {
      try removeByPaths(relative, recursive: recursive)
    }
  }

  /// How many folders deep ``removeTree(_:)`` keeps open; below that, it goes by paths.
  static let openFolderLimit = 64

  /// Removes a folder and everything in it through descriptors of the folders on the way, so
  /// that each entry costs a few system calls rather than an open of every folder above it.
  ///
  /// Links are removed, never followed; deeper than ``openFolderLimit`` it goes on by paths,
  /// so a deep tree can exhaust neither the stack nor the descriptors.
  private func removeTree(_ relative: String) throws(FileSystemError) {
    struct Folder {
      var descriptor: Int32
      var path: String
      var names: [String]
    }
    var folders: [Folder] = []
    defer { for folder in folders { close(folder.descriptor) } }
    let top = try withParent(relative) { (directory, name) throws(FileSystemError) in
      let descriptor = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      guard descriptor >= 0 else { throw .current }
      return descriptor
    }
    folders.append(Folder(descriptor: top, path: relative, names: []))
    folders[0].names = try Self.names(ofOpen: top)
    while let folder = folders.last {
      guard let name = folders[folders.count - 1].names.popLast() else {
        folders.removeLast()
        close(folder.descriptor)
        if let parent = folders.last {
          guard unlinkat(parent.descriptor, PathText.name(folder.path), AT_REMOVEDIR) == 0 else {
            throw .current
          }
        } else {
          try unlink(relative, directory: true)
        }
        continue
      }
      var status = stat()
      guard fstatat(folder.descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
        throw .current
      }
      let kind = status.st_mode & S_IFMT
      if kind != S_IFDIR {
        guard unlinkat(folder.descriptor, name, 0) == 0 else { throw .current }
        if kind == S_IFREG, status.st_nlink <= 1 {
          Budget.current?.disk?.credit(Int64(status.st_size))
        }
      } else if folders.count >= Self.openFolderLimit {
        try removeByPaths(folder.path + "/" + name, recursive: true)
      } else {
        let child = openat(folder.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else { throw .current }
        folders.append(Folder(descriptor: child, path: folder.path + "/" + name, names: []))
        folders[folders.count - 1].names = try Self.names(ofOpen: child)
      }
    }
  }

  /// The names in an open folder, without `.` and `..`; the descriptor stays open.
  private static func names(ofOpen descriptor: Int32) throws(FileSystemError) -> [String] {
    let copy = dup(descriptor)
    guard copy >= 0 else { throw .current }
    guard let stream = fdopendir(copy) else {
      close(copy)
      throw .current
    }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafePointer(to: &entry.pointee.d_name) {
        String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Removes an entry by its path, one entry at a time.
  private func removeByPaths(_ relative: String, recursive: Bool) throws(FileSystemError) {
    // Depth-first without recursion, so a deep tree cannot exhaust the stack.
    var pending: [(path: String, visited: Bool)] = [(relative, false)]
    while let (path, visited) = pending.popLast() {
      let status = try status(path)
      if status.kind != .directory {
        try unlink(path, directory: false)
        if status.kind == .file, status.links <= 1 { Budget.current?.disk?.credit(status.size) }
      } else if visited || !recursive {
        try unlink(path, directory: true)
      } else {
        pending.append((path, true))
        for name in try names(path) { pending.append((path + "/" + name, false)) }
      }
    }
  }

  private func unlink(_ relative: String, directory isDirectory: Bool) throws(FileSystemError) {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      guard unlinkat(directory, name, isDirectory ? AT_REMOVEDIR : 0) == 0 else { throw .current }
    }
  }

  /// Renames an entry, possibly into another host directory on the same file system.
  public func rename(_ relative: String, to destination: HostDirectory, _ target: String)
    throws(FileSystemError)
  {
    try withParent(relative) { (fromDirectory, fromName) throws(FileSystemError) in
      try destination.withParent(target) { (toDirectory, toName) throws(FileSystemError) in
        guard renameat(fromDirectory, fromName, toDirectory, toName) == 0 else { throw .current }
      }
    }
  }

  /// Sets an entry's mode; the host file gets only the bits that are safe there.
  public func setMode(_ relative: String, _ mode: UInt32) throws(FileSystemError) {
    let kind = try status(relative).kind
    guard kind == .file || kind == .directory else { throw .notRegularFile }
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      try Self.apply(mode: mode, kind: kind, directory, name)
    }
  }

  /// Sets an entry's modification and access times, without following a link.
  public func setModificationTime(_ relative: String, _ date: Date) throws(FileSystemError) {
    try withParent(relative) { (directory, name) throws(FileSystemError) in
      // An archive may carry any time: outside what the host keeps, it is clamped.
      let limit = Double(Int32.max) * 1_000
      let value = date.timeIntervalSince1970
      let clamped = value.isFinite ? min(max(value, -limit), limit) : 0
      let seconds = clamped.rounded(.down)
      let time = timespec(tv_sec: Int(seconds), tv_nsec: Int((clamped - seconds) * 1e9))
      let times = [time, time]
      guard utimensat(directory, name, times, AT_SYMLINK_NOFOLLOW) == 0 else { throw .current }
    }
  }

  // MARK: - Modes

  /// The extended attribute that holds a mode the host file does not carry.
  static let modeAttribute = "user.layerlab.mode"

  /// The mode a host file gets for a sandbox mode: no setuid, setgid, sticky or
  /// world-writable bit, and always readable and writable (directories searchable) by
  /// LayerLab itself, so it can clean up what a lesson made.
  public static func hostMode(for mode: UInt32, kind: FileStatus.Kind) -> UInt32 {
    let safe = mode & 0o775
    return kind == .directory ? safe | 0o700 : safe | 0o600
  }

  private static func apply(mode: UInt32, kind: FileStatus.Kind, _ directory: Int32, _ name: String)
    throws(FileSystemError)
  {
    guard fchmodat(directory, name, mode_t(hostMode(for: mode, kind: kind)), 0) == 0 else {
      throw .current
    }
    let descriptor = openat(
      directory, name,
      O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
        | (kind == .directory ? O_DIRECTORY : 0))
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    record(mode: mode, kind: kind, on: descriptor)
  }

  /// Keeps a mode the host file cannot carry as metadata; forgets it when it can.
  private static func record(mode: UInt32, kind: FileStatus.Kind, on descriptor: Int32) {
    if hostMode(for: mode, kind: kind) == mode & 0o7777 {
      fremovexattr(descriptor, modeAttribute)
      return
    }
    let text = String(mode & 0o7777, radix: 8)
    _ = text.withCString { fsetxattr(descriptor, modeAttribute, $0, strlen($0), 0) }
  }

  /// The mode recorded for an entry, if any.
  private static func recordedMode(_ directory: Int32, _ name: String) -> UInt32? {
    var buffer = [UInt8](repeating: 0, count: 16)
    let path = "/proc/self/fd/\(directory)/\(name)"
    let count = lgetxattr(path, modeAttribute, &buffer, buffer.count)
    guard count > 0 else { return nil }
    return UInt32(String(decoding: buffer[..<count], as: UTF8.self), radix: 8)
  }

  // MARK: - Walking

  /// The components of a relative path; `.` and empty ones are skipped.
  static func split(_ relative: String) -> [String] {
    relative.split(separator: "/").compactMap { $0 == "." ? nil : String($0) }
  }

  /// Opens the directory that holds the path's last component and hands it to `body`.
  ///
  /// Each component is opened with `O_NOFOLLOW`, relative to the one before. For the
  /// directory itself, the name handed over is `.`.
  func withParent<T>(
    _ relative: String, _ body: (Int32, String) throws(FileSystemError) -> T
  ) throws(FileSystemError) -> T {
    let components = Self.split(relative)
    guard !components.contains("..") else { throw .permissionDenied }
    var descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .current }
    defer { close(descriptor) }
    for component in components.dropLast() {
      let next = openat(descriptor, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      guard next >= 0 else {
        // A link on the way is never followed here.
        throw errno == ELOOP ? .notDirectory : .current
      }
      close(descriptor)
      descriptor = next
    }
    return try body(descriptor, components.last ?? ".")
  }
}

/// A regular file opened for reading; closed when released.
public final class FileReader {
  let descriptor: Int32
  /// The file's size when it was opened.
  public let size: Int64

  init(descriptor: Int32, size: Int64) {
    self.descriptor = descriptor
    self.size = size
  }

  deinit { close(descriptor) }

  /// The next bytes, at most `count`; empty at the end of the file.
  public func read(upTo count: Int = 1 << 20) throws(FileSystemError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: count)
    while true {
      let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, count) }
      if got < 0 && errno == EINTR { continue }
      guard got >= 0 else { throw .current }
      buffer.removeLast(count - got)
      return buffer
    }
  }

  /// Reads the next bytes into `buffer`: how many, 0 at the end of the file.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
    while true {
      let got = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
      if got < 0 && errno == EINTR { continue }
      guard got >= 0 else { throw .current }
      return got
    }
  }

  /// The rest of the file, refused beyond `limit` bytes.
  public func readAll(limit: Int64 = .max) throws(FileSystemError) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(min(size, limit, 1 << 26)))
    while true {
      let chunk = try read()
      if chunk.isEmpty { return bytes }
      guard Int64(bytes.count + chunk.count) <= limit else { throw .noSpace }
      bytes += chunk
    }
  }
}

/// A regular file opened for writing; closed when released.
public final class FileWriter {
  let descriptor: Int32

  init(descriptor: Int32) { self.descriptor = descriptor }

  deinit { close(descriptor) }

  /// Makes the file `size` bytes long without writing them: a stand-in of a program's real
  /// size, sparse on disk but charged to the quota at its full size.
  public func extend(to size: Int64) throws(FileSystemError) {
    do {
      try Budget.current?.chargeDisk(size)
    } catch {
      throw .noSpace
    }
    guard ftruncate(descriptor, off_t(size)) == 0 else { throw .current }
  }

  /// Writes all of `bytes`, charged to the session's disk quota first.
  public func write(_ bytes: [UInt8]) throws(FileSystemError) {
    var failure: FileSystemError?
    bytes.withUnsafeBytes { buffer in
      do throws(FileSystemError) { try write(buffer) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  /// Writes all of `bytes`, charged to the session's disk quota first.
  public func write(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
    do {
      try Budget.current?.chargeDisk(Int64(bytes.count))
    } catch {
      throw .noSpace
    }
    var offset = 0
    while offset < bytes.count {
      let written = Glibc.write(
        descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { throw .current }
      offset += written
    }
  }
}

@available(*, unavailable)
extension FileReader: Sendable {}

@available(*, unavailable)
extension FileWriter: Sendable {}

extension HostDirectory {
  /// The bytes the directory's files take on disk, links never followed.
  ///
  /// Each folder is read through its descriptor and each entry's status taken by name within
  /// it: no path is looked up from the root again, so the session's first write, which
  /// measures its folders, costs what their entries do.
  public func diskUsage() -> Int64 {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else { return 0 }
    return Self.diskUsage(below: descriptor)
  }

  /// The bytes the entries of the folder open at `descriptor` take, recursively; closes it.
  private static func diskUsage(below descriptor: Int32) -> Int64 {
    guard let folder = fdopendir(descriptor) else {
      close(descriptor)
      return 0
    }
    defer { closedir(folder) }
    var total: Int64 = 0
    while let entry = readdir(folder) {
      total += withUnsafePointer(to: &entry.pointee.d_name) { tuple in
        tuple.withMemoryRebound(to: CChar.self, capacity: 256) { name -> Int64 in
          let dot = CChar(UInt8(ascii: "."))
          if name[0] == dot && (name[1] == 0 || (name[1] == dot && name[2] == 0)) { return 0 }
          var status = stat()
          guard fstatat(dirfd(folder), name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return 0 }
          var size = Int64(status.st_blocks) * 512
          if status.st_mode & S_IFMT == S_IFDIR {
            let child = openat(
              dirfd(folder), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if child >= 0 { size += diskUsage(below: child) }
          }
          return size
        }
      }
    }
    return total
  }
}
