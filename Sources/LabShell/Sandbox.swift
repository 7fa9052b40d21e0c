import LabDocker
import LabImage

/// Runs commands inside the sandbox: the `docker` toolkit and nothing of the host.
///
/// No command ever starts a host process. Commands the sandbox does not have fail as bash
/// reports a missing program.
public struct Sandbox: Sendable {
  public var environment: DockerEnvironment

  public init(environment: DockerEnvironment) {
    self.environment = environment
    self.environment.runExecutor = ImageCommandRunner.executor
  }

  /// Runs one command line.
  public func run(commandLine: String) -> CommandResult {
    do {
      return run(arguments: try WordSplitter.split(commandLine))
    } catch {
      return .failure(error.description, status: 2)
    }
  }

  /// Runs a command given as words, with no further splitting.
  public func run(arguments: [String]) -> CommandResult {
    var words = arguments[...]
    // `sudo` only changes who runs the command; the sandbox has one user.
    while words.first == "sudo" { words.removeFirst() }
    // Assignments before the command (`DOCKER_BUILDKIT=0 docker …`) set its environment.
    var environment = self.environment
    while let first = words.first, let equals = first.firstIndex(of: "="),
      equals != first.startIndex,
      first[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
    {
      environment.variables[String(first[..<equals])] = String(first[first.index(after: equals)...])
      words.removeFirst()
    }
    guard let command = words.first else { return CommandResult() }
    switch command {
    case "docker":
      return Docker(environment: environment).run(Array(words.dropFirst()))
    case "true", ":":
      return CommandResult()
    case "false":
      return CommandResult(status: 1)
    default:
      return .failure("bash: \(command): command not found", status: 127)
    }
  }
}
