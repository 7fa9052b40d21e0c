import Foundation
import LabImage
import LabJSON
import LabOutput

extension Docker {
  static let psCommand = DockerCommand(
    paths: [["container", "ls"], ["container", "list"], ["container", "ps"], ["ps"]],
    usageTail: "[OPTIONS]", summary: "List containers",
    flags: [
      FlagSpec("all", "a", .bool, "Show all containers (default shows just running)"),
      FlagSpec(
        "filter", "f", .strings, "Filter output based on conditions provided", valueName: "filter"),
      FlagSpec("format", nil, .string, "Format output using a custom template"),
      FlagSpec(
        "last", "n", .string, "Show n last created containers (includes all states)",
        valueName: "int", defaultText: "-1"),
      FlagSpec("latest", "l", .bool, "Show the latest created container (includes all states)"),
      FlagSpec("no-trunc", nil, .bool, "Don't truncate output"),
      FlagSpec("quiet", "q", .bool, "Only display container IDs"),
      FlagSpec("size", "s", .bool, "Display total file sizes"),
    ],
    arguments: .none
  ) { docker, flags in docker.listContainers(flags) }

  static let containerHeaders = [
    "ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND",
    "CreatedAt": "CREATED AT", "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE",
    "Status": "STATUS", "Size": "SIZE", "Labels": "LABELS", "Mounts": "MOUNTS",
    "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS",
  ]

  func listContainers(_ flags: ParsedFlags) -> CommandOutput {
    let store = environment.store
    var containers = store.containers()
    var showAll = flags.bool("all")
    var limit = Int(flags.string("last") ?? "-1") ?? -1
    if flags.bool("latest") { limit = 1 }
    if limit > 0 { showAll = true }
    do {
      let filters = try ContainerFilters(flags.strings("filter"), store: store)
      if filters.forcesAll { showAll = true }
      containers = containers.filter { filters.accepts($0) }
    } catch let error as FilterError {
      return .failure("Error response from daemon: \(error.message)")
    } catch {
      return daemonError(error)
    }
    if !showAll { containers = containers.filter(\.isRunning) }
    if limit > 0 { containers = Array(containers.prefix(limit)) }
    let noTrunc = flags.bool("no-trunc")
    var result = CommandOutput()
    var format = flags.string("format") ?? ""
    if flags.bool("quiet") {
      if !format.isEmpty {
        result.printError(
          "WARNING: Ignoring custom format, because both --format and --quiet are set.\n")
      }
      format = "{{.ID}}"
    } else if format.isEmpty {
      format =
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
      if flags.bool("size") { format += "\t{{.Size}}" }
    }
    let contexts = containers.map { containerContext($0, truncate: !noTrunc) }
    switch Formatter(format).render(contexts, header: Self.containerHeaders) {
    case .success(let text): result.print(text)
    case .failure(let error): return .failure(error.description)
    }
    return result
  }

  /// The fields `docker ps --format` offers for one container.
  func containerContext(_ container: Container, truncate: Bool) -> TemplateValue {
    let now = environment.now
    var command = ([container.path] + container.args.map { $0.contains(" ") ? "'\($0)'" : $0 })
      .joined(separator: " ")
    if truncate { command = HumanUnits.ellipsis(command, 20) }
    let size = HumanUnits.size(environment.store.containerSize(container), precision: 3)
    let virtual = (try? environment.store.image(container.image)).map {
      HumanUnits.size(environment.store.size(of: $0), precision: 3)
    }
    return .context([
      .init("Command", .string(Self.goQuote(command))),
      .init("CreatedAt", .string(HumanUnits.goTimeString(container.created))),
      .init("ID", .string(truncate ? container.shortID : container.id)),
      .init("Image", .string(shownImage(container, truncate: truncate))),
      .init("Labels", .string(labelsText(container))),
      .init("LocalVolumes", .string("0")),
      .init("Mounts", .string("")),
      .init("Names", .string(container.name)),
      .init("Networks", .string("bridge")),
      .init("Ports", .string(container.isRunning ? Self.portsText(container) : "")),
      .init(
        "RunningFor",
        .string(HumanUnits.duration(now.timeIntervalSince(container.created)) + " ago")),
      .init("Size", .string(virtual.map { "\(size) (virtual \($0))" } ?? size)),
      .init("State", .string(container.status.rawValue)),
      .init("Status", .string(statusText(container))),
    ])
  }

