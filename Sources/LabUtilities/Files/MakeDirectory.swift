import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `mkdir`: makes directories, with `-p` their parents too.
struct MakeDirectory: Utility {
  static let name = "mkdir"
  static let options = OptionSpec("p", values: "m", long: ["parents": "p", "mode": "m"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = MakeDirectory.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    if options.operands.isEmpty {
      return .failure("mkdir: missing operand\nTry 'mkdir --help' for more information.")
    }
    for path in options.operands {
      do {
        try context.fileSystem.makeDirectory(
          path, from: context.directory, parents: options.has("p"))
      } catch {
        output.printError("mkdir: cannot create directory '\(path)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
