import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `readlink`: a link's target, or with `-f` the path it resolves to.
struct Readlink: Utility {
  static let name = "readlink"
  static let options = OptionSpec(
    "fen", long: ["canonicalize": "f", "canonicalize-existing": "e", "no-newline": "n"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Readlink.options.parse(invocation.arguments)
    let end = options.has("n") ? "" : "\n"
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    for path in options.operands {
      if options.has("f") || options.has("e") {
        if let resolved = try? context.fileSystem.resolve(path, from: context.directory) {
          output.print(resolved + end)
        }
      } else if let target =
        (try? context.fileSystem.info(path, from: context.directory, follow: false))?.linkTarget
      {
        output.print(target + end)
      } else {
        output.status = 1
      }
    }
    return output
  }
}
