import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `dirname`: a path without its last component.
struct Dirname: Utility {
  static let name = "dirname"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    guard let path = invocation.arguments.first else { return .failure("dirname: missing operand") }
    let parent = PathText.parent(path)
    return CommandOutput(stdout: Array(((parent.isEmpty ? "." : parent) + "\n").utf8))
  }
}
