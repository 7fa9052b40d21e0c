import Foundation

/// dive's CI rules and the report `dive --ci` prints (dive 0.13's `runtime/ci`).
public struct DiveCI: Sendable {
  /// A rule's configured value: a number, a size, or `disabled`.
  public struct Rules: Equatable, Sendable {
    public var lowestEfficiency = "0.9"
    public var highestWastedBytes = "disabled"
    public var highestUserWastedPercent = "0.1"

    public init() {}

    /// The rules a `.dive-ci` file sets, by viper's key names (any case).
    public mutating func apply(_ values: [String: String], except given: Set<String> = []) {
      for (key, value) in values {
        switch key.lowercased() {
        case "lowestefficiency" where !given.contains("lowestEfficiency"):
          lowestEfficiency = value
        case "highestwastedbytes" where !given.contains("highestWastedBytes"):
          highestWastedBytes = value
        case "highestuserwastedpercent" where !given.contains("highestUserWastedPercent"):
          highestUserWastedPercent = value
        default: break
        }
      }
    }
  }

  enum Status {
    case passed, failed, disabled, misconfigured, configured

    func text(color: Bool) -> String {
      switch self {
      case .passed: return "PASS"
      case .failed: return color ? "\u{1B}[1;7;31mFAIL\u{1B}[0m" : "FAIL"
      case .disabled: return color ? "\u{1B}[34mSKIP\u{1B}[0m" : "SKIP"
      case .misconfigured: return color ? "\u{1B}[1;7;31mMISCONFIGURED\u{1B}[0m" : "MISCONFIGURED"
      case .configured: return "CONFIGURED   "
      }
    }
  }

  struct Rule {
    var key: String
    var value: String
    var validate: (String) -> String?
    var evaluate: (DiveAnalysis, String) -> (Status, String)
  }

  public var rules: Rules
  public var color: Bool

  public init(rules: Rules, color: Bool = false) {
    self.rules = rules
    self.color = color
  }

  /// The analysis lines, the inefficient files and the rules' results; whether every rule
  /// passed.
  public func evaluate(_ analysis: DiveAnalysis) -> (report: String, passed: Bool) {
    var out = "  efficiency: \(Humanize.fixed(analysis.efficiency * 100, digits: 4)) %\n"
    out +=
      "  wastedBytes: \(analysis.wastedBytes) bytes (\(Humanize.bytes(analysis.wastedBytes)))\n"
    out += "  userWastedPercent: \(Humanize.fixed(analysis.wastedUserPercent * 100, digits: 4)) %\n"
    var results: [String: (Status, String)] = [:]
    var canEvaluate = true
    let all = Self.rules(rules)
    for rule in all {
      if rule.value == "disabled" {
        results[rule.key] = (.configured, "rule disabled")
      } else if let problem = rule.validate(rule.value) {
        results[rule.key] = (.misconfigured, problem)
        canEvaluate = false
      } else {
        results[rule.key] = (.configured, "test")
      }
    }
    var passed = true
    var files: [Inefficiency] = []
    if canEvaluate {
      files = analysis.inefficiencies.reversed()
      for rule in all {
        if rule.value == "disabled" {
          results[rule.key] = (.disabled, "rule disabled")
          continue
        }
        let (status, message) = rule.evaluate(analysis, rule.value)
        if status == .failed { passed = false }
        results[rule.key] = (status, message)
      }
    } else {
      passed = false
    }
    out += title("Inefficient Files:") + "\n"
    out += row("Count", "Wasted Space", "File Path")
    if files.isEmpty {
      out += "None\n"
    } else {
      for file in files {
        out += row(
          String(file.count), Humanize.bytes(UInt64(max(0, file.cumulativeSize))), file.path)
      }
    }
    out += title("Results:") + "\n"
    for key in results.keys.sorted() {
      guard let (status, message) = results[key] else { continue }
      out +=
        "  \(status.text(color: color)): \(key)" + (message.isEmpty ? "" : ": \(message)") + "\n"
    }
    if !canEvaluate {
      out += paint("CI Misconfigured", "31") + "\n"
    } else {
      let tally = results.values.map(\.0)
      let failed = tally.filter { $0 == .failed }.count
      let summary =
        "Result:\(failed > 0 ? "FAIL" : "PASS") [Total:\(tally.count)] "
        + "[Passed:\(tally.filter { $0 == .passed }.count)] [Failed:\(failed)] [Warn:0] "
        + "[Skipped:\(tally.filter { $0 == .disabled }.count)]"
      out += paint(summary, passed ? "32" : "31") + "\n"
    }
    // dive prints the report with Println: its own last newline and one more.
    return (out + "\n", passed)
  }

  private func row(_ count: String, _ size: String, _ path: String) -> String {
    Humanize.leftPad(count, 5) + "  " + Humanize.leftPad(size, 12) + "  " + path + "\n"
  }

