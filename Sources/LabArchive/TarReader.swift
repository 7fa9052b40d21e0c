internal import CArchive

/// The header of one member read from an archive.
public struct TarHeader: Equatable, Sendable {
  public enum FileType: Equatable, Sendable {
    case file, directory, symlink, hardlink, characterDevice, blockDevice, fifo, socket
  }

  public var path: String
  public var type: FileType
  public var size: Int64
  public var mode: UInt32
  public var modificationTime: Int64
  public var linkTarget: String?
  public var uid: Int64
  public var gid: Int64
  public var userName: String
  public var groupName: String
}

/// Reads the members of an archive one at a time, compressed or not.
///
/// Data is streamed: nothing larger than one chunk is held in memory.
public final class TarReader {
  private let archive: OpaquePointer
  private let label: String
  private var memory: [UInt8] = []
  private var source: ChunkSource?
  private var bufferSource: BufferSource?

  /// Opens the archive file at `path`; gzip, bzip2 and xz are recognised by content.
  public init(path: String) throws(ArchiveError) {
    guard let archive = archive_read_new() else {
      throw .library(operation: path, message: "out of memory")
    }
    self.archive = archive
    label = path
    try Self.configure(archive, label)
    try check(archive_read_open_filename(archive, path, streamChunkSize), archive, path)
  }

  /// Opens an archive held in memory.
  public init(bytes: [UInt8], label: String = "archive") throws(ArchiveError) {
    guard let archive = archive_read_new() else {
      throw .library(operation: label, message: "out of memory")
    }
    self.archive = archive
    self.label = label
    memory = bytes
    try Self.configure(archive, label)
    let status = memory.withUnsafeBytes {
      archive_read_open_memory(archive, $0.baseAddress, $0.count)
    }
    try check(status, archive, label)
  }

  /// Opens an archive whose bytes `next` hands over a chunk at a time (an empty chunk at the
  /// end), for a file opened elsewhere: nothing is read by path.
  public init(label: String, source next: @escaping () throws -> [UInt8]) throws(ArchiveError) {
    guard let archive = archive_read_new() else {
      throw .library(operation: label, message: "out of memory")
    }
    self.archive = archive
    self.label = label
    let source = ChunkSource(next)
    self.source = source
    try Self.configure(archive, label)
    let status = archive_read_open(
      archive, Unmanaged.passUnretained(source).toOpaque(), nil,
      { _, context, buffer in
        guard let context, let buffer else { return -1 }
        return Unmanaged<ChunkSource>.fromOpaque(context).takeUnretainedValue().fill(buffer)
      }, nil)
    try check(status, archive, label)
  }

  /// Opens an archive whose bytes `read` puts into the buffer it is handed, returning how
  /// many (0 at the end): an archive inside another's member is read as that member streams,
  /// with no copy of it anywhere.
  public init(
    label: String, reading read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int
  ) throws(ArchiveError) {
    guard let archive = archive_read_new() else {
      throw .library(operation: label, message: "out of memory")
    }
    self.archive = archive
    self.label = label
    let source = BufferSource(read)
    bufferSource = source
    try Self.configure(archive, label)
    let status = archive_read_open(
      archive, Unmanaged.passUnretained(source).toOpaque(), nil,
      { _, context, buffer in
        guard let context, let buffer else { return -1 }
        return Unmanaged<BufferSource>.fromOpaque(context).takeUnretainedValue().fill(buffer)
      }, nil)
    try check(status, archive, label)
  }

  private static func configure(_ archive: OpaquePointer, _ label: String) throws(ArchiveError) {
    try check(archive_read_support_filter_all(archive), archive, label)
    try check(archive_read_support_format_tar(archive), archive, label)
    try check(archive_read_support_format_gnutar(archive), archive, label)
    try check(archive_read_support_format_empty(archive), archive, label)
  }

  deinit {
    archive_read_free(archive)
  }

