internal import CArchive
import LabLimits

/// How a written archive is compressed.
public enum Compression: Sendable {
  case none
  /// gzip with no timestamp in its header, so equal input gives equal bytes.
  case gzip
}

/// Writes tar archives in the PAX format, the way Docker's layers are written.
///
/// The writer owns a libarchive handle and is not shared between tasks.
public final class TarWriter {
  private var archive: OpaquePointer?
  private let sink: ByteSink?
  private let stream: StreamSink?
  /// Where every member is also written as a file, when the archive is extracted as it is
  /// written; whether the current member goes there, and how far its data has come.
  private var disk: LayerDiskWriter?
  private var diskTakesEntry = false
  private var diskOffset: Int64 = 0
  /// What was written into the directory, once finished.
  public private(set) var extracted: ExtractionSummary?
  /// The buffer files are read into, allocated on first use.
  private var readBuffer: UnsafeMutableRawBufferPointer?
  /// Whether the archive goes to a file rather than memory or a stream, which charges
  /// its own writes.
  var isFile: Bool { sink == nil && stream == nil }

  /// Opens a writer onto a file, created or truncated.
  public convenience init(path: String, compression: Compression = .none) throws(ArchiveError) {
    try self.init(compression: compression, sink: nil)
    // Large blocks, fewer writes; with one byte in the last block, the bytes are the same.
    try check(archive_write_set_bytes_per_block(archive, 1 << 16), archive, "set block size")
    try check(archive_write_set_bytes_in_last_block(archive, 1), archive, "set block size")
    try check(archive_write_open_filename(archive, path), archive, "open \(path)")
  }

  /// Opens a writer that collects the archive in memory; read it with ``finish()``.
  public convenience init(compression: Compression = .none) throws(ArchiveError) {
    let sink = ByteSink()
    try self.init(compression: compression, sink: sink)
    try openInMemory(archive, sink, "open memory archive")
  }

  /// Opens a writer that hands the archive's bytes to `write` as they are produced, so one
  /// pass over them can store, hash and index them.
  public convenience init(
    streamingTo write: @escaping (UnsafeRawBufferPointer) throws(ArchiveError) -> Void
  ) throws(ArchiveError) {
    let stream = StreamSink(write)
    try self.init(compression: .none, sink: nil, stream: stream)
    // Large blocks, fewer calls; with one byte in the last block, the bytes are the same.
    try check(archive_write_set_bytes_per_block(archive, 1 << 16), archive, "set block size")
    try check(archive_write_set_bytes_in_last_block(archive, 1), archive, "set block size")
    let context = Unmanaged.passUnretained(stream).toOpaque()
    try check(
      archive_write_open2(
        archive, context, nil,
        { _, context, buffer, length in
          guard let context, let buffer else { return -1 }
          let stream = Unmanaged<StreamSink>.fromOpaque(context).takeUnretainedValue()
          do throws(ArchiveError) {
            try stream.write(UnsafeRawBufferPointer(start: buffer, count: length))
          } catch {
            stream.failure = error
            return -1
          }
          return length
        }, nil, nil),
      archive, "open stream")
  }

  /// Opens a writer that hands the archive's bytes to `write` as they are produced and writes
  /// each member into `directory` too, as ``LayerExtractor`` would extract the archive: a
  /// layer is made and stored in one pass over its files, with no tar to read back.
  ///
  /// After ``finish()``, ``extracted`` says what the directory received.
  public convenience init(
    streamingTo write: @escaping (UnsafeRawBufferPointer) throws(ArchiveError) -> Void,
    extractingInto directory: String
  ) throws(ArchiveError) {
    try self.init(streamingTo: write)
    disk = try LayerDiskWriter(into: directory)
  }

  private init(compression: Compression, sink: ByteSink?, stream: StreamSink? = nil)
    throws(ArchiveError)
  {
    self.sink = sink
    self.stream = stream
    archive = archive_write_new()
    try check(archive_write_set_format_pax_restricted(archive), archive, "set tar format")
    try check(archive_write_set_bytes_in_last_block(archive, 1), archive, "set block size")
    if compression == .gzip {
      try check(archive_write_add_filter_gzip(archive), archive, "add gzip filter")
      // A negative timestamp keeps the gzip header free of the current time.
      try check(
        archive_write_set_filter_option(archive, "gzip", "timestamp", nil), archive,
        "set gzip options")
    }
  }

