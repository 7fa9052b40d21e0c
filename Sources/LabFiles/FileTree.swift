import Foundation

/// One host directory, or a stack of them merged the way overlayfs merges an image's layers.
///
/// In an overlay a higher layer's entry hides a lower one's, `.wh.NAME` hides `NAME` in the
/// layers below, and `.wh..wh..opq` in a directory hides everything lower layers have in it.
/// Writes go to the top layer, copying up what they change and leaving whiteouts for what they
/// remove, so the top layer is exactly the change a layer tar records.
///
/// Paths here are relative and already resolved (no link on the way; ``PathResolver`` does
/// that); every host access goes through ``HostDirectory``, so nothing here follows a link.
public struct FileTree: Hashable, Sendable {
  /// The layers, top first; a plain directory is the only one.
  public let layers: [HostDirectory]
  /// Whether whiteouts are read as overlayfs reads them.
  public let isOverlay: Bool

  /// A plain directory: every entry is what it is, `.wh.` names too.
  public init(directory: HostDirectory) {
    layers = [directory]
    isOverlay = false
  }

  /// An overlay: `upper` takes the changes; `lowers` are read-only, top first.
  public init(upper: HostDirectory, lowers: [HostDirectory]) {
    layers = [upper] + lowers
    isOverlay = true
  }

  /// The read-only merge of image layers, top first.
  public init(layers: [HostDirectory]) {
    self.layers = layers
    isOverlay = true
  }

  /// The directory that takes writes.
  public var top: HostDirectory { layers[0] }

  static let opaqueMarker = ".wh..wh..opq"
  static let whiteoutPrefix = ".wh."

  // MARK: - Looking up

  /// An entry as the merged tree shows it.
  public struct Entry: Sendable {
    public var status: FileStatus
    /// The index of the layer the entry comes from.
    public var layer: Int
    /// For a directory, the layers whose contents merge into it, top first.
    var merged: [Int]
  }

  /// The entry at `relative`, or `nil` when the tree has none (a whiteout hides it, or the
  /// path passes through something that is not a directory).
  public func entry(_ relative: String) -> Entry? {
    let components = HostDirectory.split(relative)
    guard !layers.isEmpty else { return nil }
    guard isOverlay else {
      guard let status = try? top.status(relative) else { return nil }
      return Entry(status: status, layer: 0, merged: [0])
    }
    var candidates = Array(layers.indices)
    guard !components.isEmpty else {
      guard let status = try? top.status("") else { return nil }
      return Entry(status: status, layer: 0, merged: candidates)
    }
    var prefix = ""
    for (depth, name) in components.enumerated() {
      if name.hasPrefix(Self.whiteoutPrefix) { return nil }
      let path = prefix.isEmpty ? name : prefix + "/" + name
      var found: (status: FileStatus, layer: Int)?
      var merged: [Int] = []
      for index in candidates {
        let layer = layers[index]
        if layer.exists(Self.join(prefix, Self.whiteoutPrefix + name)) { break }
        guard let status = try? layer.status(path) else { continue }
        if found == nil { found = (status, index) }
        // Below a non-directory nothing merges; a lower non-directory ends a directory.
        guard status.isDirectory, found?.status.isDirectory == true else { break }
        merged.append(index)
        if layer.exists(path + "/" + Self.opaqueMarker) { break }
      }
      guard let found else { return nil }
      if depth == components.count - 1 {
        return Entry(status: found.status, layer: found.layer, merged: merged)
      }
      guard found.status.isDirectory else { return nil }
      candidates = merged
      prefix = path
    }
    return nil
  }

  public func status(_ relative: String) throws(FileSystemError) -> FileStatus {
    guard let entry = entry(relative) else { throw .noSuchFile }
    return entry.status
  }

  public func exists(_ relative: String) -> Bool { entry(relative) != nil }

  public func linkTarget(_ relative: String) throws(FileSystemError) -> String {
    guard let entry = entry(relative) else { throw .noSuchFile }
    return try layers[entry.layer].linkTarget(relative)
  }

