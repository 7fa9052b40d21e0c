import Foundation

/// BuildKit's progress display, read for what it says rather than how a given Docker version
/// draws it.
///
/// Docker versions order the `[internal]` steps differently, add `resolve` and `exporting`
/// sub-steps, name the builder in the header, and cut lines at the terminal's width; a lesson
/// recorded on one machine shows all of that differently from another. What must agree is the
/// build's own steps in order (`[1/2] FROM …`, `[2/2] RUN …`, `CACHED`), and the image it names.
enum BuildProgress {
  /// Whether an expected output is a BuildKit progress display.
  static func isDisplay(_ lines: [String]) -> Bool {
    lines.first { !$0.isEmpty }?.hasPrefix("[+] Building ") ?? false
  }

  /// Steps are compared up to this many characters: what an 80-column terminal leaves of a
  /// step's name beside its duration.
  static let width = 60

  /// The lines that carry meaning, in a form every Docker version shares.
  static func essentials(_ lines: [String]) -> [String] {
    var result: [String] = []
    for line in lines {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      if trimmed.hasPrefix("[+] Building ") {
        result.append(trimmed.contains("FINISHED") ? "[+] Building FINISHED" : "[+] Building")
        continue
      }
      if trimmed.hasPrefix("=> => ") {
        let body = String(trimmed.dropFirst(6))
        if body.hasPrefix("naming to ") {
          var name = normalized(body)
          if name.hasSuffix(" done") { name.removeLast(5) }
          if name.hasSuffix(":latest") { name.removeLast(7) }
          result.append("=> => " + name)
        } else if body.hasPrefix("writing image ") {
          result.append("=> => writing image")
        }
        continue
      }
      guard trimmed.hasPrefix("=> ") else {
        result.append(line)
        continue
      }
      var body = normalized(String(trimmed.dropFirst(3)))
      if body.hasPrefix("[internal]") || body.hasPrefix("[auth]")
        || body.hasPrefix("resolve image config")
      {
        continue
      }
      // A base image is CACHED when the machine had it already, which is no part of the lesson.
      if body.hasPrefix("CACHED ["), body.contains("] FROM ") { body.removeFirst(7) }
      result.append("=> " + String(body.prefix(width)))
    }
    return result
  }

  /// A step's text without its duration, with base-image digests masked and spaces collapsed.
  static func normalized(_ text: String) -> String {
    var body = text.replacingOccurrences(
      of: "\\s+\\d+(\\.\\d+)?s$", with: "", options: .regularExpression)
    body = body.replacingOccurrences(
      of: "sha256:[0-9a-f]+", with: "sha256:…", options: .regularExpression)
    return body.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
  }
}

/// The legacy builder's transcript (`Step 1/3 : FROM …`), read for what every Docker version
/// says alike.
///
/// Newer versions print a deprecation notice first and `---> Removed intermediate container`
/// where older ones print `Removing intermediate container`; and a base image the author had
/// already is pulled in the middle of the learner's build. None of that is part of the lesson.
enum LegacyBuildOutput {
  /// Whether an expected output is a legacy build transcript.
  static func isTranscript(_ lines: [String]) -> Bool {
    lines.contains { $0.hasPrefix("Sending build context to Docker daemon") }
      || lines.contains { $0.hasPrefix("Step 1/") }
  }

  /// A line of a `docker pull` the builder runs for a missing base image.
  static var pullLine: Regex<Substring> {
    #/^(?:\S+: Pulling from \S+|[0-9a-f]{12}: (?:Pull complete|Already exists|Pulling fs layer|Waiting|Verifying Checksum|Download complete)|Digest: sha256:[0-9a-f]{64}|Status: (?:Downloaded newer image for|Image is up to date for) \S+)$/#
  }

  /// The lines that carry meaning, in a form every Docker version shares.
  static func essentials(_ lines: [String]) -> [String] {
    var result: [String] = []
    var index = 0
    while index < lines.count {
      let line = lines[index]
      index += 1
      if line.hasPrefix("DEPRECATED: The legacy builder is deprecated") {
        while index < lines.count, lines[index].hasPrefix(" ") { index += 1 }
        continue
      }
      if line.isEmpty || line.wholeMatch(of: pullLine) != nil { continue }
      if line.hasPrefix("Removing intermediate container ") {
        result.append(" ---> Removed intermediate container " + line.dropFirst(32))
        continue
      }
      result.append(line)
    }
    return result
  }
}

/// Which of the two builders' output an expected text is, read through that builder's reader.
enum BuildTranscript {
  case buildKit
  case legacy

  init?(_ expected: [String]) {
    if BuildProgress.isDisplay(expected) {
      self = .buildKit
    } else if LegacyBuildOutput.isTranscript(expected) {
      self = .legacy
    } else {
      return nil
    }
  }

  func essentials(_ lines: [String]) -> [String] {
    switch self {
    case .buildKit: BuildProgress.essentials(lines)
    case .legacy: LegacyBuildOutput.essentials(lines)
    }
  }

  /// Why the differences left over are accepted.
  var acceptedDifference: String {
    switch self {
    case .buildKit:
      "BuildKit's display differs between Docker versions; its steps and image name agree"
    case .legacy:
      "the legacy builder's transcript differs between Docker versions and machines "
        + "(notice, base image pull); its steps agree"
    }
  }
}

/// A build's output, BuildKit's display or the legacy builder's transcript, compared by what
/// every Docker version prints alike.
struct BuildLog: OutputFormat {
  var transcript: BuildTranscript

  static func recognize(_ expected: OutputLines, command: [String], comparison: Comparison)
    -> BuildLog?
  {
    guard comparison != .exact, let transcript = BuildTranscript(expected.lines) else { return nil }
    return BuildLog(transcript: transcript)
  }

  func compare(_ expected: OutputLines, _ actual: OutputLines, in context: inout MatchContext)
    -> MatchResult
  {
    // The essentials keep no line of their own: they point at the block's first line.
    let wanted = transcript.essentials(expected.lines)
    let got = transcript.essentials(actual.lines)
    var result = PlainLines().compare(
      OutputLines(
        lines: wanted, numbers: Array(repeating: expected.number(0) ?? 0, count: wanted.count)),
      OutputLines(lines: got, numbers: Array(got.indices)), in: &context)
    if result.passed && expected.lines != actual.lines {
      result.differences.append(
        Difference(
          kind: context.strict ? .semantic : .volatile, expected: nil, actual: nil,
          reason: transcript.acceptedDifference))
    }
    return result
  }
}
