import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `tree`: draws directories as `tree` does.
struct Tree: Utility {
  static let name = "tree"
  static let options = OptionSpec("a", values: "L")

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.tree(invocation)
  }
}

extension UtilityContext {
  mutating func tree(_ invocation: Invocation) -> CommandOutput {
    let options = Tree.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    let root = options.operands.first ?? "."
    var output = CommandOutput()
    // tree 2 counts the directory it starts from.
    var directories = 1
    var files = 0
    let limit = options.values["L"].flatMap(Int.init) ?? Int.max
    guard (try? fileSystem.info(root, from: directory))?.kind == .directory else {
      return CommandOutput(
        stdout: Array("\(root)  [error opening dir]\n\n0 directories, 0 files\n".utf8), status: 2)
    }
    output.print(root + "\n")
    func walk(_ path: String, prefix: String, depth: Int) {
      guard depth <= limit else { return }
      guard depth <= Limits.directoryDepth else {
        output.printError(Limits.directoryMessage("tree", path))
        output.status = 1
        return
      }
      var names = ((try? fileSystem.list(path, from: directory)) ?? []).filter {
        options.has("a") || !$0.hasPrefix(".")
      }
      names.sort {
        $0.lowercased() == $1.lowercased() ? $0 < $1 : $0.lowercased() < $1.lowercased()
      }
      for (index, name) in names.enumerated() {
        let last = index == names.count - 1
        let full = path + "/" + name
        let info = try? fileSystem.info(full, from: directory, follow: false)
        var line = prefix + (last ? "└── " : "├── ") + name
        if info?.kind == .symlink, let target = info?.linkTarget { line += " -> " + target }
        output.print(line + "\n")
        if info?.kind == .directory {
          directories += 1
          walk(full, prefix: prefix + (last ? "    " : "│   "), depth: depth + 1)
        } else {
          files += 1
        }
      }
    }
    walk(root, prefix: "", depth: 1)
    output.print(
      "\n\(directories) director\(directories == 1 ? "y" : "ies"), \(files) file\(files == 1 ? "" : "s")\n"
    )
    return output
  }
}
