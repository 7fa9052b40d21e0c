import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `wc`: counts lines, words and bytes.
struct WordCount: Utility {
  static let name = "wc"
  static let options = OptionSpec(
    "lwcm", long: ["lines": "l", "words": "w", "bytes": "c", "chars": "m"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = WordCount.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let files = context.inputs(options.operands, invocation: invocation, output: &output)
    let all = !(options.has("l") || options.has("w") || options.has("c") || options.has("m"))
    var rows: [[Int]] = []
    var totals = [0, 0, 0]
    for file in files {
      let text = String(decoding: file.bytes, as: UTF8.self)
      let counts = [
        file.bytes.filter { $0 == 10 }.count,
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).count,
        options.has("m") ? text.count : file.bytes.count,
      ]
      rows.append(counts)
      for index in 0..<3 { totals[index] += counts[index] }
    }
    let selected = [
      all || options.has("l"), all || options.has("w"),
      all || options.has("c") || options.has("m"),
    ]
    let single = selected.filter { $0 }.count == 1 && files.count == 1
    let width =
      single ? 0 : max(String(totals.max() ?? 0).count, files.contains { $0.name == "-" } ? 7 : 1)
    func line(_ counts: [Int], _ name: String) -> String {
      let fields = (0..<3).filter { selected[$0] }.map { index -> String in
        let text = String(counts[index])
        return String(repeating: " ", count: max(0, width - text.count)) + text
      }
      return fields.joined(separator: " ") + (name == "-" ? "" : " \(name)") + "\n"
    }
    for (file, counts) in zip(files, rows) { output.print(line(counts, file.name)) }
    if files.count > 1 { output.print(line(totals, "total")) }
    return output
  }
}
