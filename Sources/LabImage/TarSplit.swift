import Foundation
import LabArchive
import LabFiles
import LabJSON

/// Docker's `tar-split.json.gz`, kept beside each layer (vbatts/tar-split's storage format).
///
/// Its JSON lines keep a layer tar's raw headers and padding as segments
/// (`{"type":2,"payload":"<base64>","position":N}`) and, for each member, an entry with its
/// name and the size and CRC-64 of its content (`{"type":1,"name":…,"size":…,"payload":…}`).
/// With the layer's extracted files they give back the original tar byte for byte, which is
/// how `save` and `push` read a layer: the store keeps no copy of its tar.
///
/// Content the extracted files cannot give back — a sparse file's map and regions, the data of
/// anything but a regular file, a member whose name the extractor skips — is kept in the
/// segments as raw bytes instead, and its entry has no size.
enum TarSplit {
  /// Segments are cut at this size, so no line grows without bound.
  static let segmentLimit = 1 << 20
  /// The most bytes of extended headers (pax records, GNU long names) one member may have.
  static let metadataLimit = 8 << 20

  /// Rebuilds the tar that the tar-split at `path` describes, reading member content below
  /// `contentDirectory` (a layer's `diff`), and streams it to `chunk`.
  ///
  /// - Parameters:
  ///   - path: The tar-split.
  ///   - contentDirectory: The layer's files.
  ///   - verifying: Whether each file's CRC-64 is checked; a caller that hashes the whole tar
  ///     anyway may skip it, and verify only to name the file when the hash is wrong.
  ///   - chunk: Takes the tar, a piece at a time.
  /// - Throws: ``TarSplitFailure`` when a file is missing, shorter than it was or changed
  ///   (what was streamed by then must be thrown away), or the tar-split itself is damaged.
  static func assemble(
    at path: String, contentDirectory: String, verifying: Bool = true,
    chunk: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let content = HostDirectory(contentDirectory)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    try forEachLine(at: path) { line in
      switch try Line(parsing: line) {
      case .segment(let bytes):
        try bytes.withUnsafeBytes { try chunk($0) }
      case .entry(let name, let size, let checksum):
        guard size > 0 else { return }
        guard let checksum, let relative = try? LayerExtractor.safeRelativePath(name),
          !relative.isEmpty
        else { throw TarSplitFailure.damaged("an entry for \(JSONValue.quote(name)) is malformed") }
        let reader: FileReader
        do {
          reader = try content.reader(relative)
        } catch {
          throw TarSplitFailure.changed(name: name, reason: "\(error)")
        }
        var crc = CRC64()
        var left = size
        while left > 0 {
          let count = try buffer.withUnsafeMutableBytes { all in
            let wanted = UnsafeMutableRawBufferPointer(rebasing: all[0..<Int(min(left, 1 << 20))])
            let got: Int
            do {
              got = try reader.read(into: wanted)
            } catch {
              throw TarSplitFailure.changed(name: name, reason: "\(error)")
            }
            let data = UnsafeRawBufferPointer(rebasing: all[0..<got])
            if verifying { crc.update(data) }
            try chunk(data)
            return got
          }
          guard count > 0 else {
            throw TarSplitFailure.changed(name: name, reason: "unexpected EOF")
          }
          left -= Int64(count)
        }
        guard !verifying || crc.bigEndianBytes == checksum else {
          throw TarSplitFailure.changed(name: name, reason: nil)
        }
      }
    }
  }

  /// The size in bytes of the tar the tar-split at `path` describes, from the tar-split alone.
  static func tarSize(at path: String) throws -> Int64 {
    var size: Int64 = 0
    try forEachLine(at: path) { line in
      switch try Line(parsing: line) {
      case .segment(let bytes): size += Int64(bytes.count)
      case .entry(_, let count, _): size += count
      }
    }
    return size
  }

