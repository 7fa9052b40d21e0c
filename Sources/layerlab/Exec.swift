import ArgumentParser
import Foundation
import LabDocker
import LabOutput
import LabShell

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
        The sandbox's home is a workspace beside the store (`layerlab store path` shows both);
        with --workdir DIR it is DIR instead, and the sandbox can change files there. Output and
        exit status are the command's.
        """)

    @OptionGroup var options: StoreOptions

    @Option(
      help: ArgumentHelp(
        "Use DIR as the sandbox's home: commands can change files there (default: a workspace beside the store).",
        valueName: "dir"))
    var workdir: String?

    @Argument(
      parsing: .captureForPassthrough, help: "The command line, or a command and its arguments.")
    var words: [String] = []

    func run() throws {
      var words = words
      // `layerlab exec --help`: the words are not taken apart, so ask for help here.
      if words == ["--help"] || words == ["-h"] { throw CleanExit.helpRequest(self) }
      if words.first == "--" { words.removeFirst() }
      guard !words.isEmpty else {
        throw ValidationError("give a command, such as: layerlab exec -- docker image ls")
      }
      var session = try options.session(workdir: workdir, isTerminal: isatty(1) != 0)
      let result =
        words.count == 1 ? session.run(words[0]) : session.run(arguments: words)
      emit(result)
      if result.status != 0 { throw ExitCode(result.status) }
    }
  }
}
