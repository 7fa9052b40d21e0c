import Foundation

/// A regular expression compiled by the C library's `regcomp`: POSIX basic or extended syntax
/// with GNU's extensions (`\w`, `\s`, `\b`, `\<`, `\>`, and `\+`, `\?`, `\|` in basic
/// expressions), as GNU `grep`, `sed` and `expr` read them.
///
/// The C library's matcher does not backtrack the way a Perl-style engine does, so a pattern
/// such as `(a+)+$` takes polynomial, not exponential, time: a lesson cannot hang the runner
/// with one.
public final class PosixRegex {
  public enum Syntax: Sendable {
    case basic, extended
  }

  /// Why a pattern did not compile, in the C library's words (`Unmatched ( or \(`).
  public struct CompileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
  }

  private var compiled = regex_t()
  /// The number of parenthesized groups.
  public let groupCount: Int

  /// Compiles `pattern`; the longest patterns the sandbox accepts are a few kilobytes.
  ///
  /// - Parameters:
  ///   - pattern: The expression.
  ///   - syntax: Basic (`grep`, `sed`) or extended (`grep -E`, `sed -E`, `awk`).
  ///   - ignoreCase: Whether case is ignored (`grep -i`).
  ///   - newlineIsOrdinary: Whether `.` and bracket expressions match a newline, as in `sed`'s
  ///     pattern space after `N`; otherwise `^` and `$` also match at newlines.
  /// - Throws: ``CompileError`` with the C library's message.
  public init(
    _ pattern: String, syntax: Syntax, ignoreCase: Bool = false, newlineIsOrdinary: Bool = true
  ) throws(CompileError) {
    guard pattern.utf8.count <= 64 * 1024,
      Self.expandedSize(Array(pattern.utf8), syntax: syntax) <= Self.maximumSize,
      let pattern = Self.collapsingAnchors(pattern, syntax: syntax)
    else {
      throw CompileError(message: "Regular expression too big")
    }
    var flags: Int32 = syntax == .extended ? REG_EXTENDED : 0
    if ignoreCase { flags |= REG_ICASE }
    if !newlineIsOrdinary { flags |= REG_NEWLINE }
    let status = regcomp(&compiled, pattern, flags)
    guard status == 0 else {
      var buffer = [CChar](repeating: 0, count: 256)
      regerror(status, &compiled, &buffer, buffer.count)
      regfree(&compiled)
      throw CompileError(
        message: String(
          decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    groupCount = Int(compiled.re_nsub)
  }

  deinit { regfree(&compiled) }

  /// glibc's `REG_STARTEND`, which Swift's C module does not import.
  static let startEnd: Int32 = 1 << 2

  /// The most nodes a pattern may expand to.
  ///
  /// The C library copies a repeated atom for each `+`, `?` and `{m,n}`, so `a+++…+` or
  /// `(a{99}){99}` grow exponentially: such patterns are refused before they take the memory.
  static let maximumSize = 20_000

  /// The pattern with each run of one zero-width assertion (`\\B\\B\\B`, `^^`) made one.
  ///
  /// It matches the same. A longer run of mixed assertions is `nil`: the C library's matcher
  /// takes exponential time over such runs (80 `\\B` in a row take a minute).
  static func collapsingAnchors(_ pattern: String, syntax: Syntax) -> String? {
    let bytes = Array(pattern.utf8)
    var result: [UInt8] = []
    var index = 0
    var lastAnchor: [UInt8]?
    var run = 0
    while index < bytes.count {
      var token = [bytes[index]]
      var isAnchor = false
      if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
        token.append(bytes[index + 1])
        isAnchor = Array("bB<>`'".utf8).contains(bytes[index + 1])
      } else if bytes[index] == UInt8(ascii: "[") {
        // A bracket expression is copied whole: a backslash in it is a plain character.
        var end = index + 1
        if end < bytes.count, bytes[end] == UInt8(ascii: "^") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "]") { end += 1 }
        while end < bytes.count, bytes[end] != UInt8(ascii: "]") { end += 1 }
        token = Array(bytes[index..<min(end + 1, bytes.count)])
      } else if syntax == .extended {
        isAnchor = bytes[index] == UInt8(ascii: "^") || bytes[index] == UInt8(ascii: "$")
      }
      index += token.count
      guard isAnchor else {
        lastAnchor = nil
        run = 0
        result += token
        continue
      }
      if token == lastAnchor { continue }
      run += 1
      guard run <= 8 else { return nil }
      lastAnchor = token
      result += token
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// An estimate of the nodes the C library builds for a pattern.
  ///
  /// Each atom counts one, a group what it holds, and a repetition multiplies what it
  /// repeats (`+` and `?` by two, `{m,n}` by n + 1).
  static func expandedSize(_ bytes: [UInt8], syntax: Syntax) -> Int {
    let extended = syntax == .extended
    // Each open group: the size so far outside it.
    var stack: [(total: Int, last: Int)] = []
    var total = 0
    var last = 0
    var index = 0
    func repeatLast(by factor: Int) {
      let (grown, overflow) = last.multipliedReportingOverflow(by: max(1, factor))
      let added = overflow ? Int.max / 4 : grown - last
      total = min(Int.max / 4, total + added)
      last = min(Int.max / 4, grown)
    }
    func bound(_ start: Int) -> (factor: Int, end: Int) {
      // `{m}`, `{m,}`, `{m,n}`: the factor is the largest count, or m + 1 unbounded.
      var end = start
      var numbers: [Int] = []
      var current = ""
      while end < bytes.count, bytes[end] != UInt8(ascii: "}") {
        if bytes[end] == UInt8(ascii: ",") {
          numbers.append(Int(current) ?? 0)
          current = ""
        } else if bytes[end] != UInt8(ascii: "\\") {
          current.append(Character(UnicodeScalar(bytes[end])))
        }
        end += 1
      }
      numbers.append(Int(current) ?? (numbers.first ?? 0) + 1)
      return (min(numbers.max() ?? 1, 1 << 20) + 1, end)
    }
    while index < bytes.count {
      let byte = bytes[index]
      var escaped = false
      var symbol = byte
      if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
        escaped = true
        index += 1
        symbol = bytes[index]
      }
      let opens =
        extended ? !escaped && symbol == UInt8(ascii: "(") : escaped && symbol == UInt8(ascii: "(")
      let closes =
        extended ? !escaped && symbol == UInt8(ascii: ")") : escaped && symbol == UInt8(ascii: ")")
      let plusOrQuestion =
        (symbol == UInt8(ascii: "+") || symbol == UInt8(ascii: "?")) && (extended != escaped)
      let brace = symbol == UInt8(ascii: "{") && (extended != escaped)
      if opens {
        stack.append((total, last))
        total = 0
        last = 0
      } else if closes, let outer = stack.popLast() {
        last = max(1, total)
        total = outer.total + last
      } else if plusOrQuestion {
        repeatLast(by: 2)
      } else if brace {
        let (factor, end) = bound(index + 1)
        repeatLast(by: factor)
        index = end
      } else if symbol == UInt8(ascii: "*") && !escaped {
        // A star repeats without copying what it repeats.
        index += 1
        continue
      } else if symbol == UInt8(ascii: "[") && !escaped {
        // A bracket expression is one atom: skip to its closing `]`.
        var end = index + 1
        if end < bytes.count, bytes[end] == UInt8(ascii: "^") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "]") { end += 1 }
        while end < bytes.count, bytes[end] != UInt8(ascii: "]") {
          if bytes[end] == UInt8(ascii: "["), end + 1 < bytes.count,
            [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "=")].contains(bytes[end + 1])
          {
            let kind = bytes[end + 1]
            end += 2
            while end + 1 < bytes.count,
              !(bytes[end] == kind && bytes[end + 1] == UInt8(ascii: "]"))
            {
              end += 1
            }
            end += 2
            continue
          }
          end += 1
        }
        index = end
        last = 1
        total += 1
      } else {
        last = 1
        total += 1
      }
      index += 1
    }
    while let outer = stack.popLast() { total = outer.total + total }
    return total
  }

  /// A match: the whole match and each group, as byte ranges of the searched text.
  public struct Match: Equatable, Sendable {
    public var range: Range<Int>
    /// Each group's range, `nil` for a group that took no part.
    public var groups: [Range<Int>?]
  }

  /// Whether the pattern matches anywhere in `text`.
  public func matches(_ text: String) -> Bool {
    firstMatch(in: Array(text.utf8), from: 0) != nil
  }

  /// The first match in `bytes` at or after `start`.
  ///
  /// - Parameters:
  ///   - bytes: The text, as UTF-8; a NUL byte ends what the C library sees.
  ///   - start: Where to begin; `^` matches there only when `start` is 0 or `atLineStart`.
  ///   - atLineStart: Whether `start` counts as the start of a line for `^`.
  /// - Returns: The match, with ranges relative to `bytes`.
  public func firstMatch(in bytes: [UInt8], from start: Int, atLineStart: Bool = false)
    -> Match?
  {
    guard start <= bytes.count else { return nil }
    var groups = [regmatch_t](repeating: regmatch_t(), count: groupCount + 1)
    // REG_STARTEND: the C library reads bytes[start..<count] in place, without a copy or a
    // terminating NUL, so finding every match in a line stays linear in its length.
    groups[0].rm_so = regoff_t(start)
    groups[0].rm_eo = regoff_t(bytes.count)
    var flags: Int32 = Self.startEnd
    if start > 0 && !atLineStart { flags |= REG_NOTBOL }
    let status = (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { text in
        regexec(&compiled, text.baseAddress, groups.count, &groups, flags)
      }
    }
    guard status == 0 else { return nil }
    let ranges = groups.map { group -> Range<Int>? in
      group.rm_so < 0 ? nil : Int(group.rm_so)..<Int(group.rm_eo)
    }
    guard let whole = ranges[0] else { return nil }
    return Match(range: whole, groups: Array(ranges.dropFirst()))
  }

  /// Every match in `bytes`, left to right, as `sed`'s `g` flag and `grep -o` take them: an
  /// empty match moves on one character.
  public func allMatches(in bytes: [UInt8]) -> [Match] {
    var found: [Match] = []
    var position = 0
    while position <= bytes.count, let match = firstMatch(in: bytes, from: position) {
      found.append(match)
      if match.range.isEmpty {
        guard match.range.upperBound < bytes.count else { break }
        position = match.range.upperBound + Self.characterLength(bytes, at: match.range.upperBound)
      } else {
        position = match.range.upperBound
      }
    }
    return found
  }

  /// The length of the UTF-8 character at `index`.
  static func characterLength(_ bytes: [UInt8], at index: Int) -> Int {
    let lead = bytes[index]
    let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    return min(length, bytes.count - index)
  }
}