  func labelsText(_ container: Container) -> String {
    (container.config["Labels"]?.objectValue ?? []).compactMap { key, value in
      value.stringValue.map { "\(key)=\($0)" }
    }.joined(separator: ",")
  }

  /// The IMAGE column: the image as it was given, or its short ID once that name has moved on.
  func shownImage(_ container: Container, truncate: Bool) -> String {
    let typed = container.imageName
    let resolved = try? environment.store.resolveImage(typed)
    guard resolved == container.image else {
      return truncate ? container.image.shortID : container.image.description
    }
    guard truncate, let reference = try? ImageReference(parsing: typed) else { return typed }
    if reference.tag != nil {
      return ImageReference(domain: reference.domain, path: reference.path, tag: reference.tag)
        .familiarString
    }
    return reference.familiarName
  }

  /// The daemon's `State.String()`.
  func statusText(_ container: Container) -> String {
    let now = environment.now
    switch container.status {
    case .running:
      return "Up " + HumanUnits.duration(now.timeIntervalSince(container.startedAt ?? now))
    case .created:
      return "Created"
    case .exited:
      guard let finished = container.finishedAt else { return "" }
      return "Exited (\(container.exitCode)) "
        + HumanUnits.duration(now.timeIntervalSince(finished)) + " ago"
    }
  }

  /// The host ports a container publishes.
  public static func publishedPorts(_ container: Container) -> Set<Int> {
    var ports: Set<Int> = []
    for (port, list) in container.hostConfig["PortBindings"]?.objectValue ?? [] {
      let number = Int(port.prefix { $0 != "/" }) ?? 0
      for binding in list.arrayValue ?? [] {
        let host = binding["HostPort"]?.stringValue ?? ""
        ports.insert(Int(host) ?? (32768 + number % 1000))
      }
    }
    return ports
  }

  /// The PORTS column, as the CLI's `DisplayablePorts` writes it.
  static func portsText(_ container: Container) -> String {
    var mappings: [String] = []
    var groups: [String] = []
    let bindings = container.hostConfig["PortBindings"]?.objectValue ?? []
    var bound: Set<String> = []
    var rows: [(ip: String, publicPort: String, privatePort: Int, type: String)] = []
    for (port, list) in bindings {
      bound.insert(port)
      let number = Int(port.prefix { $0 != "/" }) ?? 0
      let type = String(port.drop { $0 != "/" }.dropFirst())
      for binding in list.arrayValue ?? [] {
        let ip = binding["HostIp"]?.stringValue ?? ""
        let hostPort = binding["HostPort"]?.stringValue ?? ""
        // An unset address is both stacks'; an unset port is the daemon's pick.
        let chosen = hostPort.isEmpty ? String(32768 + number % 1000) : hostPort
        if ip.isEmpty {
          rows.append(("0.0.0.0", chosen, number, type))
          rows.append(("::", chosen, number, type))
        } else {
          rows.append((ip, chosen, number, type))
        }
      }
    }
    for (port, _) in container.config["ExposedPorts"]?.objectValue ?? [] where !bound.contains(port)
    {
      rows.append(
        ("", "", Int(port.prefix { $0 != "/" }) ?? 0, String(port.drop { $0 != "/" }.dropFirst())))
    }
    rows.sort {
      ($0.privatePort, $0.ip, $0.publicPort, $0.type) < (
        $1.privatePort, $1.ip, $1.publicPort, $1.type
      )
    }
    for row in rows {
      if !row.ip.isEmpty, row.publicPort != String(row.privatePort) {
        let host = row.ip.contains(":") ? "[\(row.ip)]" : row.ip
        mappings.append("\(host):\(row.publicPort)->\(row.privatePort)/\(row.type)")
      } else if row.ip.isEmpty {
        groups.append("\(row.privatePort)/\(row.type)")
      } else {
        groups.append("\(row.ip):\(row.privatePort)->\(row.privatePort)/\(row.type)")
      }
    }
    return (groups + mappings).joined(separator: ", ")
  }

