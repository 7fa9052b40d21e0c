/// Path arithmetic on plain strings, for paths inside images and archives.
///
/// Foundation's `NSString` path methods trap on some inputs (an empty string among them), so
/// the toolkit uses these instead.
public enum PathText {
  /// The directory part: `a/b/c` → `a/b`, `c` → ``, `/c` → `/`.
  public static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
  }

  /// The last component: `a/b/c` → `c`.
  public static func name(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }

  /// `base` joined with `relative`, unless `relative` is absolute.
  public static func join(_ base: String, _ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    if base.isEmpty { return relative }
    return base.hasSuffix("/") ? base + relative : base + "/" + relative
  }
}
