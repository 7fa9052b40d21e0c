import Foundation
import LabImage
import LabOutput

extension Docker {
  static let imagesCommand = DockerCommand(
    paths: [["image", "ls"], ["image", "list"], ["images"]],
    usageTail: "[OPTIONS] [REPOSITORY[:TAG]]", summary: "List images",
    flags: [
      FlagSpec("all", "a", .bool, "Show all images (default hides intermediate images)"),
      FlagSpec("digests", nil, .bool, "Show digests"),
      FlagSpec(
        "filter", "f", .strings, "Filter output based on conditions provided", valueName: "filter"),
      FlagSpec("format", nil, .string, "Format output using a custom template"),
      FlagSpec("no-trunc", nil, .bool, "Don't truncate output"),
      FlagSpec("quiet", "q", .bool, "Only show image IDs"),
    ],
    arguments: .atMost(1)
  ) { docker, flags in docker.listImages(flags) }

  static let imageHeaders = [
    "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
    "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE",
    "Containers": "CONTAINERS", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
    "VirtualSize": "VIRTUAL SIZE",
  ]

  /// One row of `docker images`: an image under one repository and tag.
  struct ImageRow {
    var image: StoredImage
    var created: Date?
    var repository: String
    var tag: String
    var digest: String
    var size: Int64
  }

  func listImages(_ flags: ParsedFlags) -> CommandOutput {
    var filters = flags.strings("filter")
    if let argument = flags.arguments.first { filters.append("reference=\(argument)") }
    let rows: [ImageRow]
    do {
      var conditions = try ImageFilters(filters, store: environment.store, now: environment.now)
      conditions.showDigests = flags.bool("digests")
      rows = try imageRows(all: flags.bool("all"), filters: conditions)
    } catch let error as FilterError {
      return .failure("Error response from daemon: \(error.message)")
    } catch {
      return daemonError(error)
    }
    let noTrunc = flags.bool("no-trunc")
    let digests = flags.bool("digests")
    var format = flags.string("format") ?? ""
    if flags.bool("quiet") {
      format = "{{.ID}}"
    } else if format.isEmpty {
      format =
        digests
        ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
        : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
    } else if digests && format.hasPrefix("table") && !format.contains("{{.Digest}}") {
      format += "\t{{.Digest}}"
    }
    let contexts = rows.map { row -> TemplateValue in
      let id = noTrunc ? row.image.id.description : row.image.id.shortID
      let created = row.created
      let since = created.map {
        HumanUnits.duration(environment.now.timeIntervalSince($0)) + " ago"
      }
      let size = HumanUnits.size(row.size)
      return .context([
        .init("Containers", .string("N/A")),
        .init("CreatedAt", .string(created.map(HumanUnits.goTimeString) ?? "")),
        .init("CreatedSince", .string(since ?? "")),
        .init("Digest", .string(row.digest)),
        .init("ID", .string(id)),
        .init("Repository", .string(row.repository)),
        .init("SharedSize", .string("N/A")),
        .init("Size", .string(size)),
        .init("Tag", .string(row.tag)),
        .init("UniqueSize", .string("N/A")),
        .init("VirtualSize", .string(size)),
      ])
    }
    switch Formatter(format).render(contexts, header: Self.imageHeaders) {
    case .success(let text): return CommandOutput(stdout: text)
    case .failure(let error): return .failure(error.description)
    }
  }

