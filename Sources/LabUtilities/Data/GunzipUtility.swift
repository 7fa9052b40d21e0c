import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `gunzip`: decompresses gzip files.
struct GunzipUtility: Utility {
  static let name = "gunzip"
  static let options = OptionSpec(
    "dckfq",
    long: [
      "decompress": "d", "uncompress": "d", "stdout": "c", "to-stdout": "c", "keep": "k",
      "force": "f", "quiet": "q",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.gzip(invocation, decompress: true)
  }
}
