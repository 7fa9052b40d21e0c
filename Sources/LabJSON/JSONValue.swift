import Foundation

/// A JSON document that keeps the order of object keys.
///
/// Docker's output depends on key order (struct order in inspect, sorted keys in configs and
/// `repositories.json`), so documents are built and printed with this type rather than
/// through `JSONEncoder`, whose order is not specified.
public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// A number, kept as its source text so that integers print as written.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.number(let a), .number(let b)): a == b || Double(a) == Double(b)
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  public static func int<I: BinaryInteger>(_ value: I) -> JSONValue { .number(String(value)) }

  /// The member named `key` of an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  public var objectValue: [(String, JSONValue)]? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// The number as a 64-bit integer: `nil` for a number past its range, such as `1e300`.
  public var intValue: Int64? {
    guard case .number(let text) = self else { return nil }
    return Int64(text) ?? Double(text).flatMap { Int64(exactly: $0.rounded(.towardZero)) }
  }

  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// A copy with object keys sorted at every level, as Go's `json.Marshal` of a map prints them.
  public var sortedKeys: JSONValue {
    switch self {
    case .array(let items): .array(items.map(\.sortedKeys))
    case .object(let members):
      .object(members.map { ($0.0, $0.1.sortedKeys) }.sorted { $0.0 < $1.0 })
    default: self
    }
  }
}

// MARK: - Printing

extension JSONValue {
  /// Compact text as Go's `json.Marshal` writes it.
  ///
  /// - Parameter escapingHTML: Whether `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026`,
  ///   as `json.Marshal` does and a Go encoder with `SetEscapeHTML(false)` does not.
  /// - Returns: The JSON text.
  public func compact(escapingHTML: Bool = true) -> String {
    var out = ""
    write(to: &out, indent: nil, level: 0, escapingHTML: escapingHTML)
    return out
  }

  /// Indented text as Go's `json.Indent(dst, src, "", indent)` writes it: empty arrays and
  /// objects stay on one line.
  public func indented(_ indent: String = "    ", escapingHTML: Bool = false) -> String {
    var out = ""
    write(to: &out, indent: indent, level: 0, escapingHTML: escapingHTML)
    return out
  }

  private func write(to out: inout String, indent: String?, level: Int, escapingHTML: Bool) {
    switch self {
    case .null: out += "null"
    case .bool(let value): out += value ? "true" : "false"
    case .number(let text): out += text
    case .string(let text): out += Self.quote(text, escapingHTML: escapingHTML)
    case .array(let items):
      guard !items.isEmpty else {
        out += "[]"
        return
      }
      out += "["
      for (index, item) in items.enumerated() {
        if index > 0 { out += "," }
        newline(&out, indent, level + 1)
        item.write(to: &out, indent: indent, level: level + 1, escapingHTML: escapingHTML)
      }
      newline(&out, indent, level)
      out += "]"
    case .object(let members):
      guard !members.isEmpty else {
        out += "{}"
        return
      }
      out += "{"
      for (index, (key, value)) in members.enumerated() {
        if index > 0 { out += "," }
        newline(&out, indent, level + 1)
        out += Self.quote(key, escapingHTML: escapingHTML)
        out += indent == nil ? ":" : ": "
        value.write(to: &out, indent: indent, level: level + 1, escapingHTML: escapingHTML)
      }
      newline(&out, indent, level)
      out += "}"
    }
  }

  private func newline(_ out: inout String, _ indent: String?, _ level: Int) {
    guard let indent else { return }
    out += "\n"
    out += String(repeating: indent, count: level)
  }

  /// Go's `strconv.Quote` (`%q`): the form Go programs print names and values in.
  public static func goQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += String(format: "\\x%02x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// A JSON string literal with Go's escapes.
  public static func quote(_ text: String, escapingHTML: Bool = true) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "<" where escapingHTML: out += "\\u003c"
      case ">" where escapingHTML: out += "\\u003e"
      case "&" where escapingHTML: out += "\\u0026"
      case "\u{2028}": out += "\\u2028"
      case "\u{2029}": out += "\\u2029"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}

// MARK: - Parsing

extension JSONValue {
  /// How deeply arrays and objects may nest in parsed text.
  ///
  /// Everything that walks a value calls itself a level at a time, so the bound keeps it within
  /// a small thread stack.
  public static let depthLimit = 100

  /// Parses JSON text, keeping key order.
  public init(parsing text: String) throws(JSONError) {
    var parser = JSONParser(Array(text.utf8))
    self = try parser.parseDocument()
  }

  /// Parses JSON bytes, keeping key order.
  public init(parsing bytes: [UInt8]) throws(JSONError) {
    var parser = JSONParser(bytes)
    self = try parser.parseDocument()
  }
}

private struct JSONParser {
  let bytes: [UInt8]
  var index = 0
  /// How many arrays and objects the parser is inside.
  var depth = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func parseDocument() throws(JSONError) -> JSONValue {
    let value = try parseValue()
    skipSpace()
    guard index == bytes.count else { throw fail("unexpected text after the document") }
    return value
  }

