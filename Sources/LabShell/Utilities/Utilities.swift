import Foundation

/// A built-in utility: a function of the shell and the invocation, never a host process.
typealias Utility = @Sendable (inout Shell, Invocation) -> ShellOutput

extension Shell {
  static let utilities: [String: Utility] = {
    var table: [String: Utility] = [:]
    for (name, utility) in builtinUtilities { table[name] = utility }
    for (name, utility) in fileUtilities { table[name] = utility }
    for (name, utility) in textUtilities { table[name] = utility }
    for (name, utility) in dataUtilities { table[name] = utility }
    return table
  }()

  /// Text of a file or of standard input (`-` or no operands), with GNU's error lines.
  mutating func inputs(
    _ operands: [String], invocation: Invocation, output: inout ShellOutput
  ) -> [(name: String, bytes: [UInt8])] {
    if operands.isEmpty { return [("-", invocation.input)] }
    var result: [(String, [UInt8])] = []
    for operand in operands {
      if operand == "-" {
        result.append(("-", invocation.input))
        continue
      }
      do {
        result.append((operand, try fileSystem.read(operand, from: directory)))
      } catch {
        output.printError("\(invocation.name): \(operand): \(error)\n")
        output.status = 1
      }
    }
    return result
  }
}

/// Splits `-abc` style options from operands, as getopt does for simple utilities.
struct Options {
  var flags: Set<Character> = []
  var values: [Character: String] = [:]
  var long: [String: String] = [:]
  var operands: [String] = []
  var unknown: String?

  /// - Parameters:
  ///   - arguments: The words after the utility name.
  ///   - known: Letters that are flags.
  ///   - withValue: Letters that take a value.
  init(_ arguments: [String], known: String, withValue: String = "") {
    var index = 0
    var onlyOperands = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if onlyOperands || argument == "-" || !argument.hasPrefix("-") {
        operands.append(argument)
        continue
      }
      if argument == "--" {
        onlyOperands = true
        continue
      }
      if argument.hasPrefix("--") {
        let body = argument.dropFirst(2)
        let parts = body.split(separator: "=", maxSplits: 1).map(String.init)
        long[parts[0]] = parts.count > 1 ? parts[1] : ""
        continue
      }
      var letters = Array(argument.dropFirst())[...]
      while let letter = letters.first {
        letters.removeFirst()
        if withValue.contains(letter) {
          if !letters.isEmpty {
            values[letter] = String(letters)
          } else if index < arguments.count {
            values[letter] = arguments[index]
            index += 1
          }
          break
        }
        if known.contains(letter) {
          flags.insert(letter)
        } else if unknown == nil {
          unknown = String(letter)
        }
      }
    }
  }

  func has(_ letter: Character) -> Bool { flags.contains(letter) }

  /// GNU's answer to an option the utility does not have, or `nil` when all are known.
  func invalid(_ utility: String) -> ShellOutput? {
    guard let unknown else { return nil }
    let usage = utility == "tar" ? "'tar --help' or 'tar --usage'" : "'\(utility) --help'"
    return .error(
      "\(utility): invalid option -- '\(unknown)'\nTry \(usage) for more information.",
      status: ["ls", "grep", "sort", "tar", "jq"].contains(utility) ? 2 : 1)
  }
}

extension [UInt8] {
  /// The bytes as lines, without their newlines; a last line without a newline counts.
  var lines: [String] {
    var text = String(decoding: self, as: UTF8.self).components(separatedBy: "\n")
    if text.last == "" { text.removeLast() }
    return text
  }
}
