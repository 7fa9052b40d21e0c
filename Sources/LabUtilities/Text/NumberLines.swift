import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `nl`: numbers lines as GNU `nl` does.
struct NumberLines: Utility {
  static let name = "nl"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    var output = CommandOutput()
    var number = 0
    for line in context.inputs(invocation.arguments, invocation: invocation, output: &output)
      .flatMap({ $0.bytes.lines })
    {
      if line.isEmpty {
        output.print("       \n")
        continue
      }
      number += 1
      let text = String(number)
      output.print(
        String(repeating: " ", count: max(0, 6 - text.count)) + text + "\t" + line + "\n")
    }
    return output
  }
}
