import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `sort`: sorts lines, by key, numbers and human sizes too.
struct Sort: Utility {
  static let name = "sort"
  static let options = OptionSpec(
    "rnufhV", values: "kt",
    long: [
      "reverse": "r", "numeric-sort": "n", "human-numeric-sort": "h", "unique": "u",
      "version-sort": "V",
      "ignore-case": "f", "key": "k", "field-separator": "t",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Sort.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    var lines = context.inputs(options.operands, invocation: invocation, output: &output).flatMap {
      $0.bytes.lines
    }
    var field: Int?
    if let spec = options.values["k"] {
      let key = UtilityContext.sortKeyField(spec)
      if let error = key.error { return .failure("sort: \(error)", status: 2) }
      field = key.field
    }
    let separator = options.values["t"].flatMap(\.first)
    func key(_ line: String) -> String {
      guard let field else { return line }
      let parts =
        separator.map {
          line.split(separator: $0, omittingEmptySubsequences: false).map(String.init)
        }
        ?? line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      return field - 1 < parts.count ? parts[(field - 1)...].joined(separator: " ") : ""
    }
    lines.sort { a, b in
      let (left, right) = (key(a), key(b))
      if options.has("n") || options.has("h") {
        // `-h` ranks by the suffix first (K < M < G …), then by the number, as GNU does.
        let x = UtilityContext.numericKey(left, human: options.has("h"))
        let y = UtilityContext.numericKey(right, human: options.has("h"))
        if x != y { return x.lexicographicallyPrecedes(y) }
      }
      if options.has("V") {
        let (x, y) = (UtilityContext.versionKey(left), UtilityContext.versionKey(right))
        if x != y { return x.lexicographicallyPrecedes(y, by: UtilityContext.versionPrecedes) }
      }
      if options.has("f"), left.lowercased() != right.lowercased() {
        return left.lowercased() < right.lowercased()
      }
      return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
        || (left == right && Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)))
    }
    if options.has("r") { lines.reverse() }
    if options.has("u") {
      var seen: Set<String> = []
      lines = lines.filter { seen.insert(key($0)).inserted }
    }
    output.print(lines.map { $0 + "\n" }.joined())
    return output
  }
}

extension UtilityContext {
  /// The first field of a `sort -k` key (`2`, `2,3`, `1.2n`), or GNU's complaint about it.
  ///
  /// A field past `Int` means one no line has, as GNU's clamped number does.
  static func sortKeyField(_ spec: String) -> (field: Int, error: String?) {
    let digits = spec.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty else {
      return (0, "invalid number at field start: invalid count at start of ‘\(spec)’")
    }
    let field = digits.allSatisfy { $0 == "0" } ? 0 : Int(digits) ?? Int.max
    guard field > 0 else {
      return (0, "field number is zero: invalid field specification ‘\(spec)’")
    }
    // .C, the ordering letters, then an optional end: ,F[.C][letters].
    let allowed = Set("0123456789.bdfgiMhnRrV")
    let rest = spec.dropFirst(digits.count)
    let end = rest.firstIndex(of: ",").map { rest[rest.index(after: $0)...] } ?? ""
    let start = rest.prefix { $0 != "," }
    guard start.allSatisfy(allowed.contains), end.allSatisfy(allowed.contains) else {
      return (0, "stray character in field spec: invalid field specification ‘\(spec)’")
    }
    return (field, nil)
  }
}

extension UtilityContext {
  /// A part of a version key as `sort -V` reads one: runs of digits as numbers, the rest as
  /// text.
  enum VersionPart: Equatable {
    case number(Int)
    case text(String)
  }

  static func versionKey(_ text: String) -> [VersionPart] {
    var parts: [VersionPart] = []
    var current = ""
    var inDigits = false
    func flush() {
      guard !current.isEmpty else { return }
      parts.append(inDigits ? .number(Int(current.prefix(18)) ?? 0) : .text(current))
      current = ""
    }
    for character in text {
      let digit = character.isASCII && character.isNumber
      if digit != inDigits { flush() }
      inDigits = digit
      current.append(character)
    }
    flush()
    return parts
  }

  static func versionPrecedes(_ left: VersionPart, _ right: VersionPart) -> Bool {
    switch (left, right) {
    case (.number(let x), .number(let y)): x < y
    case (.text(let x), .text(let y)): Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
    case (.number, .text): true
    case (.text, .number): false
    }
  }

  /// The number a line starts with for `sort -n`, and for `sort -h` its unit's rank before it.
  static func numericKey(_ text: String, human: Bool) -> [Double] {
    let trimmed = text.drop { $0 == " " || $0 == "\t" }
    let digits = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "-" }
    let number = Double(digits) ?? 0
    guard human else { return [number] }
    let unit = trimmed.dropFirst(digits.count).first.map { String($0).uppercased() } ?? ""
    let rank = Double(
      ["K", "M", "G", "T", "P", "E", "Z", "Y"].firstIndex(of: unit).map { $0 + 1 } ?? 0)
    return [number < 0 ? -rank : rank, number]
  }
}
