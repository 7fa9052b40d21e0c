import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `tar`: creates, lists and extracts tar archives inside the sandbox.
struct Tar: Utility {
  static let name = "tar"
  static let options = OptionSpec(
    "cxtvzpO", values: "fC",
    long: [
      "create": "c", "extract": "x", "get": "x", "list": "t", "verbose": "v", "gzip": "z",
      "gunzip": "z", "file": "f", "directory": "C", "preserve-permissions": "p",
      "to-stdout": "O",
    ])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.tar(invocation)
  }
}

extension UtilityContext {
  mutating func tar(_ invocation: Invocation) -> CommandOutput {
    var arguments = invocation.arguments
    // `tar xvf x.tar`: the first word may be options without a dash.
    if let first = arguments.first, !first.hasPrefix("-"),
      first.allSatisfy({ "cxtvfzjCO".contains($0) })
    {
      arguments[0] = "-" + first
    }
    // `-p` is how this tar always extracts: modes as archived.
    let options = Tar.options.parse(arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    let archive = options.values["f"] ?? "-"
    var output = CommandOutput()
    let changeDirectory = options.values["C"] ?? "."
    if options.has("c") {
      do {
        let writer = try TarWriter(compression: options.has("z") ? .gzip : .none)
        for operand in options.operands {
          try addToArchive(
            operand, base: changeDirectory, writer: writer, verbose: options.has("v"),
            output: &output)
        }
        let bytes = try writer.finish()
        if archive == "-" {
          output.write(bytes)
        } else {
          try fileSystem.write(bytes, to: archive, from: directory)
        }
      } catch {
        return .failure("tar: \(error)", status: 2)
      }
      return output
    }
    guard options.has("t") || options.has("x") else {
      return .failure(
        "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.",
        status: 2)
    }
    let bytes: [UInt8]
    if archive == "-" {
      bytes = invocation.input
    } else {
      do {
        bytes = try fileSystem.read(archive, from: directory)
      } catch {
        return .failure(
          "tar: \(archive): Cannot open: \(error)\ntar: Error is not recoverable: exiting now",
          status: 2)
      }
    }
    var members = MemberSelection(options.operands)
    if options.has("x") {
      return extract(
        bytes, into: changeDirectory, verbose: options.has("v"), label: archive,
        toStandardOutput: options.has("O"), members: &members)
    }
    do {
      let reader = try TarReader(bytes: bytes, label: archive)
      while let header = try reader.next() {
        guard members.selects(header.path) else { continue }
        guard options.has("v") else {
          output.print(header.path + "\n")
          continue
        }
        var mode = FileInfo(
          kind: .file, size: header.size, mode: header.mode,
          modified: Date(timeIntervalSince1970: Double(header.modificationTime)), links: 1,
          inode: 0,
          blocks: 0,
          owner: "", linkTarget: nil)
        switch header.type {
        case .directory: mode.kind = .directory
        case .symlink: mode.kind = .symlink
        default: break
        }
        var permissions = Listing.permissions(mode)
        if header.type == .hardlink { permissions = "h" + permissions.dropFirst() }
        let owner =
          (header.userName.isEmpty ? String(header.uid) : header.userName) + "/"
          + (header.groupName.isEmpty ? String(header.gid) : header.groupName)
        let size = String(header.size)
        let padding = max(1, 19 - owner.count - size.count)
        var line = "\(permissions) \(owner)\(String(repeating: " ", count: padding))\(size) "
        line += Self.tarDate(header.modificationTime) + " " + header.path
        if header.type == .symlink, let target = header.linkTarget { line += " -> " + target }
        if header.type == .hardlink, let target = header.linkTarget { line += " link to " + target }
        output.print(line + "\n")
      }
    } catch {
      output.printError(
        "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n"
      )
      output.status = 2
      return output
    }
    members.reportMissing(&output)
    if output.status != 0 {
      output.printError("tar: Exiting with failure status due to previous errors\n")
    }
    return output
  }
}

/// The members a `tar -t` or `-x` names: all when it names none, else each name and what
/// is under it, as GNU tar matches them.
struct MemberSelection {
  let names: [String]
  private(set) var found: Set<String> = []

  init(_ operands: [String]) {
    names = operands.map { operand in
      var name = operand
      while name.count > 1 && name.hasSuffix("/") { name.removeLast() }
      return name
    }
  }

  mutating func selects(_ path: String) -> Bool {
    guard !names.isEmpty else { return true }
    var member = path
    while member.count > 1 && member.hasSuffix("/") { member.removeLast() }
    for name in names where member == name || member.hasPrefix(name + "/") {
      found.insert(name)
      return true
    }
    return false
  }

