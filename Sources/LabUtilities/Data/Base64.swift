import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `base64`: encodes or decodes base64.
struct Base64: Utility {
  static let name = "base64"
  static let options = OptionSpec("dw", values: "w", long: ["decode": "d", "wrap": "w"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Base64.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    guard let file = context.inputs(options.operands, invocation: invocation, output: &output).first
    else { return output }
    if options.has("d") {
      let text = String(decoding: file.bytes, as: UTF8.self).filter { !$0.isWhitespace }
      guard let data = Data(base64Encoded: text) else { return .failure("base64: invalid input") }
      output.write(Array(data))
      return output
    }
    let encoded = Data(file.bytes).base64EncodedString()
    var lines: [String] = []
    var rest = Substring(encoded)
    while !rest.isEmpty {
      lines.append(String(rest.prefix(76)))
      rest = rest.dropFirst(76)
    }
    output.print(lines.map { $0 + "\n" }.joined())
    return output
  }
}