  private func title(_ text: String) -> String { paint(text, "1") }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  static func rules(_ rules: Rules) -> [Rule] {
    func invalid(_ value: String, _ error: String) -> String {
      "invalid config value ('\(value)'): \(error)"
    }
    func float(_ value: String) -> Result<Double, DiveError> {
      guard let number = Humanize.parseFloat(value) else {
        return .failure(
          DiveError("strconv.ParseFloat: parsing \(Humanize.goQuote(value)): invalid syntax"))
      }
      return .success(number)
    }
    return [
      Rule(
        key: "lowestEfficiency", value: rules.lowestEfficiency,
        validate: { value in
          switch float(value) {
          case .failure(let error): return invalid(value, error.description)
          case .success(let number) where number < 0 || number > 1:
            return
              "lowestEfficiency config value is outside allowed range (0-1), given '\(value)'"
          case .success: return nil
          }
        },
        evaluate: { analysis, value in
          guard case .success(let threshold) = float(value) else { return (.failed, "") }
          if threshold > analysis.efficiency {
            return (
              .failed,
              "image efficiency is too low (efficiency=\(Humanize.goFloat(analysis.efficiency)) < threshold=\(Humanize.goFloat(threshold)))"
            )
          }
          return (.passed, "")
        }),
      Rule(
        key: "highestWastedBytes", value: rules.highestWastedBytes,
        validate: { value in
          if case .failure(let error) = Humanize.parseBytes(value) {
            return invalid(value, error.description)
          }
          return nil
        },
        evaluate: { analysis, value in
          guard case .success(let threshold) = Humanize.parseBytes(value) else {
            return (.failed, "")
          }
          if analysis.wastedBytes > threshold {
            return (
              .failed,
              "too many bytes wasted (wasted-bytes=\(analysis.wastedBytes) > threshold=\(threshold))"
            )
          }
          return (.passed, "")
        }),
      Rule(
        key: "highestUserWastedPercent", value: rules.highestUserWastedPercent,
        validate: { value in
          switch float(value) {
          case .failure(let error): return invalid(value, error.description)
          case .success(let number) where number < 0 || number > 1:
            return
              "highestUserWastedPercent config value is outside allowed range (0-1), given '\(value)'"
          case .success: return nil
          }
        },
        evaluate: { analysis, value in
          guard case .success(let threshold) = float(value) else { return (.failed, "") }
          if threshold < analysis.wastedUserPercent {
            return (
              .failed,
              "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=\(Humanize.goFloat(analysis.wastedUserPercent)) > threshold=\(Humanize.goFloat(threshold)))"
            )
          }
          return (.passed, "")
        }),
    ]
  }

  /// The rules of a `.dive-ci` file: the scalars under its `rules:` key, as viper reads them
  /// (numbers written as Go writes a float, `0.20` as `0.2`).
  public static func parseConfig(_ text: String) -> Result<[String: String], DiveError> {
    var values: [String: String] = [:]
    var inRules = false
    var rulesIndent = -1
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      var line = String(raw)
      if line.hasSuffix("\r") { line.removeLast() }
      if let hash = commentStart(line) { line = String(line[..<hash]) }
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed == "---" { continue }
      let indent = line.prefix { $0 == " " }.count
      guard let colon = trimmed.firstIndex(of: ":") else {
        return .failure(
          DiveError("yaml: line \(number + 1): could not find expected ':'"))
      }
      let key = unquote(trimmed[..<colon].trimmingCharacters(in: .whitespaces))
      let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      if indent == 0 {
        inRules = key.lowercased() == "rules"
        rulesIndent = -1
        if inRules && !value.isEmpty {
          return .failure(DiveError("yaml: line \(number + 1): rules must be a mapping"))
        }
        continue
      }
      guard inRules else { continue }
      if rulesIndent < 0 { rulesIndent = indent }
      guard indent == rulesIndent else { continue }
      values[key] = scalar(value)
    }
    return .success(values)
  }

  private static func commentStart(_ line: String) -> String.Index? {
    var quote: Character?
    var previous: Character = " "
    for index in line.indices {
      let character = line[index]
      if let open = quote {
        if character == open { quote = nil }
      } else if character == "\"" || character == "'" {
        quote = character
      } else if character == "#"
        && (previous == " " || previous == "\t" || index == line.startIndex)
      {
        return index
      }
      previous = character
    }
    return nil
  }

  private static func unquote(_ text: String) -> String {
    if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
      return String(text.dropFirst().dropLast())
    }
    return text
  }

  /// A YAML scalar as viper's `GetString` gives it back.
  private static func scalar(_ text: String) -> String {
    let unquoted = unquote(text)
    if unquoted != text { return unquoted }
    if let integer = Int64(text) { return String(integer) }
    if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
      text.allSatisfy({ "0123456789.eE+-".contains($0) }), let number = Double(text)
    {
      return Humanize.goFloat(number, exponent: false)
    }
    return text
  }
}
