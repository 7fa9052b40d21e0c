import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `awk`: runs an awk program over its input.
struct Awk: Utility {
  static let name = "awk"
  static let options = OptionSpec("", long: ["field-separator": "F"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.awk(invocation)
  }
}

extension UtilityContext {
  /// `awk [-F FS] [-v NAME=VALUE]… PROGRAM [FILE…]`, with the awk of ``AwkProgram``.
  mutating func awk(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments[...]
    var separator: String?
    var assignments: [String: String] = [:]
    while let first = arguments.first, first.hasPrefix("-"), first.count > 1 {
      arguments.removeFirst()
      if first == "--" { break }
      let flag = first.dropFirst().prefix(1)
      var value = String(first.dropFirst(2))
      guard flag == "F" || flag == "v" else {
        return .failure("awk: invalid option -- '\(flag)'", status: 2)
      }
      if value.isEmpty {
        guard let next = arguments.popFirst() else {
          return .failure("awk: option requires an argument -- \(flag)", status: 2)
        }
        value = next
      }
      if flag == "F" {
        separator = value
      } else {
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
          return .failure("awk: '\(value)' is not a variable assignment", status: 2)
        }
        assignments[parts[0]] = parts[1]
      }
    }
    guard let source = arguments.popFirst() else {
      return .failure("usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]", status: 2)
    }
    let program: AwkProgram
    do {
      program = try AwkProgram(source)
    } catch {
      return .failure(error.description, status: 2)
    }
    var output = CommandOutput()
    // The input a record at a time: the program holds what it keeps, not its input.
    let files = inputChunks(Array(arguments), invocation: invocation, output: &output)
    var machine = AwkMachine(separator: separator, assignments: assignments) { words in
      Printf.printf(
        Invocation(name: "printf", arguments: words, input: [], outputIsTerminal: false)
      ).stdoutBytes
    }
    if machine.begin(program) {
      reading: for var file in files {
        do {
          let stopped = try file.chunks.forEachLine { line in
            machine.take(String(decoding: line, as: UTF8.self), program)
          }
          if stopped != nil {
            machine.failure = machine.failure ?? ""
            break reading
          }
        } catch {
          output.printError("awk: \(file.name): \(error)\n")
          output.status = 2
        }
        if machine.failure != nil || machine.flow == .exit { break }
      }
    }
    machine.end(program)
    output.write(machine.output)
    output.status = machine.exitStatus
    // An empty failure is a loop stopped by the command's budget, which the shell reports.
    if let failure = machine.failure {
      if !failure.isEmpty { output.printError(failure + "\n") }
      output.status = 2
    }
    return output
  }
}
