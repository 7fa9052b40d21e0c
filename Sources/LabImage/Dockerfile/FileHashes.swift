import Foundation
import LabFiles

/// The SHA-256 of the files builds have read, keyed by what the host says of each file: a
/// rebuild of an unchanged context reads no file again, as BuildKit keeps a content hash
/// beside each file's metadata.
///
/// The key is the device, inode, size and change time. Every write to a file, and every change
/// of its times or mode, sets its change time to the host's clock, which no command can set
/// back; a file changed in the last two seconds is hashed but not remembered, because the
/// kernel's clock ticks coarsely and a second write in the same tick would keep the key.
struct FileHashes {
  struct Key: Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var changed: Int64

    init?(_ status: FileStatus) {
      guard status.kind == .file else { return nil }
      self.init(
        device: status.device, inode: status.inode, size: status.size, changed: status.changed)
    }

    init(device: UInt64, inode: UInt64, size: Int64, changed: Int64) {
      self.device = device
      self.inode = inode
      self.size = size
      self.changed = changed
    }
  }

  /// How many hashes the file keeps: those this build used first, then the newest of the rest.
  static let capacity = 100_000
  /// How recent a change must be for a file's hash to be left unremembered.
  static let settling: Int64 = 2_000_000_000

  let path: String
  private var known: [Key: Digest] = [:]
  /// The keys in the order they were learned or used, the most recent last.
  private var order: [Key] = []
  private(set) var isChanged = false

  init(path: String) {
    self.path = path
    guard let data = FileManager.default.contents(atPath: path) else { return }
    for line in data.split(separator: UInt8(ascii: "\n")) {
      let fields = line.split(separator: UInt8(ascii: " "))
      guard fields.count == 5,
        let device = UInt64(String(decoding: fields[0], as: UTF8.self)),
        let inode = UInt64(String(decoding: fields[1], as: UTF8.self)),
        let size = Int64(String(decoding: fields[2], as: UTF8.self)),
        let changed = Int64(String(decoding: fields[3], as: UTF8.self)),
        let digest = try? Digest(hex: String(decoding: fields[4], as: UTF8.self))
      else { continue }
      let key = Key(device: device, inode: inode, size: size, changed: changed)
      if known.updateValue(digest, forKey: key) == nil { order.append(key) }
    }
  }

  /// The file's digest: remembered when its key is known, otherwise computed by `hash` and
  /// remembered when the file has settled by `now` (the host's clock, in nanoseconds).
  mutating func digest(
    of key: Key?, now: Int64 = FileHashes.hostNow(), hash: () throws -> Digest
  ) rethrows -> Digest {
    guard let key else { return try hash() }
    if let digest = known[key] {
      order.append(key)
      return digest
    }
    let digest = try hash()
    if key.changed < now - Self.settling {
      known[key] = digest
      order.append(key)
      isChanged = true
    }
    return digest
  }

  /// Writes the remembered hashes, at most ``capacity``, the most recently used kept.
  func save() throws {
    guard isChanged || order.count > known.count else { return }
    var seen = Set<Key>()
    var lines: [String] = []
    for key in order.reversed() where seen.count < Self.capacity && seen.insert(key).inserted {
      guard let digest = known[key] else { continue }
      lines.append("\(key.device) \(key.inode) \(key.size) \(key.changed) \(digest.hex)\n")
    }
    try writeFileAtomically(path, Array(lines.reversed().joined().utf8))
  }

  /// The host's clock in nanoseconds, the clock change times are read from.
  static func hostNow() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
  }
}
