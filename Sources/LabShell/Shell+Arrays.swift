import LabUtilities

/// What a name held before `local` shadowed it, so that the function's return restores it.
enum VariableSnapshot: Equatable, Sendable {
  case unset
  case scalar(String)
  case array(ShellArray)
}

extension Shell {
  // MARK: - Reading and writing names

  /// What `name` holds now.
  func snapshot(_ name: String) -> VariableSnapshot {
    if let array = arrays[name] { return .array(array) }
    return variables[name].map { .scalar($0) } ?? .unset
  }

  /// Puts back what `name` held.
  mutating func restore(_ name: String, _ snapshot: VariableSnapshot) {
    variables[name] = nil
    arrays[name] = nil
    switch snapshot {
    case .unset: break
    case .scalar(let value): variables[name] = value
    case .array(let array): arrays[name] = array
    }
  }

  /// `$name`: a string, or element 0 of an array, as bash reads an array's bare name.
  func scalarValue(_ name: String) -> String? { variables[name] ?? arrays[name]?[0] }

  /// Sets `name` as `name=value` does: element 0 of an array, or the string.
  mutating func setScalar(_ name: String, _ value: String) {
    if arrays[name] != nil { arrays[name]?[0] = value } else { variables[name] = value }
  }

  /// `name` as an array: itself, a string as element 0, or an empty one.
  func array(_ name: String) -> ShellArray {
    arrays[name] ?? variables[name].map { ShellArray([$0]) } ?? ShellArray()
  }

  /// Makes `name` the array `array`, whatever it was.
  mutating func store(_ array: ShellArray, as name: String) {
    variables[name] = nil
    arrays[name] = array
  }

  /// A subscript's value: expanded, then evaluated as arithmetic, as bash does for an indexed
  /// array (`a[i+1]`, `a[$i]`); an arithmetic error abandons the line.
  mutating func subscriptValue(_ word: ShellWord) -> Int {
    Int(arithmetic(expandToString(word))) ?? 0
  }

  /// Whether a subscript is `@` or `*`: every element.
  static func isWholeArray(_ index: ShellWord?) -> Bool {
    index?.literalText == "@" || index?.literalText == "*"
  }

  // MARK: - Assignments

  /// Runs one assignment; the errors of its expansions, and whether it failed.
  ///
  /// An assignment bash cannot make (`a[-9]=x` on a short array, a list to an element)
  /// abandons the line, as it ends a script in bash; a bad element in a list is only reported.
  mutating func assign(_ assignment: ShellAssignment) -> (errors: [UInt8], failed: Bool) {
    let name = assignment.name
    func failure(_ message: String) -> ([UInt8], Bool) {
      abort("bash: \(message)")
      return ([], true)
    }
    switch assignment.value {
    case .scalar(let word):
      let value = expandToString(word)
      guard let indexWord = assignment.index else {
        setScalar(name, assignment.appends ? (scalarValue(name) ?? "") + value : value)
        return ([], false)
      }
      let position = subscriptValue(indexWord)
      var array = array(name)
      guard let resolved = array.resolved(position) else {
        return failure("\(name)[\(expandToString(indexWord))]: bad array subscript")
      }
      array[resolved] = assignment.appends ? (array[resolved] ?? "") + value : value
      store(array, as: name)
      return ([], false)
    case .list(let words):
      if let indexWord = assignment.index {
        return failure("\(name)[\(expandToString(indexWord))]: cannot assign list to array member")
      }
      // Expanded before the array changes: `a=("${a[@]}" x)` reads the old one.
      var array = assignment.appends ? array(name) : ShellArray()
      var next = array.nextIndex
      var errors: [UInt8] = []
      for word in words where !isAborting {
        if let element = ShellAssignment.parseElement(word), let indexWord = element.index,
          case .scalar(let valueWord) = element.value
        {
          let position = subscriptValue(indexWord)
          let value = expandToString(valueWord)
          guard let resolved = array.resolved(position) else {
            let element = "[\(expandToString(indexWord))]=\(value)"
            errors += Array("bash: \(element): bad array subscript\n".utf8)
            continue
          }
          array[resolved] = value
          next = resolved &+ 1
          continue
        }
        let (fields, fieldErrors) = expand(word)
        errors += fieldErrors
        for field in fields {
          array[next] = field
          next &+= 1
        }
      }
      store(array, as: name)
      return (errors, false)
    }
  }

  /// `unset NAME` or `unset 'NAME[INDEX]'`; bash's message for a subscript it cannot take.
  mutating func unsetVariable(_ argument: String) -> String? {
    guard let open = argument.firstIndex(of: "["), argument.hasSuffix("]") else {
      variables[argument] = nil
      arrays[argument] = nil
      return nil
    }
    let name = String(argument[..<open])
    let subscriptText = String(
      argument[argument.index(after: open)..<argument.index(before: argument.endIndex)])
    guard ShellAssignment.isName(name) else {
      return "bash: unset: `\(argument)': not a valid identifier"
    }
    if subscriptText == "@" || subscriptText == "*" {
      variables[name] = nil
      arrays[name] = nil
      return nil
    }
    let position = Int(arithmetic(subscriptText)) ?? 0
    guard arrays[name] != nil || variables[name] != nil else { return nil }
    var array = array(name)
    guard let resolved = array.resolved(position) else {
      return "bash: unset: [\(position)]: bad array subscript"
    }
    array[resolved] = nil
    store(array, as: name)
    return nil
  }

