import Foundation
import LabJSON

/// Go's `sort.Sort` for the lists dive sorts.
enum GoSort {
  /// Go sorts up to 12 elements by insertion, which keeps equal elements in order; longer
  /// lists are sorted stably here too.
  static func sorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
    var items = items
    if items.count <= 12 {
      for i in items.indices.dropFirst() {
        var j = i
        while j > 0 && less(items[j], items[j - 1]) {
          items.swapAt(j, j - 1)
          j -= 1
        }
      }
      return items
    }
    return items.enumerated().sorted { a, b in
      less(a.element, b.element) || (!less(b.element, a.element) && a.offset < b.offset)
    }.map(\.element)
  }
}

/// Go's and go-humanize's ways of writing numbers, as dive prints them.
public enum Humanize {
  /// go-humanize's `Bytes`: SI units, one decimal below 10 (`7.8 MB`, `12 kB`, `9 B`).
  public static func bytes(_ size: UInt64) -> String {
    if size < 10 { return "\(size) B" }
    let sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    let exponent = (log(Double(size)) / log(1000)).rounded(.down)
    let suffix = sizes[min(Int(exponent), sizes.count - 1)]
    let value = (Double(size) / pow(1000, exponent) * 10 + 0.5).rounded(.down) / 10
    return fixed(value, digits: value < 10 ? 1 : 0) + " " + suffix
  }

  /// go-humanize's `ParseBytes`: `20MB`, `1.5 GiB`, `1,000`, a plain number of bytes.
  public static func parseBytes(_ text: String) -> Result<UInt64, DiveError> {
    var digits = 0
    var hasComma = false
    for scalar in text.unicodeScalars {
      guard ("0"..."9").contains(scalar) || scalar == "." || scalar == "," else { break }
      if scalar == "," { hasComma = true }
      digits += 1
    }
    var number = String(text.unicodeScalars.prefix(digits))
    if hasComma { number = number.replacingOccurrences(of: ",", with: "") }
    guard let value = parseFloat(number) else {
      return .failure(DiveError("strconv.ParseFloat: parsing \(goQuote(number)): invalid syntax"))
    }
    let unit = String(text.unicodeScalars.dropFirst(digits)).trimmingCharacters(
      in: .whitespaces
    ).lowercased()
    let table: [String: Double] = [
      "b": 1, "": 1,
      "kib": 1024, "ki": 1024, "kb": 1000, "k": 1000,
      "mib": 1_048_576, "mi": 1_048_576, "mb": 1e6, "m": 1e6,
      "gib": 1_073_741_824, "gi": 1_073_741_824, "gb": 1e9, "g": 1e9,
      "tib": 1_099_511_627_776, "ti": 1_099_511_627_776, "tb": 1e12, "t": 1e12,
      "pib": 1_125_899_906_842_624, "pi": 1_125_899_906_842_624, "pb": 1e15, "p": 1e15,
      "eib": 1_152_921_504_606_846_976, "ei": 1_152_921_504_606_846_976, "eb": 1e18, "e": 1e18,
    ]
    guard let multiplier = table[unit] else {
      return .failure(DiveError("unhandled size name: \(unit)"))
    }
    let total = value * multiplier
    guard total < 18_446_744_073_709_551_616.0 else {
      return .failure(DiveError("too large: \(text)"))
    }
    return .success(UInt64(total))
  }

  /// Go's `strconv.ParseFloat` for the forms a config holds: digits, a point, an exponent.
  static func parseFloat(_ text: String) -> Double? {
    let allowed = Set("0123456789.eE+-_")
    guard !text.isEmpty, text.allSatisfy({ allowed.contains($0) }) else {
      let lower = text.lowercased()
      if ["inf", "+inf", "infinity", "+infinity"].contains(lower) { return .infinity }
      if ["-inf", "-infinity"].contains(lower) { return -.infinity }
      if lower == "nan" { return .nan }
      return nil
    }
    return Double(text)
  }

  /// `text` in Go's `%q`.
  static func goQuote(_ text: String) -> String { JSONValue.goQuoted(text) }

  /// `value` with `digits` decimals, rounded as C's and Go's `%.Nf` round.
  public static func fixed(_ value: Double, digits: Int) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
    var buffer = [CChar](repeating: 0, count: 512)
    let count = withVaList([value]) { arguments in
      vsnprintf(&buffer, buffer.count, "%.\(digits)f", arguments)
    }
    guard count >= 0 && count < buffer.count else { return String(value) }
    return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Go's `%v` for a float64: the shortest digits that read back the same, with an exponent
  /// below 1e-4 or from 1e6 on (Go's `%g` with the shortest precision).
  public static func goFloat(_ value: Double, exponent allowsExponent: Bool = true) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    // Swift's description has the shortest round-trip digits; take them and the exponent.
    let text = "\(abs(value))"
    var mantissa = text
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      mantissa = String(text[..<e])
      exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    let whole = String(parts[0])
    let fraction = parts.count > 1 ? String(parts[1]) : ""
    var digits = whole + fraction
    // The decimal point sits after `point` digits of `digits`.
    var point = whole.count + exponent
    while digits.hasPrefix("0") && digits.count > 1 {
      digits.removeFirst()
      point -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let sign = value < 0 ? "-" : ""
    let decimalExponent = point - 1
    if allowsExponent && (decimalExponent < -4 || decimalExponent >= 6) {
      var out = String(digits.prefix(1))
      if digits.count > 1 { out += "." + digits.dropFirst() }
      let magnitude = abs(decimalExponent)
      out += (decimalExponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
      return sign + out
    }
    if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
    if point >= digits.count {
      return sign + digits + String(repeating: "0", count: point - digits.count)
    }
    return sign + digits.prefix(point) + "." + digits.dropFirst(point)
  }

  static func leftPad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
  }

  static func rightPad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}

extension String {
  func leftPadded(_ width: Int, _ pad: Character) -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
