import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `realpath`: a path with every link resolved, inside the sandbox.
struct Realpath: Utility {
  static let name = "realpath"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    var output = CommandOutput()
    for path in invocation.arguments where !path.hasPrefix("-") {
      do {
        output.print(try context.fileSystem.resolve(path, from: context.directory) + "\n")
      } catch {
        output.printError("realpath: \(path): \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
