import LabImage
import LabOutput

extension Docker {
  static let systemPruneCommand = DockerCommand(
    paths: [["system", "prune"]], usageTail: "[OPTIONS]", summary: "Remove unused data",
    flags: [
      FlagSpec("all", "a", .bool, "Remove all unused images not just dangling ones"),
      FlagSpec(
        "filter", nil, .strings, "Provide filter values (e.g. \"label=<key>=<value>\")",
        valueName: "filter"),
      FlagSpec("force", "f", .bool, "Do not prompt for confirmation"),
      FlagSpec("volumes", nil, .bool, "Prune anonymous volumes"),
    ],
    arguments: .none, writesStore: true
  ) { docker, flags in docker.pruneSystem(flags) }

  /// `docker system prune`: stopped containers, then unused images, as the CLI runs its
  /// pruners one after the other, each printing what it removed, and the total at the end.
  ///
  /// The sandbox has no networks, volumes or build cache apart from images, so their pruners
  /// find nothing and print nothing, as Docker's do when there is nothing to remove.
  func pruneSystem(_ flags: ParsedFlags) -> CommandOutput {
    let all = flags.bool("all")
    var result = CommandOutput()
    if !flags.strings("filter").isEmpty {
      return .failure("docker system prune --filter: not part of the LayerLab toolkit yet")
    }
    if !flags.bool("force") {
      var warnings = ["all stopped containers", "all networks not used by at least one container"]
      if flags.bool("volumes") {
        warnings.append("all anonymous volumes not used by at least one container")
      }
      warnings.append(
        all ? "all images without at least one container associated to them" : "all dangling images"
      )
      warnings.append(all ? "all build cache" : "unused build cache")
      result.print(
        "WARNING! This will remove:\n" + warnings.map { "  - \($0)\n" }.joined()
          + "\nAre you sure you want to continue? [y/N] ")
      let answer = environment.standardInput()?.split(
        separator: "\n", omittingEmptySubsequences: false
      ).first.map { String($0).trimming([" ", "\t", "\r"]) }
      // Anything but `y` cancels; the CLI prints nothing more and exits 0.
      guard answer == "y" || answer == "Y" else { return result }
    }
    var (text, reclaimed) = removeStoppedContainers()
    result.print(text)
    do {
      let (records, freed) = try environment.store.prune(all: all)
      reclaimed += freed
      result.print(Self.deletedImages(records))
    } catch {
      var failed = daemonError(error)
      failed.append(result)
      return failed
    }
    result.print("Total reclaimed space: \(HumanUnits.size(reclaimed, precision: 4))\n")
    return result
  }
}
