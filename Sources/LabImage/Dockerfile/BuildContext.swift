import Foundation
import LabArchive
import LabFiles
import LabLimits

/// A file to copy into a layer: where it comes from and where it goes.
struct CopyItem {
  enum Kind {
    case file
    case directory
    case symlink(String)
  }

  /// The path inside the image, without a leading `/`.
  var destination: String
  /// Where a file's bytes are read from: a tree and a resolved path in it.
  var origin: (tree: FileTree, path: String)?
  var kind: Kind
  var mode: UInt32
  var size: Int64
  /// What the host says of the file it is read from, for remembering its hash.
  var identity: FileHashes.Key? = nil

  /// Opens the file's bytes for reading.
  func reader() throws -> FileReader {
    guard let origin else { throw BuildFailure(.step, "failed to solve: \(destination): no data") }
    do {
      return try origin.tree.reader(origin.path)
    } catch {
      throw BuildFailure(.step, "failed to solve: cannot read \(destination): \(error)")
    }
  }
}

/// A directory tree that `COPY` and `ADD` read from: the build context (minus
/// `.dockerignore`), another stage's files, or a scratch directory.
///
/// Symbolic links are resolved as Docker resolves them, scoped to the tree: an absolute target
/// starts at the tree's root and `..` stops there, so no source ever reads outside it. Links
/// inside a copied directory are copied as links.
struct BuildContext {
  let tree: FileTree
  let ignore: DockerIgnore

  init(root: String, ignore: DockerIgnore) {
    self.init(tree: FileTree(directory: HostDirectory(root)), ignore: ignore)
  }

  init(tree: FileTree, ignore: DockerIgnore) {
    self.tree = tree
    self.ignore = ignore
  }

  /// A small file at the context's top (`.dockerignore`), if it is a regular file.
  func topFile(_ name: String) -> [UInt8]? {
    try? tree.read(name, limit: 16 << 20)
  }

  /// Every entry the context holds after `.dockerignore`, relative to the root, sorted.
  func allFiles() -> [String] {
    var result: [String] = []
    var pending = [""]
    while let directory = pending.popLast() {
      for name in (try? tree.names(directory)) ?? [] {
        let relative = directory.isEmpty ? name : directory + "/" + name
        if tree.entry(relative)?.status.isDirectory == true { pending.append(relative) }
        if !ignore.excludes(relative) { result.append(relative) }
      }
    }
    return result.sorted()
  }

  /// The bytes a build would send: every file and link not ignored.
  func totalSize() throws -> Int64 {
    allFiles().reduce(0) { total, relative in
      guard let status = tree.entry(relative)?.status, !status.isDirectory else { return total }
      return total + status.size
    }
  }

  /// What the legacy builder's history calls one resolved source of `COPY` or `ADD`:
  /// `file:<hash>` for a file, `dir:<hash>` for a directory (moby builder/dockerfile/copy.go).
  ///
  /// A file's hash is its tarsum (v1) in the context's tar; a directory's is the SHA-256 of its
  /// entries' tarsums, itself included, sorted and joined with commas. An entry the context did
  /// not send (a directory `.dockerignore` left out, kept for an exception beneath it) counts as
  /// its path, as moby's `Hash` falls back to it.
  func legacySourceHash(_ path: String) throws -> String {
    guard let status = tree.entry(path)?.status else { return path }
    guard status.isDirectory else { return "file:" + (try tarsum(path, status: status)) }
    let sent = Set(allFiles())
    var sums: [String] = []
    var pending = [path]
    while let current = pending.popLast() {
      guard let entry = tree.entry(current)?.status else { continue }
      if entry.isDirectory {
        pending += ((try? tree.names(current)) ?? []).map {
          current.isEmpty ? $0 : "\(current)/\($0)"
        }
      }
      if current.isEmpty { continue }
      if sent.contains(current) {
        sums.append(try tarsum(current, status: entry))
      } else if entry.isDirectory, sent.contains(where: { $0.hasPrefix(current + "/") }) {
        sums.append(current)
      }
    }
    return "dir:" + Digest.of(Array(sums.sorted().joined(separator: ",").utf8)).hex
  }

