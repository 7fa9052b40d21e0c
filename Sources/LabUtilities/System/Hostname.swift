import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `hostname`: the host name: the sandbox's, or inside a container its short ID, as its
/// `/etc/hostname` says.
struct Hostname: Utility {
  static let name = "hostname"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let name =
      (try? context.fileSystem.read("/etc/hostname", from: "/")).map {
        String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      } ?? ""
    return CommandOutput(stdout: Array(((name.isEmpty ? "layerlab" : name) + "\n").utf8))
  }
}
