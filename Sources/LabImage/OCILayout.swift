import Foundation
import LabFiles
import LabJSON

/// An OCI image layout directory: `oci-layout`, `index.json` and `blobs/sha256/…`.
///
/// The embedded registry keeps one layout per repository; `index.json` names each tag with
/// the `org.opencontainers.image.ref.name` annotation.
public struct OCILayout: Sendable {
  public let root: String

  public init(root: String) { self.root = root }

  public func blobPath(_ digest: Digest) -> String { "\(root)/blobs/sha256/\(digest.hex)" }

  public var exists: Bool { FileManager.default.fileExists(atPath: "\(root)/index.json") }

  /// The descriptors listed in `index.json`.
  public func index() throws -> [Descriptor] {
    try Self.descriptors(parsing: try readFile("\(root)/index.json"))
  }

  /// The descriptors an `index.json` lists.
  public static func descriptors(parsing bytes: [UInt8]) throws -> [Descriptor] {
    let json = try JSONValue(parsing: bytes)
    return try (json["manifests"]?.arrayValue ?? []).map { item throws(ImageError) in
      try Descriptor(json: item)
    }
  }

  /// A blob's bytes, checked against its digest.
  public func verifiedBlob(_ digest: Digest) throws -> [UInt8] {
    let bytes = try readFile(blobPath(digest))
    let actual = Digest.of(bytes)
    guard actual == digest else {
      throw ImageError.digestMismatch(what: "blob", expected: digest, actual: actual)
    }
    return bytes
  }

  // MARK: - Writing

  /// Stores a blob under its digest and returns that digest.
  @discardableResult
  public func writeBlob(_ bytes: [UInt8]) throws -> Digest {
    let digest = Digest.of(bytes)
    let path = blobPath(digest)
    if !FileManager.default.fileExists(atPath: path) {
      try writeFileAtomically(path, bytes)
    }
    return digest
  }

  /// Writes `oci-layout` and `index.json` listing `manifests`.
  public func writeIndex(_ manifests: [Descriptor]) throws {
    try writeFileAtomically(
      "\(root)/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
    let index = JSONValue.object([
      ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociIndex)),
      ("manifests", .array(manifests.map(\.json))),
    ])
    try writeFileAtomically("\(root)/index.json", Array(index.compact().utf8))
  }
}

/// Reads a whole small file (metadata, manifests, configs).
func readFile(_ path: String) throws -> [UInt8] {
  // Plain system calls: the store reads thousands of small files (configs, metadata) per
  // listing, and Foundation's reader costs several times the reading itself.
  let descriptor = open(path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { throw ImageError.io(path: path, reason: "no such file") }
  defer { close(descriptor) }
  var status = stat()
  guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT != S_IFDIR else {
    throw ImageError.io(path: path, reason: "no such file")
  }
  var bytes: [UInt8] = []
  var capacity = max(Int(status.st_size), 0) + 1
  var count = 0
  while true {
    if count == capacity { capacity *= 2 }
    if bytes.count < capacity {
      bytes.append(contentsOf: repeatElement(0, count: capacity - bytes.count))
    }
    let got = bytes.withUnsafeMutableBytes { buffer in
      read(descriptor, buffer.baseAddress.map { $0 + count }, capacity - count)
    }
    if got < 0 {
      if errno == EINTR { continue }
      throw ImageError.io(path: path, reason: "no such file")
    }
    if got == 0 { break }
    count += got
  }
  bytes.removeLast(bytes.count - count)
  return bytes
}

/// Creates a directory and its missing parents with `mode`, whatever the process umask is at
/// that moment: libarchive sets the umask to 0 while it extracts, on whichever thread.
///
/// The first folder it makes is noted in the ``StoreJournal``.
func createDirectories(_ path: String, mode: mode_t = 0o755) throws {
  var current = path.hasPrefix("/") ? "" : "."
  var noted = false
  for component in path.split(separator: "/") {
    current += "/" + component
    if mkdir(current, mode) == 0 {
      chmod(current, mode)
      if !noted {
        StoreJournal.shared.noteWrite(current)
        noted = true
      }
    } else if errno != EEXIST {
      // The same attempt again, for its error in the usual words.
      do {
        try HostPaths.createDirectories(path, mode: mode)
      } catch {
        throw ImageError.io(path: path, reason: error.description)
      }
    }
  }
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
///
/// - Parameters:
///   - path: The file.
///   - bytes: Its content.
///   - mode: Its mode, whatever the umask.
///   - durable: Whether the bytes reach the disk (`fsync`) before the rename, so a crash of the
///     machine leaves the old file or the new one, never an empty one. A throw-away store
///     skips it.
/// - Throws: ``ImageError/io(path:reason:)`` when the file cannot be written.
func writeFileAtomically(
  _ path: String, _ bytes: [UInt8], mode: Int = 0o644, durable: Bool = true
) throws {
  let directory = PathText.parent(path)
  let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
  let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
  var descriptor = open(temporary, flags, mode_t(mode))
  if descriptor < 0 && errno == ENOENT {
    try createDirectories(directory)
    descriptor = open(temporary, flags, mode_t(mode))
  }
  guard descriptor >= 0 else { throw ImageError.io(path: path, reason: "cannot write file") }
  // The umask must not decide the mode.
  var failure = fchmod(descriptor, mode_t(mode)) == 0 ? 0 : errno
  var written = 0
  while failure == 0 && written < bytes.count {
    let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno != EINTR { failure = errno }
    } else {
      written += count
    }
  }
  if failure == 0 && durable && fsync(descriptor) != 0 { failure = errno }
  close(descriptor)
  guard failure == 0 else {
    unlink(temporary)
    throw ImageError.io(path: path, reason: String(cString: strerror(failure)))
  }
  guard rename(temporary, path) == 0 else {
    unlink(temporary)
    throw ImageError.io(path: path, reason: String(cString: strerror(errno)))
  }
  StoreJournal.shared.noteWrite(path, walk: false)
}
