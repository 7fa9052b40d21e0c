/// A command line the splitter cannot take, in bash's words where bash has them.
public enum ShellError: Error, Equatable, Sendable, CustomStringConvertible {
  case unterminatedQuote(Character)
  case unsupported(String)

  public var description: String {
    switch self {
    case .unterminatedQuote(let quote):
      "bash: unexpected EOF while looking for matching `\(quote)'"
    case .unsupported(let feature):
      "layerlab: \(feature) is not supported by this version of the sandbox shell"
    }
  }
}

/// Splits a command line into words as bash does for simple commands: single and double
/// quotes, backslash escapes, and `\` line continuations.
///
/// Operators (`|`, `&&`, `;`, redirections), expansions and substitutions belong to the full
/// shell; met outside quotes they are reported as unsupported rather than misread.
public enum WordSplitter {
  public static func split(_ line: String) throws(ShellError) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var characters = Array(line)[...]
    while let character = characters.first {
      characters.removeFirst()
      switch character {
      case " ", "\t", "\n":
        if inWord {
          words.append(current)
          current = ""
          inWord = false
        }
      case "\\":
        guard let next = characters.first else {
          inWord = true
          continue
        }
        characters.removeFirst()
        if next == "\n" { continue }
        current.append(next)
        inWord = true
      case "'":
        guard let close = characters.firstIndex(of: "'") else { throw .unterminatedQuote("'") }
        current += String(characters[..<close])
        characters = characters[(close + 1)...]
        inWord = true
      case "\"":
        var closed = false
        while let inner = characters.first {
          characters.removeFirst()
          if inner == "\"" {
            closed = true
            break
          }
          if inner == "\\", let escaped = characters.first, "\"\\$`\n".contains(escaped) {
            characters.removeFirst()
            if escaped != "\n" { current.append(escaped) }
            continue
          }
          if inner == "$" || inner == "`" {
            throw .unsupported("expansion (`\(inner)`) inside double quotes")
          }
          current.append(inner)
        }
        guard closed else { throw .unterminatedQuote("\"") }
        inWord = true
      case "|", "&", ";", "<", ">", "(", ")":
        throw .unsupported("the `\(character)` operator")
      case "$", "`":
        throw .unsupported("expansion (`\(character)`)")
      case "#" where !inWord:
        characters = []
      default:
        current.append(character)
        inWord = true
      }
    }
    if inWord { words.append(current) }
    return words
  }
}
