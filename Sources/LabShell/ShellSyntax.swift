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
  public var assignments: [(name: String, value: ShellWord)] = []
  public var words: [ShellWord] = []
  public var redirections: [Redirection] = []

  public init() {}

  public static func == (lhs: SimpleCommand, rhs: SimpleCommand) -> Bool {
    lhs.words == rhs.words && lhs.redirections == rhs.redirections
      && lhs.assignments.elementsEqual(
        rhs.assignments, by: { $0.name == $1.name && $0.value == $1.value })
  }
}

/// A word before expansion: literal text, quoted text, variables and substitutions.
public struct ShellWord: Equatable, Sendable {
  public enum Part: Equatable, Sendable {
    /// Text; `quoted` text is never split or globbed.
    case text(String, quoted: Bool)
    /// `$NAME`, `${NAME}`, `${NAME:-word}` …
    case parameter(name: String, operation: String?, argument: ShellWord?, quoted: Bool)
    /// `$(…)` or backticks.
    case command(String, quoted: Bool)
    /// `$((…))`.
    case arithmetic(String, quoted: Bool)
  }

  public var parts: [Part]

  public init(_ parts: [Part]) { self.parts = parts }

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
      case .parameter(_, _, _, let quoted): quoted
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
