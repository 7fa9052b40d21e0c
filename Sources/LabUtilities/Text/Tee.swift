import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `tee`: copies its input to files and to its output.
struct Tee: Utility {
  static let name = "tee"
  static let options = OptionSpec("a", long: ["append": "a"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Tee.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    for path in options.operands {
      try? context.fileSystem.write(
        invocation.input, to: path, from: context.directory, append: options.has("a"))
    }
    return CommandOutput(stdout: invocation.input)
  }
}
