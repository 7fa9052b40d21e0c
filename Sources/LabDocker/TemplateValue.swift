import Foundation
import LabImage
import LabJSON

/// A value a Go template works on, with the Go type information that changes how it prints.
public indirect enum TemplateValue: Sendable {
  /// How a Go nil prints depends on its type: `<nil>`, `[]` or `map[]`.
  public enum NilKind: Sendable {
    case interface, slice, map
  }

  /// A struct field: its Go name for `.Field`, its JSON name for `json`.
  public struct Field: Sendable {
    public var name: String
    public var jsonName: String
    public var value: TemplateValue

    public init(_ name: String, json: String? = nil, _ value: TemplateValue) {
      self.name = name
      jsonName = json ?? name
      self.value = value
    }
  }

  case null(NilKind)
  case bool(Bool)
  case int(Int64)
  case string(String)
  case list([TemplateValue])
  /// A Go map; prints and ranges in sorted key order.
  case map([(String, TemplateValue)])
  case structure([Field])
  /// A `time.Time`; prints as Go's `Time.String()`, marshals as RFC 3339. `nil` is Go's zero time.
  case time(Date?)
  /// A Docker CLI formatter context: fields read like a struct's, and `json` marshals it as a
  /// map, keys sorted and HTML escaped, as the CLI's `MarshalJSON` does.
  case context([Field])

  // MARK: - Go's %v

  /// The text Go's `fmt.Sprint` gives for the value.
  public var printed: String {
    switch self {
    case .null(let kind):
      switch kind {
      case .interface: "<nil>"
      case .slice: "[]"
      case .map: "map[]"
      }
    case .bool(let value): value ? "true" : "false"
    case .int(let value): String(value)
    case .string(let value): value
    case .list(let items): "[" + items.map(\.printed).joined(separator: " ") + "]"
    case .map(let members):
      "map["
        + members.sorted { $0.0 < $1.0 }.map { "\($0.0):\($0.1.printed)" }.joined(separator: " ")
        + "]"
    case .structure(let fields), .context(let fields):
      "{" + fields.map(\.value.printed).joined(separator: " ") + "}"
    case .time(let date):
      date.map(HumanUnits.goTimeString) ?? "0001-01-01 00:00:00 +0000 UTC"
    }
  }

  /// Whether Go's templates treat the value as true.
  var isTruthy: Bool {
    switch self {
    case .null: false
    case .bool(let value): value
    case .int(let value): value != 0
    case .string(let value): !value.isEmpty
    case .list(let items): !items.isEmpty
    case .map(let members): !members.isEmpty
    case .structure, .time, .context: true
    }
  }

  // MARK: - JSON

  /// The value as Go's `json.Marshal` would encode it.
  public var json: JSONValue {
    switch self {
    case .null: .null
    case .bool(let value): .bool(value)
    case .int(let value): .int(value)
    case .string(let value): .string(value)
    case .list(let items): .array(items.map(\.json))
    case .map(let members): .object(members.map { ($0.0, $0.1.json) }.sorted { $0.0 < $1.0 })
    case .structure(let fields): .object(fields.map { ($0.jsonName, $0.value.json) })
    case .context(let fields):
      .object(fields.map { ($0.jsonName, $0.value.json) }.sorted { $0.0 < $1.0 })
    case .time(let date): .string(date.map(formatRFC3339Nano) ?? "0001-01-01T00:00:00Z")
    }
  }

  /// A value decoded from raw JSON into Go's `map[string]any`, as inspect's fallback does.
  public init(rawJSON: JSONValue) {
    switch rawJSON {
    case .null: self = .null(.interface)
    case .bool(let value): self = .bool(value)
    case .number(let text): self = Int64(text).map(TemplateValue.int) ?? .string(text)
    case .string(let value): self = .string(value)
    case .array(let items): self = .list(items.map(TemplateValue.init(rawJSON:)))
    case .object(let members): self = .map(members.map { ($0.0, TemplateValue(rawJSON: $0.1)) })
    }
  }

  func member(_ name: String) -> TemplateValue? {
    switch self {
    case .structure(let fields), .context(let fields): fields.first { $0.name == name }?.value
    case .map(let members): members.first { $0.0 == name }?.1
    default: nil
    }
  }

  var typeName: String {
    switch self {
    case .null: "nil"
    case .bool: "bool"
    case .int: "int"
    case .string: "string"
    case .list: "[]interface {}"
    case .map: "map[string]interface {}"
    case .structure: "struct"
    case .context: "*formatter.Context"
    case .time: "time.Time"
    }
  }
}
