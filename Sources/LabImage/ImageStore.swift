import Foundation

/// Docker's classic overlay2 image store, on disk, under one root directory.
///
/// The root is laid out exactly as `/var/lib/docker` is (`image/overlay2/…`, `overlay2/…`), so
/// a learner can walk it with `ls` and `cat`. Every write goes through a temporary name and a
/// rename, and mutations hold an exclusive lock, so a killed run never leaves an image listed
/// that is not whole and two runs on one store do not corrupt it.
public struct ImageStore: Sendable {
  /// The directory that plays `/var/lib/docker`.
  public let root: String
  /// Whether each file written reaches the disk before it counts (`fsync`): a learner's store
  /// must survive a crash of the machine; a throw-away one, as `check` makes for each
  /// lesson, need not, and is much faster without.
  public let isDurable: Bool

  /// - Parameters:
  ///   - root: The directory that plays `/var/lib/docker`.
  ///   - durable: Whether writes are flushed to the disk; `false` for throw-away stores.
  public init(root: String, durable: Bool = true) {
    self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    isDurable = durable
    StoreJournal.shared.watch(self.root)
  }

  // MARK: - Paths

  var imageRoot: String { "\(root)/image/overlay2" }
  var contentDirectory: String { "\(imageRoot)/imagedb/content/sha256" }
  var metadataDirectory: String { "\(imageRoot)/imagedb/metadata/sha256" }
  var layerDirectory: String { "\(imageRoot)/layerdb/sha256" }
  var layerTemporaryDirectory: String { "\(imageRoot)/layerdb/tmp" }
  var repositoriesPath: String { "\(imageRoot)/repositories.json" }
  var diffIDByDigestDirectory: String { "\(imageRoot)/distribution/diffid-by-digest/sha256" }
  var v2MetadataDirectory: String { "\(imageRoot)/distribution/v2metadata-by-diffid/sha256" }
  /// The overlay2 driver's home.
  public var overlayDirectory: String { "\(root)/overlay2" }
  /// LayerLab's own state (the clock); not part of Docker's layout.
  public var stateDirectory: String { "\(root)/.layerlab" }
  var temporaryDirectory: String { "\(root)/tmp" }

  /// Creates the directory skeleton of a fresh Docker root, if it is not there yet.
  public func initialize() throws {
    try withLock { try initializeLocked() }
  }

  func initializeLocked() throws {
    let manager = FileManager.default
    for directory in [
      contentDirectory, metadataDirectory, layerDirectory, layerTemporaryDirectory,
      diffIDByDigestDirectory, v2MetadataDirectory, "\(overlayDirectory)/l", stateDirectory,
      temporaryDirectory, "\(root)/buildkit", "\(root)/containers", "\(root)/network/files",
      "\(root)/plugins", "\(root)/runtimes", "\(root)/swarm", "\(root)/volumes",
    ] where !manager.fileExists(atPath: directory) {
      try createDirectories(directory)
    }
    // Docker's modes (daemon_unix.go, overlay2/overlay.go): only root may list the root and the
    // driver's home, and the others may pass through them only as the daemon's group.
    chmod(root, 0o710)
    chmod(overlayDirectory, 0o710)
    chmod("\(overlayDirectory)/l", 0o700)
    if !manager.fileExists(atPath: repositoriesPath) {
      try writeFileAtomically(repositoriesPath, Array(#"{"Repositories":{}}"#.utf8), mode: 0o600)
    }
    let engineID = "\(root)/engine-id"
    if !manager.fileExists(atPath: engineID) {
      let id = SeededID.randomID("engine \(root)")
      let uuid =
        "\(id.prefix(8))-\(id.dropFirst(8).prefix(4))-\(id.dropFirst(12).prefix(4))-"
        + "\(id.dropFirst(16).prefix(4))-\(id.dropFirst(20).prefix(12))"
      try writeFileAtomically(engineID, Array(uuid.utf8))
    }
    migrateLegacyLayerArchives()
    stampNewEntries(at: clock().now)
  }

  /// Runs `body` holding the store's exclusive lock, so concurrent runs take turns.
  public func withLock<T>(_ body: () throws -> T) throws -> T {
    try createDirectories(stateDirectory)
    let descriptor = open("\(stateDirectory)/lock", O_CREAT | O_RDWR, 0o644)
    guard descriptor >= 0 else {
      throw ImageError.io(path: "\(stateDirectory)/lock", reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 {
      guard errno == EINTR else {
        throw ImageError.io(
          path: "\(stateDirectory)/lock", reason: String(cString: strerror(errno)))
      }
    }
    defer { flock(descriptor, LOCK_UN) }
    return try body()
  }

  // MARK: - Clock

  /// The store's virtual clock as last saved, or the default start.
  public func clock() -> VirtualClock {
    guard let bytes = try? readFile("\(stateDirectory)/clock"),
      let date = VirtualClock.parse(String(decoding: bytes, as: UTF8.self))
    else { return VirtualClock() }
    return VirtualClock(now: date)
  }

  /// Saves the clock after each command, reads included.
  ///
  /// The file is replaced atomically but never flushed to the disk, even in a durable store:
  /// it is LayerLab's own state, not an image, and a crash of the machine can at worst take
  /// the clock back to an earlier time (or its start), where a flush made every
  /// `docker image ls` wait for the disk.
  public func saveClock(_ clock: VirtualClock) throws {
    try LabImage.writeFileAtomically(
      "\(stateDirectory)/clock", Array(String(Int64(clock.now.timeIntervalSince1970)).utf8),
      durable: false)
  }

  /// Removes everything in the store, leaving a fresh empty root.
  public func reset() throws {
    try withLock {
      let manager = FileManager.default
      for name in try manager.contentsOfDirectory(atPath: root) where name != ".layerlab" {
        try manager.removeStoreItem(atPath: "\(root)/\(name)")
      }
      try? manager.removeStoreItem(atPath: "\(stateDirectory)/clock")
      try initializeLocked()
    }
  }

  // MARK: - Small files

  /// Writes a file of the store through a temporary name and a rename, flushed to the disk
  /// when the store is durable.
  func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: Int = 0o644) throws {
    try LabImage.writeFileAtomically(path, bytes, mode: mode, durable: isDurable)
  }

  func readText(_ path: String) -> String? {
    guard let bytes = try? readFile(path) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
