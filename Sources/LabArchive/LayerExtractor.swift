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
    guard let disk = archive_write_disk_new() else {
      throw ArchiveError.library(operation: "extract", message: "out of memory")
    }
    defer { archive_write_free(disk) }
    let flags =
      ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS
      | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK
    try check(archive_write_disk_set_options(disk, flags), disk, "extract")
    let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    var summary = ExtractionSummary()
    while true {
      var entry: OpaquePointer?
      let status = reader.withCurrentArchive { archive_read_next_header($0, &entry) }
      if status == archiveEOF { break }
      try reader.withCurrentArchive { try check(status, $0, "read \(archivePath)") }
      guard let entry else { break }
      let header = TarReader.header(of: entry)
      let relative = try safeRelativePath(header.path)
      if relative.isEmpty { continue }
      switch header.type {
      case .hardlink:
        let target = try safeRelativePath(header.linkTarget ?? "")
        guard !target.isEmpty else { throw ArchiveError.unsafePath(header.path) }
        archive_entry_set_hardlink(entry, root + "/" + target)
      case .symlink:
        let target = header.linkTarget ?? ""
        if !target.hasPrefix("/") && climbsOut(from: relative, to: target) {
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
      let hostMode = HostDirectory.hostMode(for: header.mode, kind: kind)
      let keepsMode = header.type == .file || header.type == .directory
      if keepsMode { archive_entry_set_perm(entry, mode_t(hostMode)) }
      try check(archive_write_header(disk, entry), disk, "extract \(header.path)")
      if header.type == .file && header.size > 0 {
        try copyData(from: reader, to: disk, path: header.path)
      }
      try check(archive_write_finish_entry(disk), disk, "extract \(header.path)")
      if keepsMode, hostMode != header.mode & 0o7777 {
        try? HostDirectory(root).setMode(relative, header.mode)
      }
      summary.paths.append(relative)
    }
    return summary
  }

  private static func copyData(from reader: TarReader, to disk: OpaquePointer, path: String) throws
  {
    try reader.withCurrentArchive { archive in
      while true {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        let status = archive_read_data_block(archive, &buffer, &size, &offset)
        if status == archiveEOF { return }
        try check(status, archive, "read \(path)")
        do {
          try Budget.current?.chargeDisk(Int64(size))
        } catch {
          throw ArchiveError.noSpace
        }
        let written = archive_write_data_block(disk, buffer, size, offset)
        try check(Int32(truncatingIfNeeded: written), disk, "extract \(path)")
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
