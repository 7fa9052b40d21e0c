import Foundation

/// An image's files as the union of its layer directories, read as overlayfs would:
/// higher layers win, `.wh.<name>` hides a lower entry, `.wh..wh..opq` hides a whole directory.
struct RootfsView {
  /// Layer `diff` directories, top first.
  var layers: [String]

  /// The host path that holds `path` (absolute in the image), without following a final
  /// symlink; `nil` when the image has no such entry.
  func locate(_ path: String) -> String? {
    let components = path.split(separator: "/").map(String.init)
    guard !components.isEmpty else { return layers.first }
    for layer in layers {
      var hidden = false
      // A whiteout or opaque marker in this layer hides everything below it.
      for depth in 0..<components.count {
        let parent = components[..<depth].joined(separator: "/")
        let name = components[depth]
        let parentPath = parent.isEmpty ? layer : "\(layer)/\(parent)"
        if FileManager.default.fileExists(atPath: "\(parentPath)/.wh.\(name)") {
          hidden = true
          break
        }
        if depth > 0, FileManager.default.fileExists(atPath: "\(parentPath)/.wh..wh..opq"),
          !exists("\(layer)/\(components[..<(depth + 1)].joined(separator: "/"))")
        {
          hidden = true
          break
        }
      }
      if hidden { return nil }
      let candidate = "\(layer)/\(components.joined(separator: "/"))"
      if exists(candidate) { return candidate }
    }
    return nil
  }

  /// Whether `path` exists in the image, following symlinks inside the image.
  func resolve(_ path: String) -> String? {
    var resolved: [String] = []
    var pending = path.split(separator: "/").map(String.init)
    var hops = 0
    while !pending.isEmpty {
      let name = pending.removeFirst()
      if name == "." || name.isEmpty { continue }
      if name == ".." {
        if !resolved.isEmpty { resolved.removeLast() }
        continue
      }
      let candidate = "/" + (resolved + [name]).joined(separator: "/")
      guard let host = locate(candidate) else { return nil }
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: host) {
        hops += 1
        guard hops < 40 else { return nil }
        if target.hasPrefix("/") { resolved = [] }
        pending = target.split(separator: "/").map(String.init) + pending
        continue
      }
      resolved.append(name)
    }
    return "/" + resolved.joined(separator: "/")
  }

  private func exists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
  }
}
