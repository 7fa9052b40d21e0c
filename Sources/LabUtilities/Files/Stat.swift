import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `stat`: tells of files as GNU `stat` does, `-c` formats included.
struct Stat: Utility {
  static let name = "stat"
  static let options = OptionSpec("L", values: "c", long: ["dereference": "L", "format": "c"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.stat(invocation)
  }
}

extension UtilityContext {
  mutating func stat(_ invocation: Invocation) -> CommandOutput {
    let options = Stat.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
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
}

extension UtilityContext {
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
}

extension UtilityContext {
  static func statTime(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: date) + ".000000000 +0000"
  }
}
