/// Go's `time.ParseDuration`, as BuildKit reads `HEALTHCHECK --interval=30s`: signed sums of
/// decimal numbers with units (`1h30m`, `1.5s`, `300ms`), in 64-bit nanoseconds, with Go's
/// messages for text it cannot read and for durations past 2^63 - 1 nanoseconds.
enum GoDuration {
  static let units: [String: UInt64] = [
    "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
    "m": 60_000_000_000, "h": 3_600_000_000_000,
  ]

  /// The nanoseconds `text` stands for.
  ///
  /// - Parameters:
  ///   - text: The duration.
  ///   - line: The Dockerfile line it is on, for the error.
  /// - Returns: The duration in nanoseconds.
  /// - Throws: ``DockerfileError/parse(line:message:)`` with Go's message.
  static func nanoseconds(_ text: String, line: Int) throws(DockerfileError) -> Int64 {
    func failure(_ message: String) -> DockerfileError { .parse(line: line, message: message) }
    let invalid = failure("time: invalid duration \(quote(text))")
    var rest = Substring(text)
    var negative = false
    if let sign = rest.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      rest = rest.dropFirst()
    }
    if rest == "0" { return 0 }
    guard !rest.isEmpty else { throw invalid }
    let limit: UInt64 = 1 << 63
    var total: UInt64 = 0
    while let first = rest.first {
      guard first == "." || first.isASCIIDigit else { throw invalid }
      // [0-9]*
      var whole: UInt64 = 0
      let digits = rest.prefix { $0.isASCIIDigit }
      for digit in digits.utf8 {
        guard whole <= limit / 10 else { throw invalid }
        whole = whole * 10 + UInt64(digit - 48)
        guard whole <= limit else { throw invalid }
      }
      rest = rest.dropFirst(digits.count)
      // (\.[0-9]*)?: past 63 bits the fraction only stops gaining precision.
      var fraction: UInt64 = 0
      var scale = 1.0
      var hasFraction = false
      if rest.first == "." {
        rest = rest.dropFirst()
        let decimals = rest.prefix { $0.isASCIIDigit }
        hasFraction = !decimals.isEmpty
        var overflow = false
        for digit in decimals.utf8 where !overflow {
          guard fraction <= (limit - 1) / 10 else {
            overflow = true
            continue
          }
          let next = fraction * 10 + UInt64(digit - 48)
          guard next <= limit else {
            overflow = true
            continue
          }
          fraction = next
          scale *= 10
        }
        rest = rest.dropFirst(decimals.count)
      }
      guard !digits.isEmpty || hasFraction else { throw invalid }
      let name = String(rest.prefix { $0 != "." && !$0.isASCIIDigit })
      guard !name.isEmpty else {
        throw failure("time: missing unit in duration \(quote(text))")
      }
      rest = rest.dropFirst(name.count)
      guard let unit = units[name] else {
        throw failure("time: unknown unit \(quote(name)) in duration \(quote(text))")
      }
      guard whole <= limit / unit else { throw invalid }
      var value = whole * unit
      if fraction > 0 {
        value += UInt64(Double(fraction) * (Double(unit) / scale))
        guard value <= limit else { throw invalid }
      }
      total += value
      guard total <= limit else { throw invalid }
    }
    if negative { return Int64(truncatingIfNeeded: 0 &- total) }
    guard total <= limit - 1 else { throw invalid }
    return Int64(total)
  }

  /// Go's `time` package quoting: `"` and `\` escaped, other bytes outside printable ASCII as
  /// `\x..`.
  static func quote(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      if scalar.isASCII && scalar.value >= 0x20 {
        if scalar == "\"" || scalar == "\\" { result += "\\" }
        result.unicodeScalars.append(scalar)
      } else {
        for byte in String(scalar).utf8 {
          result += "\\x" + String(byte >> 4, radix: 16) + String(byte & 15, radix: 16)
        }
      }
    }
    return result + "\""
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
