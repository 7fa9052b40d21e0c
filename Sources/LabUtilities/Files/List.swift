import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `ls`: lists directories, in columns on a terminal and one a line into a pipe, as GNU `ls` does.
struct List: Utility {
  static let name = "ls"
  static let options = OptionSpec(
    "laA1RhstrdSFgGUi",
    long: [
      "inode": "i",
      "all": "a", "almost-all": "A", "recursive": "R", "human-readable": "h", "size": "s",
      "reverse": "r", "directory": "d", "classify": "F", "no-group": "G",
      "color": OptionSpec.ignored,
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.list(invocation)
  }
}

extension UtilityContext {
  mutating func list(_ invocation: Invocation) -> CommandOutput {
    let options = List.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let long = options.has("l") || options.has("g")
    let operands = options.operands.isEmpty ? ["."] : options.operands
    var files: [(String, FileInfo)] = []
    var directories: [(String, FileInfo)] = []
    for operand in operands {
      do {
        let info = try fileSystem.info(
          operand, from: directory, follow: !long || operand.hasSuffix("/"))
        if info.kind == .directory && !options.has("d") {
          directories.append((operand, info))
        } else {
          files.append((operand, info))
        }
      } catch {
        output.printError("ls: cannot access '\(operand)': \(error)\n")
        output.status = 2
      }
    }
    let oneColumn = options.has("1") || !invocation.outputIsTerminal
    var first = true
    if !files.isEmpty {
      output.print(
        render(
          sort(files, options), options: options, long: long, oneColumn: oneColumn, total: false))
      first = false
    }
    var queue = sort(directories, options)
    let showHeaders = operands.count > 1 || options.has("R")
    while !queue.isEmpty {
      let (path, _) = queue.removeFirst()
      let names: [String]
      do {
        names = try fileSystem.list(path, from: directory)
      } catch {
        output.printError("ls: cannot open directory '\(path)': \(error)\n")
        output.status = 2
        continue
      }
      var entries: [(String, FileInfo)] = []
      var visible = names.filter { options.has("a") || options.has("A") || !$0.hasPrefix(".") }
      if options.has("a") { visible += [".", ".."] }
      for name in visible {
        let full =
          name == "."
          ? path : name == ".." ? path + "/.." : (path == "/" ? "/" + name : path + "/" + name)
        if let info = try? fileSystem.info(full, from: directory, follow: false) {
          entries.append((name, info))
        }
      }
      entries = sort(entries, options)
      if showHeaders {
        if !first { output.print("\n") }
        output.print("\(path):\n")
      }
      first = false
      output.print(render(entries, options: options, long: long, oneColumn: oneColumn, total: true))
      if options.has("R") {
        let children = entries.filter { $0.1.kind == .directory && $0.0 != "." && $0.0 != ".." }.map
        {
          (path == "/" ? "/" + $0.0 : path + "/" + $0.0, $0.1)
        }
        queue = children + queue
      }
    }
    return output
  }
}

extension UtilityContext {

  func sort(_ entries: [(String, FileInfo)], _ options: Options) -> [(String, FileInfo)] {
    var sorted = entries.sorted { a, b in
      if options.has("t"), a.1.modified != b.1.modified { return a.1.modified > b.1.modified }
      if options.has("S"), a.1.size != b.1.size { return a.1.size > b.1.size }
      return Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8))
    }
    if options.has("U") { sorted = entries }
    if options.has("r") { sorted.reverse() }
    return sorted
  }
}

extension UtilityContext {

  func render(
    _ entries: [(String, FileInfo)], options: Options, long: Bool, oneColumn: Bool, total: Bool
  ) -> String {
    func decorated(_ name: String, _ info: FileInfo) -> String {
      guard options.has("F") else { return name }
      switch info.kind {
      case .directory: return name + "/"
      case .symlink: return name + "@"
      default: return info.mode & 0o111 != 0 ? name + "*" : name
      }
    }
    func blocks(_ info: FileInfo) -> String {
      let kilobytes = (info.blocks + 1) / 2
      return options.has("h") ? Listing.humanSize(kilobytes * 1024) : String(kilobytes)
    }
    // `-i`: the inode first, right-aligned to the widest in the listing.
    let inodeWidth = entries.map { String($0.1.inode).count }.max() ?? 0
    func inode(_ info: FileInfo) -> String {
      guard options.has("i") else { return "" }
      let text = String(info.inode)
      return String(repeating: " ", count: inodeWidth - text.count) + text + " "
    }
    if !long {
      var names = entries.map { decorated($0.0, $0.1) }
      if options.has("s") {
        let width = entries.map { blocks($0.1).count }.max() ?? 0
        names = zip(entries, names).map { entry, name in
          let text = blocks(entry.1)
          return String(repeating: " ", count: width - text.count) + text + " " + name
        }
      }
      names = zip(entries, names).map { inode($0.1) + $1 }
      return oneColumn ? names.map { $0 + "\n" }.joined() : Listing.columns(names)
    }
    var out = ""
    if total {
      let sum = entries.reduce(Int64(0)) { $0 + ($1.1.blocks + 1) / 2 }
      out += "total \(options.has("h") ? Listing.humanSize(sum * 1024) : String(sum))\n"
    }
    let sizes = entries.map { options.has("h") ? Listing.humanSize($0.1.size) : String($0.1.size) }
    let linkWidth = entries.map { String($0.1.links).count }.max() ?? 1
    let ownerWidth = entries.map { $0.1.owner.count }.max() ?? 1
    let sizeWidth = sizes.map(\.count).max() ?? 1
    for (index, (name, info)) in entries.enumerated() {
      let links = String(info.links)
      var line = inode(info)
      if options.has("s") { line += blocks(info) + " " }
      line += Listing.permissions(info) + " "
      line += String(repeating: " ", count: linkWidth - links.count) + links + " "
      if !options.has("g") {
        line += info.owner + String(repeating: " ", count: ownerWidth - info.owner.count) + " "
      }
      if !options.has("G") {
        line += info.owner + String(repeating: " ", count: ownerWidth - info.owner.count) + " "
      }
      line += String(repeating: " ", count: sizeWidth - sizes[index].count) + sizes[index] + " "
      line += Listing.date(info.modified, now: now) + " " + decorated(name, info)
      if info.kind == .symlink, let target = info.linkTarget { line += " -> " + target }
      out += line + "\n"
    }
    return out
  }
}