@available(*, unavailable)
extension PosixRegex: Sendable {}

extension PosixRegex {
  /// `text` with the first match (or every match, `global`) replaced as `sed`'s `s` command
  /// replaces: `&` is the match, `\1` to `\9` its groups, `\&` and `\\` themselves, `\n` a
  /// newline.
  public func substitute(in text: String, replacement: String, global: Bool) -> String {
    let bytes = Array(text.utf8)
    let matches =
      global ? allMatches(in: bytes) : (firstMatch(in: bytes, from: 0).map { [$0] } ?? [])
    guard !matches.isEmpty else { return text }
    let template = Array(replacement.utf8)
    var result: [UInt8] = []
    var position = 0
    for match in matches {
      result += bytes[position..<match.range.lowerBound]
      var index = 0
      while index < template.count {
        let byte = template[index]
        if byte == UInt8(ascii: "&") {
          result += bytes[match.range]
        } else if byte == UInt8(ascii: "\\"), index + 1 < template.count {
          index += 1
          let next = template[index]
          if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(next) {
            let group = Int(next - UInt8(ascii: "1"))
            if group < match.groups.count, let range = match.groups[group] {
              result += bytes[range]
            }
          } else if next == UInt8(ascii: "n") {
            result.append(10)
          } else {
            result.append(next)
          }
        } else {
          result.append(byte)
        }
        index += 1
      }
      position = match.range.upperBound
    }
    result += bytes[position...]
    return String(decoding: result, as: UTF8.self)
  }

  /// A fixed string as a basic expression that matches it literally (`grep -F`).
  public static func literal(_ text: String) -> String {
    var escaped = ""
    for character in text {
      if "\\.[]*^$".contains(character) { escaped.append("\\") }
      escaped.append(character)
    }
    return escaped
  }
}
