import Foundation
import LabImage

/// Docker's human-readable numbers: sizes (go-units `HumanSizeWithPrecision`), durations
/// (go-units `HumanDuration`) and short IDs.
public enum HumanUnits {
  /// `188MB`, `7.8kB`, `0B`: decimal units, `%.*g` formatting, Go's exponent quirk included.
  public static func size(_ bytes: Int64, precision: Int = 3) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return formatG(value, precision: precision) + units[unit]
  }

  /// Go's `%.*g`: `precision` significant digits, trailing zeros dropped, exponent form when
  /// the exponent is below -4 or at least the precision (`1e+03`).
  public static func formatG(_ value: Double, precision: Int) -> String {
    guard value != 0 else { return "0" }
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
    let sign = value < 0 ? "-" : ""
    let magnitude = abs(value)
    var exponent = Int(floor(log10(magnitude)))
    var scaled = (magnitude / pow(10, Double(exponent - precision + 1))).rounded(.toNearestOrEven)
    if scaled >= pow(10, Double(precision)) {
      exponent += 1
      scaled = (magnitude / pow(10, Double(exponent - precision + 1))).rounded(.toNearestOrEven)
    }
    var digits = String(Int64(scaled))
    if exponent < -4 || exponent >= precision {
      var mantissa = String(digits.removeFirst())
      let rest = String(digits.reversed().drop { $0 == "0" }.reversed())
      if !rest.isEmpty { mantissa += "." + rest }
      let exponentText = String(abs(exponent))
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
        + (exponentText.count < 2 ? "0" + exponentText : exponentText)
    }
    if exponent >= 0 {
      let integerCount = exponent + 1
      let integer = String(digits.prefix(integerCount))
      let fraction = String(digits.dropFirst(integerCount).reversed().drop { $0 == "0" }.reversed())
      return sign + integer + (fraction.isEmpty ? "" : "." + fraction)
    }
    let fraction = String(repeating: "0", count: -exponent - 1) + digits
    let trimmed = String(fraction.reversed().drop { $0 == "0" }.reversed())
    return sign + "0." + trimmed
  }

  /// `Less than a second`, `About a minute`, `2 weeks`: go-units `HumanDuration`.
  public static func duration(_ interval: TimeInterval) -> String {
    let seconds = Int(interval)
    if seconds < 1 { return "Less than a second" }
    if seconds == 1 { return "1 second" }
    if seconds < 60 { return "\(seconds) seconds" }
    let minutes = Int(interval / 60)
    if minutes == 1 { return "About a minute" }
    if minutes < 60 { return "\(minutes) minutes" }
    let hours = Int(interval / 3600 + 0.5)
    if hours == 1 { return "About an hour" }
    if hours < 48 { return "\(hours) hours" }
    if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
    if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
    if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
    return "\(Int(interval / 3600) / 24 / 365) years"
  }

  /// Docker's `TruncateID`: drop up to the first `:`, keep 12 characters.
  public static func truncateID(_ id: String) -> String {
    var text = Substring(id)
    if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
    return String(text.prefix(12))
  }

  /// Docker's `formatter.Ellipsis`: at most `maxWidth` display columns, ending in `…`.
  public static func ellipsis(_ text: String, _ maxWidth: Int) -> String {
    let characters = Array(text)
    guard characters.count > maxWidth else { return text }
    guard maxWidth > 1 else { return String(characters.prefix(maxWidth)) }
    return String(characters.prefix(maxWidth - 1)) + "…"
  }

  /// Docker's `RFC3339NanoFixed` for log timestamps: nine fraction digits always,
  /// `2024-09-01T12:00:00.000000000Z`.
  public static func fixedNano(_ date: Date) -> String {
    RFC3339Time(date).rfc3339NanoFixed
  }

  /// Go's `time.Time.String()` for a UTC time: `2024-05-01 12:34:56 +0000 UTC`.
  public static func goTimeString(_ date: Date) -> String {
    RFC3339Time(date).goString
  }
}
