import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `zcat`: prints gzip files decompressed.
struct ZcatUtility: Utility {
  static let name = "zcat"
  static let options = OptionSpec(
    "",
    long: [
      "decompress": "d", "uncompress": "d", "stdout": "c", "to-stdout": "c", "keep": "k",
      "force": "f", "quiet": "q",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    var output = CommandOutput()
    for file in context.inputs(invocation.arguments, invocation: invocation, output: &output) {
      guard let bytes = try? Gzip.decompress(file.bytes) else {
        output.printError("gzip: \(file.name): not in gzip format\n")
        output.status = 1
        continue
      }
      output.write(bytes)
    }
    return output
  }
}
