import Foundation
import LabArchive
import LabFiles
import LabJSON

extension BuildRun {
  // MARK: - Layer instructions

  mutating func workdir(
    _ instruction: Instruction, expansion: WordExpansion, state: inout StageState,
    vertex: inout BuildVertex
  ) throws {
    var path = expansion.word(instruction.arguments)
    if !path.hasPrefix("/") {
      let current = state.config["WorkingDir"]?.stringValue ?? "/"
      path = PathText.join(current, path)
    }
    path = "/" + DockerIgnore.clean(path)
    state.config["WorkingDir"] = .string(path)
    let exists = try rootfs(state).resolve(path) != nil
    let key = stepKey(state, "WORKDIR \(path)")
    if path == "/" || exists {
      try metadataLayerless(
        &state, key: key, buildKit: "WORKDIR \(path)", legacy: "WORKDIR \(path)", vertex: &vertex)
      return
    }
    try layerStep(
      &state, key: key, buildKit: "WORKDIR \(path)", legacy: "/bin/sh -c #(nop) WORKDIR \(path)",
      legacyCommand: ["/bin/sh", "-c", "#(nop) WORKDIR \(path)"], vertex: &vertex
    ) {
      Self.directoryEntries(for: String(path.dropFirst()))
    }
  }

  /// A step that would make a layer but changes nothing: recorded as an empty layer.
  mutating func metadataLayerless(
    _ state: inout StageState, key: String, buildKit: String, legacy legacyText: String,
    vertex: inout BuildVertex
  ) throws {
    if !legacy, let cached = cache.entry(for: key), !options.noCache {
      vertex.isCached = true
      state.appendHistory(buildKit, created: cached.created, emptyLayer: true, legacy: false)
    } else {
      cache.record(.init(diffID: nil, created: createdText), for: key)
      if legacy {
        state.appendHistory(
          "/bin/sh -c #(nop) \(legacyText)", created: createdText, emptyLayer: true, legacy: true)
      } else {
        state.appendHistory(buildKit, created: createdText, emptyLayer: true, legacy: false)
      }
    }
    state.lastStepKey = key
  }

  static func directoryEntries(for path: String) -> [CopyItem] {
    var items: [CopyItem] = []
    var prefix = ""
    for component in path.split(separator: "/") {
      prefix = prefix.isEmpty ? String(component) : "\(prefix)/\(component)"
      items.append(
        CopyItem(destination: prefix, origin: nil, kind: .directory, mode: 0o755, size: 0))
    }
    return items
  }

