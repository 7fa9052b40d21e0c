import Foundation
import LabImage

extension Docker {
  static let saveCommand = DockerCommand(
    paths: [["image", "save"], ["save"]], usageTail: "[OPTIONS] IMAGE [IMAGE...]",
    summary: "Save one or more images to a tar archive (streamed to STDOUT by default)",
    flags: [
      FlagSpec("output", "o", .string, "Write to a file, instead of STDOUT"),
      FlagSpec(
        "platform", nil, .strings, "Save only the given platform variant.", valueName: "stringArray"
      ),
    ],
    arguments: .atLeast(1)
  ) { docker, flags in docker.save(flags) }

  static let loadCommand = DockerCommand(
    paths: [["image", "load"], ["load"]], usageTail: "[OPTIONS]",
    summary: "Load an image from a tar archive or STDIN",
    flags: [
      FlagSpec("input", "i", .string, "Read from tar archive file, instead of STDIN"),
      FlagSpec(
        "platform", nil, .strings, "Load only the given platform variant.", valueName: "stringArray"
      ),
      FlagSpec("quiet", "q", .bool, "Suppress the load output"),
    ],
    arguments: .none
  ) { docker, flags in docker.load(flags) }

  func save(_ flags: ParsedFlags) -> CommandResult {
    guard let output = flags.string("output") else {
      if environment.isTerminal {
        return .failure("cowardly refusing to save to a terminal. Use the -o flag or redirect")
      }
      return .failure(
        "docker save: writing an archive to standard output is not supported in this sandbox; use -o FILE"
      )
    }
    guard let path = sandboxPath(output) else {
      return .failure("failed to save image: open \(output): read-only file system")
    }
    var images: [(id: Digest, references: [ImageReference])] = []
    for name in flags.arguments {
      do {
        let id = try environment.store.resolveImage(name)
        var references: [ImageReference] = []
        if case .named(let reference) = try ImageLookup.parse(name).0,
          try environment.store.referenceTable().image(for: reference.withDefaultTag) == id
        {
          references = [reference.withDefaultTag]
        }
        if let index = images.firstIndex(where: { $0.id == id }) {
          images[index].references += references
        } else {
          images.append((id, references))
        }
      } catch {
        return daemonError(error)
      }
    }
    do {
      try environment.store.save(images, to: path)
    } catch {
      return .failure("failed to save image: \(error)")
    }
    return CommandResult()
  }

  func load(_ flags: ParsedFlags) -> CommandResult {
    guard let input = flags.string("input") else {
      guard environment.standardInput() != nil else {
        return .failure("requested load from stdin, but stdin is empty")
      }
      return .failure(
        "docker load: reading an archive from standard input is not supported in this sandbox; use -i FILE"
      )
    }
    guard let path = sandboxPath(input), FileManager.default.fileExists(atPath: path) else {
      return .failure("open \(input): no such file or directory")
    }
    do {
      let report = try environment.store.load(archiveAt: path, at: environment.now)
      if flags.bool("quiet") { return CommandResult() }
      return CommandResult(stdout: report.lines.map { $0 + "\n" }.joined())
    } catch {
      return daemonError(error)
    }
  }
}
