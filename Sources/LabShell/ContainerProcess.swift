import Foundation
import LabDocker
import LabFiles
import LabImage
import LabOutput
import LabUtilities

/// Runs a container's program with the sandbox shell, over the container's files.
///
/// The image's layers, under the container's init layer and its own writable layer, are the
/// shell's whole file system. What can run is what the sandbox can honestly run: shell scripts,
/// the sandbox's utilities (in an image that has a shell, as busybox, alpine and debian do),
/// and a few programs modelled small (``Shell/runContainerProgram(_:input:)``). A program the
/// image does not have fails to start as runc reports it.
public enum ContainerProcess {
  public static let runner: ContainerRunner = { request in run(request) }

  static func run(_ request: ContainerRequest) -> ContainerOutcome {
    // The files the daemon bind-mounts (hostname, hosts, resolv.conf) lie over the layers.
    guard let binds = try? ScratchDirectory.make("container-binds") else {
      return ContainerOutcome(
        output: .failure("layerlab: no scratch space for the container"), startError: nil)
    }
    defer { ScratchDirectory.remove(binds) }
    var shell = makeShell(request, binds: binds)
    guard let program = request.command.first, !program.isEmpty else {
      return ContainerOutcome(
        output: CommandOutput(),
        startError: ("no command specified", 125))
    }
    if let problem = shell.startProblem(program) {
      return ContainerOutcome(output: CommandOutput(), startError: problem)
    }
    let output = shell.invoke(
      request.command, assignments: [], input: request.input, terminal: request.isTerminal)
    return ContainerOutcome(
      output: output, startError: nil, server: shell.startedServer, now: shell.docker.now)
  }

  /// A shell over a container's files, with its environment, user and directory: `binds` is
  /// a scratch folder for the files the daemon bind-mounts, which must outlive the shell.
  static func makeShell(_ request: ContainerRequest, binds: String) -> Shell {
    for (path, bytes) in request.boundFiles {
      try? HostPaths.createDirectories(binds + "/" + PathText.parent(path))
      try? HostPaths.createFile(binds + "/" + path, contents: bytes)
    }
    // The files take the container's time, as everything the sandbox shows does.
    ImageStore.stamp(tree: binds, at: request.now)
    let fileSystem = VirtualFileSystem(
      layers: [binds] + request.lowerDirectories, upper: request.upperDirectory,
      binds: request.binds.map {
        VirtualFileSystem.Bind(
          path: $0.path, hostDirectory: $0.hostDirectory, isReadOnly: $0.isReadOnly)
      })
    let placeholder = ImageStore(root: request.upperDirectory + "/.none")
    var shell = Shell(
      fileSystem: fileSystem,
      docker: DockerEnvironment(store: placeholder, registry: request.registry, now: request.now))
    shell.runsInContainer = true
    // What the program writes takes the virtual time, as the rest of the sandbox does.
    shell.fileSystem.now = request.now
    shell.notFoundStyle = .dash
    shell.isRoot = request.user.isEmpty || request.user == "root" || request.user.hasPrefix("0")
    shell.variables = [:]
    shell.variables["HOME"] = shell.isRoot ? "/root" : "/home/\(request.user)"
    shell.variables["HOSTNAME"] = request.hostname
    shell.variables["PATH"] = Self.defaultPath
    for pair in request.environment {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      shell.variables[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    let directory = request.workingDirectory.isEmpty ? "/" : request.workingDirectory
    if !fileSystem.exists(directory, from: "/") {
      try? fileSystem.makeDirectory(directory, from: "/", parents: true)
    }
    shell.directory = directory
    shell.variables["PWD"] = directory
    return shell
  }

  /// The `PATH` a container has when its image sets none.
  static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

extension Shell {
  /// Why a container's program cannot start, as runc says it, with Docker's status.
  func startProblem(_ program: String) -> (message: String, status: Int32)? {
    if program.contains("/") {
      guard let entry = try? fileSystem.info(program, from: directory) else {
        return ("exec: \"\(program)\": stat \(program): no such file or directory", 127)
      }
      if entry.kind == .directory || entry.mode & 0o111 == 0 {
        return ("exec: \"\(program)\": permission denied", 126)
      }
      return nil
    }
    if programPath(program) != nil { return nil }
    if imageHasShell, Self.builtins[program] != nil || Utilities.named(program) != nil {
      return nil
    }
    return ("exec: \"\(program)\": executable file not found in $PATH", 127)
  }

  /// Whether the image has a shell: then it has an operating system's userland, and the
  /// sandbox's utilities stand in for the programs its miniature leaves out.
  var imageHasShell: Bool {
    ["/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/bash"].contains {
      fileSystem.exists($0, from: "/")
    }
  }

  /// The program `name` on the container's `PATH`.
  func programPath(_ name: String) -> String? {
    let path = variables["PATH"] ?? ContainerProcess.defaultPath
    for directory in path.split(separator: ":") {
      let candidate = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
      if let entry = try? fileSystem.info(candidate, from: "/"), entry.kind != .directory,
        entry.mode & 0o111 != 0
      {
        return candidate
      }
    }
    return nil
  }
}
