import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `whoami`: the user: `learner`, or `root` under sudo.
struct WhoAmI: Utility {
  static let name = "whoami"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    CommandOutput(stdout: Array((context.isPrivileged ? "root\n" : "learner\n").utf8))
  }
}
