import Foundation
import LabImage

/// Runs `RUN` instructions over an image's files, for the builder.
///
/// It understands command lists (`&&`, `||`, `;`) of simple commands, and the utilities that
/// need no program from the image: `true`, `false`, `:`, `echo`, `exit`, `mkdir`, `touch`,
/// `rm`. Changes land in the step's upper directory; a removal leaves a `.wh.` whiteout, as
/// overlayfs would. Any other program fails as `sh` reports a missing one, status 127.
public enum ImageCommandRunner {
  public static let executor: RunExecutor = { request in run(request) }

  static func run(_ request: RunRequest) -> RunOutcome {
    var words = request.command
    var script: String
    if words.count >= 3, words[0].hasSuffix("sh"), words[1] == "-c" {
      script = words[2]
    } else {
      script = words.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
      words = []
    }
    var output: [String] = []
    var status: Int32 = 0
    var skipping = false
    for (command, separator) in commandList(script) {
      if !skipping {
        let result = simpleCommand(command, request: request, output: &output)
        status = result.status
        if result.exits { break }
      }
      switch separator {
      case "&&": skipping = status != 0
      case "||": skipping = status == 0
      default: skipping = false
      }
    }
    return RunOutcome(output: output, status: status)
  }

  /// Splits a script at `&&`, `||`, `;` and newlines outside quotes.
  static func commandList(_ script: String) -> [(String, String)] {
    var list: [(String, String)] = []
    var current = ""
    var quote: Character?
    var characters = Array(script)[...]
    while let character = characters.first {
      characters.removeFirst()
      if let open = quote {
        current.append(character)
        if character == open { quote = nil }
        continue
      }
      switch character {
      case "'", "\"":
        quote = character
        current.append(character)
      case "&" where characters.first == "&", "|" where characters.first == "|":
        characters.removeFirst()
        list.append((current, String([character, character])))
        current = ""
      case ";", "\n":
        list.append((current, ";"))
        current = ""
      default:
        current.append(character)
      }
    }
    list.append((current, ";"))
    return list.filter { !$0.0.trimmingCharacters(in: .whitespaces).isEmpty }
  }

  /// The words of a simple command, quotes removed; `nil` for anything more than literals.
  static func literalWords(_ text: String) -> [String]? {
    var lexer = ShellLexer(Array(text))
    guard let tokens = try? lexer.tokenize() else { return nil }
    var words: [String] = []
    for token in tokens {
      guard case .word(let word) = token, let literal = word.literalText else { return nil }
      words.append(literal)
    }
    return words
  }

  static func simpleCommand(
    _ text: String, request: RunRequest, output: inout [String]
  ) -> (status: Int32, exits: Bool) {
    guard let words = literalWords(text), let name = words.first else {
      output.append("/bin/sh: 1: Syntax error: \(text)")
      return (2, true)
    }
    let arguments = Array(words.dropFirst())
    switch name {
    case "true", ":":
      return (0, false)
    case "false":
      return (1, false)
    case "exit":
      return (Int32(arguments.first ?? "0") ?? 2, true)
    case "echo":
      var items = arguments
      var newline = true
      if items.first == "-n" {
        newline = false
        items.removeFirst()
      }
      let line = items.joined(separator: " ")
      if newline || !line.isEmpty { output.append(line) }
      return (0, false)
    case "mkdir", "touch", "rm":
      return fileCommand(name, arguments, request: request, output: &output)
    default:
      output.append("/bin/sh: 1: \(name): not found")
      return (127, false)
    }
  }

  /// Resolves a path in the image to its place in the upper directory.
  static func upperPath(_ path: String, request: RunRequest) -> String? {
    let absolute = path.hasPrefix("/") ? path : request.workingDirectory + "/" + path
    var parts: [String] = []
    for component in absolute.split(separator: "/") {
      if component == "." { continue }
      if component == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(String(component))
    }
    return parts.isEmpty ? nil : parts.joined(separator: "/")
  }

  static func fileCommand(
    _ name: String, _ arguments: [String], request: RunRequest, output: inout [String]
  ) -> (status: Int32, exits: Bool) {
    let manager = FileManager.default
    let options = arguments.filter { $0.hasPrefix("-") }
    let paths = arguments.filter { !$0.hasPrefix("-") }
    var status: Int32 = 0
    for path in paths {
      guard let relative = upperPath(path, request: request) else { continue }
      let target = "\(request.upperDirectory)/\(relative)"
      let parent = PathText.parent(target)
      switch name {
      case "mkdir":
        let existsBelow = request.lowerDirectories.contains {
          manager.fileExists(atPath: "\($0)/\(relative)")
        }
        if existsBelow && !options.contains(where: { $0.contains("p") }) {
          output.append("mkdir: cannot create directory '\(path)': File exists")
          status = 1
          continue
        }
        try? manager.createDirectory(atPath: target, withIntermediateDirectories: true)
      case "touch":
        try? manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        if !manager.fileExists(atPath: target) {
          _ = manager.createFile(atPath: target, contents: nil)
        }
      default:
        let existsBelow = request.lowerDirectories.contains {
          manager.fileExists(atPath: "\($0)/\(relative)")
        }
        let existsAbove = manager.fileExists(atPath: target)
        if !existsBelow && !existsAbove {
          if !options.contains(where: { $0.contains("f") }) {
            output.append("rm: cannot remove '\(path)': No such file or directory")
            status = 1
          }
          continue
        }
        try? manager.removeItem(atPath: target)
        if existsBelow {
          try? manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
          let whiteout = "\(parent)/.wh.\(PathText.name(relative))"
          _ = manager.createFile(atPath: whiteout, contents: nil)
        }
      }
    }
    return (status, false)
  }
}