  /// The tarsum v1 of one entry as the CLI's context tar holds it: the header's fields as
  /// `name<value>` pairs (owner 0:0, no mtime, no user names), then the file's bytes.
  private func tarsum(_ path: String, status: FileStatus) throws -> String {
    let typeflag: String
    var linkTarget = ""
    switch status.kind {
    case .directory: typeflag = "5"
    case .symlink:
      typeflag = "2"
      linkTarget = (try? tree.linkTarget(path)) ?? ""
    case .characterDevice: typeflag = "3"
    case .blockDevice: typeflag = "4"
    case .fifo: typeflag = "6"
    case .file, .socket: typeflag = "0"
    }
    let size = status.kind == .file ? status.size : 0
    let name = status.isDirectory ? path + "/" : path
    var hasher = DigestHasher()
    hasher.update(
      Array(
        ("name\(name)mode\(status.mode & 0o7777)uid0gid0size\(size)typeflag\(typeflag)"
          + "linkname\(linkTarget)unamegnamedevmajor0devminor0").utf8))
    if status.kind == .file, size > 0 {
      let reader = try tree.reader(path)
      while case let chunk = try reader.read(), !chunk.isEmpty { hasher.update(chunk) }
    }
    return hasher.finalize().hex
  }

  /// The size of the tar the CLI sends the legacy builder (`Sending build context`): every
  /// entry not ignored, plus the Dockerfile and `.dockerignore`, which the CLI always sends,
  /// each a 512-byte header (and a PAX header when a name does not fit), its data padded to
  /// 512 bytes, and the two zero blocks that end it, as Go's `archive/tar` writes them.
  func archiveSize(dockerfile: String?) -> Int64 {
    var names = Set(allFiles())
    for always in [dockerfile, ".dockerignore"].compactMap({ $0 }) where tree.exists(always) {
      names.insert(always)
    }
    var seenInodes: Set<UInt64> = []
    var total: Int64 = 1024
    for relative in names {
      guard let status = tree.entry(relative)?.status, status.kind != .socket else { continue }
      var size = status.kind == .file ? status.size : 0
      // A second name of a hard-linked file is a link entry, with no data.
      if status.kind == .file, status.links > 1, !seenInodes.insert(status.inode).inserted {
        size = 0
      }
      let name = status.isDirectory ? relative + "/" : relative
      let link = status.kind == .symlink ? ((try? tree.linkTarget(relative)) ?? "") : ""
      total += Self.tarHeaderSize(name: name, link: link, size: size) + (size + 511) / 512 * 512
    }
    return total
  }

  /// The bytes Go's tar writer spends on one header: 512, or 512 more plus the padded PAX
  /// records when the name or link target does not fit USTAR.
  static func tarHeaderSize(name: String, link: String, size: Int64) -> Int64 {
    var records: [(String, String)] = []
    let nameFits = name.utf8.count <= 100 && isASCII(name)
    if !nameFits { records.append(("path", name)) }
    let linkFits = link.utf8.count <= 100 && isASCII(link)
    if !linkFits { records.append(("linkpath", link)) }
    if size > 0o77777777777 { records.append(("size", String(size))) }
    let pathOnly = records.count == 1 && !nameFits
    if records.isEmpty || (pathOnly && splitsForUSTAR(name)) { return 512 }
    let text = records.sorted { $0.0 < $1.0 }.map { key, value in
      let base = key.utf8.count + value.utf8.count + 3
      var length = base + String(base).count
      if String(length).count != String(base).count { length = base + String(length).count }
      return "\(length) \(key)=\(value)\n"
    }.joined()
    return 512 + 512 + (Int64(text.utf8.count) + 511) / 512 * 512
  }

