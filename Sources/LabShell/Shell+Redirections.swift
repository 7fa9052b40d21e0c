import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLimits
import LabOutput
import LabUtilities

extension Shell {

  enum Sink {
    case stdout, stderr, discard
    case file(String, append: Bool)
  }

  ///
  /// Descriptors past 2 (`3>&1`, `4>/dev/null`) name where `>&3` then goes; with `persists`
  /// (a bare `exec 3>&1`), they stay for the rest of the shell.
  mutating func withRedirections(
    _ redirections: [Redirection], input: [UInt8], terminal: Bool, persists: Bool = false,
    body: (inout Shell, [UInt8], Bool) -> CommandOutput
  ) -> CommandOutput {
    withRedirections(redirections, input: input, terminal: terminal, persists: persists) {
      shell, stdin, isTerminal, _ in body(&shell, stdin, isTerminal)
    }
  }

  /// Runs `body` with the redirections applied: its standard input, whether its output is the
  /// terminal, and, when its standard output alone goes to a file, a stream to that file that
  /// a utility may write through instead of holding its output (see ``StreamedOutput``).
  mutating func withRedirections(
    _ redirections: [Redirection], input: [UInt8], terminal: Bool, persists: Bool = false,
    streamingBody body: (inout Shell, [UInt8], Bool, StreamedOutput?) -> CommandOutput
  ) -> CommandOutput {
    var stdin = input
    var out: Sink = .stdout
    var err: Sink = .stderr
    var descriptors = extraDescriptors
    /// Points `descriptor` at `sink`.
    func assign(_ descriptor: Int, _ sink: Sink) {
      switch descriptor {
      case 1: out = sink
      case 2: err = sink
      default: descriptors[descriptor] = sink
      }
    }
    for redirection in redirections {
      let target = expandToString(redirection.target)
      if isAborting { return CommandOutput(status: 1) }
      switch redirection.kind {
      case .input where target == "/dev/null":
        stdin = []
      case .output where target == "/dev/null", .append where target == "/dev/null",
        .outputAndError where target == "/dev/null",
        .appendOutputAndError where target == "/dev/null":
        if redirection.kind == .outputAndError || redirection.kind == .appendOutputAndError {
          out = .discard
          err = .discard
        } else {
          assign(redirection.descriptor, .discard)
        }
      case .input:
        do {
          stdin = try fileSystem.read(target, from: directory)
        } catch {
          return .failure("bash: \(target): \(error)")
        }
      case .heredoc(let text, let expands):
        stdin = Array((expands ? expandHeredoc(text) : text).utf8)
        if isAborting { return CommandOutput(status: 1) }
      case .herestring:
        stdin = Array((target + "\n").utf8)
      case .output, .append, .outputAndError, .appendOutputAndError:
        let append = redirection.kind == .append || redirection.kind == .appendOutputAndError
        // The file is created (or emptied) before the command runs, as bash does.
        do {
          let existing = append ? ((try? fileSystem.read(target, from: directory)) ?? []) : []
          try fileSystem.write(existing, to: target, from: directory)
          try? fileSystem.touch(target, from: directory, at: docker.now)
        } catch {
          return .failure("bash: \(target): \(error)")
        }
        let sink = Sink.file(target, append: true)
        if redirection.kind == .outputAndError || redirection.kind == .appendOutputAndError {
          out = sink
          err = sink
        } else {
          assign(redirection.descriptor, sink)
        }
      case .duplicate:
        let to: Sink
        switch target {
        case "1": to = out
        case "2": to = err
        case "-": continue
        default:
          guard let number = Int(target), number >= 0 else {
            return .failure("bash: \(target): ambiguous redirect")
          }
          guard let sink = descriptors[number] else {
            return .failure("bash: \(number): Bad file descriptor")
          }
          to = sink
        }
        assign(redirection.descriptor, to)
      }
    }
    if persists { extraDescriptors = descriptors }
    let isTerminal: Bool
    if case .stdout = out { isTerminal = terminal } else { isTerminal = false }
    // Standard error into the same file must keep its place among the lines: then nothing
    // streams.
    var stream: StreamedOutput?
    if case .file(let path, _) = out, !sameFile(err, path) {
      let fileSystem = self.fileSystem
      let directory = self.directory
      stream = StreamedOutput { bytes in
        try? fileSystem.write(bytes, to: path, from: directory, append: true)
      }
    }
    let result = body(&self, stdin, isTerminal, stream)
    stream?.flush()
    var output = CommandOutput(status: result.status)
    func route(_ bytes: [UInt8], _ sink: Sink) {
      switch sink {
      case .stdout: output.write(bytes)
      case .stderr: output.write(bytes, isError: true)
      case .discard: break
      case .file(let path, _):
        if !bytes.isEmpty { try? fileSystem.write(bytes, to: path, from: directory, append: true) }
      }
    }
    for chunk in result.chunks { route(chunk.bytes, chunk.isError ? err : out) }
    return output
  }

  /// Whether `sink` is the file at `path`.
  private func sameFile(_ sink: Sink, _ path: String) -> Bool {
    guard case .file(let other, _) = sink else { return false }
    return fileSystem.normalize(other, from: directory)
      == fileSystem.normalize(path, from: directory)
  }
}
