internal import CArchive
import Foundation

/// gzip compression of plain byte streams (not tar archives), through libarchive.
public enum Gzip {
  /// Compresses bytes with a timestamp-free header, so equal input gives equal output.
  public static func compress(_ bytes: [UInt8]) throws(ArchiveError) -> [UInt8] {
    let sink = ByteSink()
    guard let archive = archive_write_new() else {
      throw .library(operation: "gzip", message: "out of memory")
    }
    defer { archive_write_free(archive) }
    try check(archive_write_set_format_raw(archive), archive, "gzip")
    try check(archive_write_add_filter_gzip(archive), archive, "gzip")
    try check(archive_write_set_filter_option(archive, "gzip", "timestamp", nil), archive, "gzip")
    try check(archive_write_set_bytes_in_last_block(archive, 1), archive, "gzip")
    try openInMemory(archive, sink, "gzip")
    guard let entry = archive_entry_new() else {
      throw .library(operation: "gzip", message: "out of memory")
    }
    defer { archive_entry_free(entry) }
    archive_entry_set_filetype(entry, fileTypeRegular)
    archive_entry_set_pathname(entry, "data")
    archive_entry_set_size(entry, la_int64_t(bytes.count))
    try check(archive_write_header(archive, entry), archive, "gzip")
    if !bytes.isEmpty {
      let written = bytes.withUnsafeBytes {
        archive_write_data(archive, $0.baseAddress, $0.count)
      }
      guard written >= 0 else {
        throw .library(operation: "gzip", message: errorMessage(archive))
      }
    }
    try check(archive_write_close(archive), archive, "gzip")
    return withExtendedLifetime(sink) { sink.bytes }
  }

  /// Compresses the file at `source` into `destination`, a chunk at a time.
  public static func compress(fileAt source: String, to destination: String) throws {
    guard let archive = archive_write_new() else {
      throw ArchiveError.library(operation: "gzip", message: "out of memory")
    }
    defer { archive_write_free(archive) }
    try check(archive_write_set_format_raw(archive), archive, "gzip")
    try check(archive_write_add_filter_gzip(archive), archive, "gzip")
    try check(archive_write_set_filter_option(archive, "gzip", "timestamp", nil), archive, "gzip")
    try check(archive_write_set_bytes_in_last_block(archive, 1), archive, "gzip")
    try check(archive_write_open_filename(archive, destination), archive, "open \(destination)")
    guard let entry = archive_entry_new() else {
      throw ArchiveError.library(operation: "gzip", message: "out of memory")
    }
    defer { archive_entry_free(entry) }
    guard let input = fopen(source, "rb") else {
      throw ArchiveError.io(path: source, reason: "cannot open file")
    }
    defer { fclose(input) }
    archive_entry_set_filetype(entry, fileTypeRegular)
    archive_entry_set_pathname(entry, "data")
    try check(archive_write_header(archive, entry), archive, "gzip")
    var buffer = [UInt8](repeating: 0, count: streamChunkSize)
    while true {
      let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
      if count == 0 { break }
      let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, count) }
      guard written >= 0 else {
        throw ArchiveError.library(operation: "gzip", message: errorMessage(archive))
      }
    }
    try check(archive_write_close(archive), archive, "gzip")
  }

  /// Decompresses gzip bytes held in memory.
  ///
  /// Input that is not compressed comes back as it is.
  public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
    var output: [UInt8] = []
    try bytes.withUnsafeBytes { buffer in
      try stream(label: "gzip data") { archive in
        archive_read_open_memory(archive, buffer.baseAddress, buffer.count)
      } chunk: {
        output.append(contentsOf: $0)
      }
    }
    return output
  }

  /// Streams the decompressed bytes of a file, a chunk at a time, to `chunk`.
  ///
  /// A file that is not compressed streams as it is. Nothing larger than one chunk is
  /// held in memory, whatever the size of the file.
  public static func decompress(
    fileAt path: String, chunk: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    try stream(label: path) { archive in
      archive_read_open_filename(archive, path, streamChunkSize)
    } chunk: {
      try chunk($0)
    }
  }

  /// Streams the decompressed bytes of gzip data held in memory, a chunk at a time.
  ///
  /// Data that is not compressed streams as it is.
  ///
  /// - Parameters:
  ///   - buffer: The data, read in place.
  ///   - label: What error messages call the data.
  ///   - chunk: Called with each chunk of decompressed bytes.
  /// - Throws: ``ArchiveError`` for data that is not gzip, or `chunk`'s error.
  public static func decompress(
    _ buffer: UnsafeRawBufferPointer, label: String, chunk: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    try stream(label: label) { archive in
      archive_read_open_memory(archive, buffer.baseAddress, buffer.count)
    } chunk: {
      try chunk($0)
    }
  }

  private static func stream(
    label: String, open: (OpaquePointer) -> Int32,
    chunk: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    guard let archive = archive_read_new() else {
      throw ArchiveError.library(operation: label, message: "out of memory")
    }
    defer { archive_read_free(archive) }
    try check(archive_read_support_filter_all(archive), archive, label)
    try check(archive_read_support_format_raw(archive), archive, label)
    try check(archive_read_support_format_empty(archive), archive, label)
    try check(open(archive), archive, "open \(label)")
    var entry: OpaquePointer?
    let status = archive_read_next_header(archive, &entry)
    if status == archiveEOF { return }
    try check(status, archive, "read \(label)")
    var buffer = [UInt8](repeating: 0, count: streamChunkSize)
    while true {
      let count = buffer.withUnsafeMutableBytes {
        archive_read_data(archive, $0.baseAddress, $0.count)
      }
      if count == 0 { break }
      guard count > 0 else {
        throw ArchiveError.library(operation: "read \(label)", message: errorMessage(archive))
      }
      try buffer.withUnsafeBytes { all in
        try chunk(UnsafeRawBufferPointer(rebasing: all[0..<count]))
      }
    }
  }
}