  private static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

  /// Whether a long name splits into USTAR's 155-byte prefix and 100-byte name at a `/`
  /// (Go's `splitUSTARPath`).
  private static func splitsForUSTAR(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard bytes.count > 100, isASCII(name) else { return false }
    var length = bytes.count
    if length > 156 {
      length = 156
    } else if bytes[length - 1] == UInt8(ascii: "/") {
      length -= 1
    }
    guard let slash = bytes[..<length].lastIndex(of: UInt8(ascii: "/")) else { return false }
    let suffix = bytes.count - slash - 1
    return slash > 0 && suffix <= 100 && suffix > 0 && slash <= 155
  }

  /// `path` with every link on the way resolved inside the tree; `nil` when it is missing.
  func resolve(_ path: String, followLast: Bool = true) -> String? {
    let resolved = try? PathResolver.resolve(path, from: "/", followLast: followLast) {
      (candidate) throws(FileSystemError) in
      guard let entry = tree.entry(candidate) else { return .missing }
      switch entry.status.kind {
      case .directory: return .directory
      case .symlink: return .link(target: try tree.linkTarget(candidate))
      default: return .other
      }
    }
    guard let resolved, tree.exists(resolved) else { return nil }
    return String(resolved.dropFirst())
  }

  /// The sources a `COPY` source names, a path or a glob: each the path as matched (whose
  /// name a copy into a directory keeps) and the path with its links resolved.
  func sources(for pattern: String, legacy: Bool) throws -> [(name: String, path: String)] {
    let cleaned = DockerIgnore.clean(pattern)
    if cleaned.hasPrefix("..") || pattern.hasPrefix("/..") {
      throw BuildFailure(.step, "forbidden path outside the build context: \(pattern) ()")
    }
    let matches: [String]
    if cleaned.contains(where: { "*?[".contains($0) }) {
      matches = allFiles().filter { DockerIgnore.matches(cleaned, $0) }
    } else {
      matches = cleaned.isEmpty || !ignore.excludes(cleaned) ? [cleaned] : []
    }
    guard !matches.isEmpty else { throw notFound(pattern, legacy: legacy) }
    return try matches.map { match in
      guard let resolved = resolve(match) else { throw notFound(pattern, legacy: legacy) }
      return (match, resolved)
    }
  }

  func notFound(_ pattern: String, legacy: Bool) -> BuildFailure {
    if legacy {
      return BuildFailure(
        .step,
        "COPY failed: file not found in build context or excluded by .dockerignore: stat \(pattern): file does not exist"
      )
    }
    let path = "/" + DockerIgnore.clean(pattern)
    return BuildFailure(
      .step,
      "failed to solve: failed to compute cache key: failed to calculate checksum of ref "
        + "\(SeededID.randomID("ref \(pattern)").prefix(26))::\(SeededID.randomID("ref2 \(pattern)").prefix(25)): \"\(path)\": not found"
    )
  }

  /// The items a resolved source copies to `destination`: a file (named `name` inside a
  /// destination directory), or a directory's contents.
  func items(source: String, name: String, to destination: String, destinationIsDirectory: Bool)
    -> [CopyItem]
  {
    guard let entry = tree.entry(source) else { return [] }
    if !entry.status.isDirectory {
      let target = destinationIsDirectory ? join(destination, PathText.name(name)) : destination
      return [item(source, status: entry.status, destination: target)].compactMap { $0 }
    }
    var result: [CopyItem] = []
    var pending = [source]
    while let directory = pending.popLast() {
      for child in (try? tree.names(directory)) ?? [] {
        let path = join(directory, child)
        let relative = source.isEmpty ? path : String(path.dropFirst(source.count + 1))
        guard let status = tree.entry(path)?.status else { continue }
        if ignore.excludes(path) { continue }
        if status.isDirectory { pending.append(path) }
        if let item = item(path, status: status, destination: join(destination, relative)) {
          result.append(item)
        }
      }
    }
    return result
  }

