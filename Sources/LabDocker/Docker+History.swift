import Foundation
import LabImage
import LabJSON
import LabOutput

extension Docker {
  static let historyCommand = DockerCommand(
    paths: [["image", "history"], ["history"]], usageTail: "[OPTIONS] IMAGE",
    summary: "Show the history of an image",
    flags: [
      FlagSpec("format", nil, .string, "Format output using a custom template"),
      FlagSpec(
        "human", "H", .bool, "Print sizes and dates in human readable format", defaultText: "true"),
      FlagSpec("no-trunc", nil, .bool, "Don't truncate output"),
      FlagSpec("quiet", "q", .bool, "Only show image IDs"),
    ],
    arguments: .exactly(1)
  ) { docker, flags in docker.history(flags) }

  static let historyHeaders = [
    "ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
    "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT",
  ]

  func history(_ flags: ParsedFlags) -> CommandOutput {
    let store = environment.store
    let rows: [(id: String, created: Date?, createdBy: String, size: Int64, comment: String)]
    do {
      let image = try store.image(try store.resolveImage(flags.arguments[0]))
      var items: [(id: String, created: Date?, createdBy: String, size: Int64, comment: String)] =
        []
      var diffIDs: [Digest] = []
      let allDiffIDs = image.diffIDs
      for entry in image.config["history"]?.arrayValue ?? [] {
        var size: Int64 = 0
        if entry["empty_layer"]?.boolValue != true, diffIDs.count < allDiffIDs.count {
          diffIDs.append(allDiffIDs[diffIDs.count])
          if let chain = chainIDs(of: diffIDs).last { size = store.layerSize(chain) }
        }
        items.insert(
          (
            "<missing>", entry["created"]?.stringValue.flatMap(parseRFC3339),
            entry["created_by"]?.stringValue ?? "", size, entry["comment"]?.stringValue ?? ""
          ), at: 0)
      }
      // The newest row is the image itself; legacy builds fill in their parent chain.
      var current: StoredImage? = image
      for index in items.indices {
        guard let shown = current else { break }
        items[index].id = shown.id.description
        current = try shown.parent.map { try store.image($0) }
      }
      rows = items
    } catch {
      return daemonError(error)
    }
    let human = flags.has("human") ? flags.bool("human") : true
    let noTrunc = flags.bool("no-trunc")
    let epoch = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
    let contexts = rows.map { row -> TemplateValue in
      let id = row.id == "<missing>" || noTrunc ? row.id : HumanUnits.truncateID(row.id)
      var since = "N/A"
      var createdAt = "N/A"
      if let created = row.created, created > epoch {
        since =
          human
          ? HumanUnits.duration(environment.now.timeIntervalSince(created)) + " ago"
          : formatRFC3339Nano(
            Date(timeIntervalSince1970: created.timeIntervalSince1970.rounded(.down)))
        createdAt = formatRFC3339Nano(
          Date(timeIntervalSince1970: created.timeIntervalSince1970.rounded(.down)))
      }
      var createdBy = row.createdBy.replacingOccurrences(of: "\t", with: " ")
      if !noTrunc { createdBy = HumanUnits.ellipsis(createdBy, 45) }
      return .context([
        .init("Comment", .string(row.comment)),
        .init("CreatedAt", .string(createdAt)),
        .init("CreatedBy", .string(createdBy)),
        .init("CreatedSince", .string(since)),
        .init("ID", .string(id)),
        .init("Size", .string(human ? HumanUnits.size(row.size) : String(row.size))),
      ])
    }
    var format = flags.string("format") ?? ""
    if flags.bool("quiet") {
      format = "{{.ID}}"
    } else if format.isEmpty {
      format = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    }
    switch Formatter(format).render(contexts, header: Self.historyHeaders) {
    case .success(let text): return CommandOutput(stdout: text)
    case .failure(let error): return .failure(error.description)
    }
  }
}
