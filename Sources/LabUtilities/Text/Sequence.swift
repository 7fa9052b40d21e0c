import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `seq`: prints a sequence of numbers.
struct Sequence: Utility {
  static let name = "seq"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    UtilityContext.seq(invocation)
  }
}

extension UtilityContext {
  /// `seq [FIRST [STEP]] LAST`, with integers.
  static func seq(_ invocation: Invocation) -> CommandOutput {
    let numbers = invocation.arguments.map { Int($0) }
    guard (1...3).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else {
      if invocation.arguments.isEmpty {
        return .failure("seq: missing operand\nTry 'seq --help' for more information.")
      }
      let bad = invocation.arguments.first { Int($0) == nil } ?? ""
      return .failure(
        "seq: invalid floating point argument: '\(bad)'\nTry 'seq --help' for more information."
      )
    }
    let values = numbers.compactMap { $0 }
    let first = values.count > 1 ? values[0] : 1
    let step = values.count == 3 ? values[1] : 1
    let last = values[values.count - 1]
    guard step != 0 else {
      return .failure(
        "seq: invalid Zero increment value: '0'\nTry 'seq --help' for more information.")
    }
    // How many numbers, reckoned without overflow, and what they take at the least.
    let inOrder = step > 0 ? first <= last : first >= last
    let distance = UInt(bitPattern: step > 0 ? last &- first : first &- last)
    let steps = inOrder ? distance / step.magnitude : 0
    let shortest = min(String(first).count, String(last).count) + 1
    guard steps < Limits.outputBytes / shortest else {
      return .failure(Limits.outputMessage("seq"))
    }
    let count = inOrder ? Int(steps) + 1 : 0
    var output = CommandOutput()
    var value = first
    for _ in 0..<count {
      output.print("\(value)\n")
      value &+= step
    }
    return output
  }
}
