/// One member of a layer's tar as dive reads it: its header, and a hash of its content.
///
/// `mode` is in Go's `os.FileMode` bits (a directory has bit 31, a symlink bit 27), as dive's
/// JSON export writes it.
public struct DiveFileInfo: Equatable, Sendable {
  public var path: String
  /// The tar type flag: `0` a file, `1` a hard link, `2` a symlink, `5` a directory.
  public var typeFlag: UInt8
  public var linkName: String
  /// A hash of the content, so an unchanged file is told from a rewritten one.
  public var hash: UInt64
  public var size: Int64
  public var mode: UInt32
  public var uid: Int
  public var gid: Int
  public var isDir: Bool

  public init(
    path: String, typeFlag: UInt8, linkName: String, hash: UInt64, size: Int64, mode: UInt32,
    uid: Int, gid: Int, isDir: Bool
  ) {
    self.path = path
    self.typeFlag = typeFlag
    self.linkName = linkName
    self.hash = hash
    self.size = size
    self.mode = mode
    self.uid = uid
    self.gid = gid
    self.isDir = isDir
  }

  /// The empty payload dive gives a directory it only passed through.
  public static let empty = DiveFileInfo(
    path: "", typeFlag: 0, linkName: "", hash: 0, size: 0, mode: 0, uid: 0, gid: 0,
    isDir: false)

  static let typeRegular = UInt8(ascii: "0")
  static let typeHardLink = UInt8(ascii: "1")
  static let typeSymlink = UInt8(ascii: "2")
  static let typeDirectory = UInt8(ascii: "5")
}

/// An error reading a layer's tar.
public struct DiveError: Error, Equatable, Sendable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Reads a tar stream handed over in chunks of any size and lists its members as dive does.
///
/// Only headers are kept: content streams through a hash, so a layer of any size takes memory
/// in proportion to its number of files.
struct LayerScanner {
  private(set) var files: [DiveFileInfo] = []
  private var header: [UInt8] = []
  private var pending: Pending?
  private var paxPath: String?
  private var paxLinkPath: String?
  /// A sparse file's real size, from its PAX record.
  private var paxRealSize: Int64?
  /// A sparse file's real name, which wins over its `path` record.
  private var paxSparseName: String?
  private var longName: String?
  private var longLink: String?
  private var ended = false

  /// A member whose data is still arriving.
  private struct Pending {
    var kind: Kind
    var remaining: Int64
    var padding: Int64
    var data: [UInt8] = []
    var hash = FNV1a()
    var info: DiveFileInfo?

    enum Kind { case member, pax, longName, longLink, skipped }
  }

  /// Feeds the next chunk of the stream.
  mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {
    var index = 0
    while index < chunk.count {
      if ended { return }
      if var current = pending {
        if current.remaining > 0 {
          let take = Int(min(Int64(chunk.count - index), current.remaining))
          let slice = UnsafeRawBufferPointer(rebasing: chunk[index..<index + take])
          switch current.kind {
          case .member: current.hash.update(slice)
          case .pax, .longName, .longLink:
            guard current.data.count + take <= 1 << 20 else {
              throw DiveError("layer tar: extended header too large")
            }
            current.data.append(contentsOf: slice)
          case .skipped: break
          }
          current.remaining -= Int64(take)
          index += take
          pending = current
          continue
        }
        if current.padding > 0 {
          let take = Int(min(Int64(chunk.count - index), current.padding))
          current.padding -= Int64(take)
          index += take
          pending = current
          continue
        }
        finish(current)
        pending = nil
        continue
      }
      let take = min(512 - header.count, chunk.count - index)
      header.append(contentsOf: chunk[index..<index + take])
      index += take
      if header.count == 512 {
        try begin(header)
        header.removeAll(keepingCapacity: true)
      }
    }
    if let current = pending, current.remaining == 0, current.padding == 0 {
      finish(current)
      pending = nil
    }
  }

  /// Checks the stream ended at a member's boundary.
  mutating func finish() throws {
    if let current = pending, current.remaining == 0, current.padding == 0 {
      finish(current)
      pending = nil
    }
    guard pending == nil, header.isEmpty || ended else {
      throw DiveError("layer tar: unexpected end of archive")
    }
  }

  private mutating func begin(_ block: [UInt8]) throws {
    if block.allSatisfy({ $0 == 0 }) {
      // Two zero blocks end the archive; one is tolerated as its start.
      return
    }
    guard Self.checksumMatches(block) else { throw DiveError("layer tar: invalid tar header") }
    let size = try Self.number(block[124..<136])
    let type = block[156]
    let padding = (512 - size % 512) % 512
    var next = Pending(kind: .skipped, remaining: size, padding: padding)
    switch type {
    case UInt8(ascii: "x"): next.kind = .pax
    case UInt8(ascii: "L"): next.kind = .longName
    case UInt8(ascii: "K"): next.kind = .longLink
    case UInt8(ascii: "g"):
      throw DiveError(
        "unexptected tar file: (XGlobalHeader): type=\(type) name=\(Self.text(block[0..<100]))")
    default:
      var name = paxPath ?? longName ?? Self.ustarName(block)
      let link = paxLinkPath ?? longLink ?? Self.text(block[157..<257])
      // A sparse file counts its real size, as Go's reader reports it.
      var realSize = paxRealSize ?? size
      if type == UInt8(ascii: "S") { realSize = try Self.number(block[483..<495]) }
      paxPath = nil
      paxLinkPath = nil
      paxRealSize = nil
      paxSparseName = nil
      longName = nil
      longLink = nil
      name = Self.clean(name)
      let mode = UInt32(truncatingIfNeeded: try Self.number(block[100..<108]))
      var flag = type == 0 || type == UInt8(ascii: "S") ? DiveFileInfo.typeRegular : type
      // Old archives mark a directory by a trailing slash on a regular file.
      if flag == DiveFileInfo.typeRegular && Self.ustarName(block).hasSuffix("/") {
        flag = DiveFileInfo.typeDirectory
      }
      let isDir = flag == DiveFileInfo.typeDirectory
      let info = DiveFileInfo(
        path: name, typeFlag: flag, linkName: link, hash: 0, size: realSize,
        mode: Self.goFileMode(mode, type: flag),
        uid: Int(try Self.number(block[108..<116])), gid: Int(try Self.number(block[116..<124])),
        isDir: isDir)
      // Links and directories have no data in the archive, whatever their size field says.
      if flag == DiveFileInfo.typeHardLink || flag == DiveFileInfo.typeSymlink || isDir {
        next.remaining = 0
        next.padding = 0
      }
      next.kind = .member
      next.info = name == "." ? nil : info
    }
    pending = next
  }

