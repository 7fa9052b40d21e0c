import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `hostname`: the sandbox's host name.
struct Hostname: Utility {
  static let name = "hostname"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    CommandOutput(stdout: Array("layerlab\n".utf8))
  }
}
