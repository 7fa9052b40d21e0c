import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `rm`: removes files, and directories with `-r`.
struct Remove: Utility {
  static let name = "rm"
  static let options = OptionSpec("rRf", long: ["recursive": "r", "force": "f"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Remove.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    if options.operands.isEmpty && !options.has("f") {
      return .failure("rm: missing operand\nTry 'rm --help' for more information.")
    }
    for path in options.operands {
      do {
        let info = try context.fileSystem.info(path, from: context.directory, follow: false)
        if info.kind == .directory && !(options.has("r") || options.has("R")) {
          output.printError("rm: cannot remove '\(path)': Is a directory\n")
          output.status = 1
          continue
        }
        try context.fileSystem.remove(path, from: context.directory, recursive: true)
      } catch FileSystemError.noSuchFile where options.has("f") {
        continue
      } catch {
        output.printError("rm: cannot remove '\(path)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
