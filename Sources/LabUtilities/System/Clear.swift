import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `clear`: clears a terminal.
struct Clear: Utility {
  static let name = "clear"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    CommandOutput(
      stdout: invocation.outputIsTerminal ? Array("\u{1B}[H\u{1B}[2J\u{1B}[3J".utf8) : [])
  }
}
