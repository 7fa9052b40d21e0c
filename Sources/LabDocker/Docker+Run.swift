import Foundation
import LabFiles
import LabImage
import LabJSON
import LabOutput

extension Docker {
  /// The flags `run` and `create` share, as Docker declares them (those the sandbox honours).
  static let createFlags: [FlagSpec] = [
    FlagSpec("detach", "d", .bool, "Run container in background and print container ID"),
    FlagSpec("entrypoint", nil, .string, "Overwrite the default ENTRYPOINT of the image"),
    FlagSpec("env", "e", .strings, "Set environment variables"),
    FlagSpec("env-file", nil, .strings, "Read in a file of environment variables"),
    FlagSpec("hostname", "h", .string, "Container host name"),
    FlagSpec("interactive", "i", .bool, "Keep STDIN open even if not attached"),
    FlagSpec(
      "mount", nil, .strings, "Attach a filesystem mount to the container", valueName: "mount"),
    FlagSpec("name", nil, .string, "Assign a name to the container"),
    FlagSpec("platform", nil, .string, "Set platform if server is multi-platform capable"),
    FlagSpec("publish", "p", .strings, "Publish a container's port(s) to the host"),
    FlagSpec("publish-all", "P", .bool, "Publish all exposed ports to random ports"),
    FlagSpec(
      "pull", nil, .string, "Pull image before running (\"always\", \"missing\", \"never\")",
      defaultText: "\"missing\""),
    FlagSpec("quiet", "q", .bool, "Suppress the pull output"),
    FlagSpec(
      "rm", nil, .bool,
      "Automatically remove the container and its associated anonymous volumes when it exits"),
    FlagSpec("tty", "t", .bool, "Allocate a pseudo-TTY"),
    FlagSpec("user", "u", .string, "Username or UID (format: <name|uid>[:<group|gid>])"),
    FlagSpec("volume", "v", .strings, "Bind mount a volume"),
    FlagSpec("workdir", "w", .string, "Working directory inside the container"),
  ]

  static let runCommand = DockerCommand(
    paths: [["container", "run"], ["run"]], usageTail: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    summary: "Create and run a new container from an image", flags: createFlags,
    arguments: .atLeast(1), writesStore: true, interspersed: false
  ) { docker, flags in docker.runContainer(flags, start: true) }

  static let createCommand = DockerCommand(
    paths: [["container", "create"], ["create"]], usageTail: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    summary: "Create a new container",
    flags: createFlags.filter { !["detach", "rm"].contains($0.long) },
    arguments: .atLeast(1), writesStore: true, interspersed: false
  ) { docker, flags in docker.runContainer(flags, start: false) }

  /// `run` and `create`: the image (pulled when missing), a container on it, and for `run`
  /// its program, attached unless `-d`.
  func runContainer(_ flags: ParsedFlags, start: Bool) -> CommandOutput {
    let verb = start ? "run" : "create"
    var result = CommandOutput()
    let imageText = flags.arguments[0]
    let reference: ImageReference
    do {
      reference = try ImageReference(parsing: imageText)
    } catch {
      return report(error.description, verb, into: result, status: 125)
    }
    // The image, pulled first when it is not here, as the CLI does after the daemon's 404.
    let store = environment.store
    var imageID = try? store.resolveImage(imageText)
    if imageID == nil || flags.string("pull") == "always" {
      if flags.string("pull") == "never" {
        return report(
          "Error response from daemon: No such image: \(reference.withDefaultTag.familiarString)",
          verb, into: result, status: 125)
      }
      if imageID == nil {
        result.printError(
          "Unable to find image '\(reference.withDefaultTag.familiarString)' locally\n")
      }
      var pullFlags = ParsedFlags()
      pullFlags.arguments = [imageText]
      if flags.bool("quiet") { pullFlags.values["quiet"] = ["true"] }
      if let platform = flags.string("platform") { pullFlags.values["platform"] = [platform] }
      let pulled = pull(pullFlags)
      if !flags.bool("quiet") {
        // The pull's messages, without the bare reference the pull command prints last.
        var lines = pulled.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        if pulled.isSuccess, lines.count >= 2 { lines.removeLast(2) }
        // The daemon pulls the tag `run` named; only `docker pull` says which it chose.
        lines.removeAll { $0.hasPrefix("Using default tag") }
        let text = lines.joined(separator: "\n")
        if !text.isEmpty { result.printError(text + "\n") }
      }
      guard pulled.isSuccess else {
        let message = pulled.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return report(message, verb, into: result, status: 125)
      }
      imageID = try? store.resolveImage(imageText)
    }
    guard let imageID, let image = try? store.image(imageID) else {
      return report(
        "Error response from daemon: No such image: \(imageText)", verb, into: result, status: 125)
    }
    let container: Container
    do {
      container = try makeContainer(flags, image: image, imageText: imageText)
    } catch let error as ContainerConfigError {
      return report(error.message, verb, into: result, status: 125)
    } catch {
      return report("Error response from daemon: \(error)", verb, into: result, status: 125)
    }
    guard start else {
      result.print(container.id + "\n")
      return result
    }
    let detached = flags.bool("detach")
    if !detached, flags.bool("interactive"), flags.bool("tty"),
      let attachment = environment.attachment,
      Self.isShell(container.path), container.args.allSatisfy({ $0.hasPrefix("-") && $0 != "-c" })
    {
      // The learner's next lines run in the container's shell, until `exit`.
      var opened = container
      opened.status = .running
      opened.startedAt = environment.now
      try? store.saveContainer(opened)
      attachment.open(container.id, isExec: false, command: [container.path] + container.args)
      return result
    }
    // `-d` prints the ID as soon as the container exists, before it starts.
    if detached { result.print(container.id + "\n") }
    let outcome = startContainer(container, attach: !detached)
    if let problem = outcome.startError {
      return report(
        "Error response from daemon: \(problem.message)", nil, into: result,
        status: problem.status)
    }
    if detached { return result }
    result.append(outcome.output)
    result.status = outcome.output.status
    return result
  }

