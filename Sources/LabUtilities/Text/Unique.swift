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
    let files = context.inputChunks(
      Array(options.operands.prefix(1)), invocation: invocation, output: &output)
    // A line at a time: only the group of equal lines being counted is held.
    var group: (line: String, count: Int)?
    func finish(_ group: (line: String, count: Int)) {
      let (line, count) = group
      if options.has("d") && count < 2 { return }
      if options.has("u") && count > 1 { return }
      if options.has("c") {
        let text = String(count)
        output.print(
          String(repeating: " ", count: max(0, 7 - text.count)) + text + " " + line + "\n")
      } else {
        output.print(line + "\n")
      }
    }
    for var file in files {
      do {
        let stopped = try file.chunks.forEachLine { bytes in
          let line = String(decoding: bytes, as: UTF8.self)
          if let last = group, last.line == line {
            group?.count += 1
          } else {
            if let last = group { finish(last) }
            group = (line, 1)
          }
          return true
        }
        if stopped != nil {
          output.status = 1
          return output
        }
      } catch {
        output.printError("uniq: \(file.name): \(error)\n")
        output.status = 1
      }
    }
    if let group { finish(group) }
    return output
  }
}
