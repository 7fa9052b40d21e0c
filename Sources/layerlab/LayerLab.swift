import ArgumentParser
import Foundation

/// A file or directory the command line names that cannot be used: exit status 2, no usage.
struct BadInput: Error {
  var message: String
  init(_ message: String) { self.message = message }
}

/// The `layerlab` command: a terminal tutorial runner for container-image workshops.
@main
struct LayerLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layerlab",
    abstract: "Run container-image lessons against a built-in Docker image toolkit.",
    version: "layerlab version \(version)",
    subcommands: [
      Open.self, Run.self, Check.self, Record.self, Watch.self, Lint.self, Exec.self,
      ShellCommand.self,
      Store.self,
      SandboxMaintenance.self, Tour.self, Worker.self,
    ],
    defaultSubcommand: Open.self)

  /// Runs the command line.
  ///
  /// Bad usage exits with 2, as LayerLab's exit codes promise, rather than ArgumentParser's 64;
  /// a status a command chose itself passes through.
  static func main() {
    if let message = CommandSuggestion.error(for: Array(CommandLine.arguments.dropFirst())) {
      FileHandle.standardError.write(Data(message.utf8))
      Foundation.exit(2)
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as ExitCode {
      exit(withError: error)
    } catch let error as BadInput {
      FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
      Foundation.exit(2)
    } catch {
      guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
      FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
      Foundation.exit(2)
    }
  }
}
