import Foundation
import LabImage
import LabJSON

/// The jq subset: evaluation and jq's own printing.
enum JQ {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static func apply(_ filter: String, to inputs: [JSONValue]) throws -> [JSONValue] {
    var values = inputs
    for stage in split(filter, on: "|") {
      let step = stage.trimmingCharacters(in: .whitespaces)
      values = try values.flatMap { try evaluate(step, $0) }
    }
    return values
  }

  static func split(_ text: String, on separator: Character) -> [String] {
    var parts: [String] = []
    var current = ""
    var depth = 0
    var quoted = false
    for character in text {
      if character == "\"" { quoted.toggle() }
      if !quoted {
        if "([{".contains(character) { depth += 1 }
        if ")]}".contains(character) { depth -= 1 }
        if character == separator && depth == 0 {
          parts.append(current)
          current = ""
          continue
        }
      }
      current.append(character)
    }
    parts.append(current)
    return parts
  }

  static func evaluate(_ step: String, _ value: JSONValue) throws -> [JSONValue] {
    // `keys[]`, `keys[0]`: a builtin, then a path into its result.
    for builtin in ["keys", "length", "type"] where step.hasPrefix(builtin + "[") {
      let path = "." + step.dropFirst(builtin.count)
      return try evaluate(builtin, value).flatMap { try evaluate(path, $0) }
    }
    switch step {
    case "", ".": return [value]
    case "keys":
      guard let members = value.objectValue else {
        throw Failure(description: "\(typeName(value)) has no keys")
      }
      return [.array(members.map(\.0).sorted().map(JSONValue.string))]
    case "length":
      switch value {
      case .array(let items): return [.int(items.count)]
      case .object(let members): return [.int(members.count)]
      case .string(let text): return [.int(text.count)]
      case .null: return [.int(0)]
      default: throw Failure(description: "\(typeName(value)) has no length")
      }
    case "type": return [.string(typeName(value))]
    default: break
    }
    guard step.hasPrefix(".") else { throw Failure(description: "\(step)/0 is not defined") }
    var results = [value]
    var rest = Substring(step.dropFirst())
    while !rest.isEmpty {
      if rest.hasPrefix("[") {
        guard let close = rest.firstIndex(of: "]") else {
          throw Failure(description: "syntax error")
        }
        let inside = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(
          in: .whitespaces)
        rest = rest[rest.index(after: close)...]
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        results = try results.flatMap { item -> [JSONValue] in
          if inside.isEmpty {
            switch item {
            case .array(let items): return items
            case .object(let members): return members.map(\.1)
            default: throw Failure(description: "Cannot iterate over \(typeName(item))")
            }
          }
          if let index = Int(inside) {
            guard case .array(let items) = item else {
              if case .null = item { return [.null] }
              throw Failure(description: "Cannot index \(typeName(item)) with number")
            }
            let position = index < 0 ? items.count + index : index
            return [position >= 0 && position < items.count ? items[position] : .null]
          }
          let key = inside.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
          return [try member(item, key)]
        }
        continue
      }
      var key = ""
      if rest.hasPrefix("\"") {
        let body = rest.dropFirst()
        guard let close = body.firstIndex(of: "\"") else {
          throw Failure(description: "syntax error")
        }
        key = String(body[..<close])
        rest = body[body.index(after: close)...]
      } else {
        key = String(rest.prefix { $0 != "." && $0 != "[" })
        rest = rest.dropFirst(key.count)
      }
      if rest.hasPrefix(".") { rest = rest.dropFirst() }
      results = try results.map { try member($0, key) }
    }
    return results
  }

  static func member(_ value: JSONValue, _ key: String) throws -> JSONValue {
    switch value {
    case .object: return value[key] ?? .null
    case .null: return .null
    default: throw Failure(description: "Cannot index \(typeName(value)) with \"\(key)\"")
    }
  }

  static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "boolean"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  static func compact(_ value: JSONValue) -> String { value.compact(escapingHTML: false) }

  /// jq's default output: two-space indent.
  static func pretty(_ value: JSONValue, indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    let inner = String(repeating: "  ", count: indent + 1)
    switch value {
    case .array(let items):
      guard !items.isEmpty else { return "[]" }
      return "[\n" + items.map { inner + pretty($0, indent: indent + 1) }.joined(separator: ",\n")
        + "\n\(pad)]"
    case .object(let members):
      guard !members.isEmpty else { return "{}" }
      return "{\n"
        + members.map {
          inner + JSONValue.quote($0.0, escapingHTML: false) + ": "
            + pretty($0.1, indent: indent + 1)
        }
        .joined(separator: ",\n") + "\n\(pad)}"
    default:
      return value.compact(escapingHTML: false)
    }
  }
}

extension JQ {
  /// `-S`: every object's keys in sorted order, at every depth.
  static func sortingKeys(_ value: JSONValue) -> JSONValue {
    switch value {
    case .array(let items): .array(items.map(sortingKeys))
    case .object(let members):
      .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, sortingKeys($0.1)) })
    default: value
    }
  }
}
