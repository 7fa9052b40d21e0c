import Foundation

/// A moment to the nanosecond, read from and written as RFC 3339 text by plain arithmetic.
///
/// Foundation's `ISO8601DateFormatter` and `DateFormatter` build an ICU calendar each; listing
/// thousands of images made thousands of them. This type parses what Go's `time.RFC3339Nano`
/// layout reads (`2024-09-01T12:00:00.123456789Z`, `…+02:00`) and prints what Go prints, in UTC.
public struct RFC3339Time: Hashable, Comparable, Sendable {
  /// Whole seconds since 1970-01-01T00:00:00Z.
  public var seconds: Int64
  /// The fraction of the second, `0..<1_000_000_000`.
  public var nanoseconds: Int32

  public init(seconds: Int64, nanoseconds: Int32 = 0) {
    self.seconds = seconds
    self.nanoseconds = nanoseconds
  }

  /// The moment of `date`, its fraction rounded to the nanosecond.
  public init(_ date: Date) {
    let interval = date.timeIntervalSince1970
    let whole = interval.rounded(.down)
    var nanos = Int64(((interval - whole) * 1e9).rounded())
    var seconds = Int64(whole)
    if nanos >= 1_000_000_000 {
      seconds += 1
      nanos -= 1_000_000_000
    }
    self.init(seconds: seconds, nanoseconds: Int32(nanos))
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
  ///
  /// It is `nil` for anything else, or for a date that does not exist (`2023-02-29`). Digits
  /// past the ninth of the fraction are dropped.
  public init?(parsing text: some StringProtocol) {
    var text = String(text)
    guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
    self = parsed
  }

  /// The moment as a `Date`, to the millisecond: the precision `ISO8601DateFormatter` reads,
  /// so that times compare as they always have.
  public var date: Date {
    Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds / 1_000_000) / 1000)
  }

  public static func < (left: Self, right: Self) -> Bool {
    (left.seconds, left.nanoseconds) < (right.seconds, right.nanoseconds)
  }

  // MARK: - Formatting

  /// Go's `time.RFC3339Nano` in UTC: `2024-09-01T12:00:00.5Z`, the fraction without trailing
  /// zeros, none when it is zero.
  public var rfc3339Nano: String {
    var text = calendarText(dateTimeSeparator: "T")
    appendFraction(to: &text, fixed: false)
    text.append("Z")
    return text
  }

  /// Docker's `RFC3339NanoFixed`: nine fraction digits always, `2024-09-01T12:00:00.000000000Z`.
  public var rfc3339NanoFixed: String {
    var text = calendarText(dateTimeSeparator: "T")
    appendFraction(to: &text, fixed: true)
    text.append("Z")
    return text
  }

  /// Go's `time.Time.String()` for a UTC time: `2024-05-01 12:34:56.5 +0000 UTC`.
  public var goString: String {
    var text = calendarText(dateTimeSeparator: " ")
    appendFraction(to: &text, fixed: false)
    text.append(" +0000 UTC")
    return text
  }

  /// The calendar fields in UTC (proleptic Gregorian).
  public var fields: (year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
    let (year, month, day) = Self.civil(fromDays: days)
    return (
      year, month, day, Int(secondOfDay / 3600), Int(secondOfDay / 60 % 60), Int(secondOfDay % 60)
    )
  }

  private func calendarText(dateTimeSeparator: Character) -> String {
    let (year, month, day, hour, minute, second) = fields
    var text = ""
    text.reserveCapacity(40)
    if year < 0 { text.append("-") }
    Self.append(Int(abs(year)), width: 4, to: &text)
    text.append("-")
    Self.append(month, width: 2, to: &text)
    text.append("-")
    Self.append(day, width: 2, to: &text)
    text.append(dateTimeSeparator)
    Self.append(hour, width: 2, to: &text)
    text.append(":")
    Self.append(minute, width: 2, to: &text)
    text.append(":")
    Self.append(second, width: 2, to: &text)
    return text
  }

  private func appendFraction(to text: inout String, fixed: Bool) {
    guard fixed || nanoseconds != 0 else { return }
    var digits = Int(nanoseconds)
    var width = 9
    if !fixed {
      while digits % 10 == 0 {
        digits /= 10
        width -= 1
      }
    }
    text.append(".")
    Self.append(digits, width: width, to: &text)
  }

  private static func append(_ value: Int, width: Int, to text: inout String) {
    let digits = String(value)
    if digits.count < width { text.append(String(repeating: "0", count: width - digits.count)) }
    text.append(digits)
  }

  // MARK: - Parsing

  private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Self? {
    var index = 0
    func number(_ count: Int) -> Int? {
      guard index + count <= bytes.count else { return nil }
      var value = 0
      for offset in index..<index + count {
        let digit = Int(bytes[offset]) - 48
        guard (0...9).contains(digit) else { return nil }
        value = value * 10 + digit
      }
      index += count
      return value
    }
    func expect(_ byte: UInt8) -> Bool {
      guard index < bytes.count, bytes[index] == byte else { return false }
      index += 1
      return true
    }
    guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D),
      let day = number(2), expect(0x54), let hour = number(2), expect(0x3A),
      let minute = number(2), expect(0x3A), let second = number(2),
      (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
      hour < 24, minute < 60, second < 60
    else { return nil }
    var nanos = 0
    if expect(0x2E) {
      var digits = 0
      while index < bytes.count, (48...57).contains(bytes[index]) {
        if digits < 9 { nanos = nanos * 10 + Int(bytes[index]) - 48 }
        digits += 1
        index += 1
      }
      guard digits > 0 else { return nil }
      for _ in digits..<max(digits, 9) { nanos *= 10 }
    }
    var offset = 0
    if expect(0x5A) {
      offset = 0
    } else if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D {
      let sign = bytes[index] == 0x2D ? -1 : 1
      index += 1
      guard let hours = number(2), expect(0x3A), let minutes = number(2), hours < 24,
        minutes < 60
      else { return nil }
      offset = sign * (hours * 3600 + minutes * 60)
    } else {
      return nil
    }
    guard index == bytes.count else { return nil }
    let days = Self.days(year: Int64(year), month: month, day: day)
    let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
    return Self(seconds: seconds, nanoseconds: Int32(nanos))
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
  static func days(year: Int64, month: Int, day: Int) -> Int64 {
    let year = month <= 2 ? year - 1 : year
    let era = (year >= 0 ? year : year - 399) / 400
    let yearOfEra = year - era * 400
    let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
    let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The proleptic Gregorian date of a day since 1970-01-01 (`civil_from_days`).
  static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
    let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

extension Int64 {
  /// The quotient rounded down and the remainder that goes with it (never negative).
  fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    let quotient = (self >= 0 ? self : self - divisor + 1) / divisor
    return (quotient, self - quotient * divisor)
  }
}
