import Foundation
import LabImage

/// Splits the inside of an action into words.
struct ActionLexer {
  enum Word: Equatable, CustomStringConvertible {
    case dot, pipe, open, close, comma, declare
    case fieldChain([String])
    case variable(String, [String])
    case identifier(String)
    case string(String)
    case number(Int64)

    var description: String {
      switch self {
      case .dot: "."
      case .pipe: "|"
      case .open: "("
      case .close: ")"
      case .comma: ","
      case .declare: ":="
      case .fieldChain(let chain): "." + chain.joined(separator: ".")
      case .variable(let name, _): name
      case .identifier(let name): name
      case .string(let value): "\"\(value)\""
      case .number(let value): String(value)
      }
    }
  }

  let text: String
  let line: Int

  mutating func lex() throws(TemplateError) -> [Word] {
    var words: [Word] = []
    let characters = Array(text)
    var index = 0
    func chain(from start: Int) -> ([String], Int) {
      var names: [String] = []
      var position = start
      while position < characters.count, characters[position] == "." {
        var end = position + 1
        while end < characters.count,
          characters[end].isLetter || characters[end].isNumber
            || characters[end] == "_"
        {
          end += 1
        }
        guard end > position + 1 else { break }
        names.append(String(characters[(position + 1)..<end]))
        position = end
      }
      return (names, position)
    }
    while index < characters.count {
      let character = characters[index]
      switch character {
      case " ", "\t", "\n", "\r":
        index += 1
      case "|":
        words.append(.pipe)
        index += 1
      case "(":
        words.append(.open)
        index += 1
      case ")":
        words.append(.close)
        index += 1
      case ",":
        words.append(.comma)
        index += 1
      case ":":
        guard index + 1 < characters.count, characters[index + 1] == "=" else {
          throw .parse("\(line): unexpected \":\" in command")
        }
        words.append(.declare)
        index += 2
      case "=":
        throw .parse("\(line): unexpected \"=\" in operand")
      case ".":
        let (names, end) = chain(from: index)
        if names.isEmpty {
          words.append(.dot)
          index += 1
        } else {
          words.append(.fieldChain(names))
          index = end
        }
      case "$":
        var end = index + 1
        while end < characters.count,
          characters[end].isLetter || characters[end].isNumber
            || characters[end] == "_"
        {
          end += 1
        }
        let name = String(characters[index..<end])
        let (names, after) = chain(from: end)
        words.append(.variable(name, names))
        index = after
      case "\"":
        var value = ""
        var end = index + 1
        while end < characters.count, characters[end] != "\"" {
          if characters[end] == "\\", end + 1 < characters.count {
            end += 1
            switch characters[end] {
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "\\": value.append("\\")
            case "\"": value.append("\"")
            default: value.append(characters[end])
            }
          } else {
            value.append(characters[end])
          }
          end += 1
        }
        guard end < characters.count else { throw .parse("\(line): unterminated quoted string") }
        words.append(.string(value))
        index = end + 1
      case "`":
        guard let close = characters[(index + 1)...].firstIndex(of: "`") else {
          throw .parse("\(line): unterminated raw quoted string")
        }
        words.append(.string(String(characters[(index + 1)..<close])))
        index = close + 1
      default:
        if character.isNumber
          || (character == "-" && index + 1 < characters.count
            && characters[index + 1].isNumber)
        {
          var end = index + 1
          while end < characters.count, characters[end].isNumber { end += 1 }
          guard let value = Int64(String(characters[index..<end])) else {
            throw .parse("\(line): bad number syntax")
          }
          words.append(.number(value))
          index = end
        } else if character.isLetter || character == "_" {
          var end = index + 1
          while end < characters.count,
            characters[end].isLetter || characters[end].isNumber
              || characters[end] == "_"
          {
            end += 1
          }
          words.append(.identifier(String(characters[index..<end])))
          index = end
        } else {
          throw .parse("\(line): unexpected \"\(character)\" in command")
        }
      }
    }
    return words
  }
}
