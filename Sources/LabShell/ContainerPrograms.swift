import Foundation
import LabDocker
import LabFiles
import LabOutput
import LabUtilities

/// The programs of an image, as a container runs them.
///
/// A script runs in the shell. A binary is an image's real program, which the sandbox cannot
/// execute; a few are modelled small and honestly (hello-world's greeting, the versions
/// `python`, `node` and `nginx` report, nginx serving files), and the others fail with a
/// message that names the limit rather than pretend.
extension Shell {
  /// Runs `words` as an image's program; `nil` when the image has no such program.
  mutating func runContainerProgram(_ words: [String], input: [UInt8]) -> CommandOutput? {
    guard let name = words.first else { return nil }
    let path: String
    if name.contains("/") {
      path = name
    } else if let found = programPath(name) {
      path = found
    } else {
      return nil
    }
    guard let entry = try? fileSystem.info(path, from: directory), entry.kind != .directory else {
      return nil
    }
    let arguments = Array(words.dropFirst())
    let head = (try? fileSystem.read(path, from: directory)) ?? []
    if head.starts(with: Array("#!".utf8)) {
      let firstLine = String(decoding: head.prefix { $0 != 10 }.dropFirst(2), as: UTF8.self)
      var interpreter = firstLine.split(separator: " ").map(String.init)
      if let first = interpreter.first, PathText.name(first) == "env" { interpreter.removeFirst() }
      let program = interpreter.first.map { PathText.name($0) } ?? "sh"
      if ["sh", "bash", "ash", "dash"].contains(program) {
        return runScript(
          Invocation(name: path, arguments: arguments, input: input, outputIsTerminal: false))
      }
      return modelledProgram(program, path: path, arguments: [path] + arguments, file: [])
    }
    let program = PathText.name(path)
    // A program a package installed: its version, as the real one prints it.
    if let text = packageProgramVersion(path: path, arguments: arguments) {
      return CommandOutput(stdout: text)
    }
    // busybox's applets, debian's coreutils: the sandbox's own utilities stand in for them.
    if Self.builtins[program] != nil || Utilities.named(program) != nil {
      return invoke([program] + arguments, assignments: [], input: input, terminal: false)
    }
    return modelledProgram(program, path: path, arguments: arguments, file: head)
  }

  /// A program modelled small, or the honest refusal.
  mutating func modelledProgram(
    _ program: String, path: String, arguments: [String], file: [UInt8]
  ) -> CommandOutput {
    let asksVersion = ["--version", "-V", "-v", "version"].contains(arguments.first ?? "")
    if let (manager, rest) = Self.packageManager(program: program, arguments: arguments) {
      return runPackageManager(manager, name: program, arguments: rest)
    }
    // A console script pip installed (`flask --version`), run by python.
    if program.hasPrefix("python"), let script = arguments.first,
      let text = packageProgramVersion(path: script, arguments: Array(arguments.dropFirst()))
    {
      return CommandOutput(stdout: text)
    }
    switch program {
    case "busybox" where !arguments.isEmpty:
      return invoke(arguments, assignments: [], input: [], terminal: false)
    case _ where program.hasPrefix("python") && asksVersion:
      if let version = variables["PYTHON_VERSION"] {
        return CommandOutput(stdout: "Python \(version)\n")
      }
    case _ where program.hasPrefix("python") && arguments.first == "-c" && arguments.count > 1:
      if let printed = Self.pythonPrints(arguments[1]) { return CommandOutput(stdout: printed) }
    case _ where program.hasPrefix("python") && arguments.first?.hasSuffix(".py") == true:
      // A script of `print("…")` lines, as first lessons write: `CMD ["python", "app.py"]`.
      let script = arguments[0]
      guard let bytes = try? fileSystem.read(script, from: directory) else {
        return .failure(
          "\(program): can't open file '\(script)': [Errno 2] No such file or directory",
          status: 2)
      }
      if let printed = Self.pythonPrints(String(decoding: bytes, as: UTF8.self)) {
        return CommandOutput(stdout: printed)
      }
    case "node", "nodejs":
      if asksVersion, let version = variables["NODE_VERSION"] {
        return CommandOutput(stdout: "v\(version)\n")
      }
    case "nginx":
      return nginx(arguments)
    default:
      // A static program that writes one fixed text (hello-world's `/hello`).
      if let text = Self.fixedText(in: file) { return CommandOutput(stdout: text) }
    }
    return .failure(
      "layerlab: \(path) cannot run in the sandbox: it runs shell scripts, its own utilities "
        + "and a few modelled programs, not this one",
      status: 126)
  }

  /// What `python -c` prints for a program of `print("…")` calls, the one kind modelled.
  static func pythonPrints(_ code: String) -> String? {
    var output = ""
    for statement in code.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
      let text = statement.trimmingCharacters(in: .whitespaces)
      if text.isEmpty || text.hasPrefix("#") { continue }
      guard let match = text.wholeMatch(of: #/print\((['"])([^'"\\]*)\1\)/#) else { return nil }
      output += match.output.2 + "\n"
    }
    return output
  }

  /// nginx: its version, its configuration test, or the server, which stays up.
  mutating func nginx(_ arguments: [String]) -> CommandOutput {
    let version = variables["NGINX_VERSION"] ?? "1.27.1"
    switch arguments.first {
    case "-v":
      return CommandOutput(stderr: "nginx version: nginx/\(version)\n")
    case "-t":
      return CommandOutput(
        stderr: "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
          + "nginx: configuration file /etc/nginx/nginx.conf test is successful\n")
    default:
      startedServer = "nginx"
      // What nginx makes as it starts: its PID file and its temporary folders.
      try? fileSystem.write(Array("1\n".utf8), to: "/run/nginx.pid", from: "/")
      for folder in ["client_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp"] {
        try? fileSystem.makeDirectory("/var/cache/nginx/" + folder, from: "/", parents: true)
      }
      let stamp = Self.nginxTime(docker.now)
      let notices = [
        "using the \"epoll\" event method", "nginx/\(version)",
        "built by gcc 12.2.0 (Debian 12.2.0-14) ", "OS: Linux 6.10.4-linuxkit",
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes",
        "start worker process 29",
      ]
      return CommandOutput(
        stderr: notices.map { "\(stamp) [notice] 1#1: \($0)\n" }.joined())
    }
  }

  /// nginx's log time: `2024/09/01 12:00:00`.
  static func nginxTime(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy/MM/dd HH:mm:ss"
    return formatter.string(from: date)
  }

  /// The one long text a small static program holds, as it writes it: the longest run of
  /// printable bytes between NULs, if it is long enough to be a message.
  static func fixedText(in file: [UInt8]) -> String? {
    guard file.starts(with: [0x7F, 0x45, 0x4C, 0x46]) else { return nil }
    var best: ArraySlice<UInt8> = []
    for run in file.split(separator: 0) where run.count > best.count {
      if run.allSatisfy({ $0 == 10 || ($0 >= 32 && $0 < 127) }) { best = run }
    }
    let lines = best.filter { $0 == 10 }.count
    let letters = best.filter { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 || $0 == 32 }.count
    guard best.count >= 64, lines >= 2, letters * 2 > best.count else { return nil }
    return String(decoding: best, as: UTF8.self)
  }
}
