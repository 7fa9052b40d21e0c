import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `head`: the first lines or bytes of files.
struct Head: Utility {
  static let name = "head"
  static let options = OptionSpec("", values: "nc", long: ["lines": "n", "bytes": "c"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.headOrTail(invocation, head: true)
  }
}

extension UtilityContext {
  mutating func headOrTail(_ invocation: Invocation, head: Bool) -> CommandOutput {
    var arguments = invocation.arguments
    // `head -5` is `head -n 5`; in `head -n -5` the -5 is the option's value.
    arguments = arguments.indices.map { index in
      let argument = arguments[index]
      let isValue = index > 0 && ["-n", "-c", "--lines", "--bytes"].contains(arguments[index - 1])
      return !isValue && argument.count > 1 && argument.hasPrefix("-")
        && argument.dropFirst().allSatisfy(\.isNumber)
        ? "-n\(argument.dropFirst())" : argument
    }
    // `tail -f` prints what there is: nothing in the sandbox appends to a file meanwhile.
    let options = (head ? Head.options : Tail.options).parse(arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let files = inputChunks(options.operands, invocation: invocation, output: &output)
    let countText = options.values["n"] ?? options.values["c"] ?? "10"
    let fromStart = countText.hasPrefix("+")
    let allButLast = countText.hasPrefix("-")
    // GNU's checks: digits after one sign, and no more than 64 bits (beyond Int, all of them).
    let digits = fromStart || allButLast ? countText.dropFirst() : Substring(countText)
    let what = options.values["n"] != nil ? "lines" : "bytes"
    let shown = allButLast ? String(digits) : countText
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      return .failure("\(invocation.name): invalid number of \(what): ‘\(shown)’")
    }
    guard let large = UInt64(digits) else {
      return .failure(
        "\(invocation.name): invalid number of \(what): ‘\(shown)’: Value too large for defined data type"
      )
    }
    let count = Int(clamping: large)
    for (index, file) in files.enumerated() {
      if files.count > 1 {
        output.print(
          (index > 0 ? "\n" : "") + "==> \(file.name == "-" ? "standard input" : file.name) <==\n")
      }
      var chunks = file.chunks
      do {
        // The first lines or bytes are read a chunk at a time, and no further.
        if head && !allButLast {
          if options.values["c"] != nil {
            var left = count
            while left > 0, let chunk = try chunks.next() {
              output.write(Array(chunk.prefix(left)))
              left -= min(left, chunk.count)
            }
          } else {
            var left = count
            guard left > 0 else { continue }
            _ = try chunks.forEachLine { line in
              output.print(String(decoding: line, as: UTF8.self) + "\n")
              left -= 1
              return left > 0
            }
          }
          continue
        }
        var bytes: [UInt8] = []
        while let chunk = try chunks.next() { bytes += chunk }
        if options.values["c"] != nil {
          output.write(
            head
              ? Array(bytes.prefix(allButLast ? max(0, bytes.count - count) : count))
              : Array(bytes.suffix(count)))
          continue
        }
        let lines = bytes.lines
        var chosen: ArraySlice<String>
        if head {
          chosen = lines.dropLast(count)
        } else {
          chosen = fromStart ? lines.dropFirst(max(0, count - 1)) : lines.suffix(count)
        }
        output.print(chosen.map { $0 + "\n" }.joined())
      } catch {
        output.printError("\(invocation.name): \(file.name): \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}
