import ArgumentParser
import Foundation
import LabDocker

extension LayerLab {
  /// One command in the sandbox, scriptable.
  struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run one command line in the sandbox.",
      discussion: """
        With one word, the word is a command line for the sandbox shell:
          layerlab exec -- 'docker image ls -q'
        With several, they are the command and its arguments exactly as given:
          layerlab exec -- docker inspect -f '{{len .RootFS.Layers}}' nginx
        The current directory is the workspace. Output and exit status are the command's.
        """)

    @OptionGroup var options: StoreOptions

    @Option(help: "The workspace directory (default: the current directory).")
    var workdir: String?

    @Argument(
      parsing: .captureForPassthrough, help: "The command line, or a command and its arguments.")
    var words: [String] = []

    func run() throws {
      var words = words
      if words.first == "--" { words.removeFirst() }
      guard !words.isEmpty else {
        throw ValidationError("give a command, such as: layerlab exec -- docker image ls")
      }
      var session = try SandboxSession(
        options: options, workingDirectory: workdir ?? FileManager.default.currentDirectoryPath)
      let result = try session.run(
        words, standardInput: Self.readStandardInput, isTerminal: isatty(1) != 0)
      emit(result)
      if result.status != 0 { throw ExitCode(result.status) }
    }

    /// Standard input, read whole when a command asks; a terminal is not read.
    @Sendable static func readStandardInput() -> String? {
      guard isatty(0) == 0 else { return nil }
      let data = FileHandle.standardInput.readDataToEndOfFile()
      return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }
  }
}
