import Foundation
import LabRegex

enum AwkToken: Equatable {
  case number(Double)
  case string(String)
  case regex(String)
  case name(String)
  case symbol(String)
  case newline
}

enum AwkLexer {
  static let symbols = [
    "&&", "||", "==", "!=", "<=", ">=", "!~", "+=", "-=", "*=", "/=", "%=", "++", "--", "<", ">",
    "!", "~", "+", "-", "*", "/", "%", "=", "(", ")", "{", "}", ";", ",", "$", "[", "]", "?", ":",
  ]

  static func tokens(_ source: String) throws(AwkProgram.SyntaxError) -> [AwkToken] {
    let characters = Array(source)
    var tokens: [AwkToken] = []
    var index = 0
    /// Whether a `/` here starts a regular expression rather than dividing.
    func regexAllowed() -> Bool {
      switch tokens.last {
      case .number?, .string?, .name?, .regex?: false
      case .symbol(let symbol)?: ![")", "]", "++", "--", "$"].contains(symbol)
      default: true
      }
    }
    while index < characters.count {
      let character = characters[index]
      if character == " " || character == "\t"
        || (character == "\\" && index + 1 < characters.count && characters[index + 1] == "\n")
      {
        index += character == "\\" ? 2 : 1
        continue
      }
      if character == "\n" {
        tokens.append(.newline)
        index += 1
        continue
      }
      if character == "#" {
        while index < characters.count, characters[index] != "\n" { index += 1 }
        continue
      }
      if character.isNumber
        || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber)
      {
        var text = ""
        while index < characters.count, characters[index].isNumber || characters[index] == "." {
          text.append(characters[index])
          index += 1
        }
        tokens.append(.number(Double(text) ?? 0))
        continue
      }
      if character.isLetter || character == "_" {
        var text = ""
        while index < characters.count,
          characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
        {
          text.append(characters[index])
          index += 1
        }
        tokens.append(.name(text))
        continue
      }
      if character == "\"" {
        var text = ""
        index += 1
        while index < characters.count, characters[index] != "\"" {
          if characters[index] == "\\", index + 1 < characters.count {
            index += 1
            switch characters[index] {
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "\\": text.append("\\")
            case "\"": text.append("\"")
            case "/": text.append("/")
            default: text += "\\" + String(characters[index])
            }
          } else {
            text.append(characters[index])
          }
          index += 1
        }
        guard index < characters.count else { throw .init(message: "unterminated string") }
        index += 1
        tokens.append(.string(text))
        continue
      }
      if character == "/" && regexAllowed() {
        var text = ""
        index += 1
        while index < characters.count, characters[index] != "/" {
          if characters[index] == "\\", index + 1 < characters.count, characters[index + 1] == "/" {
            index += 1
          }
          text.append(characters[index])
          index += 1
        }
        guard index < characters.count else {
          throw .init(message: "unterminated regular expression")
        }
        index += 1
        tokens.append(.regex(text))
        continue
      }
      guard
        let symbol = symbols.first(where: { symbol in
          index + symbol.count <= characters.count
            && String(characters[index..<(index + symbol.count)]) == symbol
        })
      else { throw .init(message: "unexpected character '\(character)'") }
      tokens.append(.symbol(symbol))
      index += symbol.count
    }
    return tokens
  }
}