  /// The names in a directory, sorted: the union of its layers, less what whiteouts hide.
  public func names(_ relative: String) throws(FileSystemError) -> [String] {
    guard let entry = entry(relative) else { throw .noSuchFile }
    guard entry.status.isDirectory else { throw .notDirectory }
    guard isOverlay else { return try top.names(relative).sorted() }
    var shown: Set<String> = []
    var hidden: Set<String> = []
    for index in entry.merged {
      var whiteouts: [String] = []
      for name in (try? layers[index].names(relative)) ?? [] {
        if name.hasPrefix(Self.whiteoutPrefix) {
          if name != Self.opaqueMarker { whiteouts.append(String(name.dropFirst(4))) }
        } else if !hidden.contains(name) {
          shown.insert(name)
        }
      }
      hidden.formUnion(whiteouts)
      hidden.formUnion(shown)
    }
    return shown.sorted()
  }

  /// Opens a regular file for reading, from the layer that shows it.
  public func reader(_ relative: String) throws(FileSystemError) -> FileReader {
    guard let entry = entry(relative) else { throw .noSuchFile }
    return try layers[entry.layer].reader(relative)
  }

  public func read(_ relative: String, limit: Int64 = .max) throws(FileSystemError) -> [UInt8] {
    guard let entry = entry(relative) else { throw .noSuchFile }
    return try layers[entry.layer].read(relative, limit: limit)
  }

  // MARK: - Writing

  /// Writes a regular file in the top layer; appending to a lower layer's file copies it up
  /// first.
  public func writer(_ relative: String, append: Bool = false, mode: UInt32 = 0o644)
    throws(FileSystemError) -> FileWriter
  {
    let existing = entry(relative)
    if existing?.status.isDirectory == true { throw .isDirectory }
    try prepareTop(for: relative)
    if let existing, existing.layer != 0 {
      // Copy up: the file keeps its mode, and its bytes when appending.
      try copyUp(relative, from: existing, withContents: append)
    }
    return try top.writer(relative, append: append, mode: mode)
  }

  public func write(
    _ bytes: [UInt8], to relative: String, append: Bool = false, mode: UInt32 = 0o644
  ) throws(FileSystemError) {
    try writer(relative, append: append, mode: mode).write(bytes)
  }

  public func makeDirectory(_ relative: String, mode: UInt32 = 0o755) throws(FileSystemError) {
    if exists(relative) { throw .exists }
    let hadWhiteout = try prepareTop(for: relative)
    try top.makeDirectory(relative, mode: mode)
    // A directory made where a removed one stood must not show the old one's contents.
    if hadWhiteout { try top.write([], to: relative + "/" + Self.opaqueMarker) }
  }

  public func makeSymlink(_ relative: String, target: String) throws(FileSystemError) {
    if exists(relative) { throw .exists }
    try prepareTop(for: relative)
    try top.makeSymlink(relative, target: target)
  }

  /// Removes an entry, leaving a whiteout where a lower layer still has it.
  public func remove(_ relative: String, recursive: Bool) throws(FileSystemError) {
    guard let entry = entry(relative) else { throw .noSuchFile }
    if entry.status.isDirectory && !recursive {
      guard try names(relative).isEmpty else { throw .notEmpty }
    }
    if top.exists(relative) { try top.remove(relative, recursive: true) }
    guard isOverlay, self.entry(relative) != nil else { return }
    try prepareTop(for: relative)
    try top.write([], to: Self.whiteout(of: relative), mode: 0o600)
  }

  /// Moves an entry inside this tree.
  public func rename(_ relative: String, to target: String) throws(FileSystemError) {
    try rename(relative, to: self, target)
  }

