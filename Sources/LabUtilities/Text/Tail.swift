import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `tail`: the last lines or bytes of files.
struct Tail: Utility {
  static let name = "tail"
  static let options = OptionSpec(
    "f", values: "nc", long: ["lines": "n", "bytes": "c", "follow": "f"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.headOrTail(invocation, head: false)
  }
}