  /// Go's `strconv.Quote` for the text a command column holds.
  static func goQuote(_ text: String) -> String { JSONValue.goQuoted(text) }

  // MARK: - Lifecycle

  static let startCommand = DockerCommand(
    paths: [["container", "start"], ["start"]], usageTail: "[OPTIONS] CONTAINER [CONTAINER...]",
    summary: "Start one or more stopped containers",
    flags: [
      FlagSpec("attach", "a", .bool, "Attach STDOUT/STDERR and forward signals"),
      FlagSpec("interactive", "i", .bool, "Attach container's STDIN"),
    ],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.start(flags) }

  func start(_ flags: ParsedFlags) -> CommandOutput {
    let attach = flags.bool("attach") || flags.bool("interactive")
    if attach {
      guard flags.arguments.count == 1 else {
        return .failure("you cannot start and attach multiple containers at once")
      }
      let container: Container
      do {
        container = try environment.store.findContainer(flags.arguments[0])
      } catch {
        return daemonError(error)
      }
      if container.isRunning { return CommandOutput() }
      let outcome = startContainer(container, attach: true)
      if let problem = outcome.startError {
        return .failure("Error response from daemon: \(problem.message)", status: problem.status)
      }
      return outcome.output
    }
    var result = CommandOutput()
    var failed: [String] = []
    for name in flags.arguments {
      do {
        let container = try environment.store.findContainer(name)
        if !container.isRunning {
          let outcome = startContainer(container, attach: false)
          if let problem = outcome.startError {
            result.printError("Error response from daemon: \(problem.message)\n")
            failed.append(name)
            continue
          }
        }
        result.print(name + "\n")
      } catch {
        result.printError("Error response from daemon: \(error)\n")
        failed.append(name)
      }
    }
    if !failed.isEmpty {
      result.printError("Error: failed to start containers: \(failed.joined(separator: ", "))\n")
      result.status = 1
    }
    return result
  }

  static let stopCommand = DockerCommand(
    paths: [["container", "stop"], ["stop"]], usageTail: "[OPTIONS] CONTAINER [CONTAINER...]",
    summary: "Stop one or more running containers",
    flags: [
      FlagSpec("signal", "s", .string, "Signal to send to the container"),
      FlagSpec(
        "time", "t", .string, "Seconds to wait before killing the container", valueName: "int"),
    ],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.stop(flags, kill: false) }

  static let killCommand = DockerCommand(
    paths: [["container", "kill"], ["kill"]], usageTail: "[OPTIONS] CONTAINER [CONTAINER...]",
    summary: "Kill one or more running containers",
    flags: [FlagSpec("signal", "s", .string, "Signal to send to the container")],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.stop(flags, kill: true) }

  static let restartCommand = DockerCommand(
    paths: [["container", "restart"], ["restart"]],
    usageTail: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Restart one or more containers",
    flags: [
      FlagSpec("signal", "s", .string, "Signal to send to the container"),
      FlagSpec(
        "time", "t", .string, "Seconds to wait before killing the container", valueName: "int"),
    ],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.restart(flags) }

