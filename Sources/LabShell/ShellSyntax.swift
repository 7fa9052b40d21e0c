import LabLimits
import LabUtilities

/// A parsed command line: lists of pipelines of commands, as bash reads them.
public indirect enum ShellNode: Equatable, Sendable {
  /// Commands run one after another (`;` or a newline).
  case sequence([ShellNode])
  /// `left && right`.
  case and(ShellNode, ShellNode)
  /// `left || right`.
  case or(ShellNode, ShellNode)
  /// `a | b | c`, optionally negated with `!`.
  case pipeline([ShellNode], negated: Bool)
  case simple(SimpleCommand)
  /// `( list )`: runs in a copy of the shell's state.
  case subshell(ShellNode, [Redirection])
  /// `{ list; }`.
  case group(ShellNode, [Redirection])
  /// `if list; then list; [elif list; then list;]… [else list;] fi`.
  case ifClause([ConditionalClause], otherwise: ShellNode?, [Redirection])
  /// `for NAME [in WORDS…]; do list; done`; without `in`, the positional parameters.
  case forLoop(name: String, words: [ShellWord]?, body: ShellNode, [Redirection])
  /// `while list; do list; done`, or `until` when `until` is true.
  case whileLoop(ConditionalClause, until: Bool, [Redirection])
  /// `name() { … }`: defines a function.
  case function(name: String, body: ShellNode)
  /// `case WORD in PATTERN) LIST ;; … esac`.
  case caseClause(subject: ShellWord, arms: [CaseArm], [Redirection])
}

/// One arm of a `case`: its patterns and what runs when one matches.
public struct CaseArm: Equatable, Sendable {
  public var patterns: [ShellWord]
  public var body: ShellNode
}

/// A condition and the list it guards.
public struct ConditionalClause: Equatable, Sendable {
  public var condition: ShellNode
  public var body: ShellNode
}

/// One command: assignments, words, redirections.
public struct SimpleCommand: Equatable, Sendable {
  public var assignments: [ShellAssignment] = []
  public var words: [ShellWord] = []
  public var redirections: [Redirection] = []
  /// Lists given to a declaration builtin (`local -a names=(a b)`, `declare -a …`): its word
  /// is the bare name, and the list is assigned after the builtin has made the name, in the
  /// scope the builtin chose.
  public var declaredLists: [ShellAssignment] = []

  public init() {}
}

/// `NAME=value`, `NAME+=value`, `NAME[INDEX]=value` or `NAME=(values…)`, before expansion.
public struct ShellAssignment: Equatable, Sendable {
  public enum Value: Equatable, Sendable {
    case scalar(ShellWord)
    /// `(a "b c" $d)`: words expanded as a command's are, each field an element; a word
    /// `[INDEX]=value` puts its value at that index.
    case list([ShellWord])
  }

  public var name: String
  /// The subscript of `NAME[INDEX]=…`, expanded and evaluated as arithmetic when assigned.
  public var index: ShellWord?
  /// `+=`: appends to the string, or to the array.
  public var appends: Bool
  public var value: Value

  public init(name: String, index: ShellWord? = nil, appends: Bool = false, value: Value) {
    self.name = name
    self.index = index
    self.appends = appends
    self.value = value
  }

  /// Whether `text` is a name bash accepts for a variable.
  static func isName(_ text: some StringProtocol) -> Bool {
    guard let first = text.first, first.isLetter || first == "_" else { return false }
    return text.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
  }

