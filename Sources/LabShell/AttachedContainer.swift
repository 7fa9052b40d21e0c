import Foundation
import LabDocker
import LabFiles
import LabImage
import LabJSON
import LabOutput
import LabUtilities

/// A container the learner is inside, after `docker run -it alpine sh` or
/// `docker exec -it web bash`: their lines run in its shell until `exit`.
struct AttachedContainer: Sendable {
  var id: String
  /// Entered with `exec`: the container keeps running after `exit`.
  var isExec: Bool
  /// The scratch folder of the files bind-mounted into it.
  var binds: String
  var style: PromptStyle

  /// How the container's shell draws its prompt.
  enum PromptStyle: Sendable {
    /// bash: `root@3f2a4c1d9e0b:/app# `.
    case bash
    /// busybox's ash: `/app # `.
    case ash
    /// dash: `# `.
    case dash
  }
}

extension Shell {
  /// The host name of the container the learner is in (its short ID), or `nil` outside one.
  public var attachedHostname: String? {
    guard attached != nil else { return nil }
    return inner.first?.variables["HOSTNAME"]
  }

  /// The prompt of the container's shell the learner is in, or `nil` outside one.
  var containerPrompt: String? {
    guard let attached, let inner = inner.first else { return nil }
    let mark = inner.isRoot ? "#" : "$"
    let home = inner.variables["HOME"] ?? "/root"
    let shown =
      inner.directory == home
      ? "~"
      : inner.directory.hasPrefix(home + "/")
        ? "~" + inner.directory.dropFirst(home.count) : inner.directory
    switch attached.style {
    case .bash:
      let user = inner.isRoot ? "root" : (inner.variables["USER"] ?? "user")
      return "\(user)@\(inner.variables["HOSTNAME"] ?? ""):\(shown)\(mark) "
    case .ash: return "\(shown) \(mark) "
    case .dash: return "\(mark) "
    }
  }

  /// The sandbox folders a container binds (`docker run -v`), resolved inside the sandbox.
  func containerBinds(_ container: Container) -> [VirtualFileSystem.Bind] {
    container.binds.compactMap { bind in
      fileSystem.hostPathForDocker(bind.source, from: "/").map {
        VirtualFileSystem.Bind(path: bind.target, hostDirectory: $0, isReadOnly: bind.isReadOnly)
      }
    }
  }

  /// The file system of a container, as its program sees it: its layers and its binds.
  func containerFileSystem(_ container: Container) -> VirtualFileSystem? {
    let store = docker.store
    guard let lowers = try? store.lowerDirectories(of: container) else { return nil }
    var fileSystem = VirtualFileSystem(
      layers: lowers, upper: store.upperDirectory(of: container), binds: containerBinds(container))
    fileSystem.now = docker.now
    return fileSystem
  }

  /// Takes the learner into the container a `docker` command opened.
  mutating func enter(_ opened: (id: String, isExec: Bool, command: [String])) -> CommandOutput {
    guard let container = try? docker.store.container(id: opened.id),
      var request = try? ContainerRequest(
        container: container, store: docker.store, command: opened.command, isTerminal: true,
        now: docker.now),
      let binds = try? ScratchDirectory.make("container-binds")
    else {
      return .failure("layerlab: the container could not be entered")
    }
    request.binds = containerBinds(container).map { ($0.path, $0.hostDirectory, $0.isReadOnly) }
    request.registry = docker.registry
    let shell = ContainerProcess.makeShell(request, binds: binds)
    let program = PathText.name(opened.command.first ?? "sh")
    let style: AttachedContainer.PromptStyle =
      program == "bash"
      ? .bash : shell.fileSystem.exists("/bin/busybox", from: "/") ? .ash : .dash
    inner = [shell]
    attached = AttachedContainer(
      id: container.id, isExec: opened.isExec, binds: binds, style: style)
    return CommandOutput()
  }

  /// Runs a line in the container's shell; `exit` brings the learner back.
  mutating func runInside(_ line: String, input: [UInt8]) -> CommandOutput {
    guard var shell = inner.first, let attached else { return CommandOutput() }
    shell.docker.now = docker.now
    shell.fileSystem.now = docker.now
    var output = shell.run(line, input: input)
    inner[0] = shell
    docker.now = max(docker.now, shell.docker.now)
    if let code = shell.exitRequested {
      // bash says so as it leaves; ash and dash say nothing.
      if attached.style == .bash { output.printError("exit\n") }
      leaveContainer(status: code)
      output.status = code
    }
    lastStatus = output.status
    return output
  }

  /// Leaves the container: after `run -it` it has exited, with the shell's status.
  mutating func leaveContainer(status: Int32) {
    guard let attached else { return }
    let store = docker.store
    if !attached.isExec, var container = try? store.container(id: attached.id) {
      container.status = .exited
      container.exitCode = status
      container.finishedAt = docker.now
      if container.autoRemove {
        try? store.removeContainer(container)
      } else {
        try? store.saveContainer(container)
      }
    }
    ScratchDirectory.remove(attached.binds)
    inner = []
    self.attached = nil
  }
}