  /// Calls `body` with each line of the gzip'd file at `path`, a line at a time.
  private static func forEachLine(at path: String, _ body: ([UInt8]) throws -> Void) throws {
    var pending: [UInt8] = []
    do {
      try Gzip.decompress(fileAt: path) { chunk in
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
          pending.append(contentsOf: chunk[start..<newline])
          if !pending.isEmpty { try body(pending) }
          pending.removeAll(keepingCapacity: true)
          start = newline + 1
        }
        pending.append(contentsOf: chunk[start...])
      }
    } catch let error as ArchiveError {
      throw TarSplitFailure.damaged("\(error)")
    }
    if !pending.isEmpty { try body(pending) }
  }

  /// One line of a tar-split.
  enum Line {
    case segment([UInt8])
    case entry(name: String, size: Int64, checksum: [UInt8]?)

    /// How every segment line LayerLab writes begins.
    private static let segmentStart = Array(#"{"type":2,"payload":""#.utf8)

    init(parsing bytes: [UInt8]) throws {
      // Segments, most of the lines, are read without a general JSON parse.
      if bytes.starts(with: Self.segmentStart),
        let end = bytes[Self.segmentStart.count...].firstIndex(of: UInt8(ascii: "\"")),
        let data = Data(base64Encoded: Data(bytes[Self.segmentStart.count..<end]))
      {
        self = .segment(Array(data))
        return
      }
      let value: JSONValue
      do {
        value = try JSONValue(parsing: bytes)
      } catch {
        throw TarSplitFailure.damaged("\(error)")
      }
      func payload() throws -> [UInt8]? {
        guard let text = value["payload"]?.stringValue else { return nil }
        guard let data = Data(base64Encoded: text) else {
          throw TarSplitFailure.damaged("a payload is not base64")
        }
        return Array(data)
      }
      switch value["type"]?.intValue {
      case 2:
        self = .segment(try payload() ?? [])
      case 1:
        var name = value["name"]?.stringValue ?? ""
        if let raw = value["name_raw"]?.stringValue, let data = Data(base64Encoded: raw) {
          name = String(decoding: data, as: UTF8.self)
        }
        let size = value["size"]?.intValue ?? 0
        guard size >= 0 else { throw TarSplitFailure.damaged("an entry has a negative size") }
        self = .entry(name: name, size: size, checksum: try payload())
      default:
        throw TarSplitFailure.damaged("a line of unknown type")
      }
    }
  }
}

/// Why a layer's tar could not be rebuilt from its files and tar-split.
enum TarSplitFailure: Error, CustomStringConvertible {
  /// A file of the layer is not what it was when the layer was stored; `reason` is `nil`
  /// when its content changed.
  case changed(name: String, reason: String?)
  case damaged(String)

  var description: String {
    switch self {
    case .changed(let name, nil):
      "file integrity checksum failed for \(JSONValue.quote(name, escapingHTML: false))"
    case .changed(let name, let reason?):
      "\(JSONValue.quote(name, escapingHTML: false)): \(reason)"
    case .damaged(let reason): "its tar-split is damaged: \(reason)"
    }
  }
}

/// Writes a tar-split from a tar streamed through it, as the bytes go by: the tar is never
/// held in memory, nor read twice.
final class TarSplitWriter {
  private enum State {
    case header
    /// Pax records or a GNU long name: `size` bytes, then padding, `remaining` in all.
    case metadata(type: UInt8, size: Int, remaining: Int)
    /// Content the layer's files give back: checksummed, not kept.
    case content(remaining: Int64, padding: Int)
    /// Content kept as raw bytes in the segments.
    case kept(remaining: Int64, padding: Int)
    case padding(remaining: Int)
    /// After the end of the archive, or what is not a tar: kept as it is.
    case trailer
  }

  /// What extended headers said about the member that follows them.
  private struct Pending {
    var path: String?
    var longName: String?
    var size: Int64?
    var isSparse = false
  }