  /// Whether a program is an interactive shell a learner can be taken into.
  static func isShell(_ program: String) -> Bool {
    ["sh", "bash", "ash", "dash", "zsh"].contains(String(program.split(separator: "/").last ?? ""))
  }

  /// A failed `run` or `create` as the CLI reports it: `docker: <message>.`, and for errors
  /// before the container starts, the line that points at the help.
  func report(_ message: String, _ helpVerb: String?, into output: CommandOutput, status: Int32)
    -> CommandOutput
  {
    var result = output
    var text = message.hasSuffix(".") ? String(message.dropLast()) : message
    text += "."
    if let helpVerb { text += "\nSee 'docker \(helpVerb) --help'." }
    result.printError("docker: \(text)\n")
    result.status = status
    return result
  }

  /// The container `run` or `create` asks for: the image's config with the flags over it.
  func makeContainer(_ flags: ParsedFlags, image: StoredImage, imageText: String) throws
    -> Container
  {
    let store = environment.store
    let imageConfig = image.containerConfig ?? .object([])
    func strings(_ value: JSONValue?) -> [String]? {
      value?.arrayValue.map { $0.compactMap(\.stringValue) }
    }
    var entrypoint = strings(imageConfig["Entrypoint"]) ?? []
    var command = strings(imageConfig["Cmd"]) ?? []
    let given = Array(flags.arguments.dropFirst())
    if let override = flags.string("entrypoint") {
      entrypoint = override.isEmpty ? [] : [override]
      command = []
    }
    if !given.isEmpty { command = given }
    let program = entrypoint + command
    guard let path = program.first else {
      throw ContainerConfigError(
        message: "Error response from daemon: no command specified")
    }
    var environment = strings(imageConfig["Env"]) ?? []
    for file in flags.strings("env-file") {
      environment += try readEnvironmentFile(file)
    }
    for pair in flags.strings("env") {
      let name = String(pair.prefix { $0 != "=" })
      let value =
        pair.contains("=")
        ? pair : self.environment.variables[name].map { "\(name)=\($0)" } ?? ""
      guard !value.isEmpty else { continue }
      environment.removeAll { $0.hasPrefix(name + "=") }
      environment.append(value)
    }
    if let pull = flags.string("pull"), !["always", "missing", "never"].contains(pull) {
      throw ContainerConfigError(
        message:
          "invalid pull option: '\(pull)': must be one of \"always\", \"missing\" or \"never\"")
    }
    let ports = try flags.strings("publish").map(PortBinding.init(parsing:))
    let binds =
      try flags.strings("volume").map { try bindSpec($0) } + flags.strings("mount").map(mountSpec)
    let ids = try store.newContainerIDs()
    let name: String
    if let wanted = flags.string("name") {
      guard wanted.range(of: #"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$"#, options: .regularExpression) != nil
      else {
        throw ContainerConfigError(
          message:
            "Error response from daemon: Invalid container name (\(wanted)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )
      }
      let bare = wanted.hasPrefix("/") ? String(wanted.dropFirst()) : wanted
      if let holder = store.containers().first(where: { $0.name == bare }) {
        throw ContainerConfigError(
          message:
            "Error response from daemon: Conflict. The container name \"/\(bare)\" is already in use by container \"\(holder.id)\". You have to remove (or rename) that container to be able to reuse that name."
        )
      }
      name = bare
    } else {
      name = store.newContainerName(for: ids.id)
    }
    let hostname = flags.string("hostname") ?? String(ids.id.prefix(12))
    let tty = flags.bool("tty")
    let interactive = flags.bool("interactive")
    let detached = flags.bool("detach")
    var exposed = imageConfig["ExposedPorts"]?.objectValue ?? []
    for port in ports where !exposed.contains(where: { $0.0 == port.containerPort }) {
      exposed.append((port.containerPort, .object([])))
    }
    var config: [(String, JSONValue)] = [
      ("Hostname", .string(hostname)), ("Domainname", .string("")),
      ("User", .string(flags.string("user") ?? imageConfig["User"]?.stringValue ?? "")),
      ("AttachStdin", .bool(interactive && !detached)), ("AttachStdout", .bool(!detached)),
      ("AttachStderr", .bool(!detached)),
    ]
    if !exposed.isEmpty { config.append(("ExposedPorts", .object(exposed))) }
    config += [
      ("Tty", .bool(tty)), ("OpenStdin", .bool(interactive)),
      ("StdinOnce", .bool(interactive && !detached)),
      ("Env", .array(environment.map(JSONValue.string))),
      ("Cmd", command.isEmpty ? .null : .array(command.map(JSONValue.string))),
      ("Image", .string(imageText)),
      ("Volumes", imageConfig["Volumes"] ?? .null),
      (
        "WorkingDir",
        .string(flags.string("workdir") ?? imageConfig["WorkingDir"]?.stringValue ?? "")
      ),
      ("Entrypoint", entrypoint.isEmpty ? .null : .array(entrypoint.map(JSONValue.string))),
      ("OnBuild", .null), ("Labels", imageConfig["Labels"] ?? .object([])),
    ]
    if let signal = imageConfig["StopSignal"] { config.append(("StopSignal", signal)) }
    let created = self.environment.now
    let container = Container(
      id: ids.id, name: name, image: image.id, created: created, path: path,
      args: Array(program.dropFirst()), config: .object(config),
      hostConfig: Self.hostConfig(flags, ports: ports, binds: binds), mountID: ids.mountID)
    try store.createContainer(container)
    return container
  }

  /// `-v SOURCE:TARGET[:ro]` as Docker keeps it in `HostConfig.Binds`.
  ///
  /// The sandbox folder is made absolute. Named volumes are not part of the sandbox.
  func bindSpec(_ text: String, createsSource: Bool = true) throws -> String {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
      throw ContainerConfigError(message: "invalid spec: \(text): invalid volume specification")
    }
    guard parts[0].hasPrefix("/") || parts[0].hasPrefix(".") || parts[0].hasPrefix("~") else {
      throw ContainerConfigError(
        message:
          "named volumes are not part of the sandbox (\(parts[0])): bind a folder of your workspace, as -v ./site:\(parts[1])"
      )
    }
    if parts.count == 3, !["ro", "rw"].contains(parts[2]) {
      throw ContainerConfigError(message: "invalid mode: \(parts[2])")
    }
    var source = parts[0]
    if source.hasPrefix("~") { source = "/home/learner" + source.dropFirst() }
    if !source.hasPrefix("/") { source = environment.sandboxDirectory + "/" + source }
    source = Self.cleanPath(source)
    // `-v` makes a missing folder, as the daemon does; `--mount` refuses it.
    if createsSource, let host = environment.resolvePath?(source),
      !FileManager.default.fileExists(atPath: host)
    {
      try? HostPaths.createDirectories(host)
    }
    guard let host = environment.resolvePath?(source), FileManager.default.fileExists(atPath: host)
    else {
      throw ContainerConfigError(
        message:
          "Error response from daemon: invalid mount config for type \"bind\": bind source path does not exist: \(source)"
      )
    }
    return ([source, parts[1]] + parts.dropFirst(2)).joined(separator: ":")
  }

  /// `--mount type=bind,source=…,target=…[,readonly]` as a bind.
  func mountSpec(_ text: String) throws -> String {
    var fields: [String: String] = [:]
    var readOnly = false
    for field in text.split(separator: ",") {
      let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
      if pair.count == 1, ["readonly", "ro"].contains(pair[0]) { readOnly = true }
      if pair.count == 2 { fields[pair[0]] = pair[1] }
    }
    guard fields["type"] ?? "volume" == "bind" else {
      throw ContainerConfigError(
        message:
          "volumes are not part of the sandbox: use --mount type=bind with a folder of your workspace"
      )
    }
    guard let source = fields["source"] ?? fields["src"],
      let target = fields["target"] ?? fields["destination"] ?? fields["dst"]
    else {
      throw ContainerConfigError(message: "invalid argument \"\(text)\" for \"--mount\" flag")
    }
    return try bindSpec("\(source):\(target)" + (readOnly ? ":ro" : ""), createsSource: false)
  }

  /// A path without `.`, `..` or doubled slashes.
  static func cleanPath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") where part != "." && !part.isEmpty {
      if part == ".." { _ = parts.popLast() } else { parts.append(part) }
    }
    return "/" + parts.joined(separator: "/")
  }

  /// The sandbox folders a container binds, resolved to host folders; `nil` with the first
  /// source that no longer resolves.
  func resolvedBinds(_ container: Container) -> (
    binds: [(path: String, hostDirectory: String, isReadOnly: Bool)], missing: String?
  ) {
    var binds: [(path: String, hostDirectory: String, isReadOnly: Bool)] = []
    for bind in container.binds {
      guard let host = environment.resolvePath?(bind.source) else { return (binds, bind.source) }
      binds.append((bind.target, host, bind.isReadOnly))
    }
    return (binds, nil)
  }

  /// Reads `--env-file`: `NAME=value` lines, `#` comments, bare names from the environment.
  func readEnvironmentFile(_ file: String) throws -> [String] {
    guard
      let path = environment.resolvePath?(file)
        ?? Optional("\(environment.workingDirectory)/\(file)"),
      let data = FileManager.default.contents(atPath: path)
    else {
      throw ContainerConfigError(message: "open \(file): no such file or directory")
    }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let text = line.trimmingCharacters(in: .whitespaces)
      guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
      if text.contains("=") { return text }
      return environment.variables[text].map { "\(text)=\($0)" }
    }
  }

  /// Docker's `HostConfig` for a plain `run`, with the flags the sandbox honours.
  static func hostConfig(_ flags: ParsedFlags, ports: [PortBinding], binds: [String] = [])
    -> JSONValue
  {
    var bindings: [(String, JSONValue)] = []
    for port in ports {
      let binding = JSONValue.object([
        ("HostIp", .string(port.hostIP)), ("HostPort", .string(port.hostPort)),
      ])
      if let index = bindings.firstIndex(where: { $0.0 == port.containerPort }) {
        bindings[index].1 = .array((bindings[index].1.arrayValue ?? []) + [binding])
      } else {
        bindings.append((port.containerPort, .array([binding])))
      }
    }
    return .object([
      ("Binds", binds.isEmpty ? .null : .array(binds.map(JSONValue.string))),
      ("ContainerIDFile", .string("")),
      ("LogConfig", .object([("Type", .string("json-file")), ("Config", .object([]))])),
      ("NetworkMode", .string("bridge")), ("PortBindings", .object(bindings)),
      (
        "RestartPolicy",
        .object([("Name", .string("no")), ("MaximumRetryCount", .int(0))])
      ),
      ("AutoRemove", .bool(flags.bool("rm"))), ("VolumeDriver", .string("")),
      ("VolumesFrom", .null), ("ConsoleSize", .array([.int(0), .int(0)])),
      ("CapAdd", .null), ("CapDrop", .null), ("CgroupnsMode", .string("private")),
      ("Dns", .array([])), ("DnsOptions", .array([])), ("DnsSearch", .array([])),
      ("ExtraHosts", .null), ("GroupAdd", .null), ("IpcMode", .string("private")),
      ("Cgroup", .string("")), ("Links", .null), ("OomScoreAdj", .int(0)),
      ("PidMode", .string("")), ("Privileged", .bool(false)),
      ("PublishAllPorts", .bool(flags.bool("publish-all"))), ("ReadonlyRootfs", .bool(false)),
      ("SecurityOpt", .null), ("UTSMode", .string("")), ("UsernsMode", .string("")),
      ("ShmSize", .int(67_108_864)), ("Runtime", .string("runc")), ("Isolation", .string("")),
      ("CpuShares", .int(0)), ("Memory", .int(0)), ("NanoCpus", .int(0)),
      ("CgroupParent", .string("")), ("BlkioWeight", .int(0)), ("BlkioWeightDevice", .array([])),
      ("BlkioDeviceReadBps", .array([])), ("BlkioDeviceWriteBps", .array([])),
      ("BlkioDeviceReadIOps", .array([])), ("BlkioDeviceWriteIOps", .array([])),
      ("CpuPeriod", .int(0)), ("CpuQuota", .int(0)), ("CpuRealtimePeriod", .int(0)),
      ("CpuRealtimeRuntime", .int(0)), ("CpusetCpus", .string("")),
      ("CpusetMems", .string("")), ("Devices", .array([])), ("DeviceCgroupRules", .null),
      ("DeviceRequests", .null), ("MemoryReservation", .int(0)), ("MemorySwap", .int(0)),
      ("MemorySwappiness", .null), ("OomKillDisable", .null), ("PidsLimit", .null),
      ("Ulimits", .array([])), ("CpuCount", .int(0)), ("CpuPercent", .int(0)),
      ("IOMaximumIOps", .int(0)), ("IOMaximumBandwidth", .int(0)),
      (
        "MaskedPaths",
        .array(
          [
            "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
          ].map(JSONValue.string))
      ),
      (
        "ReadonlyPaths",
        .array(
          ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"].map(
            JSONValue.string))
      ),
    ])
  }

  // MARK: - Starting

  /// Runs a container's program: its output goes to its log, and to the caller when attached.
  ///
  /// A modelled server stays running; anything else has exited when this returns.
  func startContainer(_ original: Container, attach: Bool) -> ContainerOutcome {
    let store = environment.store
    var container = original
    let config = container.config
    var request: ContainerRequest
    do {
      request = try ContainerRequest(
        container: container, store: store,
        input: (config["OpenStdin"]?.boolValue ?? false)
          ? (environment.standardInputBytes() ?? []) : [],
        isTerminal: config["Tty"]?.boolValue ?? false, now: environment.now)
    } catch {
      return ContainerOutcome(output: .failure("\(error)"), startError: ("\(error)", 125))
    }
    request.registry = environment.registry
    let (binds, missing) = resolvedBinds(container)
    if let missing {
      return ContainerOutcome(
        output: CommandOutput(),
        startError: (
          "invalid mount config for type \"bind\": bind source path does not exist: \(missing)", 125
        ))
    }
    request.binds = binds
    let outcome = environment.containerRunner(request)
    let now = environment.now
    container.startedAt = now
    if let problem = outcome.startError {
      container.status = .created
      container.startedAt = nil
      container.exitCode = problem.status
      container.error = problem.message
      try? store.saveContainer(container)
      var failed = outcome
      failed.startError = (
        "failed to create task for container: failed to create shim task: OCI runtime create "
          + "failed: runc create failed: unable to start container process: error during "
          + "container init: \(problem.message): unknown", problem.status
      )
      return failed
    }
    store.appendLog(container, stream: "stdout", text: outcome.output.stdout, at: now)
    store.appendLog(container, stream: "stderr", text: outcome.output.stderr, at: now)
    container.error = ""
    if outcome.server != nil {
      container.status = .running
      container.finishedAt = nil
      container.exitCode = 0
    } else {
      container.status = .exited
      container.finishedAt = outcome.now ?? now
      container.exitCode = outcome.output.status
    }
    if container.autoRemove && container.status == .exited {
      try? store.removeContainer(container)
    } else {
      try? store.saveContainer(container)
    }
    return outcome
  }
}

/// A `run` or `create` flag the daemon refuses, with its message.
struct ContainerConfigError: Error {
  var message: String
}

/// One `-p` mapping: `8080:80`, `127.0.0.1:8080:80/tcp`, `80`.
struct PortBinding: Equatable {
  var hostIP: String
  var hostPort: String
  /// `80/tcp`.
  var containerPort: String

  init(parsing text: String) throws {
    var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    var port = parts.removeLast()
    if !port.contains("/") { port += "/tcp" }
    let number = port.prefix { $0 != "/" }
    guard let value = Int(number), value > 0, value < 65536 else {
      throw ContainerConfigError(message: "invalid containerPort: \(number)")
    }
    containerPort = port
    hostPort = parts.popLast() ?? ""
    hostIP = parts.joined(separator: ":")
    if !hostPort.isEmpty {
      guard let host = Int(hostPort), host > 0, host < 65536 else {
        throw ContainerConfigError(message: "invalid hostPort: \(hostPort)")
      }
    }
  }
}
