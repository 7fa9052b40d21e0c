import Foundation
import LabImage
import LabJSON
import LabOutput

extension Docker {
  static let inspectFlags = [
    FlagSpec("format", "f", .string, "Format output using a custom template"),
    FlagSpec("size", "s", .bool, "Display total file sizes if the type is container"),
    FlagSpec("type", nil, .string, "Only inspect objects of the given type"),
  ]

  static let inspectCommand = DockerCommand(
    paths: [["inspect"]], usageTail: "[OPTIONS] NAME|ID [NAME|ID...]",
    summary: "Return low-level information on Docker objects", flags: inspectFlags,
    arguments: .atLeast(1)
  ) { docker, flags in docker.inspect(flags, imagesOnly: false) }

  static let imageInspectCommand = DockerCommand(
    paths: [["image", "inspect"]], usageTail: "[OPTIONS] IMAGE [IMAGE...]",
    summary: "Display detailed information on one or more images",
    flags: [FlagSpec("format", "f", .string, "Format output using a custom template")],
    arguments: .atLeast(1)
  ) { docker, flags in docker.inspect(flags, imagesOnly: true) }

  static let containerInspectCommand = DockerCommand(
    paths: [["container", "inspect"]], usageTail: "[OPTIONS] CONTAINER [CONTAINER...]",
    summary: "Display detailed information on one or more containers",
    flags: [
      FlagSpec("format", "f", .string, "Format output using a custom template"),
      FlagSpec("size", "s", .bool, "Display total file sizes"),
    ],
    arguments: .atLeast(1)
  ) { docker, flags in
    var typed = flags
    typed.values["type"] = ["container"]
    return docker.inspect(typed, imagesOnly: false, containerCommand: true)
  }

  func inspect(_ flags: ParsedFlags, imagesOnly: Bool, containerCommand: Bool = false)
    -> CommandOutput
  {
    let type = imagesOnly ? "image" : flags.string("type")
    if let type, !["image", "container"].contains(type) {
      let known = [
        "config", "container", "network", "node", "plugin", "secret", "service", "task", "volume",
      ]
      guard known.contains(type) else {
        return .failure("\"\(type)\" is not a valid value for --type")
      }
      return .failure(
        "docker inspect --type \(type): not part of the LayerLab toolkit, which has images and containers"
      )
    }
    var documents: [JSONValue] = []
    var containerDocuments: Set<Int> = []
    var errors: [String] = []
    for name in flags.arguments {
      // Without a type, Docker tries a container first, then an image.
      if type != "image", let container = try? environment.store.findContainer(name) {
        containerDocuments.insert(documents.count)
        documents.append(containerJSON(container))
        continue
      }
      if type == "container" {
        errors.append(
          containerCommand
            ? "Error response from daemon: No such container: \(name)"
            : "Error: No such container: \(name)")
        continue
      }
      do {
        let id = try environment.store.resolveImage(name)
        documents.append(try inspectDocument(id))
      } catch {
        if imagesOnly {
          errors.append("Error response from daemon: \(error)")
        } else {
          errors.append("Error: No such object: \(name)")
        }
      }
    }
    var result = CommandOutput()
    if flags.string("format") == "json" {
      // Docker's JSON inspector: the same array, compact.
      result.print(JSONValue.array(documents).compact(escapingHTML: false) + "\n")
    } else if let format = flags.string("format"), !format.isEmpty {
      let template: GoTemplate
      do {
        template = try GoTemplate(format)
      } catch {
        return .failure("template parsing error: \(error)", status: 64)
      }
      for (index, document) in documents.enumerated() {
        do {
          // A container's maps are its ports and networks, beside an image's.
          let value =
            containerDocuments.contains(index)
            ? Self.typedInspect(document, maps: ["PortBindings", "Ports", "Networks"])
            : Self.typedInspect(document)
          result.print(try template.execute(value) + "\n")
        } catch {
          // Docker retries on the raw JSON, where `.Id` and other JSON names work.
          do {
            result.print(try template.execute(TemplateValue(rawJSON: document)) + "\n")
          } catch {
            errors.append(error.description)
          }
        }
      }
    } else {
      result.print(JSONValue.array(documents).indented("    ") + "\n")
    }
    if !errors.isEmpty {
      result.printError(errors.joined(separator: "\n") + "\n")
      result.status = 1
    }
    return result
  }

