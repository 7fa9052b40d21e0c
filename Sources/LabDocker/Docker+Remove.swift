import Foundation
import LabImage
import LabOutput

extension Docker {
  static let removeCommand = DockerCommand(
    paths: [["image", "rm"], ["image", "remove"], ["rmi"]], usageTail: "[OPTIONS] IMAGE [IMAGE...]",
    summary: "Remove one or more images",
    flags: [
      FlagSpec("force", "f", .bool, "Force removal of the image"),
      FlagSpec("no-prune", nil, .bool, "Do not delete untagged parents"),
    ],
    arguments: .atLeast(1), writesStore: true
  ) { docker, flags in docker.remove(flags) }

  static let tagCommand = DockerCommand(
    paths: [["image", "tag"], ["tag"]], usageTail: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", flags: [],
    arguments: .exactly(2), writesStore: true
  ) { docker, flags in docker.tag(flags) }

  static let pruneCommand = DockerCommand(
    paths: [["image", "prune"]], usageTail: "[OPTIONS]", summary: "Remove unused images",
    flags: [
      FlagSpec("all", "a", .bool, "Remove all unused images, not just dangling ones"),
      FlagSpec(
        "filter", nil, .strings, "Provide filter values (e.g. \"until=<timestamp>\")",
        valueName: "filter"),
      FlagSpec("force", "f", .bool, "Do not prompt for confirmation"),
    ],
    arguments: .none, writesStore: true
  ) { docker, flags in docker.prune(flags) }

  func remove(_ flags: ParsedFlags) -> CommandOutput {
    let force = flags.bool("force")
    var result = CommandOutput()
    var errors: [String] = []
    var fatal = false
    for name in flags.arguments {
      do {
        let records = try environment.store.removeImage(
          name, force: force, prune: !flags.bool("no-prune"))
        for record in records {
          switch record {
          case .untagged(let reference): result.print("Untagged: \(reference)\n")
          case .deleted(let digest): result.print("Deleted: \(digest)\n")
          }
        }
      } catch {
        if case ImageError.noSuchImage = error {} else { fatal = true }
        errors.append("Error response from daemon: \(error)")
      }
    }
    if !errors.isEmpty {
      result.printError(errors.joined(separator: "\n") + "\n")
      if !force || fatal { result.status = 1 }
    }
    return result
  }

  func tag(_ flags: ParsedFlags) -> CommandOutput {
    let source = flags.arguments[0]
    let target = flags.arguments[1]
    do {
      _ = try ImageLookup.parse(source)
    } catch {
      return .failure(
        "Error parsing reference: \"\(source)\" is not a valid repository/tag: \(error)")
    }
    let reference: ImageReference
    do {
      reference = try ImageReference(parsing: target)
    } catch {
      return .failure(
        "Error parsing reference: \"\(target)\" is not a valid repository/tag: \(error)")
    }
    if reference.digest != nil {
      return .failure("refusing to create a tag with a digest reference")
    }
    do {
      let id = try environment.store.resolveImage(source)
      try environment.store.tag(id, as: reference, at: environment.now)
    } catch {
      return daemonError(error)
    }
    return CommandOutput()
  }

  func prune(_ flags: ParsedFlags) -> CommandOutput {
    let all = flags.bool("all")
    var out = ""
    if !flags.bool("force") {
      let warning =
        all
        ? "WARNING! This will remove all images without at least one container associated to them."
        : "WARNING! This will remove all dangling images."
      out = warning + "\nAre you sure you want to continue? [y/N] "
      let answer = environment.standardInput()?.split(
        separator: "\n", omittingEmptySubsequences: false
      )
      .first.map { String($0).trimming([" ", "\t", "\r"]).lowercased() }
      // Only `y` or `Y` goes on (PromptForConfirmation). A refusal is an errdefs.Cancelled
      // error, which the CLI's main turns into status 0 without printing it: only the
      // question shows.
      guard answer == "y" else { return CommandOutput(stdout: out) }
    }
    for filter in flags.strings("filter") {
      let key = filter.split(separator: "=").first.map(String.init) ?? filter
      guard ["until", "label", "label!"].contains(key) else {
        return .failure("Error response from daemon: invalid filter '\(key)'")
      }
      return .failure("docker image prune --filter: not part of the LayerLab image toolkit yet")
    }
    do {
      let (records, reclaimed) = try environment.store.prune(all: all)
      out += Self.deletedImages(records)
      out += "Total reclaimed space: \(HumanUnits.size(reclaimed, precision: 4))\n"
      return CommandOutput(stdout: out)
    } catch {
      return daemonError(error)
    }
  }

  /// The CLI's `Deleted Images:` list of a prune: each reference untagged and image deleted,
  /// then a blank line; nothing when nothing went.
  static func deletedImages(_ records: [DeleteRecord]) -> String {
    guard !records.isEmpty else { return "" }
    var text = "Deleted Images:\n"
    for record in records {
      switch record {
      case .untagged(let reference): text += "untagged: \(reference)\n"
      case .deleted(let digest): text += "deleted: \(digest)\n"
      }
    }
    return text + "\n"
  }
}
