import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `uniq`: drops repeated lines, or counts them.
struct Unique: Utility {
  static let name = "uniq"
  static let options = OptionSpec("cdu", long: ["count": "c", "repeated": "d", "unique": "u"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Unique.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let lines = context.inputs(
      Array(options.operands.prefix(1)), invocation: invocation, output: &output
    ).flatMap { $0.bytes.lines }
    var groups: [(String, Int)] = []
    for line in lines {
      if let last = groups.last, last.0 == line {
        groups[groups.count - 1].1 += 1
      } else {
        groups.append((line, 1))
      }
    }
    for (line, count) in groups {
      if options.has("d") && count < 2 { continue }
      if options.has("u") && count > 1 { continue }
      if options.has("c") {
        let text = String(count)
        output.print(
          String(repeating: " ", count: max(0, 7 - text.count)) + text + " " + line + "\n")
      } else {
        output.print(line + "\n")
      }
    }
    return output
  }
}
