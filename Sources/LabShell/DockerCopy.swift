import Foundation
import LabDocker
import LabFiles
import LabImage
import LabJSON
import LabOutput
import LabUtilities

/// `docker cp`, between the sandbox's files and a container's.
///
/// The shell runs it rather than the toolkit, for both sides are file systems the shell
/// knows: its own, and the container's layers with its writable layer on top.
extension Shell {
  /// `docker cp` or `docker container cp`; `nil` for any other docker command.
  mutating func dockerCopy(_ words: [String]) -> CommandOutput? {
    var rest = words.dropFirst()
    if rest.first == "container" { rest = rest.dropFirst() }
    guard rest.first == "cp" else { return nil }
    rest = rest.dropFirst()
    var quiet = false
    var operands: [String] = []
    for word in rest {
      switch word {
      case "-q", "--quiet": quiet = true
      case "-a", "--archive", "-L", "--follow-link": break
      case "--help":
        return CommandOutput(
          stdout: "\nUsage:  docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
            + "\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
            + "Copy files/folders between a container and the local filesystem\n")
      default:
        if word.hasPrefix("-") && word != "-" {
          return .failure("unknown flag: \(word)\nSee 'docker cp --help'.", status: 125)
        }
        operands.append(word)
      }
    }
    guard operands.count == 2 else {
      return .failure(
        "\"docker cp\" requires exactly 2 arguments.\nSee 'docker cp --help'.\n\nUsage:  docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\nCopy files/folders between a container and the local filesystem"
      )
    }
    let source = Self.containerPath(operands[0])
    let destination = Self.containerPath(operands[1])
    switch (source, destination) {
    case (.some, .some):
      return .failure("copying between containers is not supported")
    case (nil, nil):
      return .failure("must specify at least one container source")
    default:
      break
    }
    if operands.contains("-") {
      return .failure("docker cp with '-': not part of the LayerLab toolkit; copy to a file")
    }
    let name = (source ?? destination)?.container ?? ""
    let container: Container
    do {
      container = try docker.store.findContainer(name)
    } catch {
      return .failure("Error response from daemon: \(error)")
    }
    guard var inside = containerFileSystem(container) else {
      return .failure("Error response from daemon: the container's layers are missing")
    }
    let workdir = container.config["WorkingDir"]?.stringValue ?? ""
    let insideDirectory = workdir.isEmpty ? "/" : workdir
    var copied: Int64 = 0
    do {
      if let source {
        guard inside.exists(source.path, from: insideDirectory) else {
          return .failure(
            "Error response from daemon: Could not find the file \(source.path) in container \(name)"
          )
        }
        copied = try Self.copy(
          source.path, in: inside, from: insideDirectory, to: operands[1], in: &fileSystem,
          from: directory)
      } else if let destination {
        guard fileSystem.exists(operands[0], from: directory) else {
          let absolute = fileSystem.normalize(operands[0], from: directory)
          return .failure("lstat \(absolute): no such file or directory")
        }
        copied = try Self.copy(
          operands[0], in: fileSystem, from: directory, to: destination.path, in: &inside,
          from: insideDirectory)
      }
    } catch {
      return .failure("Error response from daemon: \(error)")
    }
    guard !quiet else { return CommandOutput() }
    let shown = source == nil ? operands[1] : fileSystem.normalize(operands[1], from: directory)
    return CommandOutput(
      stderr: "Successfully copied \(HumanUnits.size(copied, precision: 3)) to \(shown)\n")
  }

  /// `web:/usr/share/nginx/html` as a container and a path; `nil` for a local path.
  static func containerPath(_ text: String) -> (container: String, path: String)? {
    guard !text.hasPrefix("/"), !text.hasPrefix("."), let colon = text.firstIndex(of: ":")
    else { return nil }
    let container = String(text[..<colon])
    guard !container.isEmpty, !container.contains("/") else { return nil }
    let path = String(text[text.index(after: colon)...])
    return (container, path.isEmpty ? "/" : path)
  }

  /// Copies a file or folder as `docker cp` does.
  ///
  /// Into a folder that exists, it goes under its own name; otherwise to the path given. Returns the size of the tar stream it would send.
  static func copy(
    _ source: String, in from: VirtualFileSystem, from sourceDirectory: String,
    to destination: String, in to: inout VirtualFileSystem, from destinationDirectory: String
  ) throws -> Int64 {
    let info = try from.info(source, from: sourceDirectory)
    var target = destination
    if let existing = try? to.info(destination, from: destinationDirectory),
      existing.kind == .directory
    {
      target =
        (destination.hasSuffix("/") ? destination : destination + "/")
        + PathText.name(from.normalize(source, from: sourceDirectory))
    }
    var bytes: Int64 = 1024
    func place(_ source: String, _ target: String, _ info: FileInfo) throws {
      bytes += 512
      if info.kind == .directory {
        if !to.exists(target, from: destinationDirectory) {
          try to.makeDirectory(target, from: destinationDirectory, parents: false)
        }
        for name in try from.list(source, from: sourceDirectory).sorted() {
          let child = try from.info(source + "/" + name, from: sourceDirectory, follow: false)
          try place(source + "/" + name, target + "/" + name, child)
        }
        return
      }
      let content = try from.read(source, from: sourceDirectory)
      bytes += Int64((content.count + 511) / 512 * 512)
      try to.write(content, to: target, from: destinationDirectory)
    }
    try place(source, target, info)
    return bytes
  }
}
