import Foundation
import LabArchive
import LabFiles
import LabImage
import LabOutput

extension Docker {
  static let saveCommand = DockerCommand(
    paths: [["image", "save"], ["save"]], usageTail: "[OPTIONS] IMAGE [IMAGE...]",
    summary: "Save one or more images to a tar archive (streamed to STDOUT by default)",
    flags: [
      FlagSpec("output", "o", .string, "Write to a file, instead of STDOUT")
    ],
    // It stages layers in the store's tmp directory.
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.save(flags) }

  static let loadCommand = DockerCommand(
    paths: [["image", "load"], ["load"]], usageTail: "[OPTIONS]",
    summary: "Load an image from a tar archive or STDIN",
    flags: [
      FlagSpec("input", "i", .string, "Read from tar archive file, instead of STDIN"),
      FlagSpec("quiet", "q", .bool, "Suppress the load output"),
    ],
    arguments: .none, writesStore: true
  ) { docker, flags in docker.load(flags) }

  func save(_ flags: ParsedFlags) -> CommandOutput {
    let toStandardOutput = flags.string("output") == nil
    if toStandardOutput && environment.isTerminal {
      return .failure("cowardly refusing to save to a terminal. Use the -o flag or redirect")
    }
    // Without -o the archive goes to standard output, through a scratch file.
    let scratch = "\(environment.store.root)/tmp/stdout-\(UUID().uuidString).tar"
    defer { try? FileManager.default.removeStoreItem(atPath: scratch) }
    let output = flags.string("output") ?? scratch
    guard let path = toStandardOutput ? scratch : sandboxPath(output) else {
      return .failure("failed to save image: open \(output): read-only file system")
    }
    if !toStandardOutput,
      let status = try? HostDirectory(PathText.parent(path)).status(
        PathText.name(path)), status.kind != .file
    {
      return .failure(
        "failed to save image: invalid output path: \"\(output)\" must be a directory or a regular file"
      )
    }
    var images: [(id: Digest, references: [ImageReference])] = []
    func add(_ id: Digest, _ references: [ImageReference]) {
      guard let index = images.firstIndex(where: { $0.id == id }) else {
        images.append((id, references))
        return
      }
      for reference in references where !images[index].references.contains(reference) {
        images[index].references.append(reference)
      }
    }
    for name in flags.arguments {
      do {
        // A repository without tag or digest saves every image of the repository with its
        // tags, as moby's tarexport does (`ReferencesByName`); only an unknown repository
        // falls back to an image ID.
        if case .named(let reference) = try? ImageLookup.parse(name).0, reference.isNameOnly {
          let named = try environment.store.referenceTable().all.filter {
            $0.reference.familiarName == reference.familiarName
          }
          for (reference, id) in named { add(id, reference.tag == nil ? [] : [reference]) }
          if !named.isEmpty { continue }
        }
        let id = try environment.store.resolveImage(name)
        var references: [ImageReference] = []
        if case .named(let reference) = try ImageLookup.parse(name).0,
          try environment.store.referenceTable().image(for: reference.withDefaultTag) == id
        {
          references = [reference.withDefaultTag]
        }
        add(id, references)
      } catch {
        return daemonError(error)
      }
    }
    do {
      try FileManager.default.createDirectory(
        atPath: PathText.parent(scratch), withIntermediateDirectories: true)
      try environment.store.save(images, to: path)
    } catch {
      return .failure("failed to save image: \(error)")
    }
    guard toStandardOutput else {
      ImageStore.setTime(environment.now, of: path)
      ImageStore.setTime(environment.now, of: PathText.parent(path))
      return CommandOutput()
    }
    // The archive goes to standard output as bytes, whole.
    return CommandOutput(stdout: FileManager.default.contents(atPath: path).map { Array($0) } ?? [])
  }

  func load(_ flags: ParsedFlags) -> CommandOutput {
    let reader: TarReader
    do {
      if let input = flags.string("input") {
        // Opened without following a link, and only a regular file.
        guard let found = sandboxPath(input) else {
          return .failure("open \(input): no such file or directory")
        }
        let file: FileReader
        do {
          file = try HostDirectory(PathText.parent(found)).reader(PathText.name(found))
        } catch .isDirectory {
          return .failure("read \(input): is a directory")
        } catch .noSuchFile {
          return .failure("open \(input): no such file or directory")
        } catch {
          return .failure("open \(input): \(String(describing: error).lowercased())")
        }
        reader = try TarReader(label: input, source: { try file.read() })
      } else {
        guard let bytes = environment.standardInputBytes(), !bytes.isEmpty else {
          return .failure("requested load from stdin, but stdin is empty")
        }
        reader = try TarReader(bytes: bytes, label: "stdin")
      }
      let report = try environment.store.load(reader, at: environment.now)
      if flags.bool("quiet") { return CommandOutput() }
      return CommandOutput(stdout: report.lines.map { $0 + "\n" }.joined())
    } catch {
      // The daemon never names the client's file.
      var message = "\(error)"
      if let input = flags.string("input"), message.hasPrefix(input + ": ") {
        message.removeFirst(input.count + 2)
      } else if message.hasPrefix("stdin: ") {
        message.removeFirst(7)
      }
      return .failure("Error response from daemon: \(message)")
    }
  }
}
