import Foundation
import LabFiles
import LabJSON

/// One change `docker diff` reports.
public struct ContainerChange: Equatable, Sendable {
  public enum Kind: String, Sendable {
    case added = "A"
    case changed = "C"
    case deleted = "D"
  }

  public var kind: Kind
  public var path: String
}

/// A log entry of a container: its stream, its text and when it was written.
public struct LogEntry: Sendable {
  public var stream: String
  public var text: String
  public var time: Date
}

extension ImageStore {
  /// The bytes a container's writable layer holds (`SizeRw`).
  public func containerSize(_ container: Container) -> Int64 {
    Self.contentSize(upperDirectory(of: container))
  }

  /// Docker's `directory.Size`: the bytes of the files under a folder, links counted once.
  static func contentSize(_ path: String) -> Int64 {
    var total: Int64 = 0
    var seen: Set<UInt64> = []
    let walker = FileManager.default.enumerator(atPath: path)
    while let relative = walker?.nextObject() as? String {
      var status = stat()
      guard lstat("\(path)/\(relative)", &status) == 0, status.st_mode & S_IFMT != S_IFDIR else {
        continue
      }
      if status.st_nlink > 1, !seen.insert(UInt64(status.st_ino)).inserted { continue }
      total += Int64(status.st_size)
    }
    return total
  }

  /// A container's log entries, oldest first.
  public func logEntries(of container: Container) -> [LogEntry] {
    guard let text = readText(logPath(of: container)) else { return [] }
    return text.split(separator: "\n").compactMap { line in
      guard let entry = try? JSONValue(parsing: String(line)),
        let log = entry["log"]?.stringValue, let stream = entry["stream"]?.stringValue
      else { return nil }
      let time = entry["time"]?.stringValue.flatMap(parseRFC3339) ?? Date(timeIntervalSince1970: 0)
      return LogEntry(stream: stream, text: log, time: time)
    }
  }

  /// What a container changed, as `docker diff` lists it.
  ///
  /// The changes come from its writable layer, against what its image and init layer hold. Parents come before their children, siblings by name.
  public func changes(of container: Container) throws -> [ContainerChange] {
    let upper = HostDirectory(upperDirectory(of: container))
    let lowers = FileTree(layers: try lowerDirectories(of: container).map(HostDirectory.init))
    var changes: [ContainerChange] = []
    func walk(_ relative: String, addedAbove: Bool) {
      let names = ((try? upper.names(relative)) ?? []).sorted()
      for name in names {
        let path = relative.isEmpty ? name : "\(relative)/\(name)"
        if name == ".wh..wh..opq" { continue }
        if name.hasPrefix(".wh.") {
          let removed = String(name.dropFirst(4))
          changes.append(
            ContainerChange(
              kind: .deleted, path: "/" + (relative.isEmpty ? removed : "\(relative)/\(removed)")))
          continue
        }
        guard let status = try? upper.status(path) else { continue }
        let inLower = !addedAbove && lowers.entry(path) != nil
        let isDirectory = status.kind == .directory
        if !inLower {
          changes.append(ContainerChange(kind: .added, path: "/" + path))
          if isDirectory { walk(path, addedAbove: true) }
        } else if isDirectory {
          // A directory is changed when something in it is.
          let before = changes.count
          walk(path, addedAbove: false)
          if changes.count > before {
            changes.insert(ContainerChange(kind: .changed, path: "/" + path), at: before)
          }
        } else {
          changes.append(ContainerChange(kind: .changed, path: "/" + path))
        }
      }
    }
    walk("", addedAbove: false)
    return changes
  }

  /// `docker commit`: the container's writable layer becomes an image layer on its image, with
  /// a history entry of the container's command.
  public func commit(
    _ container: Container, config: JSONValue, author: String, comment: String,
    tag: ImageReference?, at now: Date
  ) throws -> Digest {
    try withLock {
      let image = try self.image(container.image)
      let upper = upperDirectory(of: container)
      let items = BuildContext(root: upper, ignore: DockerIgnore("")).items(
        source: "", name: "", to: "", destinationIsDirectory: true)
      let diffID = try addLayer(
        items, owner: nil, parent: image.topChainID, mtime: Int64(now.timeIntervalSince1970))
      let created = formatRFC3339Nano(now)
      var entry: [(String, JSONValue)] = [("created", .string(created))]
      if !author.isEmpty { entry.append(("author", .string(author))) }
      // The history names the container's own command, before any `--change`.
      let command = (container.config["Cmd"]?.arrayValue ?? []).compactMap(\.stringValue)
      entry.append(("created_by", .string(command.joined(separator: " "))))
      if !comment.isEmpty { entry.append(("comment", .string(comment))) }
      if diffID == nil { entry.append(("empty_layer", .bool(true))) }
      var top: [(String, JSONValue)] = []
      for (key, value) in image.config.objectValue ?? [] {
        switch key {
        case "config", "container", "container_config", "created", "docker_version", "author",
          "history", "rootfs":
          continue
        default: top.append((key, value))
        }
      }
      var diffIDs = image.diffIDs.map { JSONValue.string($0.description) }
      if let diffID { diffIDs.append(.string(diffID.description)) }
      top += [
        ("config", config), ("container", .string(container.id)),
        ("container_config", container.config), ("created", .string(created)),
        ("docker_version", .string("27.5.1")),
        ("history", .array((image.config["history"]?.arrayValue ?? []) + [.object(entry)])),
        (
          "rootfs",
          .object([("type", .string("layers")), ("diff_ids", .array(diffIDs))])
        ),
      ]
      if !author.isEmpty { top.append(("author", .string(author))) }
      let bytes = Array(JSONValue.object(top.sorted { $0.0 < $1.0 }).compact().utf8)
      let id = try storeImage(config: bytes)
      try setParent(id, to: image.id)
      try writeFileAtomically("\(metadataDirectory)/\(id.hex)/builtLocally", [1], mode: 0o600)
      if let tag {
        var table = try referenceTable()
        table.add(tag, image: id)
        try saveReferenceTable(table)
        try setLastUpdated(id, to: now)
      }
      return id
    }
  }
}
