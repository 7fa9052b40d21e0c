import Foundation
import LabDocker
import LabFiles
import LabImage

extension Shell {
  static let fileUtilities: [String: Utility] = [
    "ls": { shell, invocation in shell.list(invocation) },
    "cat": { shell, invocation in
      let options = Options(invocation.arguments, known: "nAbeEsTvt", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      let files = shell.inputs(options.operands, invocation: invocation, output: &output)
      var format = CatFormat(options: options)
      for file in files { output.write(format.apply(file.bytes)) }
      return output
    },
    "mkdir": { shell, invocation in
      let options = Options(
        invocation.arguments, known: "p", withValue: "m", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      if options.operands.isEmpty {
        return .error("mkdir: missing operand\nTry 'mkdir --help' for more information.")
      }
      for path in options.operands {
        do {
          try shell.fileSystem.makeDirectory(path, from: shell.directory, parents: options.has("p"))
        } catch {
          output.printError("mkdir: cannot create directory '\(path)': \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "touch": { shell, invocation in
      // `-a` and `-m` both set the one time this file system keeps.
      let options = Options(invocation.arguments, known: "acm", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      if options.operands.isEmpty {
        return .error("touch: missing file operand\nTry 'touch --help' for more information.")
      }
      for path in options.operands {
        if options.has("c"), (try? shell.fileSystem.info(path, from: shell.directory)) == nil {
          continue
        }
        do {
          try shell.fileSystem.touch(path, from: shell.directory, at: shell.docker.now)
        } catch {
          output.printError("touch: cannot touch '\(path)': \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "rm": { shell, invocation in
      let options = Options(invocation.arguments, known: "rRf", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      if options.operands.isEmpty && !options.has("f") {
        return .error("rm: missing operand\nTry 'rm --help' for more information.")
      }
      for path in options.operands {
        do {
          let info = try shell.fileSystem.info(path, from: shell.directory, follow: false)
          if info.kind == .directory && !(options.has("r") || options.has("R")) {
            output.printError("rm: cannot remove '\(path)': Is a directory\n")
            output.status = 1
            continue
          }
          try shell.fileSystem.remove(path, from: shell.directory, recursive: true)
        } catch FileSystemError.noSuchFile where options.has("f") {
          continue
        } catch {
          output.printError("rm: cannot remove '\(path)': \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "rmdir": { shell, invocation in
      var output = ShellOutput()
      for path in invocation.arguments where !path.hasPrefix("-") {
        if let names = try? shell.fileSystem.list(path, from: shell.directory), !names.isEmpty {
          output.printError("rmdir: failed to remove '\(path)': Directory not empty\n")
          output.status = 1
          continue
        }
        do {
          try shell.fileSystem.remove(path, from: shell.directory, recursive: true)
        } catch {
          output.printError("rmdir: failed to remove '\(path)': \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "cp": { shell, invocation in shell.copy(invocation) },
    "mv": { shell, invocation in
      // `-f` is how this `mv` always works: it never asks.
      let options = Options(invocation.arguments, known: "f", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      guard options.operands.count >= 2, let destination = options.operands.last else {
        return .error(
          "mv: missing destination file operand after '\(options.operands.first ?? "")'\nTry 'mv --help' for more information."
        )
      }
      var output = ShellOutput()
      let isDirectory =
        (try? shell.fileSystem.info(destination, from: shell.directory))?.kind == .directory
      for source in options.operands.dropLast() {
        let target = isDirectory ? destination + "/" + PathText.name(source) : destination
        do {
          try shell.fileSystem.move(source, to: target, from: shell.directory)
        } catch {
          output.printError("mv: cannot stat '\(source)': \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "ln": { shell, invocation in
      let options = Options(invocation.arguments, known: "sf", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      guard options.has("s") else {
        return .error("ln: hard links are not supported in this sandbox; use ln -s")
      }
      guard let target = options.operands.first else { return .error("ln: missing file operand") }
      let link = options.operands.count > 1 ? options.operands[1] : PathText.name(target)
      if options.has("f") {
        try? shell.fileSystem.remove(link, from: shell.directory, recursive: false)
      }
      do {
        try shell.fileSystem.symlink(target, at: link, from: shell.directory)
        return ShellOutput()
      } catch {
        return .error("ln: failed to create symbolic link '\(link)': \(error)")
      }
    },
    "chmod": { shell, invocation in
      let operands = invocation.arguments.filter {
        !$0.hasPrefix("-") || $0.count > 1 && $0.dropFirst().allSatisfy { "rwx".contains($0) }
      }
      guard operands.count >= 2 else { return .error("chmod: missing operand") }
      var output = ShellOutput()
      for path in operands.dropFirst() {
        do {
          let current = try shell.fileSystem.info(path, from: shell.directory).mode
          guard let mode = Self.parseMode(operands[0], current: current) else {
            return .error("chmod: invalid mode: '\(operands[0])'")
          }
          try shell.fileSystem.setMode(mode, of: path, from: shell.directory)
        } catch {
          output.printError("chmod: cannot access '\(path)': \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "stat": { shell, invocation in shell.stat(invocation) },
    "du": { shell, invocation in shell.diskUsage(invocation) },
    "find": { shell, invocation in shell.find(invocation) },
    "tree": { shell, invocation in shell.tree(invocation) },
    "basename": { _, invocation in
      guard var name = invocation.arguments.first.map(PathText.name) else {
        return .error("basename: missing operand")
      }
      if invocation.arguments.count > 1, name.hasSuffix(invocation.arguments[1]) {
        name.removeLast(invocation.arguments[1].count)
      }
      return ShellOutput(stdout: Array((name + "\n").utf8))
    },
    "dirname": { _, invocation in
      guard let path = invocation.arguments.first else { return .error("dirname: missing operand") }
      let parent = PathText.parent(path)
      return ShellOutput(stdout: Array(((parent.isEmpty ? "." : parent) + "\n").utf8))
    },
    "realpath": { shell, invocation in
      var output = ShellOutput()
      for path in invocation.arguments where !path.hasPrefix("-") {
        do {
          output.print(try shell.fileSystem.resolve(path, from: shell.directory) + "\n")
        } catch {
          output.printError("realpath: \(path): \(error)\n")
          output.status = 1
        }
      }
      return output
    },
    "readlink": { shell, invocation in
      let options = Options(invocation.arguments, known: "fen", utility: invocation.name)
      let end = options.has("n") ? "" : "\n"
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      for path in options.operands {
        if options.has("f") || options.has("e") {
          if let resolved = try? shell.fileSystem.resolve(path, from: shell.directory) {
            output.print(resolved + end)
          }
        } else if let target =
          (try? shell.fileSystem.info(path, from: shell.directory, follow: false))?.linkTarget
        {
          output.print(target + end)
        } else {
          output.status = 1
        }
      }
      return output
    },
  ]

  static func parseMode(_ text: String, current: UInt32) -> UInt32? {
    if let octal = UInt32(text, radix: 8) { return octal }
    var mode = current
    for clause in text.split(separator: ",") {
      var who = clause.prefix { "ugoa".contains($0) }
      let rest = clause.dropFirst(who.count)
      guard let op = rest.first, "+-=".contains(op) else { return nil }
      if who.isEmpty { who = "a" }
      var bits: UInt32 = 0
      for permission in rest.dropFirst() {
        let value: UInt32
        switch permission {
        case "r": value = 4
        case "w": value = 2
        case "x": value = 1
        default: return nil
        }
        for target in who {
          switch target {
          case "u": bits |= value << 6
          case "g": bits |= value << 3
          case "o": bits |= value
          default: bits |= value << 6 | value << 3 | value
          }
        }
      }
      switch op {
      case "+": mode |= bits
      case "-": mode &= ~bits
      default: mode = bits
      }
    }
    return mode
  }

  // MARK: - ls

  mutating func list(_ invocation: Invocation) -> ShellOutput {
    let options = Options(invocation.arguments, known: "laA1RhstrdSFgGU", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = ShellOutput()
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
    if !long {
      var names = entries.map { decorated($0.0, $0.1) }
      if options.has("s") {
        let width = entries.map { blocks($0.1).count }.max() ?? 0
        names = zip(entries, names).map { entry, name in
          let text = blocks(entry.1)
          return String(repeating: " ", count: width - text.count) + text + " " + name
        }
      }
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
      var line = ""
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
      line += Listing.date(info.modified, now: docker.now) + " " + decorated(name, info)
      if info.kind == .symlink, let target = info.linkTarget { line += " -> " + target }
      out += line + "\n"
    }
    return out
  }

  // MARK: - cp, stat, du, find, tree

  mutating func copy(_ invocation: Invocation) -> ShellOutput {
    // `-f` is how this `cp` always works: it never asks.
    let options = Options(invocation.arguments, known: "rRaf", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    guard options.operands.count >= 2, let destination = options.operands.last else {
      return .error(
        "cp: missing destination file operand after '\(options.operands.first ?? "")'\nTry 'cp --help' for more information."
      )
    }
    var output = ShellOutput()
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
      copyEntry(source, to: target, recursive: recursive, output: &output)
    }
    return output
  }

  mutating func copyEntry(
    _ source: String, to target: String, recursive: Bool, output: inout ShellOutput,
    depth: Int = 0
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
            source + "/" + name, to: target + "/" + name, recursive: true, output: &output,
            depth: depth + 1)
        }
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

  mutating func stat(_ invocation: Invocation) -> ShellOutput {
    let options = Options(
      invocation.arguments, known: "L", withValue: "c", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = ShellOutput()
    for path in options.operands {
      do {
        let info = try fileSystem.info(path, from: directory, follow: options.has("L"))
        if let format = options.values["c"] {
          var text = ""
          var characters = Array(format)[...]
          while let character = characters.first {
            characters.removeFirst()
            guard character == "%", let verb = characters.first else {
              text.append(character)
              continue
            }
            characters.removeFirst()
            switch verb {
            case "s": text += String(info.size)
            case "n": text += path
            case "a": text += String(info.mode, radix: 8)
            case "A": text += Listing.permissions(info)
            case "U", "G": text += info.owner
            case "F": text += Self.fileTypeName(info)
            case "h": text += String(info.links)
            case "i": text += String(info.inode)
            default: text += "%\(verb)"
            }
          }
          output.print(text + "\n")
          continue
        }
        let name = info.kind == .symlink ? "'\(path)' -> '\(info.linkTarget ?? "")'" : path
        output.print("  File: \(name)\n")
        output.print(
          "  Size: \(info.size)\tBlocks: \(info.blocks)\tIO Block: 4096   \(Self.fileTypeName(info))\n"
        )
        output.print("Device: 0,42\tInode: \(info.inode)\tLinks: \(info.links)\n")
        let uid = info.owner == "root" ? 0 : 1000
        let octal = String(info.mode, radix: 8)
        output.print(
          "Access: (\(String(repeating: "0", count: max(0, 4 - octal.count)) + octal)/\(Listing.permissions(info)))  Uid: (\(uid)/\(info.owner))   Gid: (\(uid)/\(info.owner))\n"
        )
        let stamp = Self.statTime(info.modified)
        output.print("Access: \(stamp)\nModify: \(stamp)\nChange: \(stamp)\n Birth: -\n")
      } catch {
        output.printError("stat: cannot statx '\(path)': \(error)\n")
        output.status = 1
      }
    }
    return output
  }

  static func fileTypeName(_ info: FileInfo) -> String {
    switch info.kind {
    case .file: info.size == 0 ? "regular empty file" : "regular file"
    case .directory: "directory"
    case .symlink: "symbolic link"
    case .characterDevice: "character special file"
    case .blockDevice: "block special file"
    case .fifo: "fifo"
    case .socket: "socket"
    }
  }

  static func statTime(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: date) + ".000000000 +0000"
  }

  mutating func diskUsage(_ invocation: Invocation) -> ShellOutput {
    let options = Options(
      invocation.arguments, known: "shac", withValue: "d", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = ShellOutput()
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

  mutating func find(_ invocation: Invocation) -> ShellOutput {
    var arguments = invocation.arguments[...]
    var roots: [String] = []
    while let first = arguments.first, !first.hasPrefix("-"), first != "!" && first != "(" {
      roots.append(first)
      arguments.removeFirst()
    }
    if roots.isEmpty { roots = ["."] }
    var name: String?
    var type: String?
    var maxDepth = Int.max
    var minDepth = 0
    var options = Array(arguments)
    while !options.isEmpty {
      let option = options.removeFirst()
      let value = options.isEmpty ? "" : options.removeFirst()
      switch option {
      case "-name", "-iname": name = value
      case "-type": type = value
      case "-maxdepth": maxDepth = Int(value) ?? Int.max
      case "-mindepth": minDepth = Int(value) ?? 0
      case "-print": options.insert(value, at: 0)
      default:
        return .error("find: unknown predicate `\(option)'")
      }
    }
    var output = ShellOutput()
    for root in roots {
      func visit(_ path: String, depth: Int) {
        guard let info = try? fileSystem.info(path, from: directory, follow: false) else { return }
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
        if matches { output.print(path + "\n") }
        guard info.kind == .directory, depth < maxDepth else { return }
        guard depth < Limits.directoryDepth else {
          output.printError(Limits.directoryMessage("find", path))
          output.status = 1
          return
        }
        for child in ((try? fileSystem.list(path, from: directory)) ?? []).sorted() {
          visit(path == "/" ? "/" + child : path + "/" + child, depth: depth + 1)
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

  mutating func tree(_ invocation: Invocation) -> ShellOutput {
    let options = Options(
      invocation.arguments, known: "a", withValue: "L", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    let root = options.operands.first ?? "."
    var output = ShellOutput()
    // tree 2 counts the directory it starts from.
    var directories = 1
    var files = 0
    let limit = options.values["L"].flatMap(Int.init) ?? Int.max
    guard (try? fileSystem.info(root, from: directory))?.kind == .directory else {
      return ShellOutput(
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

/// `cat`'s line options, numbering on across files as GNU's does.
struct CatFormat {
  var numberAll = false
  var numberNonBlank = false
  var squeezeBlank = false
  var showEnds = false
  var showTabs = false
  var showNonPrinting = false
  private var number = 0
  private var previousBlank = false

  init(options: Options) {
    numberNonBlank = options.has("b")
    numberAll = options.has("n") && !numberNonBlank
    squeezeBlank = options.has("s")
    showEnds = options.has("E") || options.has("A") || options.has("e")
    showTabs = options.has("T") || options.has("A") || options.has("t")
    showNonPrinting = ["v", "A", "e", "t"].contains { options.has($0) }
  }

  var isPlain: Bool {
    !(numberAll || numberNonBlank || squeezeBlank || showEnds || showTabs || showNonPrinting)
  }

  mutating func apply(_ bytes: [UInt8]) -> [UInt8] {
    if isPlain { return bytes }
    var result: [UInt8] = []
    var lineStart = bytes.startIndex
    while lineStart < bytes.endIndex {
      let newline = bytes[lineStart...].firstIndex(of: 10)
      let line = bytes[lineStart..<(newline ?? bytes.endIndex)]
      lineStart = newline.map { $0 + 1 } ?? bytes.endIndex
      let blank = line.isEmpty && newline != nil
      if squeezeBlank && blank && previousBlank { continue }
      previousBlank = blank
      if numberAll || numberNonBlank && !line.isEmpty {
        number += 1
        let text = String(number)
        result += Array((String(repeating: " ", count: max(0, 6 - text.count)) + text + "\t").utf8)
      }
      for byte in line { result += shown(byte) }
      if newline != nil { result += Array((showEnds ? "$\n" : "\n").utf8) }
    }
    return result
  }

  /// A byte in `-v` and `-T` notation: `^I`, `^[`, `M-b`.
  private func shown(_ byte: UInt8) -> [UInt8] {
    if byte == 9 { return showTabs ? Array("^I".utf8) : [byte] }
    guard showNonPrinting else { return [byte] }
    var prefix: [UInt8] = []
    var low = byte
    if byte >= 128 {
      prefix = Array("M-".utf8)
      low = byte - 128
    }
    if low < 32 { return prefix + [UInt8(ascii: "^"), low + 64] }
    if low == 127 { return prefix + Array("^?".utf8) }
    return prefix + [low]
  }
}