  /// `stop` and `kill`: a running (modelled) server exits, 0 for nginx's graceful stop, 137
  /// for SIGKILL.
  func stop(_ flags: ParsedFlags, kill: Bool) -> CommandOutput {
    var result = CommandOutput()
    var errors: [String] = []
    for name in flags.arguments {
      do {
        var container = try environment.store.findContainer(name)
        if container.isRunning {
          container.status = .exited
          container.finishedAt = environment.now
          let signal = (flags.string("signal") ?? (kill ? "KILL" : "TERM")).uppercased()
          container.exitCode = signal.hasSuffix("KILL") || signal == "9" ? 137 : 0
          try environment.store.saveContainer(container)
        } else if kill {
          errors.append(
            "Error response from daemon: cannot kill container: \(name): container \(container.id) is not running"
          )
          continue
        }
        result.print(name + "\n")
      } catch {
        errors.append(
          kill
            ? "Error response from daemon: cannot kill container: \(name): \(error)"
            : "Error response from daemon: \(error)")
      }
    }
    return Self.reporting(errors, after: result)
  }

  func restart(_ flags: ParsedFlags) -> CommandOutput {
    var result = CommandOutput()
    var errors: [String] = []
    for name in flags.arguments {
      do {
        var container = try environment.store.findContainer(name)
        if container.isRunning {
          container.status = .exited
          container.finishedAt = environment.now
          try environment.store.saveContainer(container)
        }
        let outcome = startContainer(container, attach: false)
        if let problem = outcome.startError {
          errors.append(
            "Error response from daemon: Cannot restart container \(name): \(problem.message)")
          continue
        }
        result.print(name + "\n")
      } catch {
        errors.append("Error response from daemon: \(error)")
      }
    }
    return Self.reporting(errors, after: result)
  }

  static let removeContainerCommand = DockerCommand(
    paths: [["container", "rm"], ["container", "remove"], ["rm"]],
    usageTail: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Remove one or more containers",
    flags: [
      FlagSpec("force", "f", .bool, "Force the removal of a running container (uses SIGKILL)"),
      FlagSpec("link", "l", .bool, "Remove the specified link"),
      FlagSpec("volumes", "v", .bool, "Remove anonymous volumes associated with the container"),
    ],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.removeContainers(flags) }

  func removeContainers(_ flags: ParsedFlags) -> CommandOutput {
    let force = flags.bool("force")
    var result = CommandOutput()
    var errors: [String] = []
    for argument in flags.arguments {
      let name = argument.trimmingCharacters(in: ["/"])
      guard !name.isEmpty else {
        errors.append("Container name cannot be empty")
        continue
      }
      do {
        let container = try environment.store.findContainer(name)
        if container.isRunning && !force {
          errors.append(
            "Error response from daemon: cannot remove container \"/\(container.name)\": container is running: stop the container before removing or force remove"
          )
          continue
        }
        try environment.store.removeContainer(container)
        result.print(argument + "\n")
      } catch ImageError.noSuchContainer(let missing) where force {
        result.printError("Error response from daemon: No such container: \(missing)\n")
      } catch {
        errors.append("Error response from daemon: \(error)")
      }
    }
    return Self.reporting(errors, after: result)
  }

  static let containerPruneCommand = DockerCommand(
    paths: [["container", "prune"]], usageTail: "[OPTIONS]",
    summary: "Remove all stopped containers",
    flags: [
      FlagSpec(
        "filter", nil, .strings, "Provide filter values (e.g. \"until=<timestamp>\")",
        valueName: "filter"),
      FlagSpec("force", "f", .bool, "Do not prompt for confirmation"),
    ],
    arguments: .none, writesStore: true
  ) { docker, flags in docker.pruneContainers(flags) }

  func pruneContainers(_ flags: ParsedFlags) -> CommandOutput {
    var result = CommandOutput()
    if !flags.bool("force") {
      result.print(
        "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "
      )
      let answer = environment.standardInput()?.split(separator: "\n").first.map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard answer == "y" || answer == "Y" else { return result }
    }
    let (text, reclaimed) = removeStoppedContainers()
    result.print(text)
    result.print("Total reclaimed space: \(HumanUnits.size(reclaimed, precision: 4))\n")
    return result
  }