  /// The assignment a command's word makes, when it is one: `NAME=`, `NAME+=`, `NAME[…]=` or
  /// `NAME[…]+=` at its start, unquoted; the subscript may hold expansions (`a[$i]=x`).
  static func parse(_ word: ShellWord) -> ShellAssignment? {
    guard case .text(let raw, quoted: false)? = word.parts.first else { return nil }
    let name = raw.prefix { $0 != "=" && $0 != "[" && $0 != "+" }
    guard isName(name) else { return nil }
    var rest = raw.dropFirst(name.count)
    var index: ShellWord?
    var valueParts = Array(word.parts.dropFirst())
    if rest.hasPrefix("[") {
      // The subscript runs to the `]` before `=` or `+=`, perhaps across expansions.
      var subscriptParts: [ShellWord.Part] = []
      var text = rest.dropFirst()
      var remaining = valueParts[...]
      while true {
        if let close = text.firstIndex(of: "]"),
          text[text.index(after: close)...].hasPrefix("=")
            || text[text.index(after: close)...].hasPrefix("+=")
        {
          if close > text.startIndex {
            subscriptParts.append(.text(String(text[..<close]), quoted: false))
          }
          rest = text[text.index(after: close)...]
          break
        }
        if !text.isEmpty { subscriptParts.append(.text(String(text), quoted: false)) }
        guard let next = remaining.popFirst() else { return nil }
        if case .text(let more, quoted: false) = next {
          text = Substring(more)
        } else {
          subscriptParts.append(next)
          text = ""
        }
      }
      valueParts = Array(remaining)
      index = ShellWord(subscriptParts.isEmpty ? [.text("", quoted: false)] : subscriptParts)
    }
    let appends = rest.hasPrefix("+=")
    guard appends || rest.hasPrefix("=") else { return nil }
    let value = String(rest.dropFirst(appends ? 2 : 1))
    if !value.isEmpty || valueParts.isEmpty {
      valueParts.insert(.text(value, quoted: false), at: 0)
    }
    return ShellAssignment(
      name: String(name), index: index, appends: appends, value: .scalar(ShellWord(valueParts)))
  }
}

/// A word before expansion: literal text, quoted text, variables and substitutions.
public struct ShellWord: Equatable, Sendable {
  public enum Part: Equatable, Sendable {
    /// Text; `quoted` text is never split or globbed.
    case text(String, quoted: Bool)
    /// `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME[INDEX]}` …; `index` is the subscript
    /// (`@` and `*` included), an operation `length` is `${#…}` and `indices` is `${!…[@]}`.
    case parameter(
      name: String, operation: String?, argument: ShellWord?, quoted: Bool,
      index: ShellWord? = nil)
    /// `$(…)` or backticks.
    case command(String, quoted: Bool)
    /// `$((…))`.
    case arithmetic(String, quoted: Bool)
  }

  public var parts: [Part]

  public init(_ parts: [Part]) { self.parts = parts }

  /// The operation of a `${…}` that makes no sense (`${a[0}`): its name is the whole text,
  /// and expanding it fails with bash's `bad substitution`.
  static let badSubstitution = "bad substitution"

  /// A plain word of literal text.
  public static func literal(_ text: String) -> ShellWord {
    ShellWord([.text(text, quoted: false)])
  }

  /// The text when the word has no expansions.
  public var literalText: String? {
    var text = ""
    for part in parts {
      guard case .text(let value, _) = part else { return nil }
      text += value
    }
    return text
  }

  /// Whether any part of the word was quoted.
  public var hasQuotes: Bool {
    parts.contains {
      switch $0 {
      case .text(_, let quoted), .command(_, let quoted), .arithmetic(_, let quoted): quoted
      case .parameter(_, _, _, let quoted, _): quoted
      }
    }
  }
}

/// A redirection: `>`, `>>`, `<`, `2>`, `2>&1`, `&>`, here-documents.
public struct Redirection: Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    case output, append, input, duplicate, outputAndError, appendOutputAndError
    /// A here-document; `expands` is false when the delimiter was quoted.
    case heredoc(body: String, expands: Bool)
    /// `<<< word`.
    case herestring
  }

  public var descriptor: Int
  public var kind: Kind
  public var target: ShellWord
}

/// A command line bash would reject, with bash's message.
public enum ShellSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
  case unexpectedToken(String)
  case unexpectedEnd(Character)
  case unterminatedHeredoc(String)
  /// An `if`, `for` or `while` that the line ends inside.
  case unexpectedEndOfFile
  /// Commands, `&&` chains or `${…}` nested deeper than ``Limits/depth``.
  case tooDeep

  public var description: String {
    switch self {
    case .unexpectedEndOfFile: "bash: syntax error: unexpected end of file"
    case .unexpectedToken(let token): "bash: syntax error near unexpected token `\(token)'"
    case .unexpectedEnd(let quote): "bash: unexpected EOF while looking for matching `\(quote)'"
    case .unterminatedHeredoc(let delimiter):
      "bash: warning: here-document delimited by end-of-file (wanted `\(delimiter)')"
    case .tooDeep:
      "bash: syntax error: the sandbox nests commands at most \(Limits.depth) deep"
    }
  }
}
