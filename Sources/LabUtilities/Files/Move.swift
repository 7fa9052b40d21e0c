import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `mv`: moves and renames files.
struct Move: Utility {
  static let name = "mv"
  static let options = OptionSpec("f", long: ["force": "f"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    // `-f` is how this `mv` always works: it never asks.
    let options = Move.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    guard options.operands.count >= 2, let destination = options.operands.last else {
      return .failure(
        "mv: missing destination file operand after '\(options.operands.first ?? "")'\nTry 'mv --help' for more information."
      )
    }
    var output = CommandOutput()
    let isDirectory =
      (try? context.fileSystem.info(destination, from: context.directory))?.kind == .directory
    for source in options.operands.dropLast() {
      let target = isDirectory ? destination + "/" + PathText.name(source) : destination
      do {
        try context.fileSystem.move(source, to: target, from: context.directory)
      } catch {
        output.printError("mv: cannot stat '\(source)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
