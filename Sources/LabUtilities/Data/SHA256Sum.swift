import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `sha256sum`: prints SHA-256 digests, as `sha256sum` does.
struct SHA256Sum: Utility {
  static let name = "sha256sum"
  static let options = OptionSpec("bt", long: ["binary": "b", "text": "t"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = SHA256Sum.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    // `-b` marks the name with `*` (binary mode); text mode, the default, with a space.
    let mode = options.has("b") && !options.has("t") ? "*" : " "
    for file in context.inputs(options.operands, invocation: invocation, output: &output) {
      output.print("\(Digest.of(file.bytes).hex) \(mode)\(file.name)\n")
    }
    return output
  }
}
