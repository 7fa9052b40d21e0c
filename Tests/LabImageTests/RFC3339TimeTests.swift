import Foundation
import LabImage
import Testing

/// The hand-written RFC 3339 reader and writer agree with Foundation's formatters, which they
/// replace, on every value Foundation reads correctly.
@Suite("RFC 3339 times without Foundation's formatters")
struct RFC3339TimeTests {
  /// Foundation's reading, as LayerLab did it before.
  static func foundationParse(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)
  }

  /// Foundation's `yyyy-MM-dd'T'HH:mm:ss` (or with a space) in UTC.
  static func foundationFormat(_ date: Date, separator: String = "'T'") -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd\(separator)HH:mm:ss"
    return formatter.string(from: date)
  }

  /// Times from the year 1600 to 9999, with fractions of every length and several zones.
  /// (Before October 1582 Foundation's calendar is the Julian one; Go's, and this type's, stays
  /// Gregorian.)
  static let earliest: Int64 = -11_676_096_000
  static var samples: [String] {
    var generator = SystemRandomNumberGenerator.Seeded(seed: 17)
    var texts: [String] = []
    let zones = ["Z", "+00:00", "+02:00", "-05:30", "+14:00", "-12:00", "+05:45"]
    for index in 0..<2_000 {
      let seconds = Int64.random(in: earliest...253_402_214_400, using: &generator)
      let base = Self.foundationFormat(Date(timeIntervalSince1970: Double(seconds)))
      let digits = index % 10
      let fraction =
        digits == 0
        ? ""
        : "."
          + (0..<digits).map { _ in String(Int.random(in: 0...9, using: &generator)) }
          .joined()
      texts.append(base + fraction + zones[index % zones.count])
    }
    return texts + [
      "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00Z",
      "2024-02-29T23:59:59.5+01:00", "1600-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
      "2024-09-01T12:00:00.000000001Z",
    ]
  }

  @Test func readsAsFoundationDoes() throws {
    for text in Self.samples {
      let ours = try #require(RFC3339Time(parsing: text), "\(text)")
      let theirs = try #require(Self.foundationParse(text), "\(text)")
      // Foundation keeps milliseconds; so does `date`.
      #expect(
        (ours.date.timeIntervalSince1970 * 1000).rounded()
          == (theirs.timeIntervalSince1970 * 1000).rounded(), "\(text)")
      #expect(parseRFC3339(text) == ours.date)
    }
  }

  @Test func goZeroTimeIsGregorian() throws {
    #expect(RFC3339Time(parsing: "0001-01-01T00:00:00Z")?.seconds == -62_135_596_800)
    #expect(RFC3339Time(seconds: -62_135_596_800).rfc3339Nano == "0001-01-01T00:00:00Z")
  }

  @Test func keepsNanoseconds() throws {
    let time = try #require(RFC3339Time(parsing: "2024-09-01T14:00:00.123456789+02:00"))
    #expect(time.seconds == 1_725_192_000)
    #expect(time.nanoseconds == 123_456_789)
    #expect(time.rfc3339Nano == "2024-09-01T12:00:00.123456789Z")
    #expect(RFC3339Time(parsing: "2024-09-01T12:00:00.1234567891Z")?.nanoseconds == 123_456_789)
  }

  @Test func writesAsFoundationAndGoDo() {
    var generator = SystemRandomNumberGenerator.Seeded(seed: 3)
    for _ in 0..<2_000 {
      let seconds = Int64.random(in: Self.earliest...253_402_214_400, using: &generator)
      let nanos = Int32.random(in: 0..<1_000_000_000, using: &generator) / 10 * 10
      let time = RFC3339Time(seconds: seconds, nanoseconds: nanos)
      let date = Date(timeIntervalSince1970: Double(seconds))
      var fraction = String(nanos)
      fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
      let trimmed = String(fraction.reversed().drop { $0 == "0" }.reversed())
      let base = Self.foundationFormat(date)
      #expect(time.rfc3339Nano == base + (trimmed.isEmpty ? "" : "." + trimmed) + "Z")
      #expect(time.rfc3339NanoFixed == base + "." + fraction + "Z")
      #expect(
        time.goString
          == Self.foundationFormat(date, separator: " ") + (trimmed.isEmpty ? "" : "." + trimmed)
          + " +0000 UTC")
    }
  }

  @Test func roundsDatesToTheNanosecond() {
    #expect(
      formatRFC3339Nano(Date(timeIntervalSince1970: 1_725_192_000.5)) == "2024-09-01T12:00:00.5Z")
    #expect(formatRFC3339Nano(Date(timeIntervalSince1970: 1_725_192_000)) == "2024-09-01T12:00:00Z")
    // A fraction that rounds up to a whole second carries into the seconds.
    #expect(
      formatRFC3339Nano(Date(timeIntervalSince1970: 1_725_191_999.999_999_999_9))
        == "2024-09-01T12:00:00Z")
    #expect(
      RFC3339Time(Date(timeIntervalSince1970: -0.25)).rfc3339Nano == "1969-12-31T23:59:59.75Z")
  }

  @Test(arguments: [
    "", "2024-09-01", "2024-09-01T12:00:00", "2024-09-01T12:00Z", "2024-9-01T12:00:00Z",
    "2024-09-01t12:00:00Z", "2024-09-01 12:00:00Z", "2024-02-30T12:00:00Z", "2023-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-09-00T00:00:00Z", "2024-09-01T24:00:00Z",
    "2024-09-01T12:60:00Z", "2024-09-01T12:00:60Z", "2024-09-01T12:00:00.Z",
    "2024-09-01T12:00:00+0100", "2024-09-01T12:00:00+01", "2024-09-01T12:00:00+24:00",
    " 2024-09-01T12:00:00Z", "2024-09-01T12:00:00Z ", "+2024-09-01T12:00:00Z",
    "2024-09-01T12:00:00ZZ", "２０２４-09-01T12:00:00Z",
  ])
  func refusesWhatIsNotRFC3339(text: String) {
    #expect(RFC3339Time(parsing: text) == nil)
  }
}

extension SystemRandomNumberGenerator {
  /// A small deterministic generator (SplitMix64), so the samples are the same on every run.
  struct Seeded: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var value = state
      value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
      value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
      return value ^ (value >> 31)
    }
  }
}
