import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `ln`: makes symbolic links (`ln -s`).
struct Link: Utility {
  static let name = "ln"
  static let options = OptionSpec("sf", long: ["symbolic": "s", "force": "f"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Link.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    guard options.has("s") else {
      return .failure("ln: hard links are not supported in this sandbox; use ln -s")
    }
    guard let target = options.operands.first else { return .failure("ln: missing file operand") }
    let link = options.operands.count > 1 ? options.operands[1] : PathText.name(target)
    if options.has("f") {
      try? context.fileSystem.remove(link, from: context.directory, recursive: false)
    }
    do {
      try context.fileSystem.symlink(target, at: link, from: context.directory)
      return CommandOutput()
    } catch {
      return .failure("ln: failed to create symbolic link '\(link)': \(error)")
    }
  }
}
