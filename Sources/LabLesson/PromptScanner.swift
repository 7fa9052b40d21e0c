/// Reads shell prompts at the start of a line by hand.
///
/// A `Regex` literal is parsed and compiled again each time it is evaluated, and a `Regex` is
/// not `Sendable`, so none can be built once and shared; prompts are looked for on every line
/// of every shell block, so they are scanned here. Characters are read as the patterns in the
/// comments read them: `\w` a letter, digit, mark or `_`, `\S` anything but white space.
enum PromptScanner {
  /// The end of a container's ash prompt, `^(?:/\S*|~\S*) [#$] `: `/ # `, `/app $ `, `~ # `.
  static func ashPromptEnd(_ line: String) -> String.Index? {
    guard let first = line.first, first == "/" || first == "~" else { return nil }
    var index = line.index(after: line.startIndex)
    while index < line.endIndex, !line[index].isWhitespace { index = line.index(after: index) }
    return expect(line, from: index, " ", "#$", " ")
  }

  /// The end of a full prompt,
  /// `^(?:[\w.-]+@[\w.-]+(?::\S*?)?|\[[^\]]+\]|~\S*?|[\w.-]+:\S+ [\w.-]+)[$#] `:
  /// `user@host:~$ `, `root@host:/app# `, `[user@host dir]$ `, `~/site$ `, `host:~ user$ `.
  static func fullPromptEnd(_ line: String) -> String.Index? {
    guard let first = line.first else { return nil }
    if first == "[" {
      // `\[[^\]]+\][$#] `
      guard let close = line.firstIndex(of: "]"), line.index(after: line.startIndex) < close
      else { return nil }
      return expect(line, from: line.index(after: close), "$#", " ")
    }
    if first == "~" { return lazyPromptEnd(line, from: line.index(after: line.startIndex)) }
    // `[\w.-]+@[\w.-]+(?::\S*?)?[$#] `
    let user = wordEnd(line, from: line.startIndex)
    guard user > line.startIndex, user < line.endIndex else { return nil }
    if line[user] == "@" {
      let hostStart = line.index(after: user)
      let host = wordEnd(line, from: hostStart)
      guard host > hostStart, host < line.endIndex else { return nil }
      if line[host] == ":" { return lazyPromptEnd(line, from: line.index(after: host)) }
      return expect(line, from: host, "$#", " ")
    }
    // `[\w.-]+:\S+ [\w.-]+[$#] `
    guard line[user] == ":" else { return nil }
    var index = line.index(after: user)
    let pathStart = index
    while index < line.endIndex, !line[index].isWhitespace { index = line.index(after: index) }
    guard index > pathStart, index < line.endIndex, line[index] == " " else { return nil }
    let nameStart = line.index(after: index)
    let name = wordEnd(line, from: nameStart)
    guard name > nameStart else { return nil }
    return expect(line, from: name, "$#", " ")
  }

  /// `\S*?[$#] ` from `start`: the first `$` or `#` followed by a space, with no white space
  /// before it.
  private static func lazyPromptEnd(_ line: String, from start: String.Index) -> String.Index? {
    var index = start
    while index < line.endIndex {
      let character = line[index]
      if character == "$" || character == "#",
        let end = expect(line, from: line.index(after: index), " ")
      {
        return end
      }
      guard !character.isWhitespace else { return nil }
      index = line.index(after: index)
    }
    return nil
  }

  /// The end of a run of `[\w.-]` from `start`.
  private static func wordEnd(_ line: String, from start: String.Index) -> String.Index {
    var index = start
    while index < line.endIndex, isWordOrDotOrDash(line[index]) {
      index = line.index(after: index)
    }
    return index
  }

  private static func isWordOrDotOrDash(_ character: Character) -> Bool {
    character == "." || character == "-" || character == "_" || character.isLetter
      || character.isNumber
      || character.unicodeScalars.first.map { $0.properties.generalCategory.isMark } == true
  }

  /// The index after `pieces` matched one after another from `start` (each the characters
  /// allowed there), or `nil`.
  private static func expect(_ line: String, from start: String.Index, _ pieces: String...)
    -> String.Index?
  {
    var index = start
    for allowed in pieces {
      guard index < line.endIndex, allowed.contains(line[index]) else { return nil }
      index = line.index(after: index)
    }
    return index
  }
}

extension Unicode.GeneralCategory {
  fileprivate var isMark: Bool {
    self == .nonspacingMark || self == .spacingMark || self == .enclosingMark
  }
}
