import ArgumentParser
import Foundation
import LabDocker
import LabImage
import LabLimits
import LabShell
import LabTerminal

extension LayerLab {
  /// The interactive playground: a bash-like prompt over the sandbox.
  struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "shell",
      abstract:
        "Open a sandbox shell: Docker's image commands and a few utilities, nothing of the host.")

    @OptionGroup var options: StoreOptions

    @Option(
      help: ArgumentHelp(
        "Use DIR as the sandbox's home: commands can change files there (default: a workspace beside the store).",
        valueName: "dir"))
    var workdir: String?

    func run() throws {
      var session = try options.session(workdir: workdir, isTerminal: isatty(1) != 0)
      let editor =
        Terminal.isInteractive
        ? LineEditor(historyFile: options.dataDirectory + "/history") { [session] line in
          session.sandbox.shell.completions(for: line)
        } : nil
      Interrupt.install(for: &session.sandbox)
      if editor != nil {
        printOut(
          "LayerLab sandbox shell: Docker's image toolkit and the usual utilities, nothing of the host. Type help, or exit.\n"
        )
      }
      while true {
        // Cleared before the prompt, not after the line: a Ctrl-C pressed just after Enter,
        // before the command starts, still stops it.
        session.sandbox.interruption.clear()
        guard var line = read(session.sandbox.shell.prompt, editor) else {
          if editor != nil { printOut("exit\n") }
          break
        }
        // An open quote, here-document, `if` or loop goes on at bash's `> ` prompt.
        var cancelled = false
        while ShellParser.needsMoreInput(line) {
          guard let more = read("> ", editor) else { break }
          if more == Self.cancelled {
            cancelled = true
            break
          }
          line += "\n" + more
        }
        if cancelled || line == Self.cancelled { continue }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        editor?.remember(line)
        if trimmed == "help" {
          printOut(Self.help(session.sandbox.shell))
          continue
        }
        if trimmed == "exit" && session.sandbox.shell.isRoot {
          session.sandbox.shell.isRoot = false
          continue
        }
        let result = session.run(line)
        emit(result)
        if editor != nil, let hint = PullHint.line(after: result, registry: session.registry) {
          printError(hint + "\n")
        }
        if let status = session.sandbox.shell.exitRequested { throw ExitCode(status) }
      }
    }

    /// What `read` returns for a line cancelled with Ctrl-C.
    static let cancelled = "\u{3}"

    private func read(_ prompt: String, _ editor: LineEditor?) -> String? {
      guard let editor else {
        printOut(prompt)
        return readLine(strippingNewline: true)
      }
      switch editor.read(prompt: prompt) {
      case .line(let line): return line
      case .cancelled: return Self.cancelled
      case .endOfInput: return nil
      }
    }

    /// The `help` builtin: what the sandbox has, wrapped to the terminal's width.
    static func help(_ shell: Shell) -> String {
      let width = max(40, Terminal.width)
      let rows: [(String, String)] = [
        ("docker", Docker.completions(after: []).joined(separator: " ")),
        ("utilities", Shell.utilityNames.sorted().joined(separator: " ")),
        (
          "dive",
          "IMAGE: each layer's files and the space they waste, full screen (q leaves); --ci for dive's rules"
        ),
        (
          "the shell",
          "quotes, $VAR, $(...), pipes, &&, ||, redirections, here-documents, globs, {a,b} braces, if/for/while/until, sudo"
        ),
        (
          "files",
          "~ is your workspace, /tmp is scratch, /var/lib/docker is the store (read-only, and root only: sudo ls /var/lib/docker)"
        ),
        ("keys", "Tab completes, Ctrl-R searches the history, Ctrl-C cancels, Ctrl-D leaves"),
      ]
      var out =
        Terminal.wrap(
          "A sandbox: a bash-like shell over a virtual file system, with Docker's image toolkit built in. Nothing here reaches the host.",
          width: width
        ).joined(separator: "\n") + "\n\n"
      let indent = String(repeating: " ", count: 14)
      for (name, text) in rows {
        let label = "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
        out +=
          (label
            + Terminal.wrap(text, width: width - 14, indent: "").joined(separator: "\n" + indent))
          + "\n"
      }
      return out
    }
  }
}

/// Ctrl-C while a command runs: it stops the command's loops, never the shell.
enum Interrupt {
  /// The flag the signal handler raises; one per process.
  static let flag = Interruption()

  static func install(for sandbox: inout Sandbox) {
    sandbox.interruption = flag
    signal(SIGINT) { _ in Interrupt.flag.raise() }
    // A person at a terminal may open full-screen programs (dive) from the sandbox.
    sandbox.shell.allowsFullScreen = Terminal.isInteractive
  }
}
