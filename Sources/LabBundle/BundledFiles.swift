import CLabBundle

/// Bytes that live as long as the process and never change: a file carried inside the
/// executable.
public struct StaticBytes: @unchecked Sendable {
  /// The bytes, read in place from the executable's read-only data.
  public let buffer: UnsafeRawBufferPointer

  public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

  public var count: Int { buffer.count }

  /// A copy of the bytes.
  public var array: [UInt8] { Array(buffer) }
}

/// The files carried inside the executable: the embedded registry (`sandbox/registry`) and
/// the bundled workshop (`lessons`), read in place, never unpacked to disk.
///
/// A file is named by its path from the package's root, as in the repository.
public enum BundledFiles {
  /// The folders whose files travel inside the executable.
  public static let folders = ["lessons", "sandbox/registry"]

  /// Every bundled file, sorted by path.
  public static let files: [(path: String, bytes: StaticBytes)] = {
    var count = 0
    guard let table = layerlab_bundled_files(&count) else { return [] }
    return (0..<count).map { index in
      let file = table[index]
      return (
        String(cString: file.path),
        StaticBytes(UnsafeRawBufferPointer(start: file.bytes, count: file.size))
      )
    }
  }()

  private static let byPath: [String: StaticBytes] = Dictionary(
    files.map { ($0.path, $0.bytes) }, uniquingKeysWith: { first, _ in first })

  /// The bytes of the file at `path` (`lessons/01-images.md`), or `nil` when none is bundled.
  public static func contents(of path: String) -> StaticBytes? { byPath[path] }

  /// Whether some bundled file lies under the folder `path`.
  public static func isFolder(_ path: String) -> Bool {
    let prefix = path.hasSuffix("/") ? path : path + "/"
    return files.contains { $0.path.hasPrefix(prefix) }
  }

  /// The paths of the files under the folder `path`, relative to it, sorted.
  public static func paths(under path: String) -> [String] {
    let prefix = path.hasSuffix("/") ? path : path + "/"
    return files.compactMap {
      $0.path.hasPrefix(prefix) ? String($0.path.dropFirst(prefix.count)) : nil
    }
  }
}

extension BundledFiles {
  /// What starts the path of a bundled file where a path on disk could stand:
  /// `bundled:lessons/01-images.md`.
  public static let pathPrefix = "bundled:"

  /// The bundled file a path names (`bundled:lessons/01-images.md`), or `nil` for a path on disk.
  public static func file(named path: String) -> StaticBytes? {
    guard path.hasPrefix(pathPrefix) else { return nil }
    return contents(of: String(path.dropFirst(pathPrefix.count)))
  }

  /// Whether the path names a bundled file rather than one on disk.
  public static func isBundled(_ path: String) -> Bool { path.hasPrefix(pathPrefix) }
}