  mutating func copy(
    _ instruction: Instruction, expansion: WordExpansion, state: inout StageState,
    context: BuildContext,
    states: [Int: StageState], plan: BuildPlan, vertex: inout BuildVertex
  ) throws {
    var words = instruction.jsonArguments ?? expansion.words(instruction.arguments)
    var heredocFiles: [CopyItem] = []
    if !instruction.heredocs.isEmpty {
      // `COPY <<EOF /path`: each document becomes a file.
      let scratch = "\(store.temporaryDirectory)/heredoc-\(UUID().uuidString)"
      try createDirectories(scratch)
      for heredoc in instruction.heredocs {
        let host = "\(scratch)/\(heredoc.name)"
        let text = heredoc.isQuoted ? heredoc.content : expansion.word(heredoc.content)
        try HostPaths.createFile(host, contents: Array(text.utf8))
        heredocFiles.append(
          CopyItem(
            destination: heredoc.name,
            origin: (FileTree(directory: HostDirectory(scratch)), heredoc.name), kind: .file,
            mode: 0o644, size: Int64(text.utf8.count)))
      }
      words.removeAll { $0.hasPrefix("<<") }
      words.insert(contentsOf: heredocFiles.map(\.destination), at: 0)
    }
    guard words.count >= 2, let destinationWord = words.popLast() else {
      throw BuildFailure(
        .request,
        "dockerfile parse error on line \(instruction.line): \(instruction.keyword) requires at least two arguments, but only one was provided. Destination could not be determined",
        line: instruction.line)
    }
    for source in words where source.contains("://") {
      throw BuildFailure(
        .step,
        "failed to solve: ADD of a URL (\(source)) needs the network, and this sandbox has none")
    }
    var destination = destinationWord
    if !destination.hasPrefix("/") {
      let current = state.config["WorkingDir"]?.stringValue ?? "/"
      destination =
        PathText.join(current, destination)
        + (destination.hasSuffix("/") ? "/" : "")
    }
    // `.` (the working directory), a trailing `/`, several sources, or a folder the image has
    // already: the sources go into it.
    let existingFolder =
      (try? rootfs(state).tree.entry(DockerIgnore.clean(destination)))?.status.kind == .directory
    let destinationIsDirectory =
      destination.hasSuffix("/") || words.count > 1 || destinationWord == "."
      || destinationWord.hasSuffix("/.") || existingFolder
    let cleanDestination = DockerIgnore.clean(destination)
    var items: [CopyItem] = []
    // The legacy builder's name for each source, in order (`file:…`, `dir:…`).
    var sourceHashes: [String] = []
    if let from = instruction.flag("from") {
      // From another stage or image: read its files.
      let directories: [String]
      if let index = plan.stages.firstIndex(where: { $0.name == from.lowercased() }) ?? Int(from),
        let source = states[index]
      {
        directories = try layerDirectories(source)
      } else {
        throw BuildFailure(
          .step, "failed to solve: COPY --from=\(from): no such stage in this Dockerfile",
          line: instruction.line)
      }
      let view = BuildContext(
        tree: FileTree(layers: directories.map(HostDirectory.init)), ignore: DockerIgnore(""))
      for source in words {
        guard let resolved = view.resolve(source) else {
          throw BuildFailure(
            .step, "failed to solve: failed to compute cache key: \"\(source)\": not found",
            line: instruction.line)
        }
        items += view.items(
          source: resolved, name: source, to: cleanDestination,
          destinationIsDirectory: destinationIsDirectory)
        if legacy { sourceHashes.append(try view.legacySourceHash(resolved)) }
      }
    } else if !heredocFiles.isEmpty {
      let single = heredocFiles.count == 1 && !destinationIsDirectory
      items = heredocFiles.map { file in
        var item = file
        item.destination = single ? cleanDestination : "\(cleanDestination)/\(file.destination)"
        return item
      }
    } else {
      for source in words {
        for (name, path) in try context.sources(for: source, legacy: legacy) {
          if legacy { sourceHashes.append(try context.legacySourceHash(path)) }
          if instruction.keyword == .add, context.tree.entry(path)?.status.kind == .file,
            let archive = try? context.tree.reader(path), Self.isArchive(archive)
          {
            items += try extractedItems(
              try context.tree.reader(path), named: name, to: cleanDestination)
            continue
          }
          items += context.items(
            source: path, name: name, to: cleanDestination,
            destinationIsDirectory: destinationIsDirectory)
        }
      }
    }
    let chown = try instruction.flag("chown").map { try chownIDs($0, state: state) }
    let chmod = instruction.flag("chmod").flatMap { UInt32($0, radix: 8) }
    if let chmod {
      items = items.map { item in
        var copy = item
        copy.mode = chmod
        return copy
      }
    }
    let content = try contentHash(items)
    let sourceText =
      heredocFiles.isEmpty
      ? words.joined(separator: " ")
      : instruction.heredocs.map { "<<\($0.name)" }.joined(separator: " ")
    let flagText = instruction.flags.map { "--\($0.name)=\($0.value)" }.joined(separator: " ")
    let buildKitText =
      "\(instruction.keyword) \(flagText.isEmpty ? "" : flagText + " ")\(sourceText) \(destinationWord) # buildkit"
    // One source is named by its own hash; several by the hash of theirs joined
    // (moby's getSourceHashFromInfos).
    let sourceHash =
      sourceHashes.count == 1
      ? sourceHashes[0]
      : "multi:" + Digest.of(Array(sourceHashes.joined(separator: ",").utf8)).hex
    let chownText = instruction.flag("chown").map { "--chown=\($0) " } ?? ""
    let legacyComment =
      "#(nop) \(instruction.keyword) \(chownText)\(sourceHash) in \(destinationWord) "
    let key = stepKey(state, "\(buildKitText) \(content)")
    var entries = Self.directoryEntries(
      for: destinationIsDirectory || items.count > 1
        ? cleanDestination : PathText.parent(cleanDestination))
    entries += items
    let owner = chown
    try layerStep(
      &state, key: key, buildKit: buildKitText, legacy: "/bin/sh -c " + legacyComment,
      legacyCommand: ["/bin/sh", "-c", legacyComment], owner: owner, vertex: &vertex
    ) { entries }
  }

