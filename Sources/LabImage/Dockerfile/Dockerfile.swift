/// A parsed Dockerfile: parser directives and instructions in order.
public struct Dockerfile: Equatable, Sendable {
  /// The `# escape=` character, `\` unless changed.
  public var escape: Character = "\\"
  /// The `# syntax=` directive, recorded but not acted on.
  public var syntax: String?
  public var instructions: [Instruction] = []

  public init(escape: Character = "\\", syntax: String? = nil, instructions: [Instruction] = []) {
    self.escape = escape
    self.syntax = syntax
    self.instructions = instructions
  }
}

/// A Dockerfile instruction's keyword, as BuildKit knows them.
public enum Keyword: String, CaseIterable, Sendable, CustomStringConvertible {
  case add = "ADD"
  case arg = "ARG"
  case cmd = "CMD"
  case copy = "COPY"
  case entrypoint = "ENTRYPOINT"
  case env = "ENV"
  case expose = "EXPOSE"
  case from = "FROM"
  case healthcheck = "HEALTHCHECK"
  case label = "LABEL"
  case maintainer = "MAINTAINER"
  case onbuild = "ONBUILD"
  case run = "RUN"
  case shell = "SHELL"
  case stopsignal = "STOPSIGNAL"
  case user = "USER"
  case volume = "VOLUME"
  case workdir = "WORKDIR"

  /// The keyword as written in upper case, as messages and histories show it.
  public var description: String { rawValue }

  /// The keywords that take `--name=value` flags before their arguments.
  var takesFlags: Bool { [.from, .copy, .add, .run, .healthcheck, .onbuild].contains(self) }

  /// The keywords that may open here-documents (`RUN <<EOF`).
  var takesHeredocs: Bool { [.run, .copy, .add].contains(self) }

  /// The keywords BuildKit shows as steps of their own (`[2/3] RUN …`).
  var isBuildStep: Bool { [.add, .copy, .run, .workdir].contains(self) }

  /// `COPY` and `ADD`.
  var copiesFiles: Bool { self == .copy || self == .add }

  /// The keywords whose arguments may be a JSON array.
  var takesJSON: Bool {
    [.run, .cmd, .entrypoint, .shell, .copy, .add, .volume, .healthcheck].contains(self)
  }
}

/// One instruction with its flags and arguments, and where it was written.
public struct Instruction: Equatable, Sendable {
  public var keyword: Keyword
  /// `--name=value` flags before the arguments (`--from`, `--chown`, `--platform`, …).
  public var flags: [(name: String, value: String)]
  /// The text after the keyword and flags, continuation lines joined.
  public var arguments: String
  /// The JSON array form, when the arguments are one (`CMD ["nginx", "-g"]`).
  public var jsonArguments: [String]?
  /// Here-documents the instruction opened (`RUN <<EOF`), in order.
  public var heredocs: [Heredoc]
  /// The instruction as written, continuation lines joined with their indentation dropped,
  /// as the legacy builder prints it in `Step 1/4 : …`.
  public var original: String
  /// The 1-based line of the keyword.
  public var line: Int
  /// The last line the instruction spans.
  public var endLine: Int

  public static func == (lhs: Instruction, rhs: Instruction) -> Bool {
    lhs.keyword == rhs.keyword && lhs.arguments == rhs.arguments
      && lhs.flags.elementsEqual(rhs.flags, by: { $0.name == $1.name && $0.value == $1.value })
      && lhs.jsonArguments == rhs.jsonArguments && lhs.heredocs == rhs.heredocs
      && lhs.line == rhs.line
  }

  public func flag(_ name: String) -> String? { flags.last { $0.name == name }?.value }
}

/// A here-document: `<<EOF` … `EOF`.
public struct Heredoc: Equatable, Sendable {
  public var name: String
  public var content: String
  /// Whether the delimiter was quoted, which turns off expansion in the body.
  public var isQuoted: Bool
  /// `<<-`: leading tabs are stripped from the body.
  public var stripsTabs: Bool
}

/// A Dockerfile the builder cannot take; the messages are Docker's.
public enum DockerfileError: Error, Equatable, Sendable, CustomStringConvertible {
  case empty(String)
  case noInstructions
  case unknownInstruction(line: Int, keyword: String, suggestion: String?)
  case noBuildStage
  case parse(line: Int, message: String)
  case unterminatedHeredoc(line: Int, name: String)

  public var description: String {
    switch self {
    case .empty(let name): "the Dockerfile (\(name)) cannot be empty"
    case .noInstructions: "file with no instructions"
    case .unknownInstruction(let line, let keyword, let suggestion):
      "dockerfile parse error on line \(line): unknown instruction: \(keyword)"
        + (suggestion.map { " (did you mean \($0)?)" } ?? "")
    case .noBuildStage: "no build stage in current context"
    case .parse(let line, let message): "dockerfile parse error on line \(line): \(message)"
    case .unterminatedHeredoc(let line, let name):
      "dockerfile parse error on line \(line): unterminated heredoc \(name)"
    }
  }

  /// The line the error is on, when it has one.
  public var line: Int? {
    switch self {
    case .unknownInstruction(let line, _, _), .parse(let line, _),
      .unterminatedHeredoc(let line, _):
      line
    default: nil
    }
  }
}
