import Foundation
import LabDocker
import LabFiles
import LabImage
import LabOutput
import LabUtilities

/// Runs `RUN` instructions for the builder with the sandbox shell, over the image's files.
///
/// The image's layers are the shell's whole file system: reads see the layers merged, writes
/// go to the step's upper directory, and removals leave `.wh.` whiteouts there, as overlayfs
/// does. A program the sandbox does not have fails as `/bin/sh` reports it, status 127.
public enum ImageCommandRunner {
  public static let executor: RunExecutor = { request in run(request) }

  static func run(_ request: RunRequest) -> RunOutcome {
    let fileSystem = VirtualFileSystem(
      layers: request.lowerDirectories, upper: request.upperDirectory)
    let placeholder = ImageStore(root: request.upperDirectory + "/.none")
    var shell = Shell(
      fileSystem: fileSystem,
      docker: DockerEnvironment(store: placeholder, registry: request.registry, now: request.now))
    shell.isRoot = request.user.isEmpty || request.user == "root" || request.user.hasPrefix("0")
    shell.notFoundStyle = .dash
    // The image's own programs: scripts run, a program the sandbox cannot run says so.
    shell.runsInContainer = true
    shell.variables["HOME"] = shell.isRoot ? "/root" : "/home/\(request.user)"
    shell.variables["USER"] = shell.isRoot ? "root" : request.user
    shell.variables["HOSTNAME"] = "buildkitsandbox"
    for (name, value) in request.environment { shell.variables[name] = value }
    if !fileSystem.exists(request.workingDirectory, from: "/") {
      try? fileSystem.makeDirectory(request.workingDirectory, from: "/", parents: true)
    }
    shell.directory = request.workingDirectory
    let output: CommandOutput
    if request.command.count >= 3, request.command[0].hasSuffix("sh"), request.command[1] == "-c" {
      output = shell.run(request.command[2])
    } else {
      output = shell.invoke(request.command, assignments: [], input: [], terminal: false)
    }
    let text = output.interleaved
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    return RunOutcome(output: lines, status: output.status)
  }
}
