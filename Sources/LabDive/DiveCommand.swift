import LabImage
import LabOutput

/// The `dive` command line over the sandbox's store: dive 0.13's flags, its CI mode and JSON
/// export, the full-screen view on a terminal, and a plain per-layer report otherwise.
public enum DiveCommand {
  /// What the command may reach: nothing but the store and what the shell hands it.
  public struct Environment: Sendable {
    public var store: ImageStore
    /// The environment variables it sees (`CI`).
    public var variables: [String: String]
    /// Reads a file of the sandbox (`.dive-ci`); nil when there is none.
    public var readFile: @Sendable (String) -> [UInt8]?
    /// Writes a file of the sandbox (`--json`); an error message on failure.
    public var writeFile: @Sendable (String, [UInt8]) -> String?
    /// Runs `docker pull` in the sandbox, for an image the store lacks.
    public var pull: @Sendable (String) -> CommandOutput
    /// Whether output is a terminal, for colours.
    public var usesColor: Bool
    /// Takes over the terminal for the full-screen view, after printing what dive prints
    /// before it; nil when the output is not a terminal a person is at.
    public var fullScreen: (@Sendable (String, DiveExplorer) -> Void)?

    public init(
      store: ImageStore, variables: [String: String],
      readFile: @escaping @Sendable (String) -> [UInt8]?,
      writeFile: @escaping @Sendable (String, [UInt8]) -> String?,
      pull: @escaping @Sendable (String) -> CommandOutput, usesColor: Bool = false,
      fullScreen: (@Sendable (String, DiveExplorer) -> Void)? = nil
    ) {
      self.store = store
      self.variables = variables
      self.readFile = readFile
      self.writeFile = writeFile
      self.pull = pull
      self.usesColor = usesColor
      self.fullScreen = fullScreen
    }
  }

  static let version = "0.13.1"

  static let usage = """
    This tool provides a way to discover and explore the contents of a docker image. Additionally the tool estimates
    the amount of wasted space and identifies the offending files from the image.

    Usage:
      dive [IMAGE] [flags]

    Flags:
          --ci                                Skip the interactive TUI and validate against CI rules (same as env var CI=true)
          --ci-config string                  If CI=true in the environment, use the given yaml to drive validation rules. (default ".dive-ci")
      -h, --help                              help for dive
          --highestUserWastedPercent string   (only valid with --ci given) highest allowable percentage of bytes wasted (as a ratio between 0-1), otherwise CI validation will fail. (default "0.1")
          --highestWastedBytes string         (only valid with --ci given) highest allowable bytes wasted, otherwise CI validation will fail. (default "disabled")
      -i, --ignore-errors                     ignore image parsing errors and run the analysis anyway
      -j, --json string                       Skip the interactive TUI and write the layer analysis statistics to a given file.
          --lowestEfficiency string           (only valid with --ci given) lowest allowable image efficiency (as a ratio between 0-1), otherwise CI validation will fail. (default "0.9")
          --source string                     The container engine to fetch the image from. Allowed values: docker, podman, docker-archive (default "docker")
      -v, --version                           display version number

    """

  struct Options {
    var ci = false
    var ciConfig = ".dive-ci"
    var json: String?
    var rules = DiveCI.Rules()
    var givenRules: Set<String> = []
    var source = "docker"
    var image: String?
    var help = false
    var version = false
  }

