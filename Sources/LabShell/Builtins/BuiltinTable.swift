import Foundation
import LabDocker
import LabOutput
import LabUtilities

/// A builtin: a command that is part of the shell's language, because it reads or changes the
/// shell itself (its directory, variables, loops, or the commands it runs).
typealias Builtin = @Sendable (inout Shell, Invocation) -> CommandOutput

extension Shell {
  /// The builtins, by name.
  static let builtins: [String: Builtin] = {
    var table: [String: Builtin] = [:]
    for (name, builtin) in builtinUtilities { table[name] = builtin }
    for (name, builtin) in flowUtilities { table[name] = builtin }
    for (name, builtin) in functionUtilities { table[name] = builtin }
    for (name, builtin) in networkUtilities { table[name] = builtin }
    return table
  }()

  /// Whether the shell has a command called `name`: a builtin, a utility or `docker`.
  public static func hasCommand(_ name: String) -> Bool {
    builtins[name] != nil || Utilities.named(name) != nil || name == "docker" || name == "dive"
  }

  /// The names of every builtin and utility, for `help` and completion.
  public static var utilityNames: [String] {
    Array(builtins.keys) + Utilities.all.map { $0.name }
  }

  /// What a utility sees of this shell.
  var utilityContext: UtilityContext {
    UtilityContext(
      fileSystem: fileSystem, directory: directory, variables: variables, now: docker.now)
  }

  /// Text of a file or of standard input, as the utilities read it.
  mutating func inputs(
    _ operands: [String], invocation: Invocation, output: inout CommandOutput
  ) -> [(name: String, bytes: [UInt8])] {
    var context = utilityContext
    return context.inputs(operands, invocation: invocation, output: &output)
  }
}