  /// Removes every stopped container: the CLI's `Deleted Containers:` list (empty when there
  /// were none) and the bytes their layers took.
  func removeStoppedContainers() -> (text: String, reclaimed: Int64) {
    var deleted: [String] = []
    var reclaimed: Int64 = 0
    for container in environment.store.containers() where !container.isRunning {
      let size = environment.store.containerSize(container)
      if (try? environment.store.removeContainer(container)) != nil {
        deleted.append(container.id)
        reclaimed += size
      }
    }
    guard !deleted.isEmpty else { return ("", 0) }
    return ("Deleted Containers:\n" + deleted.map { $0 + "\n" }.joined() + "\n", reclaimed)
  }

  /// The CLI's way with several names: each that worked printed, the errors after them,
  /// joined, and status 1 if there was one.
  static func reporting(_ errors: [String], after output: CommandOutput) -> CommandOutput {
    guard !errors.isEmpty else { return output }
    var result = output
    result.printError(errors.joined(separator: "\n") + "\n")
    result.status = 1
    return result
  }

  // MARK: - Looking inside

  static let logsCommand = DockerCommand(
    paths: [["container", "logs"], ["logs"]], usageTail: "[OPTIONS] CONTAINER",
    summary: "Fetch the logs of a container",
    flags: [
      FlagSpec("details", nil, .bool, "Show extra details provided to logs"),
      FlagSpec("follow", "f", .bool, "Follow log output"),
      FlagSpec("since", nil, .string, "Show logs since timestamp"),
      FlagSpec(
        "tail", "n", .string, "Number of lines to show from the end of the logs",
        defaultText: "\"all\""),
      FlagSpec("timestamps", "t", .bool, "Show timestamps"),
      FlagSpec("until", nil, .string, "Show logs before a timestamp"),
    ],
    arguments: .exactly(1)
  ) { docker, flags in docker.logs(flags) }

  func logs(_ flags: ParsedFlags) -> CommandOutput {
    let container: Container
    do {
      container = try environment.store.findContainer(flags.arguments[0])
    } catch {
      return daemonError(error)
    }
    var entries = environment.store.logEntries(of: container)
    if let tail = flags.string("tail"), tail != "all", let count = Int(tail), count >= 0 {
      entries = Array(entries.suffix(count))
    }
    var result = CommandOutput()
    let timestamps = flags.bool("timestamps")
    for entry in entries {
      let text = (timestamps ? HumanUnits.fixedNano(entry.time) + " " : "") + entry.text
      if entry.stream == "stderr" { result.printError(text) } else { result.print(text) }
    }
    return result
  }

  static let diffCommand = DockerCommand(
    paths: [["container", "diff"], ["diff"]], usageTail: "CONTAINER",
    summary: "Inspect changes to files or directories on a container's filesystem", flags: [],
    arguments: .exactly(1)
  ) { docker, flags in docker.diff(flags) }

  func diff(_ flags: ParsedFlags) -> CommandOutput {
    do {
      let container = try environment.store.findContainer(flags.arguments[0])
      let changes = try environment.store.changes(of: container)
      return CommandOutput(stdout: changes.map { "\($0.kind.rawValue) \($0.path)\n" }.joined())
    } catch {
      return daemonError(error)
    }
  }

