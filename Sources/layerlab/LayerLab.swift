import ArgumentParser

/// The `layerlab` command: a terminal tutorial runner for container-image workshops.
@main
struct LayerLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layerlab",
    abstract: "Run container-image lessons against a built-in Docker image toolkit.",
    subcommands: [
      Check.self, Lint.self, Exec.self, ShellCommand.self, Store.self, SandboxMaintenance.self,
      Tour.self,
    ],
    defaultSubcommand: Tour.self)
}
