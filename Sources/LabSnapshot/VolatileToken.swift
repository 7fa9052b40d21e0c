import Foundation

/// Kinds of text that change from run to run and so match by shape.
public enum TokenKind: String, Codable, Sendable, CaseIterable {
  /// `sha256:` and 64 hex digits, or the 64 hex digits alone.
  case digest
  /// A 12-hex short ID.
  case shortID
  /// Hex digits cut short by Docker's `…` (`ADD file:5758b97d8301c84a2…` in `docker history`).
  case truncatedID
  /// A 26-character overlay link ID.
  case linkID
  /// `2 weeks ago`, `About a minute ago`.
  case relativeTime
  /// `188MB`, `7.8kB`.
  case size
  /// RFC 3339 and Go `Time.String()` timestamps.
  case timestamp
  /// `0.4s`, build durations.
  case duration
  /// The seconds a BuildKit log line is stamped with: `#8 2.114 Successfully installed …`.
  case logTime
  /// `Aug 13 00:20`, `ls -l` dates.
  case listingDate

  /// Whether tokens of this kind identify something, so they bind author to actual values.
  public var isIdentifier: Bool {
    self == .digest || self == .shortID || self == .truncatedID || self == .linkID
  }

  /// The pattern that recognises the kind, in ICU regular expression syntax.
  var pattern: String {
    switch self {
    case .digest: "(?:sha256:)?[0-9a-f]{64}"
    case .shortID: "[0-9a-f]{12}"
    // At least one digit, so that words such as `effaced...` stay words.
    case .truncatedID: "(?=[a-f]*[0-9])[0-9a-f]{7,63}(?=…|\\.\\.\\.)"
    case .linkID: "[A-Z2-7]{26}"
    case .relativeTime:
      "(?:Less than a second|About a minute|About an hour|\\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)) ago"
    case .size: "\\d+(?:\\.\\d+)?(?:e\\+\\d+)?(?:B|kB|KB|MB|GB|TB|KiB|MiB|GiB)"
    case .timestamp:
      "\\d{4}-\\d{2}-\\d{2}(?:T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})| \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)? [+-]\\d{4} \\w+)"
    case .duration: "\\d+\\.\\d+s"
    case .logTime: "(?<=^#\\d{1,4} )\\d+\\.\\d{3}(?= )"
    case .listingDate:
      "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \\d]\\d (?: \\d{4}|\\d{2}:\\d{2})"
    }
  }

  /// Why a difference of this kind is acceptable, for the report.
  var reason: String {
    switch self {
    case .digest, .shortID, .truncatedID: "image and layer IDs differ from the lesson's — expected"
    case .linkID: "overlay link IDs are random — expected"
    case .relativeTime: "relative times depend on when the lesson is run"
    case .size: "sizes differ between the real images and these"
    case .timestamp, .listingDate: "times depend on when the lesson is run"
    case .duration, .logTime: "durations depend on the machine"
    }
  }
}

/// A piece of an expected line: literal text, or a token that matches by shape.
enum LineSegment: Equatable {
  case literal(String)
  case token(TokenKind, String)
  /// `[..]`: any text within the line.
  case wildcard
}

/// Finds the volatile tokens of a line, longest kinds first.
public enum Tokenizer {
  static let kinds: [TokenKind] = [
    .timestamp, .digest, .linkID, .relativeTime, .listingDate, .shortID, .truncatedID, .logTime,
    .duration,
    .size,
  ]

  static let expressions: [(TokenKind, NSRegularExpression)] = kinds.compactMap { kind in
    (try? NSRegularExpression(pattern: "(?<![0-9A-Za-z])" + kind.pattern + "(?![0-9A-Za-z])")).map {
      (kind, $0)
    }
  }

  static func segments(_ line: String) -> [LineSegment] {
    var claimed: [(Range<String.Index>, TokenKind)] = []
    for (kind, expression) in expressions {
      for match in expression.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
        guard let range = Range(match.range, in: line) else { continue }
        if claimed.contains(where: { $0.0.overlaps(range) }) { continue }
        claimed.append((range, kind))
      }
    }
    claimed.sort { $0.0.lowerBound < $1.0.lowerBound }
    var segments: [LineSegment] = []
    var position = line.startIndex
    func literal(_ text: Substring) {
      var rest = text
      while let wildcard = rest.range(of: "[..]") {
        if wildcard.lowerBound > rest.startIndex {
          segments.append(.literal(String(rest[..<wildcard.lowerBound])))
        }
        segments.append(.wildcard)
        rest = rest[wildcard.upperBound...]
      }
      if !rest.isEmpty { segments.append(.literal(String(rest))) }
    }
    for (range, kind) in claimed {
      if range.lowerBound > position { literal(line[position..<range.lowerBound]) }
      segments.append(.token(kind, String(line[range])))
      position = range.upperBound
    }
    if position < line.endIndex { literal(line[position...]) }
    return segments
  }
}

extension Tokenizer {
  /// The IDs (digests and short IDs) a text shows.
  public static func identifiers(in text: String) -> [String] {
    segments(text).compactMap { segment in
      guard case .token(let kind, let token) = segment, kind == .digest || kind == .shortID else {
        return nil
      }
      return token
    }
  }
}