  static let commitCommand = DockerCommand(
    paths: [["container", "commit"], ["commit"]],
    usageTail: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    summary: "Create a new image from a container's changes",
    flags: [
      FlagSpec(
        "author", "a", .string, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
      FlagSpec("change", "c", .strings, "Apply Dockerfile instruction to the created image"),
      FlagSpec("message", "m", .string, "Commit message"),
      FlagSpec("pause", "p", .bool, "Pause container during commit", defaultText: "true"),
    ],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.commit(flags) }

  func commit(_ flags: ParsedFlags) -> CommandOutput {
    guard flags.arguments.count <= 2 else {
      return .failure(
        "\"docker commit\" requires at least 1 and at most 2 arguments.\nSee 'docker commit --help'."
      )
    }
    var tag: ImageReference?
    if flags.arguments.count == 2 {
      do {
        tag = try ImageReference(parsing: flags.arguments[1]).withDefaultTag
      } catch {
        return .failure("Error response from daemon: \(error)")
      }
    }
    do {
      let container = try environment.store.findContainer(flags.arguments[0])
      let config = try ContainerChanges.apply(flags.strings("change"), to: container.config)
      let id = try environment.store.commit(
        container, config: config, author: flags.string("author") ?? "",
        comment: flags.string("message") ?? "", tag: tag, at: environment.now)
      return CommandOutput(stdout: id.description + "\n")
    } catch let error as ContainerConfigError {
      return .failure("Error response from daemon: \(error.message)")
    } catch {
      return daemonError(error)
    }
  }

  // MARK: - Inspect

  /// `docker inspect` of a container: the daemon's JSON in its field order.
  func containerJSON(_ container: Container) -> JSONValue {
    let store = environment.store
    let root = VirtualRoot.docker
    let directory = "\(root)/containers/\(container.id)"
    let started = container.startedAt != nil
    let imageDiffs = ((try? store.imageChain(of: container)) ?? []).reversed().compactMap {
      (try? store.layer($0)).map { "\(root)/overlay2/\($0.cacheID)/diff" }
    }
    let overlay = "\(root)/overlay2/\(container.mountID)"
    let lower = (["\(overlay)-init/diff"] + imageDiffs).joined(separator: ":")
    return .object([
      ("Id", .string(container.id)), ("Created", .string(formatRFC3339Nano(container.created))),
      ("Path", .string(container.path)), ("Args", .array(container.args.map(JSONValue.string))),
      ("State", container.stateJSON), ("Image", .string(container.image.description)),
      ("ResolvConfPath", .string(started ? "\(directory)/resolv.conf" : "")),
      ("HostnamePath", .string(started ? "\(directory)/hostname" : "")),
      ("HostsPath", .string(started ? "\(directory)/hosts" : "")),
      ("LogPath", .string(started ? "\(directory)/\(container.id)-json.log" : "")),
      ("Name", .string("/" + container.name)), ("RestartCount", .int(container.restartCount)),
      ("Driver", .string("overlay2")), ("Platform", .string("linux")),
      ("MountLabel", .string("")), ("ProcessLabel", .string("")),
      ("AppArmorProfile", .string("")), ("ExecIDs", .null), ("HostConfig", container.hostConfig),
      (
        "GraphDriver",
        .object([
          (
            "Data",
            .object([
              ("LowerDir", .string(lower)), ("MergedDir", .string("\(overlay)/merged")),
              ("UpperDir", .string("\(overlay)/diff")), ("WorkDir", .string("\(overlay)/work")),
            ])
          ),
          ("Name", .string("overlay2")),
        ])
      ),
      ("Mounts", .array(mountsJSON(container))), ("Config", container.config),
      ("NetworkSettings", networkSettings(container)),
    ])
  }

  /// The binds as `inspect` lists them.
  func mountsJSON(_ container: Container) -> [JSONValue] {
    container.binds.map { bind in
      .object([
        ("Type", .string("bind")), ("Source", .string(bind.source)),
        ("Destination", .string(bind.target)), ("Mode", .string(bind.isReadOnly ? "ro" : "")),
        ("RW", .bool(!bind.isReadOnly)), ("Propagation", .string("rprivate")),
      ])
    }
  }

  func networkSettings(_ container: Container) -> JSONValue {
    let running = container.isRunning
    let address = running ? "172.17.0.2" : ""
    let gateway = running ? "172.17.0.1" : ""
    let mac = running ? "02:42:ac:11:00:02" : ""
    let endpoint = running ? Digest.of("layerlab endpoint \(container.id)").hex : ""
    var ports: [(String, JSONValue)] = []
    if running {
      let bindings = container.hostConfig["PortBindings"]?.objectValue ?? []
      for (port, list) in bindings {
        var entries: [JSONValue] = []
        for binding in list.arrayValue ?? [] {
          let ip = binding["HostIp"]?.stringValue ?? ""
          let hostPort = binding["HostPort"]?.stringValue ?? ""
          for address in ip.isEmpty ? ["0.0.0.0", "::"] : [ip] {
            entries.append(
              .object([("HostIp", .string(address)), ("HostPort", .string(hostPort))]))
          }
        }
        ports.append((port, .array(entries)))
      }
      for (port, _) in container.config["ExposedPorts"]?.objectValue ?? []
      where !ports.contains(where: { $0.0 == port }) {
        ports.append((port, .null))
      }
    }
    let network = Digest.of("layerlab bridge network").hex
    return .object([
      ("Bridge", .string("")),
      ("SandboxID", .string(running ? Digest.of("layerlab sandbox \(container.id)").hex : "")),
      (
        "SandboxKey",
        .string(running ? "/var/run/docker/netns/\(Digest.of(container.id).hex.prefix(12))" : "")
      ),
      ("Ports", .object(ports)), ("HairpinMode", .bool(false)),
      ("LinkLocalIPv6Address", .string("")), ("LinkLocalIPv6PrefixLen", .int(0)),
      ("SecondaryIPAddresses", .null), ("SecondaryIPv6Addresses", .null),
      ("EndpointID", .string(endpoint)), ("Gateway", .string(gateway)),
      ("GlobalIPv6Address", .string("")), ("GlobalIPv6PrefixLen", .int(0)),
      ("IPAddress", .string(address)), ("IPPrefixLen", .int(running ? 16 : 0)),
      ("IPv6Gateway", .string("")), ("MacAddress", .string(mac)),
      (
        "Networks",
        .object([
          (
            "bridge",
            .object([
              ("IPAMConfig", .null), ("Links", .null), ("Aliases", .null),
              ("MacAddress", .string(mac)), ("DriverOpts", .null),
              ("NetworkID", .string(container.startedAt == nil ? "" : network)),
              ("EndpointID", .string(endpoint)), ("Gateway", .string(gateway)),
              ("IPAddress", .string(address)), ("IPPrefixLen", .int(running ? 16 : 0)),
              ("IPv6Gateway", .string("")), ("GlobalIPv6Address", .string("")),
              ("GlobalIPv6PrefixLen", .int(0)), ("DNSNames", .null),
            ])
          )
        ])
      ),
    ])
  }
}

/// Where the sandbox shows the store: Docker's data root.
enum VirtualRoot {
  static let docker = "/var/lib/docker"
}

/// `docker ps --filter`: the daemon's keys the sandbox answers.
struct ContainerFilters {
  var conditions: [(key: String, value: String)] = []
  let store: ImageStore