/// Writes a gzip file a chunk at a time, so what it compresses is never held whole.
///
/// The header carries no timestamp, so equal input gives equal bytes.
public final class GzipWriter {
  private var archive: OpaquePointer?

  /// Creates or truncates the file at `path`.
  ///
  /// - Parameters:
  ///   - path: The file to write.
  ///   - level: zlib's compression level, 1 (fastest) to 9 (smallest).
  /// - Throws: ``ArchiveError`` when the file cannot be created.
  public init(path: String, level: Int = 6) throws(ArchiveError) {
    guard let archive = archive_write_new() else {
      throw .library(operation: "gzip", message: "out of memory")
    }
    self.archive = archive
    try check(archive_write_set_format_raw(archive), archive, "gzip")
    try check(archive_write_add_filter_gzip(archive), archive, "gzip")
    try check(archive_write_set_filter_option(archive, "gzip", "timestamp", nil), archive, "gzip")
    try check(
      archive_write_set_filter_option(archive, "gzip", "compression-level", String(level)),
      archive, "gzip")
    try check(archive_write_set_bytes_in_last_block(archive, 1), archive, "gzip")
    try check(archive_write_open_filename(archive, path), archive, "open \(path)")
    guard let entry = archive_entry_new() else {
      throw .library(operation: "gzip", message: "out of memory")
    }
    defer { archive_entry_free(entry) }
    archive_entry_set_filetype(entry, fileTypeRegular)
    archive_entry_set_pathname(entry, "data")
    try check(archive_write_header(archive, entry), archive, "gzip")
  }

  deinit {
    if let archive { archive_write_free(archive) }
  }

  /// Compresses `bytes` onto the end of the file.
  public func write(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) {
    guard !bytes.isEmpty else { return }
    guard let archive else { throw .library(operation: "gzip", message: "already finished") }
    let written = archive_write_data(archive, bytes.baseAddress, bytes.count)
    guard written >= 0 else { throw .library(operation: "gzip", message: errorMessage(archive)) }
  }

  /// Flushes what is left and closes the file.
  public func finish() throws(ArchiveError) {
    guard let archive else { return }
    let status = archive_write_close(archive)
    let message = errorMessage(archive)
    archive_write_free(archive)
    self.archive = nil
    guard status == archiveOK || status == archiveWarn else {
      throw .library(operation: "gzip", message: message)
    }
  }
}

@available(*, unavailable)
extension GzipWriter: Sendable {}
