import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `id`: the user's IDs and groups.
struct ID: Utility {
  static let name = "id"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    CommandOutput(
      stdout: Array(
        (context.isPrivileged
          ? "uid=0(root) gid=0(root) groups=0(root)\n"
          : "uid=1000(learner) gid=1000(learner) groups=1000(learner),27(sudo),999(docker)\n")
          .utf8))
  }
}
