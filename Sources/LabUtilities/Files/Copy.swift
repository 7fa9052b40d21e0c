import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `cp`: copies files, and directories with `-r`; with `-u`, only files whose copy is
/// missing or older.
struct Copy: Utility {
  static let name = "cp"
  static let options = OptionSpec(
    "rRafu", long: ["recursive": "r", "archive": "a", "force": "f", "update": "u"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.copy(invocation)
  }
}

extension UtilityContext {
  mutating func copy(_ invocation: Invocation) -> CommandOutput {
    // `-f` is how this `cp` always works: it never asks.
    let options = Copy.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    guard options.operands.count >= 2, let destination = options.operands.last else {
      return .failure(
        "cp: missing destination file operand after '\(options.operands.first ?? "")'\nTry 'cp --help' for more information."
      )
    }
    var output = CommandOutput()
    let recursive = options.has("r") || options.has("R") || options.has("a")
    let destinationIsDirectory =
      (try? fileSystem.info(destination, from: directory))?.kind == .directory
    for source in options.operands.dropLast() {
      let target = destinationIsDirectory ? destination + "/" + PathText.name(source) : destination
      // A directory copied into itself would grow without end: GNU refuses.
      if recursive, (try? fileSystem.info(source, from: directory))?.kind == .directory,
        let from = try? fileSystem.resolve(source, from: directory),
        let to = try? fileSystem.resolve(target, from: directory),
        to == from || to.hasPrefix(from == "/" ? "/" : from + "/")
      {
        // GNU makes the new directory, then refuses to go into it.
        try? fileSystem.makeDirectory(target, from: directory, parents: false)
        output.printError("cp: cannot copy a directory, '\(source)', into itself, '\(target)'\n")
        output.status = 1
        continue
      }
      copyEntry(
        source, to: target, recursive: recursive, update: options.has("u"), output: &output)
    }
    return output
  }
}

extension UtilityContext {
  /// Copies one entry, a directory with what it holds; with `update` (`-u`), a file whose
  /// copy is at least as new as it is left alone, as GNU compares their modification times.
  mutating func copyEntry(
    _ source: String, to target: String, recursive: Bool, update: Bool = false,
    output: inout CommandOutput, depth: Int = 0
  ) {
    do {
      let info = try fileSystem.info(source, from: directory)
      if info.kind == .directory {
        guard recursive else {
          output.printError("cp: -r not specified; omitting directory '\(source)'\n")
          output.status = 1
          return
        }
        guard depth < Limits.directoryDepth else {
          output.printError(Limits.directoryMessage("cp", source))
          output.status = 1
          return
        }
        try fileSystem.makeDirectory(target, from: directory, parents: true)
        for name in try fileSystem.list(source, from: directory) {
          copyEntry(
            source + "/" + name, to: target + "/" + name, recursive: true, update: update,
            output: &output, depth: depth + 1)
        }
        return
      }
      if update, let existing = try? fileSystem.info(target, from: directory),
        existing.kind != .directory, existing.modified >= info.modified
      {
        return
      }
      try fileSystem.write(
        try fileSystem.read(source, from: directory), to: target, from: directory)
      try? fileSystem.setMode(info.mode, of: target, from: directory)
    } catch {
      output.printError("cp: cannot stat '\(source)': \(error)\n")
      output.status = 1
    }
  }
}
