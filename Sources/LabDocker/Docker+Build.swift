import Foundation
import LabImage
import LabOutput

extension Docker {
  static let buildCommand = DockerCommand(
    paths: [["buildx", "build"], ["image", "build"], ["build"], ["builder", "build"]],
    usageTail: "[OPTIONS] PATH | URL | -", summary: "Start a build",
    flags: [
      FlagSpec("build-arg", nil, .strings, "Set build-time variables", valueName: "stringArray"),
      FlagSpec("file", "f", .string, "Name of the Dockerfile (default: \"PATH/Dockerfile\")"),
      FlagSpec("label", nil, .strings, "Set metadata for an image", valueName: "stringArray"),
      FlagSpec("no-cache", nil, .bool, "Do not use cache when building the image"),
      FlagSpec(
        "platform", nil, .strings, "Set target platform for build", valueName: "stringArray"),
      FlagSpec(
        "progress", nil, .string,
        "Set type of progress output (\"auto\", \"plain\", \"tty\", \"rawjson\"). Use plain to show container output",
        defaultText: "\"auto\""),
      FlagSpec("pull", nil, .bool, "Always attempt to pull all referenced images"),
      FlagSpec("quiet", "q", .bool, "Suppress the build output and print image ID on success"),
      FlagSpec(
        "tag", "t", .strings, "Name and optionally a tag (format: \"name:tag\")",
        valueName: "stringArray"),
      FlagSpec("target", nil, .string, "Set the target build stage to build"),
    ],
    arguments: .exactly(1), writesStore: true
  ) { docker, flags in docker.build(flags) }

  func build(_ flags: ParsedFlags) -> CommandOutput {
    let legacy =
      environment.variables["DOCKER_BUILDKIT"].map { ["0", "false"].contains($0.lowercased()) }
      ?? false
    var tags: [ImageReference] = []
    for text in flags.strings("tag") {
      do {
        tags.append(try ImageReference(parsing: text))
      } catch {
        let message = "invalid argument \"\(text)\" for \"-t, --tag\" flag: \(error)"
        return legacy
          ? .failure(message + "\nSee 'docker build --help'.", status: 125)
          : .failure("ERROR: \(message)", status: 1)
      }
    }
    let contextArgument = flags.arguments[0]
    if contextArgument == "-" || contextArgument.contains("://")
      || contextArgument.hasPrefix("git@")
    {
      return .failure(
        "docker build: a context from standard input or a URL is not supported in this sandbox")
    }
    guard let contextPath = sandboxPath(contextArgument) else {
      let message = "unable to prepare context: path \"\(contextArgument)\" not found"
      return .failure(legacy ? message : "ERROR: \(message)")
    }
    var isDirectoryFlag: ObjCBool = false
    if !FileManager.default.fileExists(atPath: contextPath, isDirectory: &isDirectoryFlag) {
      let message = "unable to prepare context: path \"\(contextArgument)\" not found"
      return .failure(legacy ? message : "ERROR: \(message)")
    }
    let dockerfileName = flags.string("file") ?? "Dockerfile"
    let dockerfileArgument =
      dockerfileName.hasPrefix("/") ? dockerfileName : contextArgument + "/" + dockerfileName
    guard let dockerfilePath = sandboxPath(dockerfileArgument) else {
      return .failure(
        "ERROR: failed to solve: failed to read dockerfile: open \(dockerfileName): no such file or directory"
      )
    }
    var options = BuildOptions(
      contextDirectory: contextPath, dockerfilePath: dockerfilePath, dockerfileName: dockerfileName)
    options.tags = tags
    options.legacy = legacy
    options.noCache = flags.bool("no-cache")
    options.target = flags.string("target")
    options.platform = flags.strings("platform").first.flatMap(Platform.init(parsing:))
    for argument in flags.strings("build-arg") {
      let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
      options.buildArgs[parts[0]] =
        parts.count > 1 ? parts[1] : environment.variables[parts[0]] ?? ""
    }
    for label in flags.strings("label") {
      let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
      options.labels.append((parts[0], parts.count > 1 ? parts[1] : ""))
    }
    let builder = ImageBuilder(
      store: environment.store, registry: environment.registry, now: environment.now,
      runExecutor: environment.runExecutor)
    let log = builder.build(options)
    if legacy { return BuildOutput.legacy(log, quiet: flags.bool("quiet")) }
    let progress = flags.string("progress") ?? "auto"
    guard ["auto", "plain", "tty", "quiet", "rawjson"].contains(progress) else {
      return .failure("ERROR: failed to build: invalid progress mode \(progress)")
    }
    let dockerfileText = ImageBuilder.readDockerfile(dockerfilePath).map {
      String(decoding: $0, as: UTF8.self)
    }
    return BuildOutput.buildKit(
      log, mode: flags.bool("quiet") || progress == "quiet" ? "quiet" : progress,
      dockerfileName: dockerfileName, dockerfileText: dockerfileText)
  }

