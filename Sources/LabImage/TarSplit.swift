import Foundation
import LabArchive
import LabJSON

/// Writes the `tar-split.json.gz` Docker keeps beside each layer: the raw tar headers and the
/// checksum of each file's content, from which the exact original tar can be rebuilt.
enum TarSplit {
  /// Reads an uncompressed tar file a block at a time and returns the gzip'd JSON lines.
  static func make(fromTarAt path: String) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw ImageError.io(path: path, reason: "cannot open layer tar")
    }
    defer { try? handle.close() }
    var reader = BlockReader(handle: handle)
    var lines: [String] = []
    var position = 0
    var segment: [UInt8] = []
    func emitSegment() {
      guard !segment.isEmpty else { return }
      lines.append(
        #"{"type":2,"payload":"\#(Data(segment).base64EncodedString())","position":\#(position)}"#)
      position += 1
      segment.removeAll()
    }
    var longName: String?
    while let block = try reader.next() {
      segment += block
      if block.allSatisfy({ $0 == 0 }) { continue }
      let size = Int(octal(block[124..<136]))
      let type = block[156]
      let paddedSize = (size + 511) / 512 * 512
      if type == UInt8(ascii: "x") || type == UInt8(ascii: "g") || type == UInt8(ascii: "L") {
        // Extended headers and long names are part of the next entry's raw header.
        let data = try reader.read(paddedSize)
        segment += data
        if type == UInt8(ascii: "x") {
          longName = paxPath(Array(data.prefix(size))) ?? longName
        } else if type == UInt8(ascii: "L") {
          longName = String(decoding: data.prefix(size).prefix { $0 != 0 }, as: UTF8.self)
        }
        continue
      }
      let name = longName ?? ustarName(block)
      longName = nil
      emitSegment()
      var crc = CRC64()
      var left = size
      while left > 0 {
        let chunk = try reader.read(min(left, 1 << 20))
        crc.update(chunk)
        left -= chunk.count
      }
      let payload = Data(crc.bigEndianBytes).base64EncodedString()
      lines.append(
        #"{"type":1,"name":\#(JSONValue.quote(name)),"size":\#(size),"payload":"\#(payload)","position":\#(position)}"#
      )
      position += 1
      if paddedSize > size { segment += try reader.read(paddedSize - size) }
    }
    emitSegment()
    return try Gzip.compress(Array(lines.map { $0 + "\n" }.joined().utf8))
  }

  private static func octal(_ field: ArraySlice<UInt8>) -> Int64 {
    var value: Int64 = 0
    for byte in field {
      guard (48...55).contains(byte) else {
        if byte == 0 || byte == 32 { continue }
        break
      }
      value = value * 8 + Int64(byte - 48)
    }
    return value
  }

  private static func ustarName(_ block: [UInt8]) -> String {
    func text(_ range: Range<Int>) -> String {
      String(decoding: block[range].prefix { $0 != 0 }, as: UTF8.self)
    }
    let prefix = text(345..<500)
    let name = text(0..<100)
    return prefix.isEmpty ? name : "\(prefix)/\(name)"
  }

  private static func paxPath(_ data: [UInt8]) -> String? {
    for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let space = record.firstIndex(of: " ") else { continue }
      let pair = record[record.index(after: space)...]
      if pair.hasPrefix("path=") { return String(pair.dropFirst(5)) }
    }
    return nil
  }
}

/// Reads a file in 512-byte tar blocks without holding more than a buffer of it.
private struct BlockReader {
  let handle: FileHandle
  var buffer: [UInt8] = []
  var offset = 0

  init(handle: FileHandle) { self.handle = handle }

  mutating func fill(_ count: Int) throws -> Bool {
    if buffer.count - offset >= count { return true }
    buffer = Array(buffer[offset...])
    offset = 0
    while buffer.count < count {
      guard let data = try handle.read(upToCount: max(1 << 20, count)), !data.isEmpty else {
        return false
      }
      buffer += data
    }
    return true
  }

  mutating func next() throws -> [UInt8]? {
    guard try fill(512) else { return nil }
    defer { offset += 512 }
    return Array(buffer[offset..<offset + 512])
  }

  mutating func read(_ count: Int) throws -> [UInt8] {
    guard try fill(count) else { throw ImageError.archive("unexpected end of layer tar") }
    defer { offset += count }
    return Array(buffer[offset..<offset + count])
  }
}

/// CRC-64 with the ISO polynomial, as Go's `hash/crc64` computes it.
struct CRC64 {
  private static let table: [UInt64] = (0..<256).map { index in
    var crc = UInt64(index)
    for _ in 0..<8 {
      crc = crc & 1 == 1 ? (crc >> 1) ^ 0xD800_0000_0000_0000 : crc >> 1
    }
    return crc
  }

  private var crc: UInt64 = 0

  mutating func update(_ bytes: [UInt8]) {
    var value = ~crc
    for byte in bytes {
      value = Self.table[Int(UInt8(truncatingIfNeeded: value) ^ byte)] ^ (value >> 8)
    }
    crc = ~value
  }

  var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: crc >> (56 - 8 * $0)) } }
}
