import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `du`: sums the disk files take, as GNU `du` counts it.
struct DiskUsage: Utility {
  static let name = "du"
  static let options = OptionSpec(
    "shac", values: "d",
    long: ["summarize": "s", "human-readable": "h", "all": "a", "total": "c", "max-depth": "d"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.diskUsage(invocation)
  }
}

extension UtilityContext {
  mutating func diskUsage(_ invocation: Invocation) -> CommandOutput {
    let options = DiskUsage.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let operands = options.operands.isEmpty ? ["."] : options.operands
    func show(_ kilobytes: Int64, _ path: String) {
      let text = options.has("h") ? Listing.humanSize(kilobytes * 1024) : String(kilobytes)
      output.print("\(text)\t\(path)\n")
    }
    var grand: Int64 = 0
    for operand in operands {
      var seen: Set<UInt64> = []
      func walk(_ path: String, depth: Int) -> Int64 {
        guard let info = try? fileSystem.info(path, from: directory, follow: false) else {
          return 0
        }
        if info.links > 1 && info.kind != .directory {
          guard seen.insert(info.inode).inserted else { return 0 }
        }
        var total = (info.blocks + 1) / 2
        if info.kind == .directory {
          guard depth < Limits.directoryDepth else {
            output.printError(Limits.directoryMessage("du", path))
            output.status = 1
            return total
          }
          for name in ((try? fileSystem.list(path, from: directory)) ?? []).sorted() {
            total += walk(path + "/" + name, depth: depth + 1)
          }
          if !options.has("s")
            && (options.values["d"].flatMap(Int.init).map { depth <= $0 } ?? true)
          {
            show(total, path)
          }
        } else if options.has("a") && !options.has("s") {
          show(total, path)
        }
        return total
      }
      do {
        _ = try fileSystem.info(operand, from: directory)
      } catch {
        output.printError("du: cannot access '\(operand)': \(error)\n")
        output.status = 1
        continue
      }
      let total = walk(operand, depth: 0)
      grand += total
      if options.has("s") { show(total, operand) }
    }
    if options.has("c") { show(grand, "total") }
    return output
  }
}
