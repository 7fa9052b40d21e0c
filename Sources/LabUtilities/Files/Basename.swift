import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `basename`: the last component of a path.
struct Basename: Utility {
  static let name = "basename"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    guard var name = invocation.arguments.first.map(PathText.name) else {
      return .failure("basename: missing operand")
    }
    if invocation.arguments.count > 1, name.hasSuffix(invocation.arguments[1]) {
      name.removeLast(invocation.arguments[1].count)
    }
    return CommandOutput(stdout: Array((name + "\n").utf8))
  }
}
