import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `df`: the sandbox's one file system, as GNU `df` prints it inside a container: `overlay`
/// mounted on `/`.
///
/// Its size is fixed, ``totalBytes`` (the 4 GiB a session's store and workspace may fill by
/// default), so that lessons print the same table on every machine. What is used is what
/// the sandbox holds, counted as a file system of 4 KiB blocks counts it: each file's size
/// rounded up to a block, a block for each directory. That is the apparent size rather
/// than the host's `st_blocks`, which differ from one host file system to another.
struct DiskFree: Utility {
  static let name = "df"
  static let options = OptionSpec(
    "hkTaP",
    long: [
      "human-readable": "h", "print-type": "T", "all": "a", "portability": "P",
      "local": OptionSpec.ignored,
    ])

  /// The file system's size.
  static let totalBytes: Int64 = 4 << 30
  /// The block a file's size is rounded up to.
  static let blockBytes: Int64 = 4096

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.diskFree(invocation)
  }
}

extension UtilityContext {
  mutating func diskFree(_ invocation: Invocation) -> CommandOutput {
    let options = DiskFree.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    var rows = 0
    for operand in options.operands {
      if fileSystem.exists(operand, from: directory)
        || (try? fileSystem.info(operand, from: directory, follow: false)) != nil
      {
        rows += 1
      } else {
        output.printError("df: \(operand): No such file or directory\n")
        output.status = 1
      }
    }
    // Every path is on the one file system, which GNU prints once.
    if options.operands.isEmpty { rows = 1 }
    guard rows > 0 else {
      output.printError("df: no file systems processed\n")
      return output
    }
    let used = min(sandboxUsedBytes(), DiskFree.totalBytes)
    let available = DiskFree.totalBytes - used
    let human = options.has("h")
    func size(_ bytes: Int64) -> String {
      human ? Listing.humanSize(bytes) : String((bytes + 1023) / 1024)
    }
    // GNU rounds the percentage up: a file system with anything on it is not 0% used.
    let percent = used == 0 ? 0 : (used * 100 + DiskFree.totalBytes - 1) / DiskFree.totalBytes
    var header = ["Filesystem"]
    var row = ["overlay"]
    if options.has("T") {
      header.append("Type")
      row.append("overlay")
    }
    header += [
      human ? "Size" : "1K-blocks", "Used", human ? "Avail" : "Available",
      options.has("P") ? "Capacity" : "Use%", "Mounted on",
    ]
    row += [
      size(DiskFree.totalBytes), size(used), size(available), "\(percent)%", "/",
    ]
    // GNU's minimum widths: 14 for the source, 4 for the type, 5 for sizes, 4 for Use%.
    var minimums = [14]
    if options.has("T") { minimums.append(4) }
    minimums += [5, 5, 5, 4, 0]
    let table = [header] + Array(repeating: row, count: rows)
    let widths = header.indices.map { column in
      max(minimums[column], table.map { $0[column].count }.max() ?? 0)
    }
    let leftAligned = options.has("T") ? [0, 1] : [0]
    for line in table {
      var cells: [String] = []
      for (column, cell) in line.enumerated() {
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        if column == line.count - 1 {
          cells.append(cell)
        } else {
          cells.append(leftAligned.contains(column) ? cell + padding : padding + cell)
        }
      }
      output.print(cells.joined(separator: " ") + "\n")
    }
    return output
  }

  /// The bytes the sandbox's files take, as ``DiskFree`` counts them: the store, the
  /// workspace and `/tmp` (or an image's layers, inside a build), each file once.
  func sandboxUsedBytes() -> Int64 {
    var privileged = fileSystem
    // The store takes disk space whoever asks: `df` needs no root to count it.
    privileged.isPrivileged = true
    var seen: Set<UInt64> = []
    func walk(_ path: String, depth: Int) -> Int64 {
      guard depth < Limits.directoryDepth, Budget.shouldStop() == nil,
        let info = try? privileged.info(path, from: "/", follow: false)
      else { return 0 }
      if info.links > 1 && info.kind != .directory {
        guard seen.insert(info.inode).inserted else { return 0 }
      }
      // A symbolic link lives in its inode, as ext4 keeps short ones.
      if info.kind == .symlink { return 0 }
      guard info.kind == .directory else {
        return (info.size + DiskFree.blockBytes - 1) / DiskFree.blockBytes * DiskFree.blockBytes
      }
      var total = DiskFree.blockBytes
      for name in (try? privileged.list(path, from: "/")) ?? [] {
        total += walk(path == "/" ? "/" + name : path + "/" + name, depth: depth + 1)
      }
      return total
    }
    return walk("/", depth: 0)
  }
}
