import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `cut`: prints fields or characters of each line.
struct Cut: Utility {
  static let name = "cut"
  static let options = OptionSpec(
    "s", values: "dfc",
    long: ["delimiter": "d", "fields": "f", "characters": "c", "only-delimited": "s"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Cut.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let delimiter = options.values["d"].flatMap(\.first) ?? "\t"
    guard let spec = options.values["f"] ?? options.values["c"] else {
      return .failure(
        "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information."
      )
    }
    let (ranges, error) = UtilityContext.ranges(spec, positions: options.values["f"] == nil)
    if let error {
      return .failure("cut: \(error)\nTry 'cut --help' for more information.")
    }
    let wanted = { (index: Int) in ranges.contains { $0.contains(UInt64(index)) } }
    func cut(_ line: String) {
      if options.values["c"] != nil {
        let characters = Array(line)
        output.print(
          String(characters.enumerated().filter { wanted($0.offset + 1) }.map(\.element)) + "\n")
        return
      }
      let fields = line.split(separator: delimiter, omittingEmptySubsequences: false)
      if fields.count == 1 {
        if !options.has("s") { output.print(line + "\n") }
        return
      }
      output.print(
        fields.enumerated().filter { wanted($0.offset + 1) }.map { String($0.element) }.joined(
          separator: String(delimiter)) + "\n")
    }
    // A line at a time: it holds one line of its input, not the input.
    for var file in context.inputChunks(options.operands, invocation: invocation, output: &output) {
      do {
        let stopped = try file.chunks.forEachLine { line in
          cut(String(decoding: line, as: UTF8.self))
          return true
        }
        if stopped != nil {
          output.status = 1
          return output
        }
      } catch {
        output.printError("cut: \(file.name): \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}

extension UtilityContext {
  /// A `cut` list such as `1,3-5,7-`, read as GNU's `set_fields` reads it, with its messages.
  ///
  /// - Parameters:
  ///   - spec: The list.
  ///   - positions: Whether it lists byte or character positions (`-c`) rather than fields.
  /// - Returns: The ranges, or GNU's complaint.
  static func ranges(_ spec: String, positions: Bool) -> (
    ranges: [ClosedRange<UInt64>], error: String?
  ) {
    let numberedFromOne =
      positions ? "byte/character positions are numbered from 1" : "fields are numbered from 1"
    var ranges: [ClosedRange<UInt64>] = []
    var value: UInt64 = 0
    var initial: UInt64 = 1
    var lhs = false
    var rhs = false
    var dash = false
    var digitsStart: String.Index?
    var index = spec.startIndex
    while true {
      let character = index < spec.endIndex ? spec[index] : nil
      if character == "-" {
        digitsStart = nil
        if dash {
          return ([], positions ? "invalid byte or character range" : "invalid field range")
        }
        dash = true
        if lhs && value == 0 { return ([], numberedFromOne) }
        initial = lhs ? value : 1
        value = 0
      } else if character == nil || character == "," || character == " " || character == "\t" {
        digitsStart = nil
        if dash {
          dash = false
          if !lhs && !rhs { return ([], "invalid range with no endpoint: -") }
          if !rhs {
            ranges.append(initial...UInt64.max)
          } else {
            guard value >= initial else { return ([], "invalid decreasing range") }
            ranges.append(initial...value)
          }
        } else {
          guard value > 0 else { return ([], numberedFromOne) }
          ranges.append(value...value)
        }
        value = 0
        guard character != nil else { break }
        lhs = false
        rhs = false
      } else if let character, character.isASCII, let digit = character.wholeNumberValue {
        if digitsStart == nil { digitsStart = index }
        if dash { rhs = true } else { lhs = true }
        let (times, overflow) = value.multipliedReportingOverflow(by: 10)
        let (sum, carry) = times.addingReportingOverflow(UInt64(digit))
        guard !overflow, !carry, sum != UInt64.max else {
          let start = digitsStart ?? index
          let number = spec[start...].prefix { $0.isASCII && $0.isNumber }
          return (
            [],
            positions
              ? "byte/character offset ‘\(number)’ is too large"
              : "field number ‘\(number)’ is too large"
          )
        }
        value = sum
      } else {
        let rest = spec[index...]
        return (
          [],
          positions ? "invalid byte/character position ‘\(rest)’" : "invalid field value ‘\(rest)’"
        )
      }
      index = spec.index(after: index)
    }
    return (ranges, nil)
  }
}
