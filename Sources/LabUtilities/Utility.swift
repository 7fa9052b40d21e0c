import Foundation
import LabFiles
import LabOutput

/// A utility of the sandbox (`ls`, `grep`, `tar`…): a function of its invocation and a narrow
/// context, never a host process.
///
/// Each utility is a type in a file of its own, which names it and declares its options, as
/// `docker`'s commands declare their flags. What a utility may reach is its ``UtilityContext``:
/// the file system, the current directory, the environment and the clock; the shell's own
/// state (its language, its variables' scopes, its loops) is not a utility's business.
public protocol Utility: SendableMetatype {
  /// The name a command line calls it by.
  static var name: String { get }
  /// Its options, as its usage reads them.
  static var options: OptionSpec { get }
  /// Runs it; `context` may change (the clock, after `sleep`).
  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput
}

/// What a utility may touch.
public struct UtilityContext: Sendable {
  public var fileSystem: VirtualFileSystem
  /// The current directory, absolute in the sandbox.
  public var directory: String
  /// The environment the utility sees.
  public var variables: [String: String]
  /// The virtual clock's time; `sleep` moves it.
  public var now: Date

  public init(
    fileSystem: VirtualFileSystem, directory: String, variables: [String: String], now: Date
  ) {
    self.fileSystem = fileSystem
    self.directory = directory
    self.variables = variables
    self.now = now
  }

  /// Whether the utility runs as root (`sudo`).
  public var isPrivileged: Bool { fileSystem.isPrivileged }

  /// Text of a file or of standard input (`-` or no operands), with GNU's error lines.
  public mutating func inputs(
    _ operands: [String], invocation: Invocation, output: inout CommandOutput
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

/// A utility's options: letters that are flags, letters that take a value, and GNU's long
/// names for them.
public struct OptionSpec: Sendable {
  public var flags: String
  public var values: String
  public var long: [String: Character]

  public init(_ flags: String, values: String = "", long: [String: Character] = [:]) {
    self.flags = flags
    self.values = values
    self.long = long
  }

  /// For a utility that reads its arguments itself: expressions (`find`, `awk`), modes
  /// (`chmod`), numbers (`seq`), or none at all.
  public static let own = OptionSpec("")

  /// Accepted and without effect: `--color`, since this sandbox prints no colours.
  public static let ignored: Character = Options.ignored

  /// Splits arguments into these options and operands.
  public func parse(_ arguments: [String]) -> Options {
    Options(arguments, known: flags, withValue: values, longNames: long)
  }
}

/// Splits `-abc` style options from operands, as getopt does for simple utilities.
public struct Options: Sendable {
  public var flags: Set<Character> = []
  public var values: [Character: String] = [:]
  public var operands: [String] = []
  /// The first option the utility does not have: `-x`, or `--name`.
  public var unknown: String?

  /// - Parameters:
  ///   - arguments: The words after the utility name.
  ///   - known: Letters that are flags.
  ///   - withValue: Letters that take a value.
  ///   - longNames: GNU long options (`--all`) and the letters they stand for.
  init(_ arguments: [String], known: String, withValue: String, longNames: [String: Character]) {
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

  public func has(_ letter: Character) -> Bool { flags.contains(letter) }

  /// GNU's answer to an option the utility does not have, or `nil` when all are known.
  public func invalid(_ utility: String) -> CommandOutput? {
    guard let unknown else { return nil }
    let status: Int32 = ["ls", "grep", "sort", "tar", "jq"].contains(utility) ? 2 : 1
    if unknown == "-help" {
      return .failure(
        "\(utility): --help: the sandbox has no manual pages; the lesson shows the options it uses",
        status: status)
    }
    let usage = utility == "tar" ? "'tar --help' or 'tar --usage'" : "'\(utility) --help'"
    let what =
      unknown.hasPrefix("-")
      ? "unrecognized option '-\(unknown)'" : "invalid option -- '\(unknown)'"
    return .failure("\(utility): \(what)\nTry \(usage) for more information.", status: status)
  }

  /// Accepted and without effect: `--color`, since this sandbox prints no colours.
  public static let ignored: Character = "\u{0}"
}

extension [UInt8] {
  /// The bytes as lines, without their newlines; a last line without a newline counts.
  ///
  /// A `\r` before a newline stays in the line, as GNU tools keep it.
  public var lines: [String] {
    var lines = split(separator: 10, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
  }
}
