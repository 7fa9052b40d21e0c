import Foundation

/// One record of an image removal, as `docker rmi` prints it.
public enum DeleteRecord: Equatable, Sendable {
  /// A reference removed, in familiar form.
  case untagged(String)
  /// An image ID or a layer chain ID removed.
  case deleted(Digest)
}

extension ImageStore {
  /// Tags an image, replacing whatever the reference named before (`docker tag`).
  public func tag(_ image: Digest, as reference: ImageReference, at date: Date) throws {
    try withLock {
      var table = try referenceTable()
      table.add(reference.withDefaultTag, image: image)
      try saveReferenceTable(table)
      try setLastUpdated(image, to: date)
    }
  }

  /// Removes an image or one of its references, exactly as the daemon's `ImageDelete` does.
  ///
  /// - Parameters:
  ///   - text: What the user named: a reference, an ID or an ID prefix.
  ///   - force: Untag every reference and remove despite soft conflicts.
  ///   - prune: Also remove untagged parents (legacy builds).
  /// - Returns: The records, in the order Docker reports them.
  /// - Throws: ``ImageError/noSuchImage(_:)``, ``ImageError/conflict(_:)`` and store failures.
  public func removeImage(_ text: String, force: Bool, prune: Bool) throws -> [DeleteRecord] {
    try withLock { try removeImageLocked(text, force: force, prune: prune) }
  }

  func removeImageLocked(_ text: String, force: Bool, prune: Bool) throws -> [DeleteRecord] {
    let id = try resolveImage(text)
    var table = try referenceTable()
    var references = table.references(to: id)
    var records: [DeleteRecord] = []
    var removedRepositoryReference = false
    if !isIDPrefix(text, of: id) {
      let named: ImageReference
      do {
        named = try ImageReference(parsing: text).withDefaultTag
      } catch {
        throw ImageError.invalidReference(error)
      }
      guard table.image(for: named) != nil else {
        throw ImageError.noSuchImage(named.familiarString)
      }
      // Untagging the only name of an image a container uses would leave it dangling.
      if !force, isSingleReference(references), let user = containers(using: id).first {
        throw ImageError.conflict(
          "conflict: unable to remove repository reference \"\(text)\" (must force) - container "
            + "\(user.shortID) is using its referenced image \(id.shortID)")
      }
      table.remove(named)
      records.append(.untagged(named.familiarString))
      references = table.references(to: id)
      // With the last tag of a repository gone, its digest references go too.
      if named.digest == nil,
        !references.contains(where: { $0.digest == nil && $0.name == named.name })
      {
        for reference in references where reference.digest != nil && reference.name == named.name {
          table.remove(reference)
          records.append(.untagged(reference.familiarString))
        }
        references = table.references(to: id)
      }
      try saveReferenceTable(table)
      if !references.isEmpty { return records }
      removedRepositoryReference = true
    } else if isSingleReference(references) {
      if let problem = try deleteConflict(id, force: force, checkReferences: false) {
        throw ImageError.conflict(problem)
      }
      for reference in references {
        table.remove(reference)
        records.append(.untagged(reference.familiarString))
      }
      try saveReferenceTable(table)
    }
    try deleteHelper(
      id, records: &records, force: force, prune: prune, quiet: removedRepositoryReference)
    return records
  }

  /// Deletes `id`, then, pruning, each parent that nothing else holds: a loop up the chain,
  /// which a legacy build makes a step long.
  private func deleteHelper(
    _ id: Digest, records: inout [DeleteRecord], force: Bool, prune: Bool, quiet: Bool
  ) throws {
    var next: (id: Digest, force: Bool, quiet: Bool)? = (id, force, quiet)
    while let (id, force, quiet) = next {
      next = nil
      guard let parent = try deleteOne(id, records: &records, force: force, quiet: quiet),
        prune, hasImage(parent)
      else { return }
      if try !referenceTable().references(to: parent).isEmpty { return }
      if try !children(of: parent).isEmpty { return }
      next = (parent, false, true)
    }
  }

