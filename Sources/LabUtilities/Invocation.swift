import Foundation
import LabOutput

/// One command to run: its name, arguments and standard input.
public struct Invocation: Sendable {
  public var name: String
  public var arguments: [String]
  public var input: [UInt8]
  /// Whether standard output goes to the terminal (not a pipe or a file): `ls` lays out
  /// columns only then.
  public var outputIsTerminal: Bool
  /// Where standard output goes as it is written, when the shell sends it straight to a file:
  /// a utility that writes much makes its ``CommandOutput`` with it.
  public var standardOutput: StreamedOutput?

  public init(name: String, arguments: [String], input: [UInt8], outputIsTerminal: Bool) {
    self.name = name
    self.arguments = arguments
    self.input = input
    self.outputIsTerminal = outputIsTerminal
  }
}
