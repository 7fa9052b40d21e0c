internal import CArchive
import LabFiles
import LabLimits

/// What an extraction wrote.
public struct ExtractionSummary: Equatable, Sendable {
  /// Members extracted, in archive order.
  public var paths: [String] = []
  /// Docker's layer size: the bytes of every non-directory, links once, as `du` counts them.
  public var size: Int64 = 0
}

/// Extracts a layer archive into a directory, refusing anything that leads outside it.
///
/// Paths that are absolute or contain `..`, hard links to such paths, and symbolic links
/// whose relative target climbs above the layer's root are refused before anything of that
/// member is written. Absolute symbolic links are kept as they are: they name paths inside
/// the image, never on the host. Whiteout files (`.wh.*`) are kept as empty files. No host
/// file is made setuid, setgid or world-writable: such modes are kept as metadata (see
/// ``HostDirectory/setMode(_:_:)``).
public enum LayerExtractor {
  /// Extracts the archive at `archivePath` into the existing directory `directory`.
  public static func extract(
    archiveAt archivePath: String, into directory: String
  ) throws -> ExtractionSummary {
    try extract(try TarReader(path: archivePath), into: directory, label: archivePath)
  }

  /// Extracts an archive already opened into the existing directory `directory`.
  public static func extract(
    _ reader: TarReader, into directory: String, label archivePath: String = "archive"
  ) throws -> ExtractionSummary {
    let disk = try LayerDiskWriter(into: directory)
    while true {
      var entry: OpaquePointer?
      let status = reader.withCurrentArchive { archive_read_next_header($0, &entry) }
      if status == archiveEOF { break }
      try reader.withCurrentArchive { try check(status, $0, "read \(archivePath)") }
      guard let entry else { break }
      guard try disk.begin(entry) else { continue }
      if disk.expectsData {
        try copyData(from: reader, to: disk, path: disk.currentPath)
      }
      try disk.endEntry()
    }
    return disk.finish()
  }

  private static func copyData(from reader: TarReader, to disk: LayerDiskWriter, path: String)
    throws
  {
    try reader.withCurrentArchive { archive in
      while true {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        let status = archive_read_data_block(archive, &buffer, &size, &offset)
        if status == archiveEOF { return }
        try check(status, archive, "read \(path)")
        try disk.write(UnsafeRawBufferPointer(start: buffer, count: size), at: Int64(offset))
      }
    }
  }

  /// Strips `./` and trailing slashes; refuses absolute paths and `..` components.
  public static func safeRelativePath(_ path: String) throws(ArchiveError) -> String {
    if path.hasPrefix("/") { throw .unsafePath(path) }
    var parts: [Substring] = []
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
      if component == "." { continue }
      if component == ".." { throw .unsafePath(path) }
      parts.append(component)
    }
    return parts.joined(separator: "/")
  }

  /// Whether a relative link target, resolved from the link's own directory, climbs above the root.
  static func climbsOut(from linkPath: String, to target: String) -> Bool {
    var depth = linkPath.split(separator: "/").count - 1
    for component in target.split(separator: "/", omittingEmptySubsequences: true) {
      if component == ".." {
        depth -= 1
        if depth < 0 { return true }
      } else if component != "." {
        depth += 1
      }
    }
    return false
  }
}

/// Writes a layer's members into a directory one at a time, with the extractor's rules: the
/// members come from an archive being read, or from a ``TarWriter`` writing one, so a layer
/// that is made is written to disk as its tar goes by, never read back from a tar.
final class LayerDiskWriter {
  private let disk: OpaquePointer
  private let root: String
  private var summary = ExtractionSummary()
  private var closed = false
  /// The member being written: its path in the archive and below the root, its mode, and
  /// whether it is a file with data to come.
  private(set) var currentPath = ""
  private var relative = ""
  private var mode: UInt32 = 0
  private var keepsMode = false
  private var hostMode: UInt32 = 0
  private(set) var expectsData = false

  init(into directory: String) throws(ArchiveError) {
    guard let disk = archive_write_disk_new() else {
      throw .library(operation: "extract", message: "out of memory")
    }
    self.disk = disk
    let flags =
      ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS
      | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK
    try check(archive_write_disk_set_options(disk, flags), disk, "extract")
    root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
  }

  deinit { archive_write_free(disk) }

  /// Starts a member from its libarchive entry, which it changes: `false` when the member is
  /// the root itself and is skipped.
  func begin(_ entry: OpaquePointer) throws(ArchiveError) -> Bool {
    let header = TarReader.header(of: entry)
    relative = try LayerExtractor.safeRelativePath(header.path)
    currentPath = header.path
    expectsData = false
    if relative.isEmpty { return false }
    switch header.type {
    case .hardlink:
      let target = try LayerExtractor.safeRelativePath(header.linkTarget ?? "")
      guard !target.isEmpty else { throw ArchiveError.unsafePath(header.path) }
      archive_entry_set_hardlink(entry, root + "/" + target)
    case .symlink:
      let target = header.linkTarget ?? ""
      if !target.hasPrefix("/") && LayerExtractor.climbsOut(from: relative, to: target) {
        throw ArchiveError.linkEscapes(path: header.path, target: target)
      }
      summary.size += Int64(target.utf8.count)
    case .file:
      summary.size += header.size
    case .characterDevice, .blockDevice, .fifo, .socket:
      // Device nodes need privileges; an image's are recreated as empty files.
      archive_entry_set_filetype(entry, fileTypeRegular)
      archive_entry_set_size(entry, 0)
    case .directory:
      break
    }
    archive_entry_set_pathname(entry, root + "/" + relative)
    let kind: FileStatus.Kind = header.type == .directory ? .directory : .file
    mode = header.mode
    hostMode = HostDirectory.hostMode(for: header.mode, kind: kind)
    keepsMode = header.type == .file || header.type == .directory
    if keepsMode { archive_entry_set_perm(entry, mode_t(hostMode)) }
    try check(archive_write_header(disk, entry), disk, "extract \(header.path)")
    expectsData = header.type == .file && header.size > 0
    return true
  }

  /// Writes the current member's bytes at `offset`, charged to the session's disk first.
  func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(ArchiveError) {
    do {
      try Budget.current?.chargeDisk(Int64(bytes.count))
    } catch {
      throw ArchiveError.noSpace
    }
    let written = archive_write_data_block(disk, bytes.baseAddress, bytes.count, offset)
    try check(Int32(truncatingIfNeeded: written), disk, "extract \(currentPath)")
  }

  /// Ends the current member.
  func endEntry() throws(ArchiveError) {
    try check(archive_write_finish_entry(disk), disk, "extract \(currentPath)")
    if keepsMode, hostMode != mode & 0o7777 {
      try? HostDirectory(root).setMode(relative, mode)
    }
    summary.paths.append(relative)
  }

  /// Ends the extraction: folders get their times and modes now that nothing is written
  /// into them any more.
  func finish() -> ExtractionSummary {
    if !closed {
      closed = true
      // As freeing the writer would: what the fix-ups cannot set is left as it is.
      _ = archive_write_close(disk)
    }
    return summary
  }
}

@available(*, unavailable)
extension LayerDiskWriter: Sendable {}
