import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `touch`: makes files, or gives them the virtual clock's time.
struct Touch: Utility {
  static let name = "touch"
  static let options = OptionSpec("acm", long: ["no-create": "c"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    // `-a` and `-m` both set the one time this file system keeps.
    let options = Touch.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    if options.operands.isEmpty {
      return .failure("touch: missing file operand\nTry 'touch --help' for more information.")
    }
    for path in options.operands {
      if options.has("c"), (try? context.fileSystem.info(path, from: context.directory)) == nil {
        continue
      }
      do {
        try context.fileSystem.touch(path, from: context.directory, at: context.now)
      } catch {
        output.printError("touch: cannot touch '\(path)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
