internal import CArchive

/// The statuses libarchive returns; only these two mean the call worked.
let archiveOK: Int32 = 0
let archiveWarn: Int32 = -20
let archiveEOF: Int32 = 1

/// Sends a libarchive status through one place, carrying the library's own message.
func check(_ status: Int32, _ archive: OpaquePointer?, _ operation: String) throws(ArchiveError) {
  guard status == archiveOK || status == archiveWarn else {
    throw .library(operation: operation, message: errorMessage(archive))
  }
}

func errorMessage(_ archive: OpaquePointer?) -> String {
  guard let archive, let message = archive_error_string(archive) else { return "unknown error" }
  return String(cString: message)
}

/// Size of the buffers used when streaming data through libarchive.
let streamChunkSize = 1 << 20

// libarchive's AE_IF* macros carry casts that Swift cannot import; these are their values.
let fileTypeRegular: UInt32 = 0o100000
let fileTypeSymlink: UInt32 = 0o120000
let fileTypeSocket: UInt32 = 0o140000
let fileTypeCharacterDevice: UInt32 = 0o020000
let fileTypeBlockDevice: UInt32 = 0o060000
let fileTypeDirectory: UInt32 = 0o040000
let fileTypeFIFO: UInt32 = 0o010000

/// Opens a writer whose output is collected in `sink`; the sink must outlive the writer.
func openInMemory(_ archive: OpaquePointer?, _ sink: ByteSink, _ operation: String)
  throws(ArchiveError)
{
  let context = Unmanaged.passUnretained(sink).toOpaque()
  try check(
    archive_write_open2(
      archive, context, nil,
      { _, context, buffer, length in
        guard let context, let buffer else { return -1 }
        let sink = Unmanaged<ByteSink>.fromOpaque(context).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
        return length
      }, nil, nil),
    archive, operation)
}