  /// Deletes one image and the layers only it used; its parent, or `nil` when it has none or
  /// a quiet removal stopped at a conflict.
  private func deleteOne(
    _ id: Digest, records: inout [DeleteRecord], force: Bool, quiet: Bool
  ) throws -> Digest? {
    var table = try referenceTable()
    if let problem = try deleteConflict(id, force: force, checkReferences: true) {
      // A conflict on an image that still has names, children or containers ends a quiet
      // removal.
      if quiet { return nil }
      throw ImageError.conflict(problem)
    }
    let image = try self.image(id)
    for reference in table.references(to: id) {
      table.remove(reference)
      records.append(.untagged(reference.familiarString))
    }
    try saveReferenceTable(table)
    let parent = image.parent
    // The image goes first, so it is never listed without its layers.
    try FileManager.default.removeStoreItem(atPath: "\(contentDirectory)/\(id.hex)")
    try? FileManager.default.removeStoreItem(atPath: "\(metadataDirectory)/\(id.hex)")
    records.append(.deleted(id))
    // Layers other images, or containers whose image was forced away, still stand on.
    let stillUsed = Set(try imageIDs().flatMap { try self.image($0).chainIDs })
      .union(containers().flatMap { (try? imageChain(of: $0)) ?? [] })
    for chain in image.chainIDs.reversed() {
      guard !stillUsed.contains(chain), hasLayer(chain) else { break }
      // A layer another layer stands on stays, whoever made that one (a build killed before
      // its image was written leaves such a layer): removing it would orphan the child.
      guard !hasChildLayer(chain) else { break }
      try removeLayer(chain)
      records.append(.deleted(chain))
    }
    return parent
  }

  /// Whether some layer in the store has `chain` as its parent.
  func hasChildLayer(_ chain: Digest) -> Bool {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: layerDirectory)) ?? []
    let parent = chain.description
    return names.contains { readText("\(layerDirectory)/\($0)/parent") == parent }
  }

  /// Why `id` cannot be deleted, checked in the daemon's order: child images and running
  /// containers always stop it; names and stopped containers unless forced.
  private func deleteConflict(_ id: Digest, force: Bool, checkReferences: Bool) throws -> String? {
    if try !children(of: id).isEmpty {
      return conflict(id, hard: true, "image has dependent child images")
    }
    let users = containers(using: id)
    if let running = users.first(where: \.isRunning) {
      return conflict(id, hard: true, "image is being used by running container \(running.shortID)")
    }
    guard !force else { return nil }
    if checkReferences, try !referenceTable().references(to: id).isEmpty {
      return conflict(id, hard: false, "image is referenced in multiple repositories")
    }
    if let stopped = users.first {
      return conflict(
        id, hard: false, "image is being used by stopped container \(stopped.shortID)")
    }
    return nil
  }

  private func conflict(_ id: Digest, hard: Bool, _ message: String) -> String {
    "conflict: unable to delete \(id.shortID) (\(hard ? "cannot be forced" : "must be forced")) - \(message)"
  }

  private func isIDPrefix(_ text: String, of id: Digest) -> Bool {
    id.description.hasPrefix(text) || id.hex.hasPrefix(text)
  }

  /// At most one tag, and any digests of that same repository (Docker's `isSingleReference`).
  private func isSingleReference(_ references: [ImageReference]) -> Bool {
    if references.count <= 1 { return references.count == 1 }
    let tags = references.filter { $0.digest == nil }
    guard tags.count <= 1 else { return false }
    let single = tags.first ?? references[0]
    let canonicalNames = Set(references.filter { $0.digest != nil }.map(\.name))
    return canonicalNames.count == 1 && canonicalNames.contains(single.name)
  }

  /// Removes unused images (`docker image prune`).
  ///
  /// - Parameter all: Remove every image, not just dangling ones.
  /// - Returns: The records and the bytes reclaimed.
  /// - Throws: Store failures.
  public func prune(all: Bool) throws -> (records: [DeleteRecord], reclaimed: Int64) {
    try withLock {
      var records: [DeleteRecord] = []
      var reclaimed: Int64 = 0
      let ids = try imageIDs()
      let parents = Set(try ids.compactMap { try image($0).parent })
      let used = Set(containers().map(\.image))
      for id in ids where !parents.contains(id) || all {
        // An image a container was made from stays, as `prune -a` warns.
        guard hasImage(id), !used.contains(id) else { continue }
        let references = try referenceTable().references(to: id)
        let layerSizes = Dictionary(
          uniqueKeysWithValues: try image(id).chainIDs.map { ($0, layerSize($0)) })
        var deleted: [DeleteRecord] = []
        if !references.isEmpty {
          let hasTag = references.contains { $0.tag != nil }
          guard all || !hasTag else { continue }
          for reference in references {
            if let result = try? removeImageLocked(reference.description, force: false, prune: true)
            {
              deleted += result
            }
          }
        } else {
          guard let result = try? removeImageLocked(id.hex, force: false, prune: true) else {
            continue
          }
          deleted = result
        }
        for case .deleted(let digest) in deleted { reclaimed += layerSizes[digest] ?? 0 }
        records += deleted
      }
      return (records, reclaimed)
    }
  }
}