  /// The item for one entry; devices, FIFOs and sockets are left out.
  private func item(_ path: String, status: FileStatus, destination: String) -> CopyItem? {
    switch status.kind {
    case .symlink:
      guard let target = try? tree.linkTarget(path) else { return nil }
      return CopyItem(
        destination: destination, origin: nil, kind: .symlink(target), mode: 0o777, size: 0)
    case .directory:
      return CopyItem(
        destination: destination, origin: nil, kind: .directory, mode: status.mode, size: 0)
    case .file:
      return CopyItem(
        destination: destination, origin: (tree, path), kind: .file, mode: status.mode,
        size: status.size, identity: FileHashes.Key(status))
    default:
      return nil
    }
  }

  private func join(_ directory: String, _ name: String) -> String {
    directory.isEmpty ? name : "\(directory)/\(name)"
  }
}

extension ImageStore {
  /// Writes a layer from `items` (a build step's files, a container's changes) and adds it to
  /// the store; `nil` when there is nothing to write.
  ///
  /// One pass over the files writes them into the layer's folder and streams the tar they
  /// make through the diff ID's hash and the tar-split: the layer's bytes are read once and
  /// written once, with no tar in between.
  func addLayer(_ items: [CopyItem], owner: (Int64, Int64)?, parent: Digest?, mtime: Int64)
    throws -> Digest?
  {
    guard !items.isEmpty else { return nil }
    var unique: [String: CopyItem] = [:]
    for item in items { unique[item.destination] = item }
    try createDirectories(temporaryDirectory)
    let name = "build-\(UUID().uuidString)"
    let staging = "\(temporaryDirectory)/\(name)"
    let tarSplit = "\(temporaryDirectory)/\(name).tar-split.json.gz"
    let quota = Budget.current?.disk
    let available = quota?.available ?? 0
    var adopted = false
    defer {
      try? FileManager.default.removeStoreItem(atPath: tarSplit)
      if !adopted {
        try? FileManager.default.removeStoreItem(atPath: staging)
        // What was extracted for nothing goes back to the quota.
        quota?.credit(available - (quota?.available ?? available))
      }
    }
    try createLayerStaging(staging)
    let splitter = try TarSplitWriter(path: tarSplit)
    var hasher = DigestHasher()
    let size: Int64
    do {
      let writer = try TarWriter(
        streamingTo: { (bytes) throws(ArchiveError) in
          hasher.update(bytes)
          do {
            try splitter.consume(bytes)
          } catch {
            throw .io(path: "tar-split", reason: "\(error)")
          }
        }, extractingInto: "\(staging)/diff")
      for destination in unique.keys.sorted() {
        guard let item = unique[destination] else { continue }
        let kind: TarEntry.Kind
        switch item.kind {
        case .directory: kind = .directory
        case .symlink(let target): kind = .symlink(target: target)
        case .file: kind = .file([])
        }
        let entry = TarEntry(
          path: destination, kind: kind, mode: item.mode, modificationTime: mtime,
          uid: owner?.0 ?? 0, gid: owner?.1 ?? 0)
        if case .file = item.kind {
          let reader = try item.reader()
          try writer.append(entry, size: item.size) { buffer in try reader.read(into: buffer) }
        } else {
          try writer.append(entry)
        }
      }
      try writer.finish()
      size = writer.extracted?.size ?? 0
    } catch let error as ArchiveError {
      throw ImageError.archive(error.description)
    }
    try splitter.finish()
    let diffID = hasher.finalize()
    let chainID = Self.chainID(diffID, parent: parent)
    if !hasLayer(chainID) {
      try addLayer(
        extractedAt: staging, size: size, diffID: diffID, parent: parent,
        tarSplit: tarSplit)
      adopted = true
    }
    return diffID
  }
}
