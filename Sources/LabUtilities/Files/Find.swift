import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `find`: walks directories with `-name`, `-type`, `-maxdepth`, `-mindepth`, `-follow`,
/// `-print` and `-quit`.
struct Find: Utility {
  static let name = "find"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.find(invocation)
  }
}

extension UtilityContext {
  mutating func find(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments[...]
    var roots: [String] = []
    var follows = false
    while arguments.first == "-L" || arguments.first == "-H" || arguments.first == "-P" {
      follows = arguments.removeFirst() == "-L"
    }
    while let first = arguments.first, !first.hasPrefix("-"), first != "!" && first != "(" {
      roots.append(first)
      arguments.removeFirst()
    }
    if roots.isEmpty { roots = ["."] }
    var name: String?
    var type: String?
    var maxDepth = Int.max
    var minDepth = 0
    var quitsAfterFirst = false
    var options = Array(arguments)
    while !options.isEmpty {
      let option = options.removeFirst()
      // Options without a value.
      switch option {
      case "-print": continue
      case "-quit":
        quitsAfterFirst = true
        continue
      case "-follow":
        follows = true
        continue
      default: break
      }
      let value = options.isEmpty ? "" : options.removeFirst()
      switch option {
      case "-name", "-iname": name = value
      case "-type": type = value
      case "-maxdepth": maxDepth = Int(value) ?? Int.max
      case "-mindepth": minDepth = Int(value) ?? 0
      default:
        return .failure("find: unknown predicate `\(option)'")
      }
    }
    var output = CommandOutput()
    var done = false
    for root in roots where !done {
      func visit(_ path: String, depth: Int) {
        guard !done,
          let info = try? fileSystem.info(path, from: directory, follow: follows || depth == 0)
        else { return }
        var matches = depth >= minDepth
        if let name, !Glob.matches(name, PathText.name(path)) { matches = false }
        if let type {
          let kind: String
          switch info.kind {
          case .directory: kind = "d"
          case .symlink: kind = "l"
          default: kind = "f"
          }
          if kind != type { matches = false }
        }
        if matches {
          output.print(path + "\n")
          if quitsAfterFirst {
            done = true
            return
          }
        }
        guard info.kind == .directory, depth < maxDepth else { return }
        guard depth < Limits.directoryDepth else {
          output.printError(Limits.directoryMessage("find", path))
          output.status = 1
          return
        }
        for child in ((try? fileSystem.list(path, from: directory)) ?? []).sorted() {
          visit(path.hasSuffix("/") ? path + child : path + "/" + child, depth: depth + 1)
        }
      }
      if (try? fileSystem.info(root, from: directory)) == nil {
        output.printError("find: '\(root)': No such file or directory\n")
        output.status = 1
        continue
      }
      visit(root, depth: 0)
    }
    return output
  }
}