  /// `--chown=user:group`: numbers as they are, names looked up in the image's
  /// `/etc/passwd` and `/etc/group`.
  func chownIDs(_ text: String, state: StageState) throws -> (Int64, Int64) {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    let view = try rootfs(state)
    func lookup(_ name: String, in file: String, field: Int) throws -> Int64 {
      if let number = Int64(name) { return number }
      let bytes = view.resolve(file).flatMap { try? view.tree.read($0, limit: 16 << 20) }
      let text = bytes.map { String(decoding: $0, as: UTF8.self) } ?? ""
      for line in text.split(separator: "\n") {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false)
        if fields.count > field, fields[0] == name, let id = Int64(fields[field]) { return id }
      }
      throw BuildFailure(
        .step,
        "failed to solve: unable to convert uid/gid chown string to host mapping: can't find uid for user \(name): no such user: \(name)"
      )
    }
    let user = try lookup(parts[0], in: "/etc/passwd", field: 2)
    let group = parts.count > 1 ? try lookup(parts[1], in: "/etc/group", field: 2) : user
    return (user, group)
  }

  /// Whether a file is a tar archive, compressed or not, as `ADD` unpacks it.
  static func isArchive(_ file: FileReader) -> Bool {
    guard let reader = try? TarReader(label: "archive", source: { try file.read() }),
      (try? reader.next()) != nil
    else { return false }
    return true
  }

  /// `ADD` of a local archive: its members, extracted into the destination.
  func extractedItems(_ archive: FileReader, named name: String, to destination: String) throws
    -> [CopyItem]
  {
    let scratch = "\(store.temporaryDirectory)/add-\(UUID().uuidString)"
    try createDirectories(scratch)
    do {
      let reader = try TarReader(label: name, source: { try archive.read() })
      _ = try LayerExtractor.extract(reader, into: scratch)
    } catch {
      throw BuildFailure(.step, "failed to solve: \(name): \(error)")
    }
    return BuildContext(root: scratch, ignore: DockerIgnore("")).items(
      source: "", name: "", to: destination, destinationIsDirectory: true)
  }

  /// A digest over every copied file's path, mode and bytes: what the cache keys on.
  ///
  /// A file counts by its own SHA-256, which ``FileHashes`` remembers for files that have not
  /// changed since an earlier build read them.
  mutating func contentHash(_ items: [CopyItem]) throws -> String {
    var hasher = DigestHasher()
    // One buffer for every file: nothing is allocated or cleared per chunk.
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    for item in items.sorted(by: { $0.destination < $1.destination }) {
      hasher.update(Array("\(item.destination) \(item.mode)\n".utf8))
      switch item.kind {
      case .file:
        let digest = try cache.fileHashes.digest(of: item.identity) {
          var file = DigestHasher()
          let reader = try item.reader()
          while case let count = try reader.read(into: buffer), count > 0 {
            file.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
          }
          return file.finalize()
        }
        hasher.update(Array("\(digest)\n".utf8))
      case .symlink(let target): hasher.update(Array("-> \(target)\n".utf8))
      case .directory: hasher.update(Array("dir\n".utf8))
      }
    }
    return hasher.finalize().hex
  }

  mutating func run(
    _ instruction: Instruction, environment: [String: String], state: inout StageState,
    vertex: inout BuildVertex
  ) throws {
    let command = shellOrExec(instruction, state: state)
    let buildKitText =
      "RUN "
      + (instruction.jsonArguments == nil ? command.joined(separator: " ") : instruction.arguments)
      + " # buildkit"
    var runEnvironment = state.config.environmentMap
    for (name, value) in state.arguments { runEnvironment[name] = runEnvironment[name] ?? value }
    let argumentPrefix =
      state.arguments.isEmpty
      ? ""
      : "|\(state.arguments.count) "
        + state.arguments.keys.sorted().map { "\($0)=\(state.arguments[$0] ?? "")" }.joined(
          separator: " ") + " "
    let legacyText = argumentPrefix + command.joined(separator: " ")
    let key = stepKey(state, buildKitText + (instruction.heredocs.map(\.content).joined()))
    let directories = try layerDirectories(state)
    let upper = "\(store.temporaryDirectory)/run-\(UUID().uuidString)"
    defer { try? FileManager.default.removeStoreItem(atPath: upper) }
    let executor = builder.runExecutor
    let workingDirectory = state.config["WorkingDir"]?.stringValue ?? "/"
    let user = state.config["User"]?.stringValue ?? ""
    let isLegacy = legacy
    let now = builder.now
    let registry = builder.registry
    var logs: [String] = []
    defer { vertex.logs += logs }
    try layerStep(
      &state, key: key, buildKit: buildKitText, legacy: legacyText, legacyCommand: command,
      vertex: &vertex
    ) { () throws -> [CopyItem] in
      try HostPaths.createDirectories(upper)
      let outcome = executor(
        RunRequest(
          command: command, environment: runEnvironment, workingDirectory: workingDirectory,
          user: user,
          lowerDirectories: directories, upperDirectory: upper, now: now,
          registry: registry))
      logs += outcome.output
      guard outcome.status == 0 else {
        let shown =
          command.count == 3 && command[0] == "/bin/sh"
          ? "/bin/sh -c \(command[2])" : command.joined(separator: " ")
        throw BuildFailure(
          .step,
          isLegacy
            ? "The command '\(shown)' returned a non-zero code: \(outcome.status)"
            : "failed to solve: process \"\(shown)\" did not complete successfully: exit code: \(outcome.status)"
        )
      }
      return BuildContext(root: upper, ignore: DockerIgnore("")).items(
        source: "", name: "", to: "", destinationIsDirectory: true)
    }
  }

  /// Makes (or takes from the cache) a step's layer and records its history.
  mutating func layerStep(
    _ state: inout StageState, key: String, buildKit: String, legacy legacyText: String,
    legacyCommand: [String], owner: (Int64, Int64)? = nil, vertex: inout BuildVertex,
    items: () throws -> [CopyItem]
  ) throws {
    state.lastStepKey = key
    state.lastCommand = legacyCommand
    let parent = state.chainIDs.last
    if !options.noCache, let cached = cache.entry(for: key) {
      let chain = cached.diffID.map { diffID in
        parent.map { Digest.of("\($0) \(diffID)") } ?? diffID
      }
      if chain == nil || store.hasLayer(chain ?? diffIDPlaceholder) {
        vertex.isCached = true
        if let diffID = cached.diffID { state.diffIDs.append(diffID) }
        state.appendHistory(
          legacy ? legacyText : buildKit, created: legacy ? createdText : cached.created,
          emptyLayer: cached.diffID == nil, legacy: legacy)
        return
      }
    }
    let entries = try items()
    let diffID = try writeLayer(entries, owner: owner, parent: parent)
    if let diffID { state.diffIDs.append(diffID) }
    cache.record(.init(diffID: diffID, created: createdText), for: key)
    state.appendHistory(
      legacy ? legacyText : buildKit, created: createdText, emptyLayer: diffID == nil,
      legacy: legacy)
  }

  private var diffIDPlaceholder: Digest { Digest.of("") }

  /// Writes a layer tar from `items` and adds it to the store; `nil` when there is nothing.
  func writeLayer(_ items: [CopyItem], owner: (Int64, Int64)?, parent: Digest?) throws -> Digest? {
    try store.addLayer(
      items, owner: owner, parent: parent, mtime: Int64(builder.now.timeIntervalSince1970))
  }

  /// A stage's files as its layers merge them, for reading.
  func rootfs(_ state: StageState) throws -> BuildContext {
    let layers = try layerDirectories(state).map(HostDirectory.init)
    return BuildContext(tree: FileTree(layers: layers), ignore: DockerIgnore(""))
  }

  func layerDirectories(_ state: StageState) throws -> [String] {
    try state.chainIDs.reversed().map { try store.diffDirectory(of: $0) }
  }
}