  private let output: GzipWriter
  private var lines: [UInt8] = []
  private var segment: [UInt8] = []
  private var header: [UInt8] = []
  private var metadata: [UInt8] = []
  private var state = State.header
  private var pending = Pending()
  private var position = 0
  private var entryName = ""
  private var entrySize: Int64 = 0
  private var crc = CRC64()

  /// Starts a tar-split at `path`, gzip'd at a fast level: it is small beside the layer.
  init(path: String) throws {
    do {
      output = try GzipWriter(path: path, level: 1)
    } catch {
      throw ImageError.io(path: "tar-split", reason: "\(error)")
    }
    header.reserveCapacity(512)
    segment.reserveCapacity(4096)
  }

  /// Takes the next bytes of the tar.
  func consume(_ bytes: UnsafeRawBufferPointer) throws {
    var offset = 0
    while offset < bytes.count {
      let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
      switch state {
      case .header:
        let take = min(512 - header.count, rest.count)
        header.append(contentsOf: rest[rest.startIndex..<rest.startIndex + take])
        offset += take
        if header.count == 512 { try endHeader() }
      case .metadata(let type, let size, let remaining):
        let take = min(remaining, rest.count)
        let slice = UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<rest.startIndex + take])
        appendSegment(slice)
        metadata.append(contentsOf: slice)
        offset += take
        if take == remaining {
          endMetadata(type: type, size: size)
        } else {
          state = .metadata(type: type, size: size, remaining: remaining - take)
        }
      case .content(let remaining, let padding):
        let take = Int(min(remaining, Int64(rest.count)))
        crc.update(UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<rest.startIndex + take]))
        offset += take
        if Int64(take) == remaining {
          try writeEntry(name: entryName, size: entrySize, checksum: crc.bigEndianBytes)
          state = padding > 0 ? .padding(remaining: padding) : .header
        } else {
          state = .content(remaining: remaining - Int64(take), padding: padding)
        }
      case .kept(let remaining, let padding):
        let take = Int(min(remaining, Int64(rest.count)))
        appendSegment(
          UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<rest.startIndex + take]))
        offset += take
        if Int64(take) == remaining {
          state = padding > 0 ? .padding(remaining: padding) : .header
        } else {
          state = .kept(remaining: remaining - Int64(take), padding: padding)
        }
      case .padding(let remaining):
        let take = min(remaining, rest.count)
        appendSegment(
          UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<rest.startIndex + take]))
        offset += take
        state = take == remaining ? .header : .padding(remaining: remaining - take)
      case .trailer:
        appendSegment(rest)
        offset = bytes.count
      }
    }
    if segment.count >= TarSplit.segmentLimit { try flushSegment() }
  }

  /// Ends the tar-split after the last byte of the tar.
  ///
  /// - Throws: ``ImageError/archive(_:)`` when the tar ends inside a member.
  func finish() throws {
    switch state {
    case .header, .trailer:
      segment += header
      header.removeAll()
    default:
      throw ImageError.archive("unexpected end of layer tar")
    }
    try flushSegment()
    try flushLines(force: true)
    do {
      try output.finish()
    } catch {
      throw ImageError.io(path: "tar-split", reason: "\(error)")
    }
  }

  // MARK: - Headers

  private func endHeader() throws {
    let block = header
    header.removeAll(keepingCapacity: true)
    appendSegment(block)
    // A zero block ends the archive for libarchive, which extracts it: what follows is kept.
    if block.allSatisfy({ $0 == 0 }) {
      state = .trailer
      return
    }
    // Not a header: whatever follows is kept as it is, so the tar still comes back whole.
    guard Self.checksumMatches(block), let headerSize = Self.number(block[124..<136]) else {
      state = .trailer
      return
    }
    let type = block[156]
    switch type {
    case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
      guard headerSize <= TarSplit.metadataLimit else {
        throw ImageError.archive("a layer member has \(headerSize) bytes of extended headers")
      }
      let size = Int(headerSize)
      metadata.removeAll(keepingCapacity: true)
      let padded = (size + 511) / 512 * 512
      if padded == 0 {
        endMetadata(type: type, size: 0)
      } else {
        state = .metadata(type: type, size: size, remaining: padded)
      }
      return
    default:
      break
    }
    let size = pending.size ?? headerSize
    let name = pending.path ?? pending.longName ?? Self.ustarName(block)
    let isSparse = pending.isSparse || type == UInt8(ascii: "S")
    pending = Pending()
    let isRegular = type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7")
    let relative = try? LayerExtractor.safeRelativePath(name)
    let fromFile =
      isRegular && !isSparse && size > 0 && !name.hasSuffix("/") && relative?.isEmpty == false
    let padding = Int((512 - size % 512) % 512)
    try flushSegment()
    if fromFile {
      entryName = name
      entrySize = size
      crc = CRC64()
      state = .content(remaining: size, padding: padding)
    } else {
      try writeEntry(name: name, size: 0, checksum: nil)
      state =
        size > 0
        ? .kept(remaining: size, padding: padding)
        : .header
    }
  }

  private func endMetadata(type: UInt8, size: Int) {
    let data = metadata.prefix(size)
    switch type {
    case UInt8(ascii: "x"):
      for (key, value) in Self.paxRecords(Array(data)) {
        switch key {
        case "path": pending.path = value
        case "size": pending.size = Int64(value)
        case "GNU.sparse.name": pending.path = value
        default: if key.hasPrefix("GNU.sparse.") { pending.isSparse = true }
        }
      }
    case UInt8(ascii: "L"):
      pending.longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    default:
      break
    }
    state = .header
  }

  /// Whether the block's checksum field matches its bytes, summed as unsigned or signed.
  static func checksumMatches(_ block: [UInt8]) -> Bool {
    guard let recorded = number(block[148..<156]) else { return false }
    var unsigned: Int64 = 0
    var signed: Int64 = 0
    for (index, byte) in block.enumerated() {
      let value = (148..<156).contains(index) ? 32 : byte
      unsigned += Int64(value)
      signed += Int64(Int8(bitPattern: value))
    }
    return recorded == unsigned || recorded == signed
  }

  /// A numeric header field: octal digits, or GNU's base-256 with the high bit set.
  static func number(_ field: ArraySlice<UInt8>) -> Int64? {
    guard let first = field.first else { return nil }
    if first & 0x80 != 0 {
      var value: Int64 = Int64(first & 0x3F)
      for byte in field.dropFirst() {
        guard value < Int64.max >> 8 else { return nil }
        value = value << 8 | Int64(byte)
      }
      return first & 0x40 != 0 ? nil : value
    }
    var value: Int64 = 0
    var seenDigit = false
    for byte in field {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        guard value < Int64.max >> 3 else { return nil }
        value = value * 8 + Int64(byte - 48)
        seenDigit = true
      case 0, UInt8(ascii: " "):
        if seenDigit { return value }
      default:
        return nil
      }
    }
    return value
  }

  private static func ustarName(_ block: [UInt8]) -> String {
    func text(_ range: Range<Int>) -> String {
      String(decoding: block[range].prefix { $0 != 0 }, as: UTF8.self)
    }
    let name = text(0..<100)
    // Only POSIX ustar has a prefix field; GNU keeps other things there.
    guard block[257..<263].elementsEqual("ustar\0".utf8) else { return name }
    let prefix = text(345..<500)
    return prefix.isEmpty ? name : "\(prefix)/\(name)"
  }

  /// The `key=value` records of pax extended header data (`<length> <key>=<value>\n`).
  static func paxRecords(_ data: [UInt8]) -> [(String, String)] {
    var records: [(String, String)] = []
    var start = 0
    while start < data.count {
      guard let space = data[start...].firstIndex(of: UInt8(ascii: " ")),
        let length = Int(String(decoding: data[start..<space], as: UTF8.self)), length > 0,
        start + length <= data.count, space < start + length - 1
      else { break }
      let record = data[(space + 1)..<(start + length - 1)]
      if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
        records.append(
          (
            String(decoding: record[..<equals], as: UTF8.self),
            String(decoding: record[(equals + 1)...], as: UTF8.self)
          ))
      }
      start += length
    }
    return records
  }

  // MARK: - Lines

  private func appendSegment(_ bytes: UnsafeRawBufferPointer) {
    segment.append(contentsOf: bytes)
  }

  private func appendSegment(_ bytes: [UInt8]) {
    segment += bytes
  }

  private func flushSegment() throws {
    guard !segment.isEmpty else { return }
    let payload = Data(segment).base64EncodedString()
    segment.removeAll(keepingCapacity: true)
    try writeLine(#"{"type":2,"payload":"\#(payload)","position":\#(position)}"#)
  }

  /// An entry as Go marshals tar-split's `Entry`: empty fields left out.
  private func writeEntry(name: String, size: Int64, checksum: [UInt8]?) throws {
    var line = #"{"type":1,"name":\#(JSONValue.quote(name))"#
    if size > 0 { line += #","size":\#(size)"# }
    if let checksum { line += #","payload":"\#(Data(checksum).base64EncodedString())""# }
    line += #","position":\#(position)}"#
    try writeLine(line)
  }

  private func writeLine(_ line: String) throws {
    lines.append(contentsOf: line.utf8)
    lines.append(UInt8(ascii: "\n"))
    position += 1
    try flushLines(force: false)
  }

  private func flushLines(force: Bool) throws {
    guard force || lines.count >= 1 << 18 else { return }
    do {
      try lines.withUnsafeBytes { try output.write($0) }
    } catch {
      throw ImageError.io(path: "tar-split", reason: "\(error)")
    }
    lines.removeAll(keepingCapacity: true)
  }
}

@available(*, unavailable)
extension TarSplitWriter: Sendable {}

/// CRC-64 with the ISO polynomial, as Go's `hash/crc64` computes it with its ISO table, eight
/// bytes at a step (slicing-by-8).
struct CRC64 {
  /// Eight tables of 256: table `k` advances a byte through `k` more zero bytes.
  private static let tables: [UInt64] = {
    var tables = [UInt64](repeating: 0, count: 8 * 256)
    for index in 0..<256 {
      var crc = UInt64(index)
      for _ in 0..<8 {
        crc = crc & 1 == 1 ? (crc >> 1) ^ 0xD800_0000_0000_0000 : crc >> 1
      }
      tables[index] = crc
    }
    for index in 0..<256 {
      var crc = tables[index]
      for table in 1..<8 {
        crc = tables[Int(crc & 0xFF)] ^ (crc >> 8)
        tables[table * 256 + index] = crc
      }
    }
    return tables
  }()

  private var crc: UInt64 = 0

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    var value = ~crc
    Self.tables.withUnsafeBufferPointer { table in
      var index = 0
      let count = bytes.count
      while index + 8 <= count {
        value ^= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        value =
          table[7 * 256 + Int(value & 0xFF)] ^ table[6 * 256 + Int((value >> 8) & 0xFF)]
          ^ table[5 * 256 + Int((value >> 16) & 0xFF)] ^ table[4 * 256 + Int((value >> 24) & 0xFF)]
          ^ table[3 * 256 + Int((value >> 32) & 0xFF)] ^ table[2 * 256 + Int((value >> 40) & 0xFF)]
          ^ table[256 + Int((value >> 48) & 0xFF)] ^ table[Int(value >> 56)]
        index += 8
      }
      while index < count {
        value = table[Int((value ^ UInt64(bytes[index])) & 0xFF)] ^ (value >> 8)
        index += 1
      }
    }
    crc = ~value
  }

  mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The checksum as Go's `Sum` appends it: big-endian.
  var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: crc >> (56 - 8 * $0)) } }

  var value: UInt64 { crc }
}
