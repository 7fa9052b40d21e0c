import LabFiles
import LabImage
import LabOutput
import LabRegistryClient

extension Docker {
  static let pullCommand = DockerCommand(
    paths: [["image", "pull"], ["pull"]], usageTail: "[OPTIONS] NAME[:TAG|@DIGEST]",
    summary: "Download an image from a registry",
    flags: [
      FlagSpec("all-tags", "a", .bool, "Download all tagged images in the repository"),
      FlagSpec("disable-content-trust", nil, .bool, "Skip image verification", defaultText: "true"),
      FlagSpec("platform", nil, .string, "Set platform if server is multi-platform capable"),
      FlagSpec("quiet", "q", .bool, "Suppress verbose output"),
    ],
    arguments: .exactly(1), writesStore: true
  ) { docker, flags in docker.pull(flags) }

  func pull(_ flags: ParsedFlags) -> CommandOutput {
    let text = flags.arguments[0]
    let reference: ImageReference
    do {
      reference = try ImageReference(parsing: text)
    } catch {
      return .failure(error.description)
    }
    if flags.bool("all-tags") {
      return .failure("docker pull --all-tags: not part of the LayerLab image toolkit")
    }
    var platform: Platform?
    if let platformText = flags.string("platform"), !platformText.isEmpty {
      guard let parsed = Platform(parsing: platformText) else {
        return .failure(
          "Error response from daemon: \"\(platformText)\": unknown operating system or architecture: invalid argument"
        )
      }
      platform = parsed
    }
    let quiet = flags.bool("quiet")
    var header = ""
    if reference.isNameOnly && !quiet { header = "Using default tag: latest\n" }
    let tagged = reference.withDefaultTag
    let tagOrDigest = tagged.tag ?? tagged.digest?.description ?? ""
    let report: PullReport
    do {
      report = try pull(reference, platform: platform)
    } catch is MissingRegistry {
      return Self.missingRegistry
    } catch {
      let failure = daemonError(error)
      guard !quiet else { return failure }
      // Resolution errors come before the "Pulling from" line; content errors after it.
      var result = CommandOutput(stdout: header, status: failure.status)
      switch error {
      case ImageError.digestMismatch, ImageError.archive:
        result.print("\(tagOrDigest): Pulling from \(tagged.path)\n")
      default:
        break
      }
      result.printError(failure.stderr)
      return result
    }
    if quiet { return CommandOutput(stdout: "\(tagged)\n") }
    let layerLines = report.layers.map { layer in
      "\(layer.blob.shortID): "
        + (layer.status == .alreadyExists ? "Already exists" : "Pull complete")
    }
    var out = header + "\(tagOrDigest): Pulling from \(tagged.path)\n"
    if environment.isTerminal {
      out += PullProgress.render(report.layers)
    } else {
      out += layerLines.map { $0 + "\n" }.joined()
    }
    out += "Digest: \(report.digest)\n"
    let status = report.wasUpToDate ? "Image is up to date for" : "Downloaded newer image for"
    out += "Status: \(status) \(tagged.familiarString)\n"
    out += "\(tagged)\n"
    return CommandOutput(stdout: out)
  }
}

extension Docker {
  /// Pulls from the embedded registry for `docker.io`, else over HTTP from a registry the
  /// session may reach; any other host fails as one that does not resolve.
  func pull(_ reference: ImageReference, platform: Platform?) throws -> PullReport {
    guard reference.domain != ImageReference.defaultDomain else {
      guard let registry = environment.registry else { throw MissingRegistry() }
      return try environment.store.pull(reference, platform: platform, from: registry)
    }
    let client = try registryClient(for: reference.domain)
    let downloads = try ScratchDirectory.make("pull")
    defer { ScratchDirectory.remove(downloads) }
    let remote = RemoteRegistry(client: client, downloads: downloads)
    return try environment.store.pull(reference, platform: platform, from: remote)
  }
}

/// No embedded registry was found to pull `docker.io` images from.
struct MissingRegistry: Error {}

/// The live progress Docker redraws on a terminal: one line per layer, rewritten in place
/// with cursor movements, ending on the same screen a captured pull shows.
enum PullProgress {
  static func render(_ layers: [PullReport.Layer]) -> String {
    let ids = layers.map(\.blob.shortID)
    var out = ""
    // Every layer gets its line first.
    for (index, layer) in layers.enumerated() {
      let first = layer.status == .alreadyExists ? "Already exists" : "Pulling fs layer"
      out += "\(ids[index]): \(first)\n"
    }
    func rewrite(_ index: Int, _ status: String) {
      let up = ids.count - index
      out += "\u{1B}[\(up)A\u{1B}[2K\r\(ids[index]): \(status)\r\u{1B}[\(up)B"
    }
    let pulled = layers.indices.filter { layers[$0].status == .pulled }
    for index in pulled {
      rewrite(index, "Downloading")
      rewrite(index, "Verifying Checksum")
      rewrite(index, "Download complete")
    }
    for index in pulled {
      rewrite(index, "Extracting")
      rewrite(index, "Pull complete")
    }
    return out
  }
}
