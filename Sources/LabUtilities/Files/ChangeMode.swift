import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `chmod`: sets modes, in octal or symbolic form.
struct ChangeMode: Utility {
  static let name = "chmod"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let operands = invocation.arguments.filter {
      !$0.hasPrefix("-") || $0.count > 1 && $0.dropFirst().allSatisfy { "rwx".contains($0) }
    }
    guard operands.count >= 2 else { return .failure("chmod: missing operand") }
    var output = CommandOutput()
    for path in operands.dropFirst() {
      do {
        let current = try context.fileSystem.info(path, from: context.directory).mode
        guard let mode = UtilityContext.parseMode(operands[0], current: current) else {
          return .failure("chmod: invalid mode: '\(operands[0])'")
        }
        try context.fileSystem.setMode(mode, of: path, from: context.directory)
      } catch {
        output.printError("chmod: cannot access '\(path)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}

extension UtilityContext {
  static func parseMode(_ text: String, current: UInt32) -> UInt32? {
    if let octal = UInt32(text, radix: 8) { return octal }
    var mode = current
    for clause in text.split(separator: ",") {
      var who = clause.prefix { "ugoa".contains($0) }
      let rest = clause.dropFirst(who.count)
      guard let op = rest.first, "+-=".contains(op) else { return nil }
      if who.isEmpty { who = "a" }
      var bits: UInt32 = 0
      for permission in rest.dropFirst() {
        let value: UInt32
        switch permission {
        case "r": value = 4
        case "w": value = 2
        case "x": value = 1
        default: return nil
        }
        for target in who {
          switch target {
          case "u": bits |= value << 6
          case "g": bits |= value << 3
          case "o": bits |= value
          default: bits |= value << 6 | value << 3 | value
          }
        }
      }
      switch op {
      case "+": mode |= bits
      case "-": mode &= ~bits
      default: mode = bits
      }
    }
    return mode
  }
}
