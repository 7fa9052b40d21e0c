import Foundation
import LabFiles
import LabJSON

/// Containers in the store, laid out as the daemon lays them out.
///
/// A container is `containers/<id>/` (its configuration, hostname, hosts, resolv.conf and
/// log), `layerdb/mounts/<id>/` (its mount ID, init ID and image layer), and two overlay2
/// directories: `<mount ID>-init`, with the files Docker puts in every container, and
/// `<mount ID>`, whose `diff` takes what the container writes. A container exists once its
/// `config.v2.json` is in place, which is written last; removal takes that first, so a killed
/// run leaves either a whole container or leftovers that `fsck` clears.
extension ImageStore {
  var containersDirectory: String { "\(root)/containers" }
  var mountsDirectory: String { "\(imageRoot)/layerdb/mounts" }

  /// Every container, newest first, as `docker ps -a` lists them.
  public func containers() -> [Container] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: containersDirectory)) ?? []
    return names.compactMap { try? container(id: $0) }.sorted {
      ($0.created, $0.id) > ($1.created, $1.id)
    }
  }

  /// The container with this full ID.
  public func container(id: String) throws -> Container {
    let directory = "\(containersDirectory)/\(id)"
    guard let bytes = try? readFile("\(directory)/config.v2.json") else {
      throw ImageError.noSuchContainer(id)
    }
    let hostConfig = (try? readFile("\(directory)/hostconfig.json")).flatMap {
      try? JSONValue(parsing: $0)
    }
    guard let mountID = readText("\(mountsDirectory)/\(id)/mount-id") else {
      throw ImageError.corruptStore("container \(id.prefix(12)) has no mount ID")
    }
    do {
      return try Container(
        configV2: try JSONValue(parsing: bytes), hostConfig: hostConfig ?? .object([]),
        mountID: mountID)
    } catch let error as JSONError {
      throw ImageError.corruptStore("container \(id.prefix(12)): \(error)")
    }
  }

  /// A container by what a user typed: its full ID, its name, or a unique prefix of its ID.
  public func findContainer(_ text: String) throws -> Container {
    let all = containers()
    let name = text.hasPrefix("/") ? String(text.dropFirst()) : text
    if let exact = all.first(where: { $0.id == text || $0.name == name }) { return exact }
    let matches = text.isEmpty ? [] : all.filter { $0.id.hasPrefix(text) }
    if matches.count == 1 { return matches[0] }
    if matches.count > 1 {
      throw ImageError.conflict(
        "Multiple IDs found with provided prefix: \(text)")
    }
    throw ImageError.noSuchContainer(text)
  }

  /// The containers made from an image.
  public func containers(using image: Digest) -> [Container] {
    containers().filter { $0.image == image }
  }

  /// A new container ID and its mount ID, the same on every machine for the same history.
  public func newContainerIDs() throws -> (id: String, mountID: String) {
    let counter = "\(stateDirectory)/containers-created"
    let count = (readText(counter).flatMap { Int($0) } ?? 0) + 1
    try writeFileAtomically(counter, Array(String(count).utf8))
    // From the count and the clock, not the store's folder: every run of a lesson, anywhere,
    // makes the same containers.
    let id = SeededID.randomID("container \(count) \(formatRFC3339Nano(clock().now))")
    return (id, SeededID.randomID("mount \(id)"))
  }

  /// A generated name no container has yet.
  public func newContainerName(for id: String) -> String {
    let taken = Set(containers().map(\.name))
    var attempt = 0
    while true {
      let name = ContainerNames.name(for: id, attempt: attempt)
      if !taken.contains(name) { return name }
      attempt += 1
    }
  }

  // MARK: - Creating and removing

  /// Creates a container's layers and files, and then the container.
  public func createContainer(_ container: Container) throws {
    try withLock { try createContainerLocked(container) }
  }

  func createContainerLocked(_ container: Container) throws {
    let image = try self.image(container.image)
    let imageLayers = try image.chainIDs.map { try layer($0) }
    // The image's links, top first: each container layer sees them below its own.
    var lowers = imageLayers.reversed().map { "l/\(SeededID.linkID(for: $0.cacheID))" }
    let initID = container.mountID + "-init"
    // The layer store's record first: a killed create leaves it, and `fsck` then knows which
    // overlay2 folders to clear.
    let mounts = "\(mountsDirectory)/\(container.id)"
    try createDirectories(mounts)
    try writeFileAtomically("\(mounts)/mount-id", Array(container.mountID.utf8))
    try writeFileAtomically("\(mounts)/init-id", Array(initID.utf8))
    if let top = image.topChainID {
      try writeFileAtomically("\(mounts)/parent", Array(top.description.utf8))
    }
    for (directory, isInit) in [(initID, true), (container.mountID, false)] {
      let overlay = "\(overlayDirectory)/\(directory)"
      let link = SeededID.linkID(for: directory)
      try createDirectories("\(overlay)/diff")
      chmod(overlay, 0o710)
      if isInit {
        let imageDiffs = try imageLayers.map { try diffDirectory(of: $0.chainID) }
        try makeInitFiles(in: "\(overlay)/diff", over: imageDiffs)
      }
      try writeFileAtomically("\(overlay)/link", Array(link.utf8))
      if !lowers.isEmpty {
        try writeFileAtomically("\(overlay)/lower", Array(lowers.joined(separator: ":").utf8))
      }
      try createDirectories("\(overlay)/work", mode: 0o700)
      let linkPath = "\(overlayDirectory)/l/\(link)"
      try? FileManager.default.removeStoreItem(atPath: linkPath)
      try FileManager.default.createStoreSymbolicLink(
        atPath: linkPath, withDestinationPath: "../\(directory)/diff")
      lowers.insert("l/\(link)", at: 0)
    }
    // The container's folders take its creation time, not the host's.
    for directory in [initID, container.mountID] {
      Self.stamp(tree: "\(overlayDirectory)/\(directory)/diff", at: container.created)
    }
    // The image's top layer now has a child.
    if let top = imageLayers.last {
      let marker = "\(overlayDirectory)/\(top.cacheID)/committed"
      if !exists(marker) {
        try HostPaths.createFile(marker, mode: 0o600)
        StoreJournal.shared.noteWrite(marker, walk: false)
      }
    }
    let directory = "\(containersDirectory)/\(container.id)"
    try createDirectories(directory, mode: 0o710)
    try createDirectories("\(directory)/checkpoints", mode: 0o700)
    try createDirectories("\(directory)/mounts", mode: 0o710)
    let hostname = container.config["Hostname"]?.stringValue ?? container.shortID
    try writeFileAtomically("\(directory)/hostname", Array("\(hostname)\n".utf8))
    try writeFileAtomically("\(directory)/hosts", Array(Self.hosts(hostname).utf8))
    try writeFileAtomically("\(directory)/resolv.conf", Array(Self.resolvConf.utf8))
    try writeFileAtomically(
      "\(directory)/hostconfig.json",
      Array((container.hostConfig.compact(escapingHTML: true) + "\n").utf8), mode: 0o600)
    // Last: the container exists once this is in place.
    try saveContainerLocked(container)
  }

  /// What Docker's init layer holds: empty files the daemon bind-mounts over, and mount points
  /// the image lacks.
  func makeInitFiles(in diff: String, over imageDiffs: [String]) throws {
    for directory in ["dev/pts", "dev/shm", "proc", "sys", "etc"] {
      let inImage = imageDiffs.contains { exists("\($0)/\(directory)") }
      if !["proc", "sys"].contains(directory) || !inImage {
        try createDirectories("\(diff)/\(directory)")
      }
    }
    for file in [".dockerenv", "etc/resolv.conf", "etc/hosts", "etc/hostname", "dev/console"] {
      try HostPaths.createFile("\(diff)/\(file)", mode: 0o755)
    }
    try FileManager.default.createStoreSymbolicLink(
      atPath: "\(diff)/etc/mtab", withDestinationPath: "/proc/mounts")
  }

  static func hosts(_ hostname: String) -> String {
    """
    127.0.0.1\tlocalhost
    ::1\tlocalhost ip6-localhost ip6-loopback
    fe00::0\tip6-localnet
    ff00::0\tip6-mcastprefix
    ff02::1\tip6-allnodes
    ff02::2\tip6-allrouters
    172.17.0.2\t\(hostname)

    """
  }

  static let resolvConf = """
    # Generated by Docker Engine.
    # This file can be edited; Docker Engine will not make further changes once it
    # has been modified.

    nameserver 8.8.8.8
    nameserver 8.8.4.4

    # Based on host file: '/etc/resolv.conf' (legacy)
    # Used default nameservers.
    # Overrides: []

    """

  /// Writes a container's changed state.
  public func saveContainer(_ container: Container) throws {
    try withLock { try saveContainerLocked(container) }
  }

  func saveContainerLocked(_ container: Container) throws {
    try writeFileAtomically(
      "\(containersDirectory)/\(container.id)/config.v2.json",
      Array((container.configV2(root: "/var/lib/docker").compact(escapingHTML: true) + "\n").utf8),
      mode: 0o600)
  }

  /// Removes a container: its files first (it stops existing), then its layers.
  public func removeContainer(_ container: Container) throws {
    try withLock {
      let manager = FileManager.default
      let trash = "\(temporaryDirectory)/removed-container-\(container.id)"
      try? manager.removeStoreItem(atPath: trash)
      try createDirectories(temporaryDirectory)
      try manager.moveStoreItem(atPath: "\(containersDirectory)/\(container.id)", toPath: trash)
      try? manager.removeStoreItem(atPath: trash)
      for directory in [container.mountID, container.mountID + "-init"] {
        let overlay = "\(overlayDirectory)/\(directory)"
        if let link = readText("\(overlay)/link") {
          try? manager.removeStoreItem(atPath: "\(overlayDirectory)/l/\(link)")
        }
        try? manager.removeStoreItem(atPath: overlay)
      }
      // The record last: until it goes, `fsck` can finish a removal a kill cut short.
      try? manager.removeStoreItem(atPath: "\(mountsDirectory)/\(container.id)")
    }
  }

  // MARK: - Running

  /// The directory that takes a container's writes.
  public func upperDirectory(of container: Container) -> String {
    "\(overlayDirectory)/\(container.mountID)/diff"
  }

  /// The directories a container reads through, top first: its init layer, then its image's.
  public func lowerDirectories(of container: Container) throws -> [String] {
    ["\(overlayDirectory)/\(container.mountID)-init/diff"]
      + (try imageChain(of: container).reversed().map { try diffDirectory(of: $0) })
  }

  /// The chain IDs of the image layers under a container, bottom first, from the layer store's
  /// record of its parent: they stay when its image is removed by force.
  public func imageChain(of container: Container) throws -> [Digest] {
    var chain: [Digest] = []
    var next = readText("\(mountsDirectory)/\(container.id)/parent").flatMap { try? Digest($0) }
    while let current = next, chain.count < 1000 {
      chain.insert(current, at: 0)
      next = try layer(current).parent
    }
    return chain
  }

  /// The files the daemon bind-mounts into a container: its hostname, hosts and resolv.conf.
  public func boundFiles(of container: Container) -> [String: [UInt8]] {
    let directory = "\(containersDirectory)/\(container.id)"
    var files: [String: [UInt8]] = [:]
    for name in ["hostname", "hosts", "resolv.conf"] {
      files["etc/\(name)"] = (try? readFile("\(directory)/\(name)")) ?? []
    }
    // A little of the kernel's /proc: the network a container has.
    files["proc/net/if_inet6"] = Array(
      "00000000000000000000000000000001 01 80 10 80       lo\n".utf8)
    return files
  }

  /// Appends output to a container's json-file log, one entry per line, as Docker logs it.
  public func appendLog(_ container: Container, stream: String, text: String, at time: Date) {
    guard !text.isEmpty else { return }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0) + "\n"
    }
    if text.hasSuffix("\n") { lines.removeLast() } else { lines[lines.count - 1].removeLast() }
    var entries = ""
    for line in lines {
      entries +=
        JSONValue.object([
          ("log", .string(line)), ("stream", .string(stream)),
          ("time", .string(formatRFC3339Nano(time))),
        ]).compact(escapingHTML: true) + "\n"
    }
    let path = logPath(of: container)
    if !exists(path) { try? HostPaths.createFile(path, mode: 0o640) }
    guard let handle = FileHandle(forWritingAtPath: path) else { return }
    defer { try? handle.close() }
    _ = try? handle.seekToEnd()
    try? handle.write(contentsOf: Data(entries.utf8))
    StoreJournal.shared.noteWrite(path, walk: false)
  }

  public func logPath(of container: Container) -> String {
    "\(containersDirectory)/\(container.id)/\(container.id)-json.log"
  }

  /// A container's log: each entry's stream and text.
  public func logs(of container: Container) -> [(stream: String, text: String)] {
    guard let text = readText(logPath(of: container)) else { return [] }
    return text.split(separator: "\n").compactMap { line in
      guard let entry = try? JSONValue(parsing: String(line)),
        let log = entry["log"]?.stringValue, let stream = entry["stream"]?.stringValue
      else { return nil }
      return (stream, log)
    }
  }
}
