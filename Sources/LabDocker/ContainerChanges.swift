import Foundation
import LabJSON

/// `docker commit --change`: Dockerfile instructions applied to the new image's config.
enum ContainerChanges {
  /// The instructions `commit` accepts.
  static let allowed: Set<String> = [
    "CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME",
    "WORKDIR", "HEALTHCHECK",
  ]

  static func apply(_ changes: [String], to config: JSONValue) throws -> JSONValue {
    var members = config.objectValue ?? []
    func set(_ key: String, _ value: JSONValue) {
      if let index = members.firstIndex(where: { $0.0 == key }) {
        members[index].1 = value
      } else {
        members.append((key, value))
      }
    }
    func get(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
    for change in changes {
      let trimmed = change.trimmingCharacters(in: .whitespaces)
      let keyword = String(trimmed.prefix { !$0.isWhitespace }).uppercased()
      let rest = trimmed.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
      guard allowed.contains(keyword) else {
        throw ContainerConfigError(message: "\(keyword) is not a valid change command")
      }
      switch keyword {
      case "CMD", "ENTRYPOINT":
        set(keyword == "CMD" ? "Cmd" : "Entrypoint", .array(command(rest).map(JSONValue.string)))
      case "ENV":
        var environment = (get("Env")?.arrayValue ?? []).compactMap(\.stringValue)
        for pair in pairs(rest) {
          environment.removeAll { $0.hasPrefix(pair.0 + "=") }
          environment.append("\(pair.0)=\(pair.1)")
        }
        set("Env", .array(environment.map(JSONValue.string)))
      case "LABEL":
        var labels = get("Labels")?.objectValue ?? []
        for pair in pairs(rest) {
          labels.removeAll { $0.0 == pair.0 }
          labels.append((pair.0, .string(pair.1)))
        }
        set("Labels", .object(labels))
      case "EXPOSE":
        var ports = get("ExposedPorts")?.objectValue ?? []
        for port in rest.split(separator: " ") {
          let name = port.contains("/") ? String(port) : "\(port)/tcp"
          if !ports.contains(where: { $0.0 == name }) { ports.append((name, .object([]))) }
        }
        set("ExposedPorts", .object(ports))
      case "USER": set("User", .string(rest))
      case "WORKDIR": set("WorkingDir", .string(rest))
      case "STOPSIGNAL": set("StopSignal", .string(rest))
      case "VOLUME":
        var volumes = get("Volumes")?.objectValue ?? []
        for path in command(rest) where !volumes.contains(where: { $0.0 == path }) {
          volumes.append((path, .object([])))
        }
        set("Volumes", .object(volumes))
      default:
        break
      }
    }
    return .object(members)
  }

  /// A command in exec form (`["nginx", "-g"]`) or shell form (`/bin/sh -c …`).
  static func command(_ text: String) -> [String] {
    if text.hasPrefix("["), let parsed = try? JSONValue(parsing: text),
      let words = parsed.arrayValue?.compactMap(\.stringValue)
    {
      return words
    }
    return ["/bin/sh", "-c", text]
  }

  /// `KEY=value KEY2="two words"`, or the old `KEY value` form.
  static func pairs(_ text: String) -> [(String, String)] {
    guard text.contains("=") else {
      let key = String(text.prefix { !$0.isWhitespace })
      return [(key, text.dropFirst(key.count).trimmingCharacters(in: .whitespaces))]
    }
    var result: [(String, String)] = []
    var current = ""
    var quote: Character?
    var words: [String] = []
    for character in text {
      if let open = quote {
        if character == open { quote = nil } else { current.append(character) }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == " " {
        if !current.isEmpty { words.append(current) }
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { words.append(current) }
    for word in words {
      let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      result.append((String(parts[0]), parts.count > 1 ? String(parts[1]) : ""))
    }
    return result
  }
}
