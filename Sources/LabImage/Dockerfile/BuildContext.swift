import Foundation

/// A file to copy into a layer: where it comes from on the host and where it goes.
struct CopyItem {
  enum Kind {
    case file
    case directory
    case symlink(String)
  }

  /// The path inside the image, without a leading `/`.
  var destination: String
  var hostPath: String
  var kind: Kind
  var mode: UInt32
  var size: Int64
}

/// The build context directory: what `COPY` and `ADD` may read, minus `.dockerignore`.
struct BuildContext {
  let root: String
  let ignore: DockerIgnore

  init(root: String, ignore: DockerIgnore) {
    self.root = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    self.ignore = ignore
  }

  /// Every file the context holds after `.dockerignore`, relative to the root, sorted.
  func allFiles() -> [String] {
    var result: [String] = []
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    while let relative = walker.nextObject() as? String {
      if ignore.excludes(relative) { continue }
      result.append(relative)
    }
    return result.sorted()
  }

  /// The bytes a build would send: every file not ignored.
  func totalSize() throws -> Int64 {
    allFiles().reduce(0) { total, relative in
      var status = stat()
      guard lstat("\(root)/\(relative)", &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR else {
        return total
      }
      return total + Int64(status.st_size)
    }
  }

  /// The context paths a `COPY` source names: a path, or a glob over paths.
  func sources(for pattern: String, legacy: Bool) throws -> [String] {
    let cleaned = DockerIgnore.clean(pattern)
    if cleaned.hasPrefix("..") || pattern.hasPrefix("/..") {
      throw BuildFailure(.step, "forbidden path outside the build context: \(pattern) ()")
    }
    if cleaned.contains(where: { "*?[".contains($0) }) {
      let matches = allFiles().filter { DockerIgnore.matches(cleaned, $0) }
      guard !matches.isEmpty else { throw notFound(pattern, legacy: legacy) }
      return matches
    }
    let path = cleaned.isEmpty ? "" : cleaned
    var status = stat()
    guard lstat(path.isEmpty ? root : "\(root)/\(path)", &status) == 0,
      path.isEmpty || !ignore.excludes(path)
    else {
      throw notFound(pattern, legacy: legacy)
    }
    // A source that is a symlink must stay inside the context.
    let real = URL(fileURLWithPath: path.isEmpty ? root : "\(root)/\(path)")
      .resolvingSymlinksInPath().path
    guard real == root || real.hasPrefix(root + "/") else {
      throw BuildFailure(.step, "forbidden path outside the build context: \(pattern) ()")
    }
    return [path]
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

  /// The items a source copies to `destination`: a file, or a directory's contents.
  func items(source: String, to destination: String, destinationIsDirectory: Bool) -> [CopyItem] {
    let host = source.isEmpty ? root : "\(root)/\(source)"
    let real = URL(fileURLWithPath: host).resolvingSymlinksInPath().path
    if !isDirectory(real) {
      let name = PathText.name(source)
      let target = destinationIsDirectory ? join(destination, name) : destination
      return [item(hostPath: real, destination: target, followLink: true)]
    }
    var result: [CopyItem] = []
    let walker = FileManager.default.enumerator(atPath: real)
    while let relative = walker?.nextObject() as? String {
      let contextPath = source.isEmpty ? relative : "\(source)/\(relative)"
      if ignore.excludes(contextPath) {
        var status = stat()
        if lstat("\(real)/\(relative)", &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
          walker?.skipDescendants()
        }
        continue
      }
      result.append(
        item(
          hostPath: "\(real)/\(relative)", destination: join(destination, relative),
          followLink: false))
    }
    return result
  }

  private func item(hostPath: String, destination: String, followLink: Bool) -> CopyItem {
    var status = stat()
    _ = followLink ? stat(hostPath, &status) : lstat(hostPath, &status)
    let type = status.st_mode & S_IFMT
    let mode = UInt32(status.st_mode & 0o7777)
    if type == S_IFLNK,
      let target = try? FileManager.default.destinationOfSymbolicLink(atPath: hostPath)
    {
      return CopyItem(
        destination: destination, hostPath: hostPath, kind: .symlink(target), mode: 0o777, size: 0)
    }
    if type == S_IFDIR {
      return CopyItem(
        destination: destination, hostPath: hostPath, kind: .directory, mode: mode, size: 0)
    }
    return CopyItem(
      destination: destination, hostPath: hostPath, kind: .file, mode: mode,
      size: Int64(status.st_size))
  }

  private func join(_ directory: String, _ name: String) -> String {
    directory.isEmpty ? name : "\(directory)/\(name)"
  }
}

/// Whether `path` is a directory, following symlinks.
func isDirectory(_ path: String) -> Bool {
  var status = stat()
  return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
}