  deinit {
    if let archive {
      archive_write_free(archive)
    }
    readBuffer?.deallocate()
  }

  /// Appends one entry with its payload.
  public func append(_ entry: TarEntry) throws(ArchiveError) {
    try writeHeader(entry)
    switch entry.kind {
    case .file(let bytes):
      try writeData(bytes)
    case .sparseFile(let size):
      try writeZeros(size)
    default:
      break
    }
    try endEntry()
  }

  /// Appends a regular file of `size` bytes whose payload is streamed from `source`, a chunk
  /// at a time, so no file is held in memory whole.
  ///
  /// - Parameters:
  ///   - entry: The header; its kind is taken to be a regular file.
  ///   - size: The payload's size; `source` must supply exactly this many bytes.
  ///   - source: Called until it returns an empty chunk.
  /// - Throws: ``ArchiveError`` from libarchive, or what `source` throws.
  public func append(
    _ entry: TarEntry, size: Int64, streamingFrom source: () throws -> [UInt8]
  ) throws {
    try writeHeader(entry, fileSize: size)
    var written: Int64 = 0
    while written < size {
      let chunk = try source()
      if chunk.isEmpty { break }
      try writeData(chunk)
      written += Int64(chunk.count)
    }
    guard written == size else {
      throw ArchiveError.truncated("\(entry.path): the file changed size while it was archived")
    }
    try endEntry()
  }

  /// Appends a regular file of `size` bytes whose payload `read` puts into the buffer it is
  /// handed, returning how many bytes it put there (0 at the end): one buffer serves every
  /// file, so nothing is allocated per chunk.
  ///
  /// - Throws: ``ArchiveError/truncated(_:)`` when `read` gives fewer than `size` bytes;
  ///   what `read` throws.
  public func append(
    _ entry: TarEntry, size: Int64, readingWith read: (UnsafeMutableRawBufferPointer) throws -> Int
  ) throws {
    try writeHeader(entry, fileSize: size)
    let buffer =
      readBuffer
      ?? UnsafeMutableRawBufferPointer.allocate(byteCount: streamChunkSize, alignment: 16)
    readBuffer = buffer
    var written: Int64 = 0
    while written < size {
      let wanted = UnsafeMutableRawBufferPointer(
        rebasing: buffer[0..<Int(min(Int64(buffer.count), size - written))])
      let count = try read(wanted)
      if count <= 0 { break }
      try writeData(UnsafeRawBufferPointer(rebasing: wanted[0..<count]))
      written += Int64(count)
    }
    guard written == size else {
      throw ArchiveError.truncated("\(entry.path): the file changed size while it was archived")
    }
    try endEntry()
  }

  /// Appends a regular file of `size` bytes whose payload `body` writes, a chunk at a time,
  /// through the function it is handed.
  ///
  /// - Throws: ``ArchiveError/truncated(_:)`` when `body` writes more or fewer than `size`
  ///   bytes; what `body` throws.
  public func append(
    _ entry: TarEntry, size: Int64,
    writing body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
  ) throws {
    try writeHeader(entry, fileSize: size)
    var written: Int64 = 0
    try body { chunk in
      guard written + Int64(chunk.count) <= size else {
        throw ArchiveError.truncated("\(entry.path): more data than its size")
      }
      try writeData(chunk)
      written += Int64(chunk.count)
    }
    guard written == size else {
      throw ArchiveError.truncated("\(entry.path): the file changed size while it was archived")
    }
    try endEntry()
  }

  /// Closes the archive; for an in-memory writer returns its bytes.
  @discardableResult
  public func finish() throws(ArchiveError) -> [UInt8] {
    guard let archive else { return sink?.bytes ?? [] }
    let status = archive_write_close(archive)
    let message = errorMessage(archive)
    archive_write_free(archive)
    self.archive = nil
    guard status == archiveOK || status == archiveWarn else {
      if let failure = stream?.failure { throw failure }
      throw .library(operation: "close archive", message: message)
    }
    extracted = disk?.finish()
    return sink?.bytes ?? []
  }

  /// Ends the current member in the directory it is extracted into, if any.
  private func endEntry() throws(ArchiveError) {
    guard diskTakesEntry, let disk else { return }
    diskTakesEntry = false
    try disk.endEntry()
  }

