import Foundation

/// One command to run: its name, arguments and standard input.
public struct Invocation: Sendable {
  public var name: String
  public var arguments: [String]
  public var input: [UInt8]
  /// Whether standard output goes to the terminal (not a pipe or a file): `ls` lays out
  /// columns only then.
  public var outputIsTerminal: Bool

  public init(name: String, arguments: [String], input: [UInt8], outputIsTerminal: Bool) {
    self.name = name
    self.arguments = arguments
    self.input = input
    self.outputIsTerminal = outputIsTerminal
  }
}
