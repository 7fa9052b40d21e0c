import Foundation
import LabArchive
import LabFiles
import LabJSON

/// Builds images from Dockerfiles into the store, as BuildKit does (and the legacy builder
/// with `DOCKER_BUILDKIT=0`).
///
/// Layers are real tars written from the build context, configs and history are the
/// builders' own, and a build cache makes an unchanged rebuild give the same image ID.
public struct ImageBuilder: Sendable {
  /// A Dockerfile's bytes, if it is a regular file: never through a link, never a device.
  public static func readDockerfile(_ path: String) -> [UInt8]? {
    try? HostDirectory(PathText.parent(path)).read(PathText.name(path), limit: 16 << 20)
  }

  public let store: ImageStore
  public let registry: (any RegistrySource)?
  /// The virtual clock's time: the created time of new steps.
  public let now: Date
  public let runExecutor: RunExecutor
  /// Where the build context appears inside the sandbox, for messages.
  public let virtualContextPath: String

  public init(
    store: ImageStore, registry: (any RegistrySource)?, now: Date,
    virtualContextPath: String = "/home/learner",
    runExecutor: @escaping RunExecutor
  ) {
    self.store = store
    self.registry = registry
    self.now = now
    self.virtualContextPath = virtualContextPath
    self.runExecutor = runExecutor
  }

  /// Runs a build; the log records what happened, including any failure.
  public func build(_ options: BuildOptions) -> BuildLog {
    var run = BuildRun(builder: self, options: options)
    do {
      try store.withLock {
        try store.initializeLocked()
        try run.execute()
      }
    } catch let failure as BuildFailure {
      run.log.failure = failure
    } catch {
      run.log.failure = BuildFailure(.step, "\(error)")
    }
    return run.log
  }
}

/// One build in progress.
struct BuildRun {
  let builder: ImageBuilder
  let options: BuildOptions
  var log = BuildLog()
  var cache: BuildCache
  var createdText: String

  init(builder: ImageBuilder, options: BuildOptions) {
    self.builder = builder
    self.options = options
    cache = BuildCache(path: "\(builder.store.stateDirectory)/build-cache.json")
    createdText = formatRFC3339Nano(builder.now)
  }

  var store: ImageStore { builder.store }
  var legacy: Bool { options.legacy }

  // MARK: - The whole build