  /// The next member's header, or `nil` at the end of the archive.
  public func next() throws(ArchiveError) -> TarHeader? {
    var entry: OpaquePointer?
    let status = archive_read_next_header(archive, &entry)
    if status == archiveEOF { return nil }
    try check(status, archive, "read \(label)")
    guard let entry else { return nil }
    return Self.header(of: entry)
  }

  /// Streams the current member's data to `chunk`.
  public func readData(chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = buffer.withUnsafeMutableBytes {
        archive_read_data(archive, $0.baseAddress, $0.count)
      }
      if count == 0 { return }
      guard count > 0 else {
        throw ArchiveError.library(operation: "read \(label)", message: errorMessage(archive))
      }
      try buffer.withUnsafeBytes { try chunk(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
  }

  /// Reads the current member's next bytes into `buffer`: how many, 0 at its end.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
    let count = archive_read_data(archive, buffer.baseAddress, buffer.count)
    guard count >= 0 else {
      throw .library(operation: "read \(label)", message: errorMessage(archive))
    }
    return count
  }

  /// The current member's data, whole; for small members only.
  public func readData() throws -> [UInt8] {
    var bytes: [UInt8] = []
    try readData { bytes.append(contentsOf: $0) }
    return bytes
  }

  /// Passes the current entry to libarchive's disk writer; used by the extractor.
  func withCurrentArchive<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
    try body(archive)
  }

  static func header(of entry: OpaquePointer) -> TarHeader {
    let type: TarHeader.FileType
    let hardlink = archive_entry_hardlink(entry).map { String(cString: $0) }
    switch UInt32(archive_entry_filetype(entry)) {
    case fileTypeDirectory: type = .directory
    case fileTypeSymlink: type = .symlink
    case fileTypeCharacterDevice: type = .characterDevice
    case fileTypeBlockDevice: type = .blockDevice
    case fileTypeFIFO: type = .fifo
    case fileTypeSocket: type = .socket
    default: type = hardlink == nil ? .file : .hardlink
    }
    let symlink = archive_entry_symlink(entry).map { String(cString: $0) }
    return TarHeader(
      path: archive_entry_pathname(entry).map { String(cString: $0) } ?? "",
      type: type,
      size: Int64(archive_entry_size(entry)),
      mode: UInt32(archive_entry_perm(entry)),
      modificationTime: Int64(archive_entry_mtime(entry)),
      linkTarget: type == .hardlink ? hardlink : symlink,
      uid: Int64(archive_entry_uid(entry)),
      gid: Int64(archive_entry_gid(entry)),
      userName: archive_entry_uname(entry).map { String(cString: $0) } ?? "",
      groupName: archive_entry_gname(entry).map { String(cString: $0) } ?? "")
  }
}

/// Holds the chunk libarchive reads from until it asks for the next one.
private final class ChunkSource {
  let next: () throws -> [UInt8]
  var storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 1)

  init(_ next: @escaping () throws -> [UInt8]) { self.next = next }

  deinit { storage.deallocate() }

  /// Points `buffer` at the next chunk; returns its size, 0 at the end, -1 on a failure.
  func fill(_ buffer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
    guard let chunk = try? next() else { return -1 }
    if chunk.count > storage.count {
      storage.deallocate()
      storage = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk.count, alignment: 1)
    }
    chunk.withUnsafeBytes { storage.copyMemory(from: $0) }
    buffer.pointee = UnsafeRawPointer(storage.baseAddress)
    return chunk.count
  }
}

/// Holds the buffer a reading function fills for libarchive, one chunk at a time.
private final class BufferSource {
  let read: (UnsafeMutableRawBufferPointer) throws -> Int
  let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

  init(_ read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) { self.read = read }

  deinit { storage.deallocate() }

  /// Points `buffer` at the next chunk; returns its size, 0 at the end, -1 on a failure.
  func fill(_ buffer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
    guard let count = try? read(storage), count >= 0 else { return -1 }
    buffer.pointee = UnsafeRawPointer(storage.baseAddress)
    return count
  }
}

@available(*, unavailable)
extension TarReader: Sendable {}
