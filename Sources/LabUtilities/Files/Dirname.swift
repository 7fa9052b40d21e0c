import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabRegex

/// `dirname`: a path without its last component.
struct Dirname: Utility {
  static let name = "dirname"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> ShellOutput {
    guard let path = invocation.arguments.first else { return .error("dirname: missing operand") }
    let parent = PathText.parent(path)
    return ShellOutput(stdout: Array(((parent.isEmpty ? "." : parent) + "\n").utf8))
  }
}
