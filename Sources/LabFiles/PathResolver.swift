/// Resolves paths inside a virtual root, the way the kernel resolves them inside a chroot.
///
/// Each component is looked up in the virtual tree; a symbolic link's target is read from the
/// tree and resolved against the virtual root (an absolute target starts again at the root,
/// `..` stops there), so no link ever leads to the host.
public enum PathResolver {
  /// What one component of a path is.
  public enum Lookup: Equatable, Sendable {
    case missing
    case directory
    /// A file, device or anything else that cannot be walked through.
    case other
    case link(target: String)
  }

  /// The most links one path may pass through, as Linux allows.
  public static let maximumLinks = 40

  /// `path` made absolute against `directory`, with `.` and `..` removed lexically.
  public static func normalize(_ path: String, from directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    var parts: [Substring] = []
    for component in joined.split(separator: "/") {
      if component == "." { continue }
      if component == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(component)
    }
    return "/" + parts.joined(separator: "/")
  }

  /// Resolves every link on the way to `path`.
  ///
  /// - Parameters:
  ///   - path: A path as the user wrote it.
  ///   - directory: The current directory, absolute in the virtual root.
  ///   - followLast: Whether a link in the last component is followed too.
  ///   - lookup: What an absolute, already resolved path is.
  /// - Returns: The absolute path with no link on the way; the last component may be missing.
  /// - Throws: ``FileSystemError/noSuchFile`` when a directory on the way is missing,
  ///   ``FileSystemError/notDirectory`` when it is not a directory,
  ///   ``FileSystemError/loop`` past ``maximumLinks`` links, or what `lookup` throws.
  public static func resolve(
    _ path: String, from directory: String, followLast: Bool = true,
    lookup: (String) throws(FileSystemError) -> Lookup
  ) throws(FileSystemError) -> String {
    var pending = Array(normalize(path, from: directory).split(separator: "/").reversed())
      .map(String.init)
    var resolved: [String] = []
    var links = 0
    while let name = pending.popLast() {
      if name == "." || name.isEmpty { continue }
      if name == ".." {
        if !resolved.isEmpty { resolved.removeLast() }
        continue
      }
      let candidate = "/" + (resolved + [name]).joined(separator: "/")
      let isLast = pending.isEmpty
      switch try lookup(candidate) {
      case .missing:
        if isLast { return candidate }
        throw .noSuchFile
      case .other:
        if !isLast { throw .notDirectory }
        resolved.append(name)
      case .directory:
        resolved.append(name)
      case .link(let target):
        if isLast && !followLast {
          resolved.append(name)
          continue
        }
        links += 1
        guard links <= maximumLinks else { throw .loop }
        if target.hasPrefix("/") { resolved = [] }
        pending += target.split(separator: "/").reversed().map(String.init)
      }
    }
    return "/" + resolved.joined(separator: "/")
  }
}
