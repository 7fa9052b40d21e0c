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
    // A chunk at a time: a gigabyte hashes in the memory of one chunk.
    for var file in context.inputChunks(options.operands, invocation: invocation, output: &output) {
      var hasher = DigestHasher()
      do {
        while let chunk = try file.chunks.next() {
          // Past the command's budget, stop: the shell says why.
          if Budget.shouldStop() != nil {
            output.status = 1
            return output
          }
          hasher.update(chunk)
        }
      } catch {
        output.printError("\(invocation.name): \(file.name): \(error)\n")
        output.status = 1
        continue
      }
      output.print("\(hasher.finalize().hex) \(mode)\(file.name)\n")
    }
    return output
  }
}
