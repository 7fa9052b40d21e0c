import Foundation
import LabFiles

/// A built-in utility: a function of the shell and the invocation, never a host process.
typealias Utility = @Sendable (inout Shell, Invocation) -> ShellOutput

extension Shell {
  static let utilities: [String: Utility] = {
    var table: [String: Utility] = [:]
    for (name, utility) in builtinUtilities { table[name] = utility }
    for (name, utility) in fileUtilities { table[name] = utility }
    for (name, utility) in textUtilities { table[name] = utility }
    for (name, utility) in dataUtilities { table[name] = utility }
    for (name, utility) in flowUtilities { table[name] = utility }
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
      if operand == "/dev/null" {
        result.append((operand, []))
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
  var operands: [String] = []
  /// The first option the utility does not have: `-x`, or `--name`.
  var unknown: String?

  /// - Parameters:
  ///   - arguments: The words after the utility name.
  ///   - known: Letters that are flags.
  ///   - withValue: Letters that take a value.
  ///   - utility: The utility's name, whose GNU long options (`--all`) stand for its letters.
  init(_ arguments: [String], known: String, withValue: String = "", utility: String = "") {
    let longNames = Self.longNames[utility] ?? [:]
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
        // `--=x` splits into nothing before the `=`: an unknown option named `=x`.
        let parts = argument.dropFirst(2).split(
          separator: "=", maxSplits: 1, omittingEmptySubsequences: false
        ).map(String.init)
        guard let letter = longNames[parts[0]] else {
          if unknown == nil { unknown = "-" + argument.dropFirst(2) }
          continue
        }
        if letter == Self.ignored { continue }
        if withValue.contains(letter) {
          if parts.count > 1 {
            values[letter] = parts[1]
          } else if index < arguments.count {
            values[letter] = arguments[index]
            index += 1
          }
        } else {
          flags.insert(letter)
        }
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
    let status: Int32 = ["ls", "grep", "sort", "tar", "jq"].contains(utility) ? 2 : 1
    if unknown == "-help" {
      return .error(
        "\(utility): --help: the sandbox has no manual pages; the lesson shows the options it uses",
        status: status)
    }
    let usage = utility == "tar" ? "'tar --help' or 'tar --usage'" : "'\(utility) --help'"
    let what =
      unknown.hasPrefix("-")
      ? "unrecognized option '-\(unknown)'" : "invalid option -- '\(unknown)'"
    return .error("\(utility): \(what)\nTry \(usage) for more information.", status: status)
  }

  /// Accepted and without effect: `--color`, since this sandbox prints no colours.
  static let ignored: Character = "\u{0}"

  /// GNU's long options for the letters each utility has.
  static let longNames: [String: [String: Character]] = {
    let gzip: [String: Character] = [
      "decompress": "d", "uncompress": "d", "stdout": "c", "to-stdout": "c", "keep": "k",
      "force": "f", "quiet": "q",
    ]
    let headOrTail: [String: Character] = ["lines": "n", "bytes": "c"]
    return [
      "sha256sum": ["binary": "b", "text": "t"],
      "base64": ["decode": "d", "wrap": "w"],
      "gzip": gzip, "gunzip": gzip, "zcat": gzip,
      "tar": [
        "create": "c", "extract": "x", "get": "x", "list": "t", "verbose": "v", "gzip": "z",
        "gunzip": "z", "file": "f", "directory": "C", "preserve-permissions": "p",
      ],
      "cat": [
        "number": "n", "number-nonblank": "b", "show-all": "A", "show-ends": "E",
        "squeeze-blank": "s", "show-tabs": "T", "show-nonprinting": "v",
      ],
      "mkdir": ["parents": "p", "mode": "m"],
      "touch": ["no-create": "c"],
      "rm": ["recursive": "r", "force": "f"],
      "mv": ["force": "f"],
      "ln": ["symbolic": "s", "force": "f"],
      "readlink": ["canonicalize": "f", "canonicalize-existing": "e", "no-newline": "n"],
      "ls": [
        "all": "a", "almost-all": "A", "recursive": "R", "human-readable": "h", "size": "s",
        "reverse": "r", "directory": "d", "classify": "F", "no-group": "G", "color": ignored,
      ],
      "cp": ["recursive": "r", "archive": "a", "force": "f"],
      "stat": ["dereference": "L", "format": "c"],
      "du": [
        "summarize": "s", "human-readable": "h", "all": "a", "total": "c", "max-depth": "d",
      ],
      "jq": [
        "raw-output": "r", "compact-output": "c", "sort-keys": "S", "null-input": "n",
        "exit-status": "e",
      ],
      "wc": ["lines": "l", "words": "w", "bytes": "c", "chars": "m"],
      "sort": [
        "reverse": "r", "numeric-sort": "n", "human-numeric-sort": "h", "unique": "u",
        "ignore-case": "f", "key": "k",
        "field-separator": "t",
      ],
      "uniq": ["count": "c", "repeated": "d", "unique": "u"],
      "cut": ["delimiter": "d", "fields": "f", "characters": "c", "only-delimited": "s"],
      "tr": ["delete": "d", "squeeze-repeats": "s", "complement": "c"],
      "tee": ["append": "a"],
      "head": headOrTail,
      "tail": headOrTail.merging(["follow": "f"]) { $1 },
      "grep": [
        "ignore-case": "i", "invert-match": "v", "count": "c", "line-number": "n",
        "extended-regexp": "E", "recursive": "r", "files-with-matches": "l", "quiet": "q",
        "silent": "q", "word-regexp": "w", "fixed-strings": "F", "only-matching": "o",
        "with-filename": "H", "no-filename": "h", "regexp": "e", "color": ignored,
        "colour": ignored,
      ],
      "sed": [
        "quiet": "n", "silent": "n", "in-place": "i", "regexp-extended": "r", "expression": "e",
      ],
      "awk": ["field-separator": "F"],
    ]
  }()
}

extension [UInt8] {
  /// The bytes as lines, without their newlines; a last line without a newline counts.
  ///
  /// A `\r` before a newline stays in the line, as GNU tools keep it.
  var lines: [String] {
    var lines = split(separator: 10, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
  }
}
