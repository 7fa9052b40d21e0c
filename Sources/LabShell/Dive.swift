import Foundation
import LabDive
import LabDocker
import LabFiles
import LabOutput
import LabUtilities

extension Shell {
  /// `dive IMAGE`: the layer explorer over the session's store; full screen only for a person
  /// at a terminal, otherwise its CI report, JSON export or plain per-layer report.
  mutating func runDive(_ invocation: Invocation, assignments: [(String, String)])
    -> CommandOutput
  {
    var variables = self.variables
    for (key, value) in assignments { variables[key] = value }
    let fileSystem = self.fileSystem
    let directory = self.directory
    var environment = docker
    environment.isTerminal = docker.isTerminal && invocation.outputIsTerminal
    environment.workingDirectory =
      (try? fileSystem.hostPath(directory, from: "/")) ?? environment.workingDirectory
    environment.resolvePath = { path in fileSystem.hostPathForDocker(path, from: directory) }
    environment.sandboxDirectory = directory
    let pullEnvironment = environment
    let isPerson = allowsFullScreen && invocation.outputIsTerminal
    var fullScreen: (@Sendable (String, DiveExplorer) -> Void)?
    if isPerson {
      fullScreen = { preamble, explorer in
        FileHandle.standardOutput.write(Data(preamble.utf8))
        DiveTerminal.run(explorer)
      }
    }
    let dive = DiveCommand.Environment(
      store: docker.store, variables: variables,
      readFile: { path in
        guard (try? fileSystem.info(path, from: directory))?.kind == .file else { return nil }
        return try? fileSystem.read(path, from: directory)
      },
      writeFile: { path, bytes in
        do {
          try fileSystem.write(bytes, to: path, from: directory)
          return nil
        } catch {
          return "open \(path): \(error)"
        }
      },
      pull: { name in Docker(environment: pullEnvironment).run(["pull", name]) },
      usesColor: isPerson && variables["NO_COLOR"] == nil, fullScreen: fullScreen)
    return DiveCommand.run(invocation.arguments, in: dive)
  }
}
