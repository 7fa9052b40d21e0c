import Foundation

/// The time as the sandbox sees it: a fixed start that advances a fixed step per command.
///
/// Docker output depends on the time (`2 weeks ago`, `lastUpdated`, build durations); a
/// virtual clock makes the same commands print the same text on every machine and day.
public struct VirtualClock: Equatable, Sendable {
  /// Where a fresh store's clock starts: 2024-09-01T12:00:00Z.
  ///
  /// At that date the embedded images are a few weeks old, as they were when lessons about
  /// them were written.
  public static let defaultStart = Date(timeIntervalSince1970: 1_725_192_000)
  /// How far each command moves the clock.
  public static let step: TimeInterval = 1

  /// The times the clock can show: the years 1 to 9999, as RFC 3339 writes them.
  ///
  /// Outside them no time prints, and seconds do not fit Docker's integers.
  public static let range =
    Date(timeIntervalSince1970: -62_135_596_800)...Date(timeIntervalSince1970: 253_402_300_799)

  /// The time, always within ``range``.
  public var now: Date {
    didSet { now = Self.clamped(now) }
  }

  public init(now: Date = VirtualClock.defaultStart) { self.now = Self.clamped(now) }

  /// `date` moved into ``range``; a date that is no number (NaN) is the default start.
  static func clamped(_ date: Date) -> Date {
    guard !date.timeIntervalSince1970.isNaN else { return defaultStart }
    return min(max(date, range.lowerBound), range.upperBound)
  }

  /// The clock's time after `date` moves on by `interval`, or `nil` when that is past ``range``.
  public static func time(_ date: Date, after interval: TimeInterval) -> Date? {
    let seconds = date.timeIntervalSince1970 + interval
    guard seconds.isFinite else { return nil }
    let next = Date(timeIntervalSince1970: seconds)
    return range.contains(next) ? next : nil
  }

  public mutating func advance(by interval: TimeInterval = VirtualClock.step) {
    now = now.addingTimeInterval(interval)
  }

  /// Moves the clock on to `date` when a command took time (`sleep 60`); never back.
  public mutating func catchUp(to date: Date) {
    if date > now { now = date }
  }

  /// Parses the `--now` / `LAYERLAB_NOW` value: RFC 3339, or seconds since the epoch; `nil` for
  /// anything else, or a time outside ``range`` (`1e19`, `inf`, `nan`).
  public static func parse(_ text: String) -> Date? {
    if let seconds = TimeInterval(text) {
      return time(Date(timeIntervalSince1970: 0), after: seconds)
    }
    return parseRFC3339(text).flatMap { range.contains($0) ? $0 : nil }
  }
}

/// Formats times as Go's `time.RFC3339Nano` does: UTC `Z`, fraction without trailing zeros.
public func formatRFC3339Nano(_ date: Date) -> String {
  RFC3339Time(date).rfc3339Nano
}