  /// The rows Docker lists, newest image first, repositories and tags in lexical order.
  ///
  /// The store is read once: every config, the reference table and each layer's size, so the
  /// listing grows with the number of images and no faster.
  func imageRows(all: Bool, filters: ImageFilters) throws -> [ImageRow] {
    let store = environment.store
    let table = try store.referenceTable()
    let images = try store.imageIDs().map { id in
      let image = try store.image(id, withLastUpdated: false)
      return (image: image, created: image.created)
    }.sorted {
      let left = $0.created ?? .distantPast
      let right = $1.created ?? .distantPast
      return left != right ? left > right : $0.image.id < $1.image.id
    }
    let parents = Set(images.compactMap(\.image.parent))
    var layerSizes: [Digest: Int64] = [:]
    func size(of image: StoredImage) -> Int64 {
      image.chainIDs.reduce(0) { total, chain in
        if let known = layerSizes[chain] { return total + known }
        let size = store.layerSize(chain)
        layerSizes[chain] = size
        return total + size
      }
    }
    var rows: [ImageRow] = []
    for (image, created) in images {
      guard filters.accepts(image, created: created) else { continue }
      let allReferences = table.references(to: image.id)
      let references = allReferences.filter { filters.accepts($0) }
      let size = size(of: image)
      func row(_ repository: String, _ tag: String, _ digest: String) -> ImageRow {
        ImageRow(
          image: image, created: created, repository: repository, tag: tag, digest: digest,
          size: size)
      }
      if allReferences.isEmpty {
        if !all, parents.contains(image.id) { continue }
        guard filters.acceptsDangling else { continue }
        rows.append(row("<none>", "<none>", "<none>"))
        continue
      }
      guard !references.isEmpty, !filters.danglingOnly else { continue }
      var tagsByRepository: [String: [String]] = [:]
      var digestsByRepository: [String: [String]] = [:]
      for reference in references {
        if let tag = reference.tag {
          tagsByRepository[reference.familiarName, default: []].append(tag)
        } else if let digest = reference.digest {
          digestsByRepository[reference.familiarName, default: []].append(digest.description)
        }
      }
      for repository in tagsByRepository.keys.sorted() {
        let digests = filters.showDigests ? digestsByRepository[repository] ?? [] : []
        digestsByRepository[repository] = nil
        for tag in tagsByRepository[repository] ?? [] {
          if digests.isEmpty { rows.append(row(repository, tag, "<none>")) }
          for digest in digests { rows.append(row(repository, tag, digest)) }
        }
      }
      for repository in digestsByRepository.keys.sorted() {
        if filters.showDigests {
          for digest in digestsByRepository[repository] ?? [] {
            rows.append(row(repository, "<none>", digest))
          }
        } else {
          rows.append(row(repository, "<none>", ""))
        }
      }
    }
    return rows
  }
}

/// A bad `--filter`, in Docker's words.
struct FilterError: Error {
  var message: String
}

/// The `--filter` conditions of `docker images`, as the daemon applies them.
struct ImageFilters {
  var dangling: Bool?
  var references: [String] = []
  var labels: [String] = []
  var before: Date?
  var since: Date?
  var until: Date?
  var showDigests = false

  init(_ raw: [String], store: ImageStore, now: Date) throws {
    for item in raw {
      guard let equals = item.firstIndex(of: "=") else {
        throw FilterError(message: "invalid filter '\(item)'")
      }
      let key = item[..<equals].lowercased()
      let value = String(item[item.index(after: equals)...])
      switch key {
      case "dangling":
        switch value.lowercased() {
        case "true", "1": dangling = true
        case "false", "0": dangling = false
        default: throw FilterError(message: "invalid filter 'dangling=[\(value)]'")
        }
      case "reference": references.append(value)
      case "label": labels.append(value)
      case "before", "since":
        let id = try store.resolveImage(value)
        let created = try store.image(id).created ?? .distantPast
        if key == "before" { before = created } else { since = created }
      case "until":
        guard let date = Self.parseTime(value, now: now) else {
          throw FilterError(message: "invalid filter 'until=\(value)'")
        }
        until = date
      default:
        throw FilterError(message: "invalid filter '\(key)'")
      }
    }
  }

  var danglingOnly: Bool { dangling == true }
  var acceptsDangling: Bool { dangling != false && references.isEmpty }

  func accepts(_ image: StoredImage, created: Date?) -> Bool {
    let created = created ?? .distantPast
    if let before, created >= before { return false }
    if let since, created <= since { return false }
    if let until, created >= until { return false }
    for label in labels {
      let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
      guard let value = image.labels.first(where: { $0.0 == parts[0] })?.1 else { return false }
      if parts.count == 2, value != parts[1] { return false }
    }
    return true
  }

  func accepts(_ reference: ImageReference) -> Bool {
    guard !references.isEmpty else { return true }
    return references.contains { pattern in
      PathPattern.matches(pattern, reference.familiarString)
        || PathPattern.matches(pattern, reference.familiarName)
    }
  }

  /// `until` takes a Unix timestamp, an RFC 3339 time, or a Go duration before now.
  static func parseTime(_ text: String, now: Date) -> Date? {
    if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
    if let date = parseRFC3339(text) { return date }
    var total: Double = 0
    var number = ""
    for character in text {
      if character.isNumber || character == "." {
        number.append(character)
        continue
      }
      guard let value = Double(number) else { return nil }
      switch character {
      case "h": total += value * 3600
      case "m": total += value * 60
      case "s": total += value
      default: return nil
      }
      number = ""
    }
    guard number.isEmpty, total > 0 else { return nil }
    return now.addingTimeInterval(-total)
  }
}
