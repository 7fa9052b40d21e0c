import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `cat`: prints files, with GNU's `-n`, `-b`, `-A`, `-E`, `-s`, `-T` and `-v`.
struct Cat: Utility {
  static let name = "cat"
  static let options = OptionSpec(
    "nAbeEsTvt",
    long: [
      "number": "n", "number-nonblank": "b", "show-all": "A", "show-ends": "E",
      "squeeze-blank": "s", "show-tabs": "T", "show-nonprinting": "v",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Cat.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let files = context.inputChunks(options.operands, invocation: invocation, output: &output)
    var format = CatFormat(options: options)
    for var file in files {
      // A chunk at a time; the line options see whole lines, so a line a chunk cut goes on
      // with the next chunk.
      var carry: [UInt8] = []
      do {
        while let chunk = try file.chunks.next() {
          if Budget.shouldStop() != nil {
            output.status = 1
            return output
          }
          guard !format.isPlain else {
            output.write(chunk)
            continue
          }
          guard let lastNewline = chunk.lastIndex(of: 10) else {
            carry += chunk
            continue
          }
          output.write(format.apply(carry + chunk[...lastNewline]))
          carry = Array(chunk[(lastNewline + 1)...])
        }
      } catch {
        output.printError("\(invocation.name): \(file.name): \(error)\n")
        output.status = 1
      }
      output.write(format.apply(carry))
    }
    return output
  }
}

/// `cat`'s line options, numbering on across files as GNU's does.
struct CatFormat {
  var numberAll = false
  var numberNonBlank = false
  var squeezeBlank = false
  var showEnds = false
  var showTabs = false
  var showNonPrinting = false
  private var number = 0
  private var previousBlank = false

  init(options: Options) {
    numberNonBlank = options.has("b")
    numberAll = options.has("n") && !numberNonBlank
    squeezeBlank = options.has("s")
    showEnds = options.has("E") || options.has("A") || options.has("e")
    showTabs = options.has("T") || options.has("A") || options.has("t")
    showNonPrinting = ["v", "A", "e", "t"].contains { options.has($0) }
  }

  var isPlain: Bool {
    !(numberAll || numberNonBlank || squeezeBlank || showEnds || showTabs || showNonPrinting)
  }

  mutating func apply(_ bytes: [UInt8]) -> [UInt8] {
    if isPlain { return bytes }
    var result: [UInt8] = []
    var lineStart = bytes.startIndex
    while lineStart < bytes.endIndex {
      let newline = bytes[lineStart...].firstIndex(of: 10)
      let line = bytes[lineStart..<(newline ?? bytes.endIndex)]
      lineStart = newline.map { $0 + 1 } ?? bytes.endIndex
      let blank = line.isEmpty && newline != nil
      if squeezeBlank && blank && previousBlank { continue }
      previousBlank = blank
      if numberAll || numberNonBlank && !line.isEmpty {
        number += 1
        let text = String(number)
        result += Array((String(repeating: " ", count: max(0, 6 - text.count)) + text + "\t").utf8)
      }
      for byte in line { result += shown(byte) }
      if newline != nil { result += Array((showEnds ? "$\n" : "\n").utf8) }
    }
    return result
  }

  /// A byte in `-v` and `-T` notation: `^I`, `^[`, `M-b`.
  private func shown(_ byte: UInt8) -> [UInt8] {
    if byte == 9 { return showTabs ? Array("^I".utf8) : [byte] }
    guard showNonPrinting else { return [byte] }
    var prefix: [UInt8] = []
    var low = byte
    if byte >= 128 {
      prefix = Array("M-".utf8)
      low = byte - 128
    }
    if low < 32 { return prefix + [UInt8(ascii: "^"), low + 64] }
    if low == 127 { return prefix + Array("^?".utf8) }
    return prefix + [low]
  }
}