  /// The daemon's image inspect response (Engine 27 / 28.0–28.1), in field order.
  func inspectDocument(_ id: Digest) throws -> JSONValue {
    let store = environment.store
    let image = try store.image(id)
    let table = try store.referenceTable()
    let references = table.references(to: id)
    let repoTags = references.filter { $0.tag != nil }.map { JSONValue.string($0.familiarString) }
    let repoDigests = references.filter { $0.digest != nil }.map {
      JSONValue.string($0.familiarString)
    }
    let history = image.config["history"]?.arrayValue ?? []
    let comment =
      image.config["comment"]?.stringValue ?? history.last?["comment"]?.stringValue ?? ""
    let created = image.created.map(formatRFC3339Nano) ?? image.createdText
    var document: [(String, JSONValue)] = [
      ("Id", .string(id.description)),
      ("RepoTags", .array(repoTags)),
      ("RepoDigests", .array(repoDigests)),
      ("Parent", .string(image.parent?.description ?? "")),
      ("Comment", .string(comment)),
      ("Created", .string(created)),
      ("DockerVersion", .string(image.config["docker_version"]?.stringValue ?? "")),
      ("Author", .string(image.config["author"]?.stringValue ?? "")),
      ("Config", Self.containerConfig(image.containerConfig)),
      ("Architecture", .string(image.config["architecture"]?.stringValue ?? "")),
    ]
    if let variant = image.config["variant"]?.stringValue, !variant.isEmpty {
      document.append(("Variant", .string(variant)))
    }
    document.append(("Os", .string(image.config["os"]?.stringValue ?? "")))
    if let version = image.config["os.version"]?.stringValue, !version.isEmpty {
      document.append(("OsVersion", .string(version)))
    }
    document.append(("Size", .int(store.size(of: image))))
    var graph: [(String, JSONValue)] = []
    let chains = image.chainIDs
    if let top = chains.last {
      let topLayer = try store.layer(top)
      let base = "/var/lib/docker/overlay2/\(topLayer.cacheID)"
      let lowers = try chains.dropLast().reversed().map {
        "/var/lib/docker/overlay2/\(try store.layer($0).cacheID)/diff"
      }
      if !lowers.isEmpty {
        graph.append(("LowerDir", .string(lowers.joined(separator: ":"))))
      }
      graph += [
        ("MergedDir", .string("\(base)/merged")), ("UpperDir", .string("\(base)/diff")),
        ("WorkDir", .string("\(base)/work")),
      ]
    }
    document.append(
      ("GraphDriver", .object([("Data", .object(graph)), ("Name", .string("overlay2"))])))
    var rootFS: [(String, JSONValue)] = [("Type", .string("layers"))]
    if !image.diffIDs.isEmpty {
      rootFS.append(("Layers", .array(image.diffIDs.map { .string($0.description) })))
    }
    document.append(("RootFS", .object(rootFS)))
    document.append(
      ("Metadata", .object([("LastTagTime", .string(image.lastUpdated ?? "0001-01-01T00:00:00Z"))]))
    )
    return .object(document)
  }

  /// The image config's `config` as Docker's `container.Config`, in struct order.
  static func containerConfig(_ config: JSONValue?) -> JSONValue {
    func value(_ key: String) -> JSONValue { config?[key] ?? .null }
    func string(_ key: String) -> JSONValue { .string(config?[key]?.stringValue ?? "") }
    func present(_ key: String) -> Bool {
      guard let item = config?[key] else { return false }
      switch item {
      case .null: return false
      case .object(let members): return !members.isEmpty
      case .bool(let flag): return flag
      case .string(let text): return !text.isEmpty
      default: return true
      }
    }
    var members: [(String, JSONValue)] = [
      ("Hostname", string("Hostname")), ("Domainname", string("Domainname")),
      ("User", string("User")), ("AttachStdin", .bool(false)), ("AttachStdout", .bool(false)),
      ("AttachStderr", .bool(false)),
    ]
    if present("ExposedPorts") { members.append(("ExposedPorts", value("ExposedPorts"))) }
    members += [
      ("Tty", .bool(false)), ("OpenStdin", .bool(false)), ("StdinOnce", .bool(false)),
      ("Env", value("Env")), ("Cmd", value("Cmd")),
    ]
    if present("Healthcheck") { members.append(("Healthcheck", value("Healthcheck"))) }
    if present("ArgsEscaped") { members.append(("ArgsEscaped", .bool(true))) }
    members += [
      ("Image", string("Image")), ("Volumes", value("Volumes")),
      ("WorkingDir", string("WorkingDir")),
      ("Entrypoint", value("Entrypoint")),
    ]
    members += [("OnBuild", value("OnBuild")), ("Labels", value("Labels"))]
    if present("StopSignal") { members.append(("StopSignal", value("StopSignal"))) }
    if present("Shell") { members.append(("Shell", value("Shell"))) }
    return .object(members)
  }

  /// The inspect response as the Go struct a template sees: `ID` for `Id`, maps where
  /// Docker has maps, typed nils, and `LastTagTime` as a time.
  static func typedInspect(_ document: JSONValue, maps extraMaps: Set<String> = [])
    -> TemplateValue
  {
    let listKeys: Set<String> = [
      "RepoTags", "RepoDigests", "Env", "Cmd", "Entrypoint", "OnBuild", "Shell", "Layers", "Test",
    ]
    let mapKeys = Set(["Labels", "ExposedPorts", "Volumes", "Data"]).union(extraMaps)
    func convert(_ key: String, _ value: JSONValue) -> TemplateValue {
      switch value {
      case .null:
        if listKeys.contains(key) { return .null(.slice) }
        if mapKeys.contains(key) { return .null(.map) }
        return .null(.interface)
      case .object(let members):
        if mapKeys.contains(key) {
          return .map(members.map { ($0.0, convertInMap($0.1)) })
        }
        if key == "Metadata" {
          let time = members.first { $0.0 == "LastTagTime" }?.1.stringValue.flatMap(parseRFC3339)
          return .structure([.init("LastTagTime", .time(time))])
        }
        return .structure(
          members.map { name, item in
            TemplateValue.Field(name == "Id" ? "ID" : name, json: name, convert(name, item))
          })
      case .array(let items):
        return .list(items.map { convert("", $0) })
      default:
        return TemplateValue(rawJSON: value)
      }
    }
    func convertInMap(_ value: JSONValue) -> TemplateValue {
      if case .object(let members) = value, members.isEmpty { return .structure([]) }
      return TemplateValue(rawJSON: value)
    }
    return convert("", document)
  }
}
