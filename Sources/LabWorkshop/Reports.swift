import Foundation
import LabJSON
import LabLesson
import LabOutput
import LabSnapshot

/// The ways a check run is reported.
public enum ReportFormat: String, Sendable {
  case json, junit, tap
}

/// Renders lesson reports for people and for CI systems.
public enum ReportRenderer {
  /// The report a person reads: each step, its differences, the bindings, and the tally.
  public static func text(_ reports: [LessonReport], color: Bool) -> String {
    func paint(_ text: String, _ code: String) -> String {
      color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
    var out = ""
    for report in reports {
      out += paint(report.path, "1") + (report.title.isEmpty ? "" : " — \(report.title)") + "\n"
      if let error = report.error {
        out += "  " + paint("error: ", "31") + error + "\n"
        continue
      }
      for warning in report.warnings { out += "  " + paint(warning, "33") + "\n" }
      for step in report.steps {
        let mark: String
        switch step.outcome {
        case .passed: mark = paint("PASS", "32")
        case .failed: mark = paint("FAIL", "31")
        case .skipped: mark = paint("SKIP", "33")
        }
        let label =
          step.kind == .command
          ? "$ " + step.text.replacingOccurrences(of: "\n", with: "\n      ")
          : "\(step.kind) \(step.text)"
        out += "  \(mark) line \(step.location.line): \(label)\n"
        for note in step.notes { out += "       note: \(note)\n" }
        out += describe(step, in: report.path, paint: paint)
      }
      if !report.bindings.isEmpty {
        out += "  bindings:\n"
        for pair in report.bindings {
          out += "    \(shorten(pair.author)) → \(shorten(pair.actual))  (\(pair.origin))\n"
        }
      }
    }
    let passed = reports.reduce(0) { $0 + $1.passed }
    let failed = reports.reduce(0) { $0 + $1.failed }
    out += "\(passed) passed, \(failed) failed\n"
    return out
  }

  /// A step's differences in plain words: each failing one at the lesson's line, then the
  /// lines as a unified diff; on a passing step, what was accepted and why.
  public static func describe(
    _ step: StepReport, in path: String, paint: (String, String) -> String
  ) -> String {
    var out = ""
    let failing = step.differences.filter { $0.kind == .semantic }
    for difference in failing {
      let place = difference.expectedLine.map { "\(path):\($0): " } ?? ""
      out += "       " + place + paint(difference.reason, "31") + "\n"
      if step.hunk.isEmpty {
        // No diff to show (a status, a missing table): the lines themselves.
        if let expected = difference.expected {
          out += indent(expected, "         - ")
        }
        if let actual = difference.actual { out += indent(actual, "         + ") }
      }
    }
    if step.outcome == .failed, !step.hunk.isEmpty {
      let first = step.hunk.compactMap(\.expectedLine).first
      out += "       @@ " + (first.map { "\(path):\($0)" } ?? path) + " @@\n"
      for line in step.hunk {
        let color = line.kind == .removed ? "31" : line.kind == .added ? "32" : "0"
        out +=
          "       " + (line.kind == .context ? line.unified : paint(line.unified, color)) + "\n"
      }
    } else if step.outcome == .failed, failing.isEmpty, let actual = step.actual, !actual.isEmpty {
      out += "       output:\n" + indent(actual, "         ")
    }
    if step.outcome == .failed, failing.contains(where: { $0.expected == nil && $0.actual == nil }),
      step.hunk.isEmpty, let actual = step.actual, !actual.isEmpty
    {
      out += "       output:\n" + indent(actual, "         ")
    }
    let accepted = step.differences.filter { $0.kind != .semantic }
    if !accepted.isEmpty, step.outcome == .passed || failing.isEmpty {
      let reasons = Set(accepted.map(\.reason)).sorted()
      out += "       accepted: " + reasons.joined(separator: "; ") + "\n"
    }
    return out
  }

  static func indent(_ text: String, _ prefix: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }
      .joined(separator: "\n") + "\n"
  }

  static func shorten(_ id: String) -> String { id.count > 16 ? String(id.prefix(12)) + "…" : id }

  public static func render(_ reports: [LessonReport], as format: ReportFormat) -> String {
    switch format {
    case .json: json(reports)
    case .junit: junit(reports)
    case .tap: tap(reports)
    }
  }

