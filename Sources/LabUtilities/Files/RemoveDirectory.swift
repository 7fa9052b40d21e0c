import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `rmdir`: removes empty directories.
struct RemoveDirectory: Utility {
  static let name = "rmdir"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    var output = CommandOutput()
    for path in invocation.arguments where !path.hasPrefix("-") {
      if let names = try? context.fileSystem.list(path, from: context.directory), !names.isEmpty {
        output.printError("rmdir: failed to remove '\(path)': Directory not empty\n")
        output.status = 1
        continue
      }
      do {
        try context.fileSystem.remove(path, from: context.directory, recursive: true)
      } catch {
        output.printError("rmdir: failed to remove '\(path)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
