import Foundation
import LabDocker
import LabFiles
import LabImage
import LabLimits
import LabOutput
import LabUtilities

/// The sandbox as a command runs in it: the shell, its file system and the `docker` toolkit.
///
/// No command ever starts a host process. Commands the sandbox does not have fail as bash
/// reports a missing program.
public struct Sandbox: Sendable {
  public var shell: Shell
  /// The disk the session's store and workspace may fill, shared by its commands.
  public var quota: DiskQuota
  /// Ctrl-C: raised by the terminal's handler, seen by the running command's loops.
  public var interruption = Interruption()
  /// How long one command line may run, in seconds.
  public var timeout = 30
  /// How many loop rounds one command line may run, however its loops nest.
  public var loopRounds = Budget.maximumRounds

  /// A sandbox whose home directory is `environment.workingDirectory` and whose
  /// `/var/lib/docker` is the store.
  public init(environment: DockerEnvironment) {
    let temporary = "\(environment.store.stateDirectory)/tmp"
    try? HostPaths.createDirectories(temporary)
    let fileSystem = VirtualFileSystem(
      storeRoot: environment.store.root, workspace: environment.workingDirectory,
      temporary: temporary)
    shell = Shell(fileSystem: fileSystem, docker: environment)
    let roots = [environment.store.root, environment.workingDirectory]
    quota = DiskQuota(bytes: DiskQuota.defaultBytes) {
      roots.reduce(0) { $0 + HostDirectory($1).diskUsage() }
    }
  }

  /// A sandbox over a file system of the caller's making (a check's look-only view), with its
  /// own disk quota.
  init(environment: DockerEnvironment, fileSystem: VirtualFileSystem, quota: DiskQuota) {
    shell = Shell(fileSystem: fileSystem, docker: environment)
    self.quota = quota
  }

  /// The budget one command line runs under.
  func budget() -> Budget {
    Budget(seconds: timeout, disk: quota, interruption: interruption, rounds: loopRounds)
  }

  /// Runs one command line with the whole shell language.
  public mutating func run(commandLine: String, input: [UInt8] = []) -> CommandOutput {
    let output = Budget.$current.withValue(budget()) { shell.run(commandLine, input: input) }
    return result(output)
  }

  /// Runs a command given as words, with no further splitting or expansion; leading
  /// `NAME=value` words set its environment.
  public mutating func run(arguments: [String], input: [UInt8] = []) -> CommandOutput {
    var words = arguments[...]
    var assignments: [(String, String)] = []
    while let first = words.first, let equals = first.firstIndex(of: "="),
      equals != first.startIndex,
      first[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
    {
      assignments.append((String(first[..<equals]), String(first[first.index(after: equals)...])))
      words.removeFirst()
    }
    guard !words.isEmpty else { return CommandOutput() }
    shell.fileSystem.now = shell.docker.now
    let output = Budget.$current.withValue(budget()) {
      shell.invoke(Array(words), assignments: assignments, input: input, terminal: true)
    }
    return result(output)
  }

  /// The output with host paths hidden; an archive on standard output stays bytes, whole.
  func result(_ output: CommandOutput) -> CommandOutput {
    var result = CommandOutput(status: output.status)
    for chunk in output.chunks {
      if !chunk.isError, String(validating: chunk.bytes, as: UTF8.self) == nil {
        result.write(chunk.bytes)
      } else {
        result.write(Array(hidingHostPaths(chunk.text).utf8), isError: chunk.isError)
      }
    }
    return result
  }

  /// Text with every host directory behind a mount written as the sandbox's path, so no
  /// message, whatever produced it, shows where the sandbox lives on the host.
  func hidingHostPaths(_ text: String) -> String {
    var text = text
    for mount in shell.fileSystem.mounts.sorted(by: {
      $0.tree.top.path.count > $1.tree.top.path.count
    })
    where Self.mentions(text, mount.tree.top.path) {
      text = text.replacingOccurrences(of: mount.tree.top.path, with: mount.path)
    }
    return text
  }

  /// Whether `text` holds `path`.
  ///
  /// A search of the bytes: Foundation's search of a long output (`docker image ls` in a large
  /// store) cost more than making it. A path with other than ASCII is left to Foundation, which also finds its other
  /// canonically equivalent spellings.
  static func mentions(_ text: String, _ path: String) -> Bool {
    guard path.utf8.allSatisfy({ $0 < 0x80 }) else { return text.contains(path) }
    var text = text
    var path = path
    return text.withUTF8 { haystack in
      path.withUTF8 { needle in
        guard let needleStart = needle.baseAddress else { return true }
        guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
        let last = haystack.count - needle.count
        var start = 0
        // memchr to each candidate first byte, then one comparison.
        while start <= last {
          guard let found = memchr(base + start, Int32(needleStart[0]), last - start + 1) else {
            return false
          }
          if memcmp(found, needleStart, needle.count) == 0 { return true }
          start = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return false
      }
    }
  }
}