  // MARK: - Expansions

  /// `${name[INDEX]}` for one index: the element, or `nil`; a negative index before the first
  /// element is bash's `bad array subscript`, and expands to nothing.
  mutating func element(_ name: String, at index: ShellWord) -> (String?, error: String?) {
    let position = subscriptValue(index)
    let array = array(name)
    guard let resolved = array.resolved(position) else {
      return (nil, "bash: \(name): bad array subscript\n")
    }
    return (array[resolved], nil)
  }

  /// The values of `$@`, `$*`, `${name[@]}`, `${name[*]}` and `${!name[@]}`, after their
  /// operation (`#`, `%`, `:-`, `:+`, `:offset:length`…), each element on its own; `nil` for a
  /// parameter of one value, or `${#…}`, which counts them.
  mutating func listParameter(
    _ name: String, index: ShellWord?, operation: String?, argument: ShellWord?
  ) -> [String]? {
    guard operation != "length", operation != ShellWord.badSubstitution else { return nil }
    // Each value with the index `${…:offset}` counts by: `$0` is 0 for `$@`.
    let indexed: [(index: Int, value: String)]
    if index == nil, name == "@" || name == "*" {
      indexed = ([scriptName] + positional).enumerated().map { ($0.offset, $0.element) }
        .filter { $0.index > 0 || operation == ":" }
    } else if Self.isWholeArray(index) {
      let array = array(name)
      indexed = array.indices.map { ($0, operation == "indices" ? String($0) : array[$0] ?? "") }
    } else {
      return nil
    }
    let values = indexed.map(\.value)
    let word = argument.map { expandToString($0) } ?? ""
    let isNull = values.joined().isEmpty
    switch operation {
    case "#", "##", "%", "%%":
      return values.map { Self.trimmed($0, operation: operation ?? "", pattern: word) }
    case ":-": return isNull ? [word] : values
    case "-": return values.isEmpty ? [word] : values
    case ":+": return isNull ? [] : [word]
    case "+": return values.isEmpty ? [] : [word]
    case ":":
      guard let (offset, length) = sliceBounds(word) else { return [] }
      let end = indexed.last.map { $0.index &+ 1 } ?? 0
      let start = offset < 0 ? end &+ offset : offset
      guard start >= 0 || offset >= 0 else { return [] }
      let selected = indexed.filter { $0.index >= start }.map(\.value)
      guard let length else { return selected }
      guard length >= 0 else {
        abort("bash: \(length): substring expression < 0")
        return []
      }
      return Array(selected.prefix(length))
    default: return values
    }
  }

  /// What joins the elements of `"${a[*]}"` and `"$*"`: the first character of `IFS`.
  var listSeparator: String { (variables["IFS"] ?? " ").first.map(String.init) ?? "" }

  /// The offset and length of `${name:offset:length}`, each arithmetic; `nil` after an error.
  mutating func sliceBounds(_ text: String) -> (offset: Int, length: Int?)? {
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let offset = Int(arithmetic(String(parts[0])))
    let length = parts.count > 1 ? Int(arithmetic(String(parts[1]))) : nil
    guard let offset, !isAborting else { return nil }
    return (offset, length)
  }

  /// `${name:offset:length}` of a string: characters counted from 0, or back from the end
  /// when negative; a negative length stops that far before the end.
  mutating func substring(_ text: String, _ spec: String) -> String {
    guard let (offset, length) = sliceBounds(spec) else { return "" }
    let characters = Array(text)
    let start = offset < 0 ? characters.count + offset : offset
    guard start >= 0, start <= characters.count else { return "" }
    var end = characters.count
    if let length {
      end = length < 0 ? characters.count + length : start + min(characters.count - start, length)
      guard end >= start else {
        if length < 0 { abort("bash: \(length): substring expression < 0") }
        return ""
      }
    }
    return String(characters[start..<end])
  }

  /// `${name#pattern}`, `##`, `%` and `%%`: the text without its shortest or longest matching
  /// prefix or suffix.
  static func trimmed(_ text: String, operation: String, pattern: String) -> String {
    let longest = operation.count == 2
    let fromStart = operation.hasPrefix("#")
    let characters = Array(text)
    let candidates =
      fromStart ? Array(0...characters.count) : Array((0...characters.count).reversed())
    let ordered = longest ? candidates.reversed() : candidates
    for cut in ordered {
      let piece = fromStart ? String(characters[0..<cut]) : String(characters[cut...])
      if Glob.matches(pattern, piece) {
        return fromStart ? String(characters[cut...]) : String(characters[0..<cut])
      }
    }
    return text
  }
}

extension ShellAssignment {
  /// An element `[INDEX]=value` of an array's list, as its index and value.
  static func parseElement(_ word: ShellWord) -> ShellAssignment? {
    guard case .text(let raw, quoted: false)? = word.parts.first, raw.hasPrefix("[") else {
      return nil
    }
    // Read as an assignment to a stand-in name, which shares the subscript's rules.
    var parts = word.parts
    parts[0] = .text("element" + raw, quoted: false)
    return parse(ShellWord(parts))
  }
}