  mutating func execute() throws {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: options.contextDirectory, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw BuildFailure(
        .request, "unable to prepare context: path \"\(options.contextDirectory)\" not found")
    }
    guard let data = ImageBuilder.readDockerfile(options.dockerfilePath) else {
      if legacy {
        throw BuildFailure(
          .request,
          "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
            + "\(builder.virtualContextPath)/\(options.dockerfileName): no such file or directory")
      }
      log.vertices.append(
        BuildVertex(name: "[internal] load build definition from \(options.dockerfileName)"))
      throw BuildFailure(
        .request,
        "failed to solve: failed to read dockerfile: open \(options.dockerfileName): no such file or directory"
      )
    }
    let text = String(decoding: data, as: UTF8.self)
    if !legacy {
      var vertex = BuildVertex(
        name: "[internal] load build definition from \(options.dockerfileName)")
      vertex.statuses = ["transferring dockerfile: \(BuildUnits.bytes(Int64(data.count)))"]
      log.vertices.append(vertex)
    }
    let dockerfile: Dockerfile
    do {
      dockerfile = try DockerfileParser.parse(text, name: options.dockerfileName)
    } catch {
      throw BuildFailure(.request, error.description, line: error.line, endLine: error.line)
    }
    let plan = try BuildPlan(dockerfile, options: options)
    let ignoreFile = BuildContext(root: options.contextDirectory, ignore: DockerIgnore(""))
      .topFile(".dockerignore")
    let ignore = DockerIgnore(ignoreFile.map { String(decoding: $0, as: UTF8.self) } ?? "")
    var context = BuildContext(root: options.contextDirectory, ignore: ignore)
    if legacy {
      let root = options.contextDirectory + "/"
      let dockerfile =
        options.dockerfilePath.hasPrefix(root)
        ? String(options.dockerfilePath.dropFirst(root.count)) : nil
      log.contextSize = context.archiveSize(dockerfile: dockerfile)
      try executeLegacy(plan, context: &context)
    } else {
      try executeBuildKit(plan, context: &context, dockerignoreSize: ignore.rules.isEmpty ? 2 : nil)
    }
    try cache.save()
  }

  // MARK: - BuildKit

  mutating func executeBuildKit(
    _ plan: BuildPlan, context: inout BuildContext, dockerignoreSize: Int64?
  ) throws {
    let needed = plan.neededStages
    var metadata: [String] = []
    for index in needed {
      if case .image(let reference) = plan.stages[index].base,
        !metadata.contains(reference.withDefaultTag.description)
      {
        metadata.append(reference.withDefaultTag.description)
      }
    }
    for name in metadata {
      log.vertices.append(BuildVertex(name: "[internal] load metadata for \(name)"))
    }
    var ignoreVertex = BuildVertex(name: "[internal] load .dockerignore")
    let ignoreBytes =
      context.topFile(".dockerignore")?.count ?? 0
    ignoreVertex.statuses = [
      "transferring context: \(BuildUnits.bytes(max(2, Int64(ignoreBytes))))"
    ]
    log.vertices.append(ignoreVertex)
    var states: [Int: StageState] = [:]
    var contextLoaded = false
    for index in needed {
      let stage = plan.stages[index]
      var state = try baseState(for: stage, plan: plan, states: states, buildKitVertex: true)
      let instructions = try onBuildTriggers(&state, stage: stage) + stage.instructions
      let total =
        (stage.baseIsStage || stage.base == .scratch ? 0 : 1)
        + instructions.filter(\.keyword.isBuildStep).count
      var position = stage.baseIsStage || stage.base == .scratch ? 0 : 1
      let width = String(total).count
      func label(_ position: Int) -> String {
        let number = String(position)
        let padded = String(repeating: " ", count: max(0, width - number.count)) + number
        let prefix = needed.count > 1 || stage.name != nil ? "\(stage.displayName) " : ""
        return "[\(prefix)\(padded)/\(total)]"
      }
      if let fromVertex = state.fromVertex {
        var vertex = fromVertex
        vertex.name = "\(label(1)) \(vertex.name)"
        log.vertices.append(vertex)
      }
      // BuildKit sends the context while the base resolves, so it is listed next.
      let readsContext = instructions.contains {
        $0.keyword.copiesFiles && $0.flag("from") == nil
      }
      if readsContext && !contextLoaded {
        var vertex = BuildVertex(name: "[internal] load build context")
        vertex.statuses = ["transferring context: \(BuildUnits.bytes(try context.totalSize()))"]
        log.vertices.append(vertex)
        contextLoaded = true
      }
      for instruction in instructions {
        let makesVertex = instruction.keyword.isBuildStep
        if makesVertex { position += 1 }
        var vertex = BuildVertex(name: "\(label(position)) \(Self.vertexText(instruction))")
        do {
          try apply(
            instruction, to: &state, context: &context, states: states, plan: plan, vertex: &vertex)
        } catch let failure as BuildFailure {
          vertex.error = failure.message
          if makesVertex { log.vertices.append(vertex) }
          var located = failure
          located.line = located.line ?? instruction.line
          located.endLine = located.endLine ?? instruction.endLine
          throw located
        }
        if makesVertex { log.vertices.append(vertex) }
      }
      states[index] = state
    }
    guard let target = needed.last, var final = states[target] else { return }
    for (key, value) in options.labels { final.config.setLabel(key, value) }
    let configBytes = final.imageConfigBytes(legacy: false, created: createdText)
    let imageID = try store.storeImage(config: configBytes)
    var export = BuildVertex(name: "exporting to image")
    export.statuses = ["exporting layers", "writing image \(imageID)"]
    var table = try store.referenceTable()
    for tag in options.tags {
      table.add(tag.withDefaultTag, image: imageID)
      export.statuses.append("naming to \(tag.withDefaultTag)")
    }
    try store.saveReferenceTable(table)
    for _ in options.tags { try store.setLastUpdated(imageID, to: builder.now) }
    log.vertices.append(export)
    log.imageID = imageID
    log.tags = options.tags.map(\.withDefaultTag)
  }

  static func vertexText(_ instruction: Instruction) -> String {
    let keyword = instruction.original.prefix { !$0.isWhitespace }
    return instruction.keyword.rawValue + instruction.original.dropFirst(keyword.count)
  }

  // MARK: - Legacy builder

  mutating func executeLegacy(_ plan: BuildPlan, context: inout BuildContext) throws {
    let target = plan.targetIndex
    let total =
      plan.metaArguments.count
      + (0...target).reduce(0) { $0 + 1 + plan.stages[$1].instructions.count }
    var number = 0
    for argument in plan.metaArguments {
      number += 1
      log.steps.append(LegacyStep(instruction: "Step \(number)/\(total) : \(argument.original)"))
    }
    var states: [Int: StageState] = [:]
    var lastID: Digest?
    for index in 0...target {
      let stage = plan.stages[index]
      number += 1
      var step = LegacyStep(instruction: "Step \(number)/\(total) : \(stage.from.original)")
      var state = try baseState(for: stage, plan: plan, states: states, buildKitVertex: false)
      step.lines += state.pullLines
      let triggers = try onBuildTriggers(&state, stage: stage)
      if !triggers.isEmpty {
        // The legacy builder runs the base's triggers inside the FROM step.
        step.lines.append(
          "# Executing \(triggers.count) build trigger\(triggers.count == 1 ? "" : "s")")
        for trigger in triggers {
          var vertex = BuildVertex(name: "")
          try apply(
            trigger, to: &state, context: &context, states: states, plan: plan, vertex: &vertex)
          step.lines += vertex.logs
        }
      }
      if let id = state.imageID {
        step.lines.append(" ---> \(id.shortID)")
      } else {
        step.lines.append(" ---> ")
      }
      log.steps.append(step)
      for instruction in stage.instructions {
        number += 1
        var step = LegacyStep(instruction: "Step \(number)/\(total) : \(instruction.original)")
        var vertex = BuildVertex(name: "")
        let parentID = state.imageID
        do {
          try apply(
            instruction, to: &state, context: &context, states: states, plan: plan, vertex: &vertex)
        } catch var failure as BuildFailure {
          if instruction.keyword == .run {
            let key = "legacy " + (parentID?.description ?? "scratch") + " " + instruction.original
            step.lines.append(
              " ---> Running in \(SeededID.randomID("container \(key)").prefix(12))")
          }
          step.lines += vertex.logs
          log.steps.append(step)
          failure.kind = .step
          throw failure
        }
        // Every legacy step commits an image whose parent is the step before.
        let key = "legacy " + (parentID?.description ?? "scratch") + " " + state.lastStepKey
        if !options.noCache, let cached = cache.legacyImage(for: key), store.hasImage(cached) {
          let cachedImage = try store.image(cached)
          state.adopt(cachedImage)
          step.lines += [" ---> Using cache", " ---> \(cached.shortID)"]
        } else {
          let containerID = SeededID.randomID("container \(key)")
          let isContainerStep = !instruction.keyword.copiesFiles
          if isContainerStep { step.lines.append(" ---> Running in \(containerID.prefix(12))") }
          step.lines += vertex.logs
          state.container = containerID
          let bytes = state.imageConfigBytes(legacy: true, created: createdText, parent: parentID)
          let id = try store.storeImage(config: bytes)
          if let parentID { try store.setParent(id, to: parentID) }
          try writeBuiltLocally(id)
          cache.recordLegacyImage(id, for: key)
          state.imageID = id
          if isContainerStep {
            step.lines.append(" ---> Removed intermediate container \(containerID.prefix(12))")
          }
          step.lines.append(" ---> \(id.shortID)")
        }
        log.steps.append(step)
      }
      lastID = state.imageID
      states[index] = state
    }
    guard let imageID = lastID else {
      throw BuildFailure(.step, "No image was generated. Is your Dockerfile empty?")
    }
    var table = try store.referenceTable()
    for tag in options.tags { table.add(tag.withDefaultTag, image: imageID) }
    try store.saveReferenceTable(table)
    if !options.tags.isEmpty { try store.setLastUpdated(imageID, to: builder.now) }
    log.imageID = imageID
    log.tags = options.tags.map(\.withDefaultTag)
  }

  private func writeBuiltLocally(_ id: Digest) throws {
    try store.writeFileAtomically(
      "\(store.metadataDirectory)/\(id.hex)/builtLocally", [1], mode: 0o600)
  }

  // MARK: - Stages

  /// The base image's `ONBUILD` triggers, parsed; they leave the new image's config.
  func onBuildTriggers(_ state: inout StageState, stage: BuildStage) throws -> [Instruction] {
    let texts = state.config["OnBuild"]?.arrayValue?.compactMap(\.stringValue) ?? []
    guard !texts.isEmpty else { return [] }
    state.config["OnBuild"] = nil
    return try texts.map { text in
      do {
        var instruction = try DockerfileParser.parseInstruction(
          text, line: stage.from.line, escape: "\\")
        instruction.endLine = stage.from.endLine
        return instruction
      } catch {
        throw BuildFailure(
          .step, "failed to solve: ONBUILD trigger \(text): \(error)", line: stage.from.line)
      }
    }
  }

  /// The state a stage starts from: its base image, pulled or fetched when needed.
  mutating func baseState(
    for stage: BuildStage, plan: BuildPlan, states: [Int: StageState], buildKitVertex: Bool
  ) throws -> StageState {
    var state: StageState
    switch stage.base {
    case .scratch:
      state = StageState(platform: options.platform ?? .linuxAMD64)
    case .stage(let index):
      guard let parent = states[index] else {
        throw BuildFailure(.step, "stage \(index) was not built", line: stage.from.line)
      }
      state = parent
      state.fromVertex = nil
      state.pullLines = []
    case .image(let reference):
      state = try imageState(reference, stage: stage)
    }
    state.arguments = plan.metaArgumentValues
    state.stageKey = Digest.of("\(state.baseKey) \(stage.from.arguments)").hex
    return state
  }

  mutating func imageState(_ reference: ImageReference, stage: BuildStage) throws -> StageState {
    // `FROM --platform=…` picks the base's platform; else `--platform`, else linux/amd64.
    let platform = stage.from.flag("platform").flatMap(Platform.init(parsing:)) ?? options.platform
    let table = try store.referenceTable()
    var pullLines: [String] = []
    var indexDigest: Digest?
    var configBytes: [UInt8]
    var localID = table.image(for: reference.withDefaultTag)
    if legacy, localID == nil {
      // The legacy builder pulls the base image into the store, printing the pull.
      guard let registry = builder.registry else {
        throw BuildFailure(.step, "no registry to pull \(reference.familiarString) from")
      }
      do {
        let report = try store.pullLocked(reference.withDefaultTag, platform, registry)
        pullLines.append("\(reference.withDefaultTag.tag ?? ""): Pulling from \(reference.path)")
        pullLines += report.layers.map {
          "\($0.blob.shortID): "
            + ($0.status == .alreadyExists ? "Already exists" : "Pull complete")
        }
        pullLines += [
          "Digest: \(report.digest)",
          "Status: Downloaded newer image for \(reference.withDefaultTag.familiarString)",
        ]
        localID = report.imageID
      } catch {
        throw BuildFailure(.step, "\(error)", line: stage.from.line)
      }
    }
    if let localID {
      configBytes = try store.image(localID).configBytes
      indexDigest =
        table.references(to: localID).first { $0.digest != nil && $0.name == reference.name }?
        .digest
    } else {
      guard let registry = builder.registry else {
        throw BuildFailure(.step, "no registry to pull \(reference.familiarString) from")
      }
      do {
        let fetched = try store.fetchLocked(reference.withDefaultTag, platform, registry)
        configBytes = fetched.configBytes
        indexDigest = fetched.digest
      } catch {
        let message: String
        switch error {
        case ImageError.repositoryNotFound, ImageError.manifestUnknown:
          message =
            "failed to solve: \(reference.withDefaultTag): failed to resolve source metadata for "
            + "\(reference.withDefaultTag): \(error)"
        default: message = "failed to solve: \(error)"
        }
        throw BuildFailure(.step, message, line: stage.from.line, endLine: stage.from.endLine)
      }
    }
    let config = try JSONValue(parsing: configBytes)
    var state = StageState(baseConfig: config)
    state.imageID = localID ?? Digest.of(configBytes)
    state.baseKey = Digest.of(configBytes).hex
    state.pullLines = pullLines
    let pinned =
      indexDigest.map { "\(reference.withDefaultTag)@\($0)" }
      ?? reference.withDefaultTag.description
    var vertex = BuildVertex(name: "FROM \(pinned)")
    vertex.statuses = ["resolve \(pinned)"]
    state.fromVertex = vertex
    return state
  }
}