  /// A `status` filter lists stopped containers too, as `-a` does.
  var forcesAll: Bool { conditions.contains { $0.key == "status" || $0.key == "exited" } }

  init(_ filters: [String], store: ImageStore) throws {
    self.store = store
    for filter in filters {
      guard let equals = filter.firstIndex(of: "=") else {
        throw FilterError(
          message:
            "invalid argument \"\(filter)\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
        )
      }
      let key = String(filter[..<equals]).lowercased()
      let value = String(filter[filter.index(after: equals)...])
      let accepted = ["ancestor", "before", "exited", "id", "label", "name", "since", "status"]
      guard accepted.contains(key) else {
        throw FilterError(message: "invalid filter '\(key)'")
      }
      if key == "status",
        !["created", "restarting", "running", "removing", "paused", "exited", "dead"].contains(
          value)
      {
        throw FilterError(message: "invalid filter 'status=\(value)'")
      }
      if key == "exited", Int(value) == nil {
        throw FilterError(
          message:
            "invalid filter 'exited=\(value)': strconv.Atoi: parsing \"\(value)\": invalid syntax")
      }
      conditions.append((key, value))
    }
  }

  func accepts(_ container: Container) -> Bool {
    let byKey = Dictionary(grouping: conditions, by: \.key).mapValues { $0.map(\.value) }
    for (key, values) in byKey {
      let matches = values.contains { value in
        switch key {
        case "status": return container.status.rawValue == value
        case "exited":
          return container.status == .exited && Int(container.exitCode) == Int(value)
        case "name":
          return container.name == value
            || container.name.range(of: value, options: .regularExpression) != nil
        case "id":
          return container.id.range(of: value, options: .regularExpression) != nil
        case "ancestor":
          guard let id = try? store.resolveImage(value) else { return false }
          return container.image == id
        case "label":
          let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
          let label = container.config["Labels"]?[parts[0]]?.stringValue
          return label != nil && (parts.count == 1 || label == parts[1])
        case "before", "since":
          guard let other = try? store.findContainer(value) else { return false }
          return key == "before"
            ? container.created < other.created : container.created > other.created
        default: return false
        }
      }
      if !matches { return false }
    }
    return true
  }
}

extension Docker {
  static let execCommand = DockerCommand(
    paths: [["container", "exec"], ["exec"]], usageTail: "[OPTIONS] CONTAINER COMMAND [ARG...]",
    summary: "Execute a command in a running container",
    flags: [
      FlagSpec("detach", "d", .bool, "Detached mode: run command in the background"),
      FlagSpec("env", "e", .strings, "Set environment variables"),
      FlagSpec("interactive", "i", .bool, "Keep STDIN open even if not attached"),
      FlagSpec("tty", "t", .bool, "Allocate a pseudo-TTY"),
      FlagSpec("user", "u", .string, "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
      FlagSpec("workdir", "w", .string, "Working directory inside the container"),
    ],
    arguments: .atLeast(2), writesStore: true, interspersed: false
  ) { docker, flags in docker.exec(flags) }

  /// `docker exec`: a command in a running container, over its files.
  func exec(_ flags: ParsedFlags) -> CommandOutput {
    let container: Container
    do {
      container = try environment.store.findContainer(flags.arguments[0])
    } catch {
      return daemonError(error)
    }
    guard container.isRunning else {
      return .failure("Error response from daemon: container \(container.id) is not running")
    }
    let config = container.config
    var variables = (config["Env"]?.arrayValue ?? []).compactMap(\.stringValue)
    for pair in flags.strings("env") {
      let name = String(pair.prefix { $0 != "=" })
      variables.removeAll { $0.hasPrefix(name + "=") }
      variables.append(pair)
    }
    var request: ContainerRequest
    do {
      request = try ContainerRequest(
        container: container, store: environment.store,
        command: Array(flags.arguments.dropFirst()),
        input: flags.bool("interactive") ? (environment.standardInputBytes() ?? []) : [],
        isTerminal: flags.bool("tty"), now: environment.now)
    } catch {
      return daemonError(error)
    }
    request.environment = variables
    request.registry = environment.registry
    if let workdir = flags.string("workdir") { request.workingDirectory = workdir }
    if let user = flags.string("user") { request.user = user }
    request.binds = resolvedBinds(container).binds
    if flags.bool("interactive"), flags.bool("tty"), let attachment = environment.attachment,
      let program = request.command.first, Self.isShell(program),
      request.command.dropFirst().allSatisfy({ $0.hasPrefix("-") && $0 != "-c" })
    {
      attachment.open(container.id, isExec: true, command: request.command)
      return CommandOutput()
    }
    let outcome = environment.containerRunner(request)
    if let problem = outcome.startError {
      // The runtime's error comes back on the exec's own output stream.
      return CommandOutput(
        stdout: "OCI runtime exec failed: exec failed: unable to start container process: "
          + "\(problem.message): unknown\r\n", status: problem.status)
    }
    return flags.bool("detach") ? CommandOutput() : outcome.output
  }
}
