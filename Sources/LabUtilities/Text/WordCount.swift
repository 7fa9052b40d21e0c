import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `wc`: counts lines, words and bytes.
struct WordCount: Utility {
  static let name = "wc"
  static let options = OptionSpec(
    "lwcm", long: ["lines": "l", "words": "w", "bytes": "c", "chars": "m"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = WordCount.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let files = context.inputChunks(options.operands, invocation: invocation, output: &output)
    let all = !(options.has("l") || options.has("w") || options.has("c") || options.has("m"))
    var rows: [[Int]] = []
    var totals = [0, 0, 0]
    for var file in files {
      // A chunk at a time: lines are newlines, words runs of other bytes than blanks, and
      // characters every byte that does not continue a UTF-8 sequence.
      var (lines, words, characters) = (0, 0, 0)
      var inWord = false
      let countsCharacters = options.has("m")
      do {
        while let chunk = try file.chunks.next() {
          if Budget.shouldStop() != nil {
            output.status = 1
            return output
          }
          for byte in chunk {
            if byte == 10 { lines += 1 }
            let isBlank = byte == 32 || (9...13).contains(byte)
            if !isBlank && !inWord { words += 1 }
            inWord = !isBlank
            if countsCharacters && byte & 0xC0 == 0x80 { characters -= 1 }
          }
          characters += chunk.count
        }
      } catch {
        output.printError("\(invocation.name): \(file.name): \(error)\n")
        output.status = 1
      }
      let counts = [lines, words, characters]
      rows.append(counts)
      for index in 0..<3 { totals[index] += counts[index] }
    }
    let selected = [
      all || options.has("l"), all || options.has("w"),
      all || options.has("c") || options.has("m"),
    ]
    let single = selected.filter { $0 }.count == 1 && files.count == 1
    let width =
      single ? 0 : max(String(totals.max() ?? 0).count, files.contains { $0.name == "-" } ? 7 : 1)
    func line(_ counts: [Int], _ name: String) -> String {
      let fields = (0..<3).filter { selected[$0] }.map { index -> String in
        let text = String(counts[index])
        return String(repeating: " ", count: max(0, width - text.count)) + text
      }
      return fields.joined(separator: " ") + (name == "-" ? "" : " \(name)") + "\n"
    }
    for (file, counts) in zip(files, rows) { output.print(line(counts, file.name)) }
    if files.count > 1 { output.print(line(totals, "total")) }
    return output
  }
}
