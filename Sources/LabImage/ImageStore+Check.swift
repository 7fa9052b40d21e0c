import Foundation

/// What `layerlab store fsck` found.
public struct StoreReport: Sendable {
  public var images = 0
  public var layers = 0
  public var containers = 0
  public var problems: [String] = []
  public var removedLeftovers: [String] = []
}

extension ImageStore {
  /// Checks every image, layer and reference, and removes what interrupted runs left in the
  /// temporary directories.
  public func check() throws -> StoreReport {
    try withLock {
      var report = StoreReport()
      let manager = FileManager.default
      for directory in [temporaryDirectory, layerTemporaryDirectory] {
        for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
          try manager.removeStoreItem(atPath: "\(directory)/\(name)")
          report.removedLeftovers.append("\(directory)/\(name)")
        }
      }
      let chains = (try? manager.contentsOfDirectory(atPath: layerDirectory)) ?? []
      for name in chains.sorted() {
        report.layers += 1
        report.problems += checkLayer(name)
      }
      for id in try imageIDs() {
        report.images += 1
        let image = try self.image(id)
        if Digest.of(image.configBytes) != id {
          report.problems.append("image \(id.shortID): its config does not match its ID")
        }
        for chain in image.chainIDs where !hasLayer(chain) {
          report.problems.append("image \(id.shortID): layer \(chain) is missing")
        }
      }
      for (reference, id) in try referenceTable().all where !hasImage(id) {
        report.problems.append("\(reference.familiarString) names missing image \(id.shortID)")
      }
      checkContainers(&report)
      return report
    }
  }

  /// Each container whole; what a killed create or removal left of one, removed.
  private func checkContainers(_ report: inout StoreReport) {
    let manager = FileManager.default
    var mountIDs: Set<String> = []
    for id in ((try? manager.contentsOfDirectory(atPath: containersDirectory)) ?? []).sorted() {
      guard let container = try? container(id: id) else {
        // A folder with no readable config is no container: a create that did not finish.
        if !exists("\(containersDirectory)/\(id)/config.v2.json") {
          try? manager.removeStoreItem(atPath: "\(containersDirectory)/\(id)")
          report.removedLeftovers.append("\(containersDirectory)/\(id)")
        } else {
          report.problems.append("container \(id.prefix(12)): its config cannot be read")
        }
        continue
      }
      report.containers += 1
      mountIDs.insert(container.mountID)
      for directory in [container.mountID, container.mountID + "-init"]
      where !exists("\(overlayDirectory)/\(directory)/diff") {
        report.problems.append(
          "container \(container.shortID): overlay2/\(directory)/diff is missing")
      }
      if (try? imageChain(of: container)) == nil {
        report.problems.append("container \(container.shortID): its image's layers are missing")
      }
    }
    // Mount records and layers of containers that no longer exist.
    for id in (try? manager.contentsOfDirectory(atPath: mountsDirectory)) ?? []
    where !exists("\(containersDirectory)/\(id)/config.v2.json") {
      if let mountID = readText("\(mountsDirectory)/\(id)/mount-id") {
        for directory in [mountID, mountID + "-init"] {
          let overlay = "\(overlayDirectory)/\(directory)"
          if let link = readText("\(overlay)/link") {
            try? manager.removeStoreItem(atPath: "\(overlayDirectory)/l/\(link)")
          }
          try? manager.removeStoreItem(atPath: overlay)
        }
      }
      try? manager.removeStoreItem(atPath: "\(mountsDirectory)/\(id)")
      report.removedLeftovers.append("\(mountsDirectory)/\(id)")
    }
  }

  private func checkLayer(_ name: String) -> [String] {
    let directory = "\(layerDirectory)/\(name)"
    var problems: [String] = []
    guard let chainID = try? Digest(hex: name) else {
      return ["layerdb/sha256/\(name) is not a chain ID"]
    }
    for file in ["diff", "size", "cache-id", "tar-split.json.gz"]
    where !exists("\(directory)/\(file)") {
      problems.append("layer \(chainID.shortID): \(file) is missing")
    }
    guard let layer = try? layer(chainID) else { return problems }
    let expected = layer.parent.map { Digest.of("\($0) \(layer.diffID)") } ?? layer.diffID
    if expected != chainID {
      problems.append("layer \(chainID.shortID): chain ID does not match diff and parent")
    }
    let overlay = "\(overlayDirectory)/\(layer.cacheID)"
    if !exists("\(overlay)/diff") {
      problems.append("layer \(chainID.shortID): overlay2/\(layer.cacheID)/diff is missing")
    }
    if let link = readText("\(overlay)/link") {
      let target = try? FileManager.default.destinationOfSymbolicLink(
        atPath: "\(overlayDirectory)/l/\(link)")
      if target != "../\(layer.cacheID)/diff" {
        problems.append("layer \(chainID.shortID): overlay2/l/\(link) does not lead to its diff")
      }
    } else {
      problems.append("layer \(chainID.shortID): overlay2/\(layer.cacheID)/link is missing")
    }
    // The layer's tar must still come back from its files and tar-split, as `save` needs it.
    if exists("\(overlay)/diff") && exists("\(directory)/tar-split.json.gz") {
      do {
        try readTar(of: layer) { _ in }
      } catch let error as ImageError {
        if case .layerContent(_, let reason) = error {
          problems.append("layer \(chainID.shortID): \(reason)")
        } else {
          problems.append("layer \(chainID.shortID): \(error)")
        }
      } catch {
        problems.append("layer \(chainID.shortID): \(error)")
      }
    }
    if let parent = layer.parent {
      if !hasLayer(parent) {
        problems.append("layer \(chainID.shortID): parent \(parent.shortID) is missing")
      }
      if !exists("\(overlay)/lower") {
        problems.append("layer \(chainID.shortID): lower is missing")
      }
    }
    return problems
  }
}