  private func writeHeader(_ entry: TarEntry, fileSize: Int64? = nil) throws(ArchiveError) {
    guard let header = archive_entry_new() else {
      throw .library(operation: "new entry", message: "out of memory")
    }
    defer { archive_entry_free(header) }
    archive_entry_set_pathname(header, entry.path)
    archive_entry_set_perm(header, mode_t(entry.mode))
    archive_entry_set_mtime(header, time_t(entry.modificationTime), 0)
    archive_entry_set_uid(header, la_int64_t(entry.uid))
    archive_entry_set_gid(header, la_int64_t(entry.gid))
    switch entry.kind {
    case .file(let bytes):
      archive_entry_set_filetype(header, fileTypeRegular)
      archive_entry_set_size(header, la_int64_t(fileSize ?? Int64(bytes.count)))
    case .sparseFile(let size):
      archive_entry_set_filetype(header, fileTypeRegular)
      archive_entry_set_size(header, la_int64_t(size))
      if size > 0 {
        // One byte of data at the very end: everything before it is a hole.
        archive_entry_sparse_add_entry(header, la_int64_t(size - 1), 1)
      }
    case .directory:
      archive_entry_set_filetype(header, fileTypeDirectory)
    case .symlink(let target):
      archive_entry_set_filetype(header, fileTypeSymlink)
      archive_entry_set_symlink(header, target)
    case .hardlink(let target):
      archive_entry_set_hardlink(header, target)
      archive_entry_set_size(header, 0)
    }
    let status = archive_write_header(archive, header)
    if status != archiveOK && status != archiveWarn, let failure = stream?.failure { throw failure }
    try check(status, archive, "write header of \(entry.path)")
    if let disk {
      diskOffset = 0
      diskTakesEntry = try disk.begin(header)
    }
  }

  private func writeData(_ bytes: [UInt8]) throws(ArchiveError) {
    var failure: ArchiveError?
    bytes.withUnsafeBytes { buffer in
      do throws(ArchiveError) { try writeData(buffer) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  private func writeData(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
    guard !bytes.isEmpty else { return }
    try charge(bytes.count)
    let written = archive_write_data(archive, bytes.baseAddress, bytes.count)
    guard written >= 0 else {
      if let failure = stream?.failure { throw failure }
      throw .library(operation: "write data", message: errorMessage(archive))
    }
    if diskTakesEntry, let disk {
      try disk.write(bytes, at: diskOffset)
      diskOffset += Int64(bytes.count)
    }
  }

  private func writeZeros(_ count: Int64) throws(ArchiveError) {
    let zeros = [UInt8](repeating: 0, count: streamChunkSize)
    var left = count
    while left > 0 {
      let chunk = Int(min(left, Int64(zeros.count)))
      try charge(chunk)
      let written = zeros.withUnsafeBytes { buffer in
        archive_write_data(archive, buffer.baseAddress, chunk)
      }
      guard written >= 0 else {
        throw .library(operation: "write data", message: errorMessage(archive))
      }
      left -= Int64(chunk)
    }
    // On disk, as the extractor writes a sparse member: the last byte, after a hole.
    if count > 0, diskTakesEntry, let disk {
      var zero: UInt8 = 0
      try withUnsafeBytes(of: &zero) { (byte) throws(ArchiveError) in
        try disk.write(byte, at: count - 1)
      }
    }
  }
}

extension TarWriter {
  /// Charges what goes to a file to the session's disk quota; memory is not disk.
  fileprivate func charge(_ count: Int) throws(ArchiveError) {
    guard isFile else { return }
    do {
      try Budget.current?.chargeDisk(Int64(count))
    } catch {
      throw .noSpace
    }
  }
}

/// Hands what libarchive writes to a function, keeping the first failure for the writer to
/// throw; passed to its C callback through `Unmanaged`.
final class StreamSink {
  let write: (UnsafeRawBufferPointer) throws(ArchiveError) -> Void
  var failure: ArchiveError?

  init(_ write: @escaping (UnsafeRawBufferPointer) throws(ArchiveError) -> Void) {
    self.write = write
  }
}

/// Collects what libarchive writes; passed to its C callback through `Unmanaged`.
final class ByteSink {
  var bytes: [UInt8] = []
}

@available(*, unavailable)
extension TarWriter: Sendable {}
