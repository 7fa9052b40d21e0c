/// Variable expansion and word splitting in Dockerfile arguments, as BuildKit's shell lexer
/// does for `ENV`, `ARG`, `COPY`, `WORKDIR` and the other instructions that expand variables.
///
/// Supports `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`,
/// `${NAME+word}`, single and double quotes, and the escape character.
struct WordExpansion {
  var environment: [String: String]
  var escape: Character = "\\"
  /// How many `${…}` the text being expanded lies in.
  var depth = 0

  /// How deeply `${NAME:-word}` words are expanded within one another; a deeper word stays as
  /// written, since each level is a level of calls.
  static let depthLimit = 50

  /// Expands and splits `text` into words, removing quotes.
  func words(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var characters = Array(text)[...]
    while let character = characters.first {
      characters.removeFirst()
      switch character {
      case " ", "\t", "\n":
        if inWord {
          words.append(current)
          current = ""
          inWord = false
        }
      case escape:
        if let next = characters.first {
          current.append(next)
          characters.removeFirst()
        }
        inWord = true
      case "'":
        while let inner = characters.first {
          characters.removeFirst()
          if inner == "'" { break }
          current.append(inner)
        }
        inWord = true
      case "\"":
        while let inner = characters.first {
          characters.removeFirst()
          if inner == "\"" { break }
          if inner == escape, let next = characters.first,
            next == "\"" || next == escape || next == "$"
          {
            current.append(next)
            characters.removeFirst()
          } else if inner == "$" {
            current += expandVariable(&characters)
          } else {
            current.append(inner)
          }
        }
        inWord = true
      case "$":
        current += expandVariable(&characters)
        inWord = true
      default:
        current.append(character)
        inWord = true
      }
    }
    if inWord { words.append(current) }
    return words
  }

  /// Expands `text` as one word, keeping its spaces (quotes are still removed).
  func word(_ text: String) -> String {
    var result = ""
    var characters = Array(text)[...]
    while let character = characters.first {
      characters.removeFirst()
      switch character {
      case escape:
        if let next = characters.first {
          result.append(next)
          characters.removeFirst()
        }
      case "'":
        while let inner = characters.first {
          characters.removeFirst()
          if inner == "'" { break }
          result.append(inner)
        }
      case "\"":
        while let inner = characters.first {
          characters.removeFirst()
          if inner == "\"" { break }
          if inner == "$" { result += expandVariable(&characters) } else { result.append(inner) }
        }
      case "$":
        result += expandVariable(&characters)
      default:
        result.append(character)
      }
    }
    return result
  }

  private func expandVariable(_ characters: inout ArraySlice<Character>) -> String {
    guard let first = characters.first else { return "$" }
    if first == "{" {
      characters.removeFirst()
      var name = ""
      while let character = characters.first,
        character.isLetter || character.isNumber || character == "_"
      {
        name.append(character)
        characters.removeFirst()
      }
      var modifier = ""
      var word = ""
      if let character = characters.first, character != "}" {
        modifier.append(character)
        characters.removeFirst()
        if modifier == ":", let next = characters.first {
          modifier.append(next)
          characters.removeFirst()
        }
        var depth = 0
        while let character = characters.first {
          if character == "}" && depth == 0 { break }
          if character == "{" { depth += 1 }
          if character == "}" { depth -= 1 }
          word.append(character)
          characters.removeFirst()
        }
      }
      if characters.first == "}" { characters.removeFirst() }
      let value = environment[name]
      var inner = self
      inner.depth += 1
      let alternative = depth < Self.depthLimit ? inner.word(word) : word
      switch modifier {
      case ":-": return (value?.isEmpty ?? true) ? alternative : value ?? ""
      case "-": return value ?? alternative
      case ":+": return (value?.isEmpty ?? true) ? "" : alternative
      case "+": return value == nil ? "" : alternative
      default: return value ?? ""
      }
    }
    guard first.isLetter || first == "_" else { return "$" }
    var name = ""
    while let character = characters.first,
      character.isLetter || character.isNumber || character == "_"
    {
      name.append(character)
      characters.removeFirst()
    }
    return environment[name] ?? ""
  }
}