  private mutating func finish(_ member: Pending) {
    switch member.kind {
    case .member:
      guard var info = member.info else { return }
      // dive hashes everything but directories; an empty content hashes the same way.
      info.hash = info.isDir ? 0 : member.hash.value
      files.append(info)
    case .pax:
      for (key, value) in Self.paxRecords(member.data) {
        switch key {
        case "path": paxPath = paxSparseName ?? value
        case "GNU.sparse.name":
          paxSparseName = value
          paxPath = value
        case "linkpath": paxLinkPath = value
        case "GNU.sparse.realsize", "GNU.sparse.size": paxRealSize = Int64(value)
        default: break
        }
      }
    case .longName:
      longName = String(decoding: member.data.prefix { $0 != 0 }, as: UTF8.self)
    case .longLink:
      longLink = String(decoding: member.data.prefix { $0 != 0 }, as: UTF8.self)
    case .skipped: break
    }
  }

  static func checksumMatches(_ block: [UInt8]) -> Bool {
    guard let stored = try? number(block[148..<156]) else { return false }
    var sum: Int64 = 0
    for (index, byte) in block.enumerated() {
      sum += (148..<156).contains(index) ? 32 : Int64(byte)
    }
    return sum == stored
  }

  /// An octal field, or a base-256 one (the high bit set) for large values.
  static func number(_ field: ArraySlice<UInt8>) throws -> Int64 {
    if let first = field.first, first & 0x80 != 0 {
      var value: Int64 = Int64(first & 0x7F)
      for byte in field.dropFirst() {
        guard value < Int64.max >> 8 else { throw DiveError("layer tar: number too large") }
        value = value << 8 | Int64(byte)
      }
      return value
    }
    var value: Int64 = 0
    var started = false
    for byte in field {
      if byte == 0 || (byte == 32 && started) { break }
      if byte == 32 { continue }
      guard (48...55).contains(byte) else { throw DiveError("layer tar: invalid number field") }
      started = true
      guard value < Int64.max >> 3 else { throw DiveError("layer tar: number too large") }
      value = value * 8 + Int64(byte - 48)
    }
    return value
  }

  static func text(_ field: ArraySlice<UInt8>) -> String {
    String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
  }

  static func ustarName(_ block: [UInt8]) -> String {
    let name = text(block[0..<100])
    let isUstar = text(block[257..<263]).hasPrefix("ustar")
    let prefix = isUstar ? text(block[345..<500]) : ""
    return prefix.isEmpty ? name : prefix + "/" + name
  }

  static func paxRecords(_ data: [UInt8]) -> [(String, String)] {
    var records: [(String, String)] = []
    var index = 0
    while index < data.count {
      guard let space = data[index...].firstIndex(of: 32),
        let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
        index + length <= data.count
      else { break }
      let record = data[(space + 1)..<(index + length - 1)]
      if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
        records.append(
          (
            String(decoding: record[record.startIndex..<equals], as: UTF8.self),
            String(decoding: record[(equals + 1)...], as: UTF8.self)
          ))
      }
      index += length
    }
    return records
  }

  /// Go's `path.Clean`: no `.` or empty components, `..` resolved, no trailing slash.
  static func clean(_ path: String) -> String {
    let rooted = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == ".." {
        if let last = parts.last, last != ".." {
          parts.removeLast()
        } else if !rooted {
          parts.append(part)
        }
        continue
      }
      parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    if rooted { return "/" + joined }
    return joined.isEmpty ? "." : joined
  }

  /// The mode bits as Go's `archive/tar` turns them into an `os.FileMode`.
  static func goFileMode(_ mode: UInt32, type: UInt8) -> UInt32 {
    var result = mode & 0o777
    if mode & 0o4000 != 0 { result |= 1 << 23 }
    if mode & 0o2000 != 0 { result |= 1 << 22 }
    if mode & 0o1000 != 0 { result |= 1 << 20 }
    switch type {
    case DiveFileInfo.typeSymlink: result |= 1 << 27
    case UInt8(ascii: "3"): result |= 1 << 26 | 1 << 21
    case UInt8(ascii: "4"): result |= 1 << 26
    case DiveFileInfo.typeDirectory: result |= 1 << 31
    case UInt8(ascii: "6"): result |= 1 << 25
    default: break
    }
    return result
  }
}

/// 64-bit FNV-1a over a stream.
struct FNV1a {
  private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    var hash = value
    for byte in bytes {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01B3
    }
    value = hash
  }
}