  func fail(_ reason: String) -> JSONError { JSONError(reason: reason, offset: index) }

  mutating func skipSpace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: return
      }
    }
  }

  mutating func parseValue() throws(JSONError) -> JSONValue {
    skipSpace()
    guard index < bytes.count else { throw fail("unexpected end") }
    switch bytes[index] {
    case UInt8(ascii: "{"):
      try enter()
      defer { depth -= 1 }
      index += 1
      var members: [(String, JSONValue)] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
          throw fail("expected a key")
        }
        let key = try parseString()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
          throw fail("expected ':'")
        }
        index += 1
        members.append((key, try parseValue()))
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          continue
        }
        guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
        index += 1
        return .object(members)
      }
    case UInt8(ascii: "["):
      try enter()
      defer { depth -= 1 }
      index += 1
      var items: [JSONValue] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(items)
      }
      while true {
        items.append(try parseValue())
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          continue
        }
        guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
        index += 1
        return .array(items)
      }
    case UInt8(ascii: "\""):
      return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectWord("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectWord("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectWord("null")
      return .null
    default:
      let start = index
      while index < bytes.count,
        "+-0123456789.eE".utf8.contains(bytes[index])
      {
        index += 1
      }
      guard index > start, Self.isNumber(bytes[start..<index]),
        let text = String(bytes: bytes[start..<index], encoding: .utf8)
      else { throw fail("unexpected character") }
      return .number(text)
    }
  }

  /// Whether the bytes are a number in JSON's grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?` and an
  /// exponent, as Go's decoder reads it (`01`, `+1`, `.5` and `1.` are not numbers).
  static func isNumber(_ bytes: ArraySlice<UInt8>) -> Bool {
    var rest = bytes[...]
    func digits() -> Int {
      let count = rest.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
      rest = rest.dropFirst(count)
      return count
    }
    if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
    if rest.first == UInt8(ascii: "0") {
      rest = rest.dropFirst()
    } else if digits() == 0 {
      return false
    }
    if rest.first == UInt8(ascii: ".") {
      rest = rest.dropFirst()
      guard digits() > 0 else { return false }
    }
    if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
      rest = rest.dropFirst()
      if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") {
        rest = rest.dropFirst()
      }
      guard digits() > 0 else { return false }
    }
    return rest.isEmpty
  }

  /// Goes into an array or object, or fails past ``JSONValue/depthLimit``.
  mutating func enter() throws(JSONError) {
    guard depth < JSONValue.depthLimit else { throw fail(JSONError.tooDeep) }
    depth += 1
  }

  mutating func expectWord(_ word: String) throws(JSONError) {
    let utf8 = Array(word.utf8)
    guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8
    else { throw fail("unexpected word") }
    index += utf8.count
  }

  mutating func parseString() throws(JSONError) -> String {
    index += 1
    // Most strings (keys, digests, dates) have no escape: they are their bytes, decoded once.
    var end = index
    while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") {
      end += 1
    }
    if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
      defer { index = end + 1 }
      return String(decoding: bytes[index..<end], as: UTF8.self)
    }
    var scalars = String.UnicodeScalarView()
    var run: [UInt8] = []
    func flush() {
      if !run.isEmpty {
        scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
        run.removeAll()
      }
    }
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if byte == UInt8(ascii: "\"") {
        flush()
        return String(scalars)
      }
      guard byte == UInt8(ascii: "\\") else {
        run.append(byte)
        continue
      }
      flush()
      guard index < bytes.count else { break }
      let escape = bytes[index]
      index += 1
      switch escape {
      case UInt8(ascii: "n"): scalars.append("\n")
      case UInt8(ascii: "t"): scalars.append("\t")
      case UInt8(ascii: "r"): scalars.append("\r")
      case UInt8(ascii: "b"): scalars.append("\u{8}")
      case UInt8(ascii: "f"): scalars.append("\u{C}")
      case UInt8(ascii: "u"):
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
          bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        {
          index += 2
          let low = try hex4()
          if (0xDC00..<0xE000).contains(low) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else {
            // A high surrogate without its low half is U+FFFD, and the escape after it
            // stands alone, as Go decodes them.
            scalars.append("\u{FFFD}")
            code = low
          }
        }
        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
      default: scalars.append(Unicode.Scalar(escape))
      }
    }
    throw fail("unterminated string")
  }

  mutating func hex4() throws(JSONError) -> UInt32 {
    guard index + 4 <= bytes.count,
      let text = String(bytes: bytes[index..<index + 4], encoding: .utf8),
      let value = UInt32(text, radix: 16)
    else { throw fail("bad \\u escape") }
    index += 4
    return value
  }
}

/// Text that is not JSON, with where the parser gave up.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
  public var reason: String
  /// The byte at which the parser gave up.
  public var offset: Int

  /// The reason for arrays and objects nested past ``JSONValue/depthLimit``, Go's words.
  public static let tooDeep = "exceeded max depth"

  public var isTooDeep: Bool { reason == Self.tooDeep }

  public var description: String { "invalid JSON: \(reason) at offset \(offset)" }
}