  /// The host path of a path the user named, or `nil` when it would leave the workspace.
  ///
  /// Relative paths start at the working directory; `..` never climbs above the workspace,
  /// and an absolute path must name a place inside it.
  func sandboxPath(_ path: String) -> String? {
    if let resolvePath = environment.resolvePath { return resolvePath(path) }
    let root = URL(fileURLWithPath: environment.workingDirectory).standardizedFileURL.path
    let joined = path.hasPrefix("/") ? path : root + "/" + path
    let normalized = URL(fileURLWithPath: joined).standardizedFileURL.path
    guard normalized == root || normalized.hasPrefix(root == "/" ? "/" : root + "/") else {
      return nil
    }
    // A symlink on the way must not lead out either.
    let real = URL(fileURLWithPath: normalized).resolvingSymlinksInPath().path
    let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    guard real == realRoot || real.hasPrefix(realRoot + "/") else { return nil }
    return normalized
  }
}

/// What both builders print.
enum BuildOutput {
  static let width = 80

  static func buildKit(
    _ log: BuildLog, mode: String, dockerfileName: String, dockerfileText: String?
  ) -> CommandOutput {
    var result = CommandOutput()
    if mode == "quiet" {
      if let id = log.imageID, log.failure == nil {
        result.print("\(id)\n")
      }
    } else if mode == "plain" {
      result.printError(plain(log))
    } else {
      result.printError(screen(log))
    }
    if let failure = log.failure {
      if let vertex = log.vertices.last(where: { $0.error != nil }),
        !vertex.logs.isEmpty || vertex.error != nil,
        failure.kind == .step, !vertex.logs.isEmpty
      {
        result.printError("------\n > \(vertex.name):\n")
        result.printError(vertex.logs.map { "0.000 \($0)\n" }.joined())
        result.printError("------\n")
      }
      if let line = failure.line, let text = dockerfileText {
        result.printError(
          excerpt(
            text, name: dockerfileName, line: line, endLine: failure.endLine ?? line))
      }
      let message =
        failure.message.hasPrefix("failed to solve")
        ? failure.message : "failed to solve: \(failure.message)"
      result.printError("ERROR: \(message)\n")
      result.status = 1
    }
    return result
  }

  /// The final screen of the terminal display.
  static func screen(_ log: BuildLog) -> String {
    var lines: [String] = []
    let completed = log.vertices.count
    let header = "[+] Building 0.0s (\(completed)/\(completed)) FINISHED"
    lines.append(align(header, "docker:default", width - 1))
    for vertex in log.vertices {
      var name = vertex.name
      if vertex.isCached { name = "CACHED " + name }
      if vertex.error != nil { name = "ERROR " + name }
      lines.append(row(" => " + name))
      for status in vertex.statuses { lines.append(row(" => => " + status)) }
    }
    return lines.map { $0 + "\n" }.joined()
  }

  private static func row(_ text: String) -> String {
    let timer = " 0.0s"
    let limit = width - timer.count - 1
    let shown = text.count > limit ? String(text.prefix(limit)) : text
    return align(shown, timer, width)
  }

  private static func align(_ left: String, _ right: String, _ width: Int) -> String {
    left + String(repeating: " ", count: max(1, width - left.count - right.count)) + right
  }

  /// `--progress=plain`: the `#N` log.
  static func plain(_ log: BuildLog) -> String {
    var out = "#0 building with \"default\" instance using docker driver\n"
    for (index, vertex) in log.vertices.enumerated() {
      let number = index + 1
      out += "\n#\(number) \(vertex.name)\n"
      for status in vertex.statuses { out += "#\(number) \(status) done\n" }
      for line in vertex.logs { out += "#\(number) 0.000 \(line)\n" }
      if let error = vertex.error {
        let shown = error.hasPrefix("failed to solve: ") ? String(error.dropFirst(17)) : error
        out += "#\(number) ERROR: \(shown)\n"
      } else if vertex.isCached {
        out += "#\(number) CACHED\n"
      } else {
        out += "#\(number) DONE 0.0s\n"
      }
    }
    return out
  }

  /// BuildKit's excerpt of the Dockerfile around the failing instruction.
  static func excerpt(_ text: String, name: String, line: Int, endLine: Int) -> String {
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    let start = max(1, line - 2)
    let end = min(lines.count, endLine + 1)
    guard start <= end else { return "" }
    var out = "\(name):\(line)\n--------------------\n"
    for number in start...end {
      let marker = (line...endLine).contains(number) ? ">>> " : "    "
      let numberText = String(number)
      out +=
        String(repeating: " ", count: max(0, 4 - numberText.count)) + numberText + " | " + marker
        + lines[number - 1] + "\n"
    }
    return out + "--------------------\n"
  }

  static func legacy(_ log: BuildLog, quiet: Bool) -> CommandOutput {
    var result = CommandOutput()
    result.printError(
      """
      DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
                  BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0
                  environment-variable.


      """)
    if let failure = log.failure, failure.kind == .request {
      result.printError("Error response from daemon: \(failure.message)\n")
      result.status = 1
      return result
    }
    if !quiet {
      let size = HumanUnits.size(log.contextSize, precision: 4)
      let padding = String(repeating: " ", count: max(0, 8 - size.count))
      result.print("Sending build context to Docker daemon  \(padding)\(size)\r\r\n")
      for step in log.steps {
        result.print(step.instruction + "\n")
        result.print(step.lines.map { $0 + "\n" }.joined())
      }
    }
    if let failure = log.failure {
      result.printError(failure.message + "\n")
      result.status = 1
      return result
    }
    guard let id = log.imageID else { return result }
    if quiet {
      result.print("\(id)\n")
      return result
    }
    result.print("Successfully built \(id.shortID)\n")
    for tag in log.tags { result.print("Successfully tagged \(tag.familiarString)\n") }
    return result
  }
}
