import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `sleep`: moves the virtual clock on; no time passes.
struct Sleep: Utility {
  static let name = "sleep"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.sleep(invocation)
  }
}

extension UtilityContext {
  /// `sleep N[smhd]…`: the virtual clock moves on; nothing waits.
  mutating func sleep(_ invocation: Invocation) -> CommandOutput {
    guard !invocation.arguments.isEmpty else {
      return .failure("sleep: missing operand\nTry 'sleep --help' for more information.")
    }
    var total: TimeInterval = 0
    for argument in invocation.arguments {
      let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
      var number = argument
      var unit: TimeInterval = 1
      if let last = argument.last, let scale = units[last] {
        number.removeLast()
        unit = scale
      }
      guard let value = TimeInterval(number), value >= 0, !value.isNaN else {
        return .failure(
          "sleep: invalid time interval ‘\(argument)’\nTry 'sleep --help' for more information.")
      }
      total += value * unit
    }
    // GNU sleep would wait that long; the virtual clock ends with the year 9999.
    guard let later = VirtualClock.time(now, after: total) else {
      return .failure(
        "sleep: \(invocation.arguments.joined(separator: " ")): the sandbox's clock stops at the end of the year 9999"
      )
    }
    now = later
    return CommandOutput()
  }
}