  /// GNU's complaint for each name no member matched, and its status; the caller ends with
  /// the line that says tar failed.
  func reportMissing(_ output: inout CommandOutput) {
    let missing = names.filter { !found.contains($0) }
    guard !missing.isEmpty else { return }
    for name in missing { output.printError("tar: \(name): Not found in archive\n") }
    output.status = 2
  }
}

extension UtilityContext {
  /// `tar -x`: each member written through the sandbox's file system, as GNU tar does it:
  /// leading `/` removed, members with `..` refused, links made inside the sandbox.
  ///
  /// With `toStandardOutput` (`-O`), regular files' contents go to standard output, one after
  /// another, and nothing is written; the names `-v` lists go to standard error then.
  mutating func extract(
    _ bytes: [UInt8], into base: String, verbose: Bool, label: String,
    toStandardOutput: Bool = false, members: inout MemberSelection
  ) -> CommandOutput {
    var output = CommandOutput()
    var removedSlash = false
    do {
      let reader = try TarReader(bytes: bytes, label: label)
      while let header = try reader.next() {
        guard members.selects(header.path) else { continue }
        if toStandardOutput {
          if verbose { output.printError(header.path + "\n") }
          if header.type == .file {
            var contents: [UInt8] = []
            try reader.readData { chunk in contents += Array(chunk) }
            output.write(contents)
          }
          continue
        }
        var name = header.path
        if name.hasPrefix("/") {
          name = String(name.drop { $0 == "/" })
          if !removedSlash {
            output.printError("tar: Removing leading `/' from member names\n")
            removedSlash = true
          }
        }
        if name.split(separator: "/").contains("..") {
          output.printError("tar: \(header.path): Member name contains '..'\n")
          output.status = 2
          continue
        }
        if name.isEmpty || name == "." || name == "./" { continue }
        if verbose { output.print(header.path + "\n") }
        let prefix = base == "." ? "" : base + "/"
        let target = prefix + name
        let date = Date(timeIntervalSince1970: Double(header.modificationTime))
        do {
          let parent = PathText.parent(name)
          if !parent.isEmpty {
            try fileSystem.makeDirectory(prefix + parent, from: directory, parents: true)
          }
          switch header.type {
          case .directory:
            if !fileSystem.exists(target, from: directory) {
              try fileSystem.makeDirectory(target, from: directory, parents: false)
            }
            try fileSystem.setMode(header.mode, of: target, from: directory)
          case .symlink:
            if (try? fileSystem.info(target, from: directory, follow: false)) != nil {
              try fileSystem.remove(target, from: directory, recursive: false)
            }
            try fileSystem.symlink(header.linkTarget ?? "", at: target, from: directory)
            continue
          case .hardlink:
            let source = prefix + (header.linkTarget ?? "")
            try fileSystem.write(
              try fileSystem.read(source, from: directory), to: target, from: directory)
          default:
            // Devices, FIFOs and sockets become empty files, as in image layers.
            let writer = try fileSystem.writer(to: target, from: directory)
            if header.type == .file {
              try reader.readData { chunk in try writer.write(Array(chunk)) }
            }
            try fileSystem.setMode(header.mode, of: target, from: directory)
          }
          try fileSystem.touch(target, from: directory, at: date)
        } catch let error as FileSystemError {
          output.printError("tar: \(name): Cannot open: \(error)\n")
          output.status = 2
        }
      }
    } catch {
      output.printError(
        "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n"
      )
      output.status = 2
      return output
    }
    members.reportMissing(&output)
    if output.status != 0 {
      output.printError("tar: Exiting with failure status due to previous errors\n")
    }
    return output
  }
}

extension UtilityContext {
  static func tarDate(_ seconds: Int64) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
  }
}

extension UtilityContext {
  mutating func addToArchive(
    _ path: String, base: String, writer: TarWriter, verbose: Bool, output: inout CommandOutput,
    depth: Int = 0
  ) throws {
    let full = base == "." ? path : base + "/" + path
    let info = try fileSystem.info(full, from: directory, follow: false)
    let name = path.hasPrefix("/") ? String(path.drop { $0 == "/" }) : path
    if verbose { output.print(name + (info.kind == .directory ? "/" : "") + "\n") }
    let mtime = Int64(info.modified.timeIntervalSince1970)
    switch info.kind {
    case .directory:
      try writer.append(
        TarEntry(path: name, kind: .directory, mode: info.mode, modificationTime: mtime))
      guard depth < Limits.directoryDepth else {
        output.printError(Limits.directoryMessage("tar", full))
        output.status = 1
        return
      }
      for child in try fileSystem.list(full, from: directory).sorted() {
        try addToArchive(
          path + "/" + child, base: base, writer: writer, verbose: verbose, output: &output,
          depth: depth + 1)
      }
    case .symlink:
      try writer.append(
        TarEntry(path: name, kind: .symlink(target: info.linkTarget ?? ""), modificationTime: mtime)
      )
    default:
      let bytes = try fileSystem.read(full, from: directory)
      try writer.append(
        TarEntry(path: name, kind: .file(bytes), mode: info.mode, modificationTime: mtime))
    }
  }
}
