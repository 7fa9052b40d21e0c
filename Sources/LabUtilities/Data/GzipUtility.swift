import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `gzip`: compresses or decompresses with gzip.
struct GzipUtility: Utility {
  static let name = "gzip"
  static let options = OptionSpec(
    "dckfq",
    long: [
      "decompress": "d", "uncompress": "d", "stdout": "c", "to-stdout": "c", "keep": "k",
      "force": "f", "quiet": "q",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.gzip(invocation, decompress: false)
  }
}

extension UtilityContext {
  mutating func gzip(_ invocation: Invocation, decompress: Bool) -> CommandOutput {
    // `-f` and `-q` change nothing here: this gzip never asks and never warns.
    let options = Utilities.spec(for: invocation.name).parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    let decompress = decompress || options.has("d")
    var output = CommandOutput()
    if options.operands.isEmpty || options.has("c") {
      for file in inputs(options.operands, invocation: invocation, output: &output) {
        do {
          output.write(
            decompress ? try Gzip.decompress(file.bytes) : try Gzip.compress(file.bytes))
        } catch {
          output.printError("gzip: \(file.name): not in gzip format\n")
          output.status = 1
        }
      }
      return output
    }
    for path in options.operands {
      do {
        let bytes = try fileSystem.read(path, from: directory)
        let target: String
        if decompress {
          guard path.hasSuffix(".gz") else {
            output.printError("gzip: \(path): unknown suffix -- ignored\n")
            output.status = 2
            continue
          }
          target = String(path.dropLast(3))
          try fileSystem.write(try Gzip.decompress(bytes), to: target, from: directory)
        } else {
          target = path + ".gz"
          try fileSystem.write(try Gzip.compress(bytes), to: target, from: directory)
        }
        if !options.has("k") { try fileSystem.remove(path, from: directory, recursive: false) }
      } catch let error as FileSystemError {
        output.printError("gzip: \(path): \(error)\n")
        output.status = 1
      } catch {
        output.printError("gzip: \(path): not in gzip format\n")
        output.status = 1
      }
    }
    return output
  }
}