  static func json(_ reports: [LessonReport]) -> String {
    let lessons = reports.map { report -> JSONValue in
      .object([
        ("path", .string(report.path)), ("title", .string(report.title)),
        ("error", report.error.map(JSONValue.string) ?? .null),
        ("passed", .int(report.passed)), ("failed", .int(report.failed)),
        (
          "steps",
          .array(
            report.steps.map { step in
              .object([
                ("line", .int(step.location.line)), ("kind", .string(step.kind.rawValue)),
                ("text", .string(step.text)),
                ("outcome", .string(step.outcome.rawValue)), ("status", .int(step.status)),
                ("expected", step.expected.map(JSONValue.string) ?? .null),
                ("actual", step.actual.map(JSONValue.string) ?? .null),
                ("notes", .array(step.notes.map(JSONValue.string))),
                (
                  "differences",
                  .array(
                    step.differences.map { difference in
                      .object([
                        ("kind", .string(difference.kind.rawValue)),
                        ("reason", .string(difference.reason)),
                        ("expected", difference.expected.map(JSONValue.string) ?? .null),
                        ("actual", difference.actual.map(JSONValue.string) ?? .null),
                      ])
                    })
                ),
              ])
            })
        ),
        (
          "bindings",
          .array(
            report.bindings.map {
              .object([
                ("author", .string($0.author)), ("actual", .string($0.actual)),
                ("origin", .string($0.origin)),
              ])
            })
        ),
      ])
    }
    let passed = reports.reduce(0) { $0 + $1.passed }
    let failed = reports.reduce(0) { $0 + $1.failed }
    return JSONValue.object([
      ("lessons", .array(lessons)), ("passed", .int(passed)), ("failed", .int(failed)),
    ])
    .indented("  ") + "\n"
  }

  static func xml(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func junit(_ reports: [LessonReport]) -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    let tests = reports.reduce(0) { $0 + $1.steps.count }
    let failures = reports.reduce(0) { $0 + $1.failed + ($1.error == nil ? 0 : 1) }
    out += "<testsuites name=\"layerlab\" tests=\"\(tests)\" failures=\"\(failures)\">\n"
    for report in reports {
      out +=
        "  <testsuite name=\"\(xml(report.path))\" tests=\"\(report.steps.count)\" failures=\"\(report.failed + (report.error == nil ? 0 : 1))\">\n"
      if let error = report.error {
        out +=
          "    <testcase name=\"parse\" classname=\"\(xml(report.path))\"><failure message=\"\(xml(error))\"/></testcase>\n"
      }
      for step in report.steps {
        out +=
          "    <testcase name=\"line \(step.location.line): \(xml(step.text))\" classname=\"\(xml(report.path))\""
        if step.outcome == .failed {
          let message = step.differences.first { $0.kind == .semantic }?.reason ?? "failed"
          let details = step.differences.map {
            "\($0.kind.rawValue): \($0.reason)\n- \($0.expected ?? "")\n+ \($0.actual ?? "")"
          }.joined(separator: "\n")
          out += "><failure message=\"\(xml(message))\">\(xml(details))</failure></testcase>\n"
        } else {
          out += "/>\n"
        }
      }
      out += "  </testsuite>\n"
    }
    return out + "</testsuites>\n"
  }

  static func tap(_ reports: [LessonReport]) -> String {
    let steps = reports.flatMap { report in report.steps.map { (report.path, $0) } }
    var out = "TAP version 13\n1..\(steps.count + reports.filter { $0.error != nil }.count)\n"
    var number = 0
    for report in reports where report.error != nil {
      number += 1
      out += "not ok \(number) - \(report.path): \(report.error ?? "")\n"
    }
    for (path, step) in steps {
      number += 1
      let description =
        "\(path):\(step.location.line) \(step.text.replacingOccurrences(of: "\n", with: " "))"
      if step.outcome == .failed {
        out += "not ok \(number) - \(description)\n  ---\n"
        for difference in step.differences where difference.kind == .semantic {
          out += "  message: \(JSONValue.quote(difference.reason, escapingHTML: false))\n"
        }
        out += "  ...\n"
      } else {
        out += "ok \(number) - \(description)\n"
      }
    }
    return out
  }
}