  public static func run(_ arguments: [String], in environment: Environment) -> CommandOutput {
    let options: Options
    switch parse(arguments) {
    case .success(let parsed): options = parsed
    case .failure(let error):
      // cobra reports on standard error, then dive prints the error once more.
      return CommandOutput(
        stdout: "\(error.description)\n",
        stderr: "Error: \(error.description)\nRun 'dive --help' for usage.\n", status: 1)
    }
    if options.help { return CommandOutput(stdout: usage) }
    if options.image == nil && options.version { return CommandOutput(stdout: "dive \(version)\n") }
    if options.image == "version" { return CommandOutput(stdout: "dive \(version)\n") }
    if options.image == "build" {
      return .failure("dive build is not available in the sandbox: docker build, then dive IMAGE")
    }
    guard let given = options.image, !given.isEmpty else {
      return CommandOutput(stdout: "No image argument given\n", status: 1)
    }
    var output = CommandOutput()
    // The CI mode and its rules, as dive's configureCi reads them.
    var rules = options.rules
    let isCI = options.ci || goParseBool(environment.variables["CI"] ?? "") == true
    if isCI {
      if let bytes = environment.readFile(options.ciConfig) {
        output.print("  Using CI config: \(options.ciConfig)\n")
        switch DiveCI.parseConfig(String(decoding: bytes, as: UTF8.self)) {
        case .success(let values): rules.apply(values, except: options.givenRules)
        case .failure(let error):
          output.print("ci configuration error: While parsing config: \(error.description)\n")
          output.status = 1
          return output
        }
      } else {
        output.print("  Using default CI config\n")
      }
    }
    // The image source: `docker://` or the --source flag.
    var source = options.source
    var name = given
    for prefix in ["docker-archive", "docker", "podman"] where given.hasPrefix(prefix + "://") {
      source = prefix
      name = String(given.dropFirst(prefix.count + 3))
      break
    }
    guard ["docker", "podman", "docker-archive"].contains(source) else {
      output.print("unable to determine image source: \(source)\n")
      output.status = 1
      return output
    }
    guard source == "docker" else {
      output.printError("cannot determine image provider\n")
      output.printError(
        "the sandbox has no \(source); its images are in Docker's store: dive docker://IMAGE\n")
      output.status = 1
      return output
    }
    let title = { (text: String) in environment.usesColor ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    var preamble = title("Image Source: ") + "docker://" + name + "\n"
    preamble +=
      title("Extracting image from docker-engine...")
      + " (this can take a while for large images)\n"
    let showsPreamble = isCI || options.json != nil || environment.fullScreen != nil
    if showsPreamble {
      output.print(preamble)
      preamble = ""
    }
    var imageID = try? environment.store.resolveImage(name)
    if imageID == nil {
      output.print("The image is not available locally. Trying to pull '\(name)'...\n")
      let pulled = environment.pull(name)
      output.append(pulled)
      guard pulled.status == 0 else {
        output.printError("cannot fetch image\nexit status \(pulled.status)\n")
        output.status = 1
        return output
      }
      imageID = try? environment.store.resolveImage(name)
    }
    guard let imageID else {
      output.printError("cannot fetch image\nError: No such image: \(name)\n")
      output.status = 1
      return output
    }
    let analysis: DiveAnalysis
    do {
      analysis = DiveAnalysis(try DiveImage.load(from: environment.store, id: imageID, name: name))
    } catch {
      output.printError("cannot fetch image\n\(error)\n")
      output.status = 1
      return output
    }
    if showsPreamble { output.print(title("Analyzing image...") + "\n") }
    if let file = options.json {
      output.print(title("Exporting image to '\(file)'...") + "\n")
      if let problem = environment.writeFile(file, Array(DiveExport.json(analysis).utf8)) {
        output.printError("cannot open export file\n\(problem)\n")
        output.status = 1
      }
      return output
    }
    if isCI {
      let (report, passed) = DiveCI(rules: rules, color: environment.usesColor).evaluate(analysis)
      output.print(report)
      if !passed { output.status = 1 }
      return output
    }
    if let fullScreen = environment.fullScreen {
      output.print(title("Building cache...") + "\n")
      fullScreen(output.stdout, DiveExplorer(analysis))
      return CommandOutput()
    }
    output.print(analysis.plainReport())
    return output
  }

  /// Go's `strconv.ParseBool`.
  static func goParseBool(_ text: String) -> Bool? {
    switch text {
    case "1", "t", "T", "TRUE", "true", "True": return true
    case "0", "f", "F", "FALSE", "false", "False": return false
    default: return nil
    }
  }

  /// Reads dive's flags as cobra does: `--flag value`, `--flag=value`, `-j value`.
  static func parse(_ arguments: [String]) -> Result<Options, DiveError> {
    var options = Options()
    var operands: [String] = []
    var index = 0
    let valued: Set<String> = [
      "ci-config", "json", "lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent",
      "source", "config",
    ]
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if argument == "--" {
        operands += arguments[index...]
        break
      }
      var name: String
      var value: String?
      if argument.hasPrefix("--") {
        name = String(argument.dropFirst(2))
        if let equals = name.firstIndex(of: "=") {
          value = String(name[name.index(after: equals)...])
          name = String(name[..<equals])
        }
      } else if argument.hasPrefix("-") && argument.count > 1 {
        let letter = argument.dropFirst().prefix(1)
        let rest = String(argument.dropFirst(2))
        switch letter {
        case "j":
          name = "json"
          if !rest.isEmpty { value = rest.hasPrefix("=") ? String(rest.dropFirst()) : rest }
        case "h": name = "help"
        case "v": name = "version"
        case "i": name = "ignore-errors"
        default:
          return .failure(
            DiveError("unknown shorthand flag: '\(letter)' in \(argument)"))
        }
      } else {
        operands.append(argument)
        continue
      }
      if valued.contains(name) {
        if value == nil {
          guard index < arguments.count else {
            return .failure(DiveError("flag needs an argument: --\(name)"))
          }
          value = arguments[index]
          index += 1
        }
        let text = value ?? ""
        switch name {
        case "ci-config": options.ciConfig = text
        case "json": options.json = text
        case "source": options.source = text
        case "config": break
        case "lowestEfficiency": options.rules.lowestEfficiency = text
        case "highestWastedBytes": options.rules.highestWastedBytes = text
        default: options.rules.highestUserWastedPercent = text
        }
        if name.hasPrefix("lowest") || name.hasPrefix("highest") { options.givenRules.insert(name) }
        continue
      }
      switch name {
      case "ci":
        guard let flag = value.map(goParseBool) ?? true else {
          return .failure(
            DiveError(
              "invalid argument \(Humanize.goQuote(value ?? "")) for \"--ci\" flag: strconv.ParseBool: parsing \(Humanize.goQuote(value ?? "")): invalid syntax"
            ))
        }
        options.ci = flag
      case "help": options.help = true
      case "version": options.version = true
      case "ignore-errors": break
      default: return .failure(DiveError("unknown flag: --\(name)"))
      }
    }
    guard operands.count <= 1 else {
      return .failure(DiveError("accepts at most 1 arg(s), received \(operands.count)"))
    }
    options.image = operands.first
    return .success(options)
  }
}
