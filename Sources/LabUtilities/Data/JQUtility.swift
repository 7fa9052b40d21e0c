import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `jq`: reads JSON with a filter, as `jq` does for the filters lessons use.
struct JQUtility: Utility {
  static let name = "jq"
  static let options = OptionSpec(
    "rcSne",
    long: [
      "raw-output": "r", "compact-output": "c", "sort-keys": "S", "null-input": "n",
      "exit-status": "e",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.jq(invocation)
  }
}

extension UtilityContext {
  /// `jq` for the filters lessons use: paths, `.[]`, `.[n]`, `|`, `keys`, `length`, `-r`, `-c`.
  mutating func jq(_ invocation: Invocation) -> CommandOutput {
    let options = JQUtility.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var operands = options.operands
    let filter = operands.isEmpty ? "." : operands.removeFirst()
    var output = CommandOutput()
    // `-n`: one `null` input instead of reading any.
    let files =
      options.has("n")
      ? [(name: "-", bytes: Array("null".utf8))]
      : inputs(operands, invocation: invocation, output: &output)
    var last: JSONValue?
    for file in files {
      let document: JSONValue
      do {
        document = try JSONValue(parsing: file.bytes)
      } catch {
        if error.isTooDeep {
          // jq's words for it, at jq's line and column.
          let before = file.bytes.prefix(error.offset)
          let line = before.filter { $0 == 10 }.count + 1
          let column = before.count - (before.lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
          output.printError(
            "jq: parse error: Exceeds depth limit for parsing at line \(line), column \(column)\n")
        } else {
          output.printError(
            "jq: error (at \(file.name == "-" ? "<stdin>" : file.name):0): Cannot parse input: \(error)\n"
          )
        }
        output.status = 2
        continue
      }
      do {
        for result in try JQ.apply(filter, to: [document]) {
          let value = options.has("S") ? JQ.sortingKeys(result) : result
          last = value
          if options.has("r"), case .string(let text) = value {
            output.print(text + "\n")
          } else {
            output.print(
              (options.has("c") ? JQ.compact(value) : JQ.pretty(value, indent: 0)) + "\n")
          }
        }
      } catch {
        output.printError("jq: error: \(error)\n")
        output.status = 5
      }
    }
    // `-e`: the status says whether the last output was true.
    if options.has("e") && output.status == 0 {
      switch last {
      case nil: output.status = 4
      case .null?, .bool(false)?: output.status = 1
      default: break
      }
    }
    return output
  }
}
