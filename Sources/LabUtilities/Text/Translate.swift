import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `tr`: translates or deletes characters.
struct Translate: Utility {
  static let name = "tr"
  static let options = OptionSpec(
    "dsc", long: ["delete": "d", "squeeze-repeats": "s", "complement": "c"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    let options = Translate.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    guard !options.operands.isEmpty else {
      return .failure("tr: missing operand\nTry 'tr --help' for more information.")
    }
    let sets = options.operands.map(UtilityContext.characterSet)
    // `-c`: the first set stands for every character it does not name.
    let complement = options.has("c")
    func inFirstSet(_ character: Character) -> Bool { sets[0].contains(character) != complement }
    var text = String(decoding: invocation.input, as: UTF8.self)
    if options.has("d"), !sets.isEmpty {
      text.removeAll(where: inFirstSet)
    } else if sets.count >= 2 {
      let from = sets[0]
      let to = sets[1]
      if complement && to.count != 1 {
        return .failure("tr: with -c, this tr takes a second set of one character")
      }
      text = String(
        text.map { character in
          if complement { return inFirstSet(character) ? to[0] : character }
          guard let index = from.firstIndex(of: character) else { return character }
          return index < to.count ? to[index] : (to.last ?? character)
        })
    }
    if options.has("s"), !sets.isEmpty {
      // Alone, `-s` squeezes the first set; after deleting or translating, the last one.
      let squeezeSet = sets.count == 1 && !options.has("d") ? nil : sets[sets.count - 1]
      let squeeze = { (character: Character) in
        squeezeSet.map { $0.contains(character) } ?? inFirstSet(character)
      }
      var result = ""
      for character in text where !(squeeze(character) && result.last == character) {
        result.append(character)
      }
      text = result
    }
    return CommandOutput(stdout: Array(text.utf8))
  }
}

extension UtilityContext {
  /// `a-z`, `[:upper:]`, escapes: the characters a `tr` set names.
  static func characterSet(_ text: String) -> [Character] {
    let classes: [String: String] = [
      "[:lower:]": "abcdefghijklmnopqrstuvwxyz", "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "[:digit:]": "0123456789", "[:space:]": " \t\n\r\u{B}\u{C}", "[:blank:]": " \t",
    ]
    var result: [Character] = []
    var rest = Substring(text)
    while !rest.isEmpty {
      if let (name, members) = classes.first(where: { rest.hasPrefix($0.key) }) {
        result += members
        rest = rest.dropFirst(name.count)
        continue
      }
      var character = rest.removeFirst()
      if character == "\\", let next = rest.first {
        rest.removeFirst()
        character = next == "n" ? "\n" : next == "t" ? "\t" : next
      }
      if rest.hasPrefix("-"), rest.count > 1, let end = rest.dropFirst().first,
        let low = character.unicodeScalars.first?.value, let high = end.unicodeScalars.first?.value,
        low <= high
      {
        result += (low...high).compactMap { Unicode.Scalar($0).map(Character.init) }
        rest = rest.dropFirst(2)
        continue
      }
      result.append(character)
    }
    return result
  }
}