  /// Moves an entry, possibly into another tree; what lives in lower layers is copied.
  public func rename(_ relative: String, to destination: FileTree, _ target: String)
    throws(FileSystemError)
  {
    guard let entry = entry(relative) else { throw .noSuchFile }
    if let existing = destination.entry(target) {
      if existing.status.isDirectory && !entry.status.isDirectory { throw .isDirectory }
      if !existing.status.isDirectory && entry.status.isDirectory { throw .notDirectory }
      if existing.status.isDirectory, !(try destination.names(target)).isEmpty {
        throw .notEmpty
      }
      try destination.remove(target, recursive: true)
    }
    try destination.prepareTop(for: target)
    let movable = !isOverlay || (entry.layer == 0 && entry.merged.count <= 1)
    if movable {
      do {
        try top.rename(relative, to: destination.top, target)
        return
      } catch .crossDevice {
        // Another file system: copy, then remove.
      }
    }
    try copyTree(relative, to: destination, target)
    try remove(relative, recursive: true)
  }

  /// Sets an entry's mode, copying it up first.
  public func setMode(_ relative: String, _ mode: UInt32) throws(FileSystemError) {
    guard let entry = entry(relative) else { throw .noSuchFile }
    if entry.layer != 0 {
      try prepareTop(for: relative)
      try copyUp(relative, from: entry, withContents: true)
    }
    try top.setMode(relative, mode)
  }

  /// Sets an entry's modification time; in an overlay only an entry of the top layer is
  /// touched, as copying a file up to change its time would grow the layer.
  public func setModificationTime(_ relative: String, _ date: Date) throws(FileSystemError) {
    guard top.exists(relative) else { return }
    try top.setModificationTime(relative, date)
  }

  // MARK: - Copy-up

  /// Copies the directories above `relative` up into the top layer.
  ///
  /// They keep the modes the merged tree shows; a whiteout of `relative` itself is cleared.
  ///
  /// - Returns: Whether there was such a whiteout.
  @discardableResult
  func prepareTop(for relative: String) throws(FileSystemError) -> Bool {
    let components = HostDirectory.split(relative)
    guard isOverlay, !components.isEmpty else { return false }
    var prefix = ""
    for name in components.dropLast() {
      prefix = prefix.isEmpty ? name : prefix + "/" + name
      if let status = try? top.status(prefix) {
        guard status.isDirectory else { throw .notDirectory }
        continue
      }
      guard let below = entry(prefix), below.status.isDirectory else { throw .noSuchFile }
      try top.makeDirectory(prefix, mode: below.status.mode)
    }
    let whiteout = Self.whiteout(of: relative)
    guard top.exists(whiteout) else { return false }
    try top.remove(whiteout, recursive: false)
    return true
  }

  /// Copies a lower layer's entry into the top layer: its mode, and a file's bytes.
  private func copyUp(_ relative: String, from entry: Entry, withContents: Bool)
    throws(FileSystemError)
  {
    let source = layers[entry.layer]
    switch entry.status.kind {
    case .directory:
      try top.makeDirectory(relative, mode: entry.status.mode)
    case .symlink:
      try top.makeSymlink(relative, target: try source.linkTarget(relative))
    default:
      let writer = try top.writer(relative, mode: entry.status.mode)
      guard withContents else { return }
      let reader = try source.reader(relative)
      while case let chunk = try reader.read(), !chunk.isEmpty { try writer.write(chunk) }
    }
  }

  /// Copies an entry and everything below it into another tree.
  func copyTree(_ relative: String, to destination: FileTree, _ target: String)
    throws(FileSystemError)
  {
    var pending = [(relative, target)]
    while let (from, to) = pending.popLast() {
      let status = try self.status(from)
      switch status.kind {
      case .directory:
        try destination.makeDirectory(to, mode: status.mode)
        for name in try names(from) { pending.append((from + "/" + name, to + "/" + name)) }
      case .symlink:
        try destination.makeSymlink(to, target: try linkTarget(from))
      default:
        let reader = try reader(from)
        let writer = try destination.writer(to, mode: status.mode)
        while case let chunk = try reader.read(), !chunk.isEmpty { try writer.write(chunk) }
      }
    }
  }

  static func whiteout(of relative: String) -> String {
    let components = HostDirectory.split(relative)
    return (components.dropLast() + [whiteoutPrefix + (components.last ?? "")])
      .joined(separator: "/")
  }

  static func join(_ directory: String, _ name: String) -> String {
    directory.isEmpty ? name : directory + "/" + name
  }
}
