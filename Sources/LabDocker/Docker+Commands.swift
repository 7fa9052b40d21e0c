import LabImage
import LabOutput

/// How many positional arguments a command takes, and Docker's message when that is wrong.
enum ArgumentRule: Sendable {
  case none
  case exactly(Int)
  case atLeast(Int)
  case atMost(Int)

  func check(_ count: Int, invokedAs: String) -> String? {
    func noun(_ number: Int) -> String { number == 1 ? "argument" : "arguments" }
    switch self {
    case .none where count > 0:
      return "\"\(invokedAs)\" accepts no arguments.\nSee '\(invokedAs) --help'."
    case .exactly(let number) where count != number:
      return
        "\"\(invokedAs)\" requires exactly \(number) \(noun(number)).\nSee '\(invokedAs) --help'."
    case .atLeast(let number) where count < number:
      return
        "\"\(invokedAs)\" requires at least \(number) \(noun(number)).\nSee '\(invokedAs) --help'."
    case .atMost(let number) where count > number:
      return
        "\"\(invokedAs)\" accepts at most \(number) \(noun(number)).\nSee '\(invokedAs) --help'."
    default:
      return nil
    }
  }
}

/// One `docker` command: its names, flags, help and implementation.
struct DockerCommand: Sendable {
  /// Every path that runs it, the canonical one first: `["image", "ls"]`, `["images"]`.
  var paths: [[String]]
  /// The usage after the command path: `[OPTIONS] NAME[:TAG|@DIGEST]`.
  var usageTail: String
  var summary: String
  var flags: [FlagSpec]
  var arguments: ArgumentRule
  /// `false` for commands that answer the same whatever their flags.
  var parsesFlags = true
  /// Whether the command may change the store, whose new entries then take the virtual time.
  var writesStore = false
  /// Whether flags may follow arguments; `run` takes everything after the image as its command.
  var interspersed = true
  var run: @Sendable (Docker, ParsedFlags) -> CommandOutput

  /// Whether it changes the images the store holds: `save` writes only to the store's staging
  /// folder, and a check that only looks may run it.
  var changesImages: Bool { writesStore && paths != Docker.saveCommand.paths }

  func usage(invokedAs: String) -> String { "\(invokedAs) \(usageTail)" }

  var help: String { help(invokedAs: "docker " + (paths.first ?? []).joined(separator: " ")) }

  /// The `--help` text in Docker's layout.
  func help(invokedAs: String) -> String {
    var text = "\nUsage:  \(usage(invokedAs: invokedAs))\n\n\(summary)\n"
    if paths.count > 1 {
      text +=
        "\nAliases:\n  "
        + paths.map { "docker " + $0.joined(separator: " ") }.joined(separator: ", ") + "\n"
    }
    if !flags.isEmpty {
      text += "\nOptions:\n"
      let labels = flags.map { flag -> String in
        let name = flag.short.map { "  -\($0), --\(flag.long)" } ?? "      --\(flag.long)"
        return flag.kind == .bool ? name : "\(name) \(flag.valueName)"
      }
      let width = (labels.map(\.count).max() ?? 0) + 3
      for (label, flag) in zip(labels, flags) {
        var line = label + String(repeating: " ", count: width - label.count) + flag.help
        if let defaultText = flag.defaultText { line += " (default \(defaultText))" }
        text += line + "\n"
      }
    }
    return text
  }
}

extension Docker {
  /// Top-level names that group subcommands.
  static let groups: Set<String> = [
    "image", "container", "network", "volume", "system", "builder", "buildx", "compose",
    "context", "plugin", "swarm", "node", "service", "stack", "secret", "config", "trust",
    "manifest", "scout", "init", "debug",
  ]

  /// Docker commands outside this toolkit, which answer that they are not part of it.
  static let otherDockerCommands: Set<String> = [
    "attach", "export", "import", "port", "rename", "pause", "unpause", "top",
    "update", "wait", "stats", "events", "info", "version", "search",
  ]

  static let commands: [DockerCommand] = [
    pullCommand, imagesCommand, tagCommand, removeCommand, inspectCommand, imageInspectCommand,
    historyCommand, pruneCommand, buildCommand, saveCommand, loadCommand, runCommand,
    createCommand, startCommand, stopCommand, killCommand, restartCommand, psCommand,
    removeContainerCommand, containerPruneCommand, logsCommand, diffCommand, commitCommand,
    containerInspectCommand, execCommand, systemPruneCommand, pushCommand, loginCommand,
    logoutCommand,
  ]

  static func command(named path: [String]) -> DockerCommand? {
    commands.first { $0.paths.contains(path) }
  }

  static var rootHelp: String {
    """

    Usage:  docker [OPTIONS] COMMAND

    The LayerLab image toolkit: Docker's image commands, with no daemon and no network

    Common Commands:
      build       Build an image from a Dockerfile
      pull        Download an image from a registry
      push        Upload an image to a registry
      images      List images

    Management Commands:
      image       Manage images

    Commands:
      history     Show the history of an image
      inspect     Return low-level information on Docker objects
      load        Load an image from a tar archive or STDIN
      login       Authenticate to a registry
      logout      Log out from a registry
      rmi         Remove one or more images
      save        Save one or more images to a tar archive (streamed to STDOUT by default)
      tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

    Global Options:
      -D, --debug     Enable debug mode
      -v, --version   Print version information and quit

    Run 'docker COMMAND --help' for more information on a command.

    """
  }

  static var imageHelp: String {
    """

    Usage:  docker image COMMAND

    Manage images

    Commands:
      build       Build an image from a Dockerfile
      history     Show the history of an image
      inspect     Display detailed information on one or more images
      load        Load an image from a tar archive or STDIN
      ls          List images
      prune       Remove unused images
      pull        Download an image from a registry
      push        Upload an image to a registry
      rm          Remove one or more images
      save        Save one or more images to a tar archive (streamed to STDOUT by default)
      tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

    Run 'docker image COMMAND --help' for more information on a command.

    """
  }

  // MARK: - Commands of the next toolkit issue
}

extension Docker {
  /// The words that may follow `docker` (and `docker image`), for Tab completion.
  public static func completions(after words: [String]) -> [String] {
    switch words.count {
    case 0:
      return Set(commands.flatMap { $0.paths.map { $0[0] } }).sorted()
    case 1 where groups.contains(words[0]):
      return commands.flatMap(\.paths).filter { $0.count == 2 && $0[0] == words[0] }.map { $0[1] }
        .sorted()
    default:
      return []
    }
  }

  /// The flags of the command `path` (`["image", "ls"]`, `["build"]`), for Tab completion.
  public static func flagCompletions(for path: [String]) -> [String] {
    guard let command = command(named: path) else { return [] }
    return (command.flags.map { "--" + $0.long } + ["--help"]).sorted()
  }
}
