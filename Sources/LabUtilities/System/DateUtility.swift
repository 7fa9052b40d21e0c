import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `date`: prints the virtual clock's time.
struct DateUtility: Utility {
  static let name = "date"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.date(invocation)
  }
}

extension UtilityContext {
  /// `date [-u] [+FORMAT]`, `date -I`, `date -R`: the virtual clock's time, in UTC.
  mutating func date(_ invocation: Invocation) -> CommandOutput {
    var format = "%a %b %e %H:%M:%S %Z %Y"
    for argument in invocation.arguments {
      switch argument {
      case "-u", "--utc", "--universal": continue
      case "-I", "--iso-8601", "--iso-8601=date": format = "%Y-%m-%d"
      case "--iso-8601=seconds", "-Iseconds": format = "%Y-%m-%dT%H:%M:%S+00:00"
      case "-R", "--rfc-email": format = "%a, %d %b %Y %H:%M:%S +0000"
      default:
        guard argument.hasPrefix("+") else {
          return .failure("date: \(argument): this sandbox's date shows the current time only")
        }
        format = String(argument.dropFirst())
      }
    }
    // The C library calls UTC "GMT"; GNU date says "UTC".
    format = format.replacingOccurrences(of: "%Z", with: "UTC")
    var seconds = time_t(now.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var buffer = [CChar](repeating: 0, count: 512)
    let count = strftime(&buffer, buffer.count, format, &parts)
    let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return CommandOutput(stdout: Array((text + "\n").utf8))
  }
}
