import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `file`: names what a file holds, in the words of file(1) 5.44.
///
/// It knows the kinds a Docker lesson meets: text and scripts, JSON, gzip and tar archives,
/// ELF binaries, directories and links. What it does not recognise is `data`, as file says
/// of unknown bytes.
struct FileType: Utility {
  static let name = "file"
  static let options = OptionSpec(
    "bLh", long: ["brief": "b", "dereference": "L", "no-dereference": "h"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.fileType(invocation)
  }

  /// What the bytes of a regular file are.
  static func describe(_ bytes: [UInt8]) -> String {
    if bytes.isEmpty { return "empty" }
    if let binary = binaryKind(bytes) { return binary }
    guard let text = TextKind(bytes) else { return "data" }
    if bytes.starts(with: Array("#!".utf8)) {
      let kind = script(bytes)
      // file's magic for Perl and Node.js words the line its own way.
      if kind == "Perl script" { return "Perl script text executable" }
      if kind == "Node.js script" { return kind + " executable, " + text.encoding + " text" }
      return kind + ", " + text.encoding + " text executable" + text.details
    }
    if text.encoding == "ASCII" || text.encoding.hasPrefix("Unicode") {
      if isJSON(bytes) { return "JSON text data" }
      if bytes.starts(with: Array("<?xml version=\"1.0\"".utf8)) {
        return "XML 1.0 document, " + text.encoding + " text" + text.details
      }
      let head = String(decoding: bytes.prefix(256), as: UTF8.self).lowercased()
        .drop { $0 == " " || $0 == "\n" || $0 == "\t" }
      if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") {
        return "HTML document, " + text.encoding + " text" + text.details
      }
    }
    return text.encoding + " text" + text.details
  }

  /// The formats file knows by their first bytes.
  static func binaryKind(_ bytes: [UInt8]) -> String? {
    if bytes.starts(with: [0x1f, 0x8b]) { return gzip(bytes) }
    if bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) { return elf(bytes) }
    if bytes.count >= 263 {
      let magic = Array(bytes[257..<265])
      if magic == Array("ustar  \0".utf8) { return "POSIX tar archive (GNU)" }
      if magic.starts(with: Array("ustar\0".utf8)) { return "POSIX tar archive" }
    }
    if bytes.starts(with: Array("BZh".utf8)), bytes.count > 3, (0x31...0x39).contains(bytes[3]) {
      return "bzip2 compressed data, block size = \(bytes[3] - 0x30)00k"
    }
    if bytes.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
      return "XZ compressed data"
    }
    return nil
  }

  /// gzip's header: the original name, when and where it was compressed, and its size from
  /// the trailer.
  static func gzip(_ bytes: [UInt8]) -> String {
    var text = "gzip compressed data"
    guard bytes.count >= 10 else { return text }
    let flags = bytes[3]
    if flags & 0x02 != 0 { text += ", has CRC" }
    if flags & 0x04 != 0 { text += ", extra field" }
    if flags & 0x0c == 0x08 {
      let name = bytes[10...].prefix { $0 != 0 }
      text += ", was \"\(String(decoding: name, as: UTF8.self))\""
    }
    if flags & 0x10 != 0 { text += ", has comment" }
    let seconds = bytes[4..<8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    if seconds > 0 {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
      var date = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
      // ctime's day of the month is two wide, padded with a space.
      let parts = date.split(separator: " ", omittingEmptySubsequences: false)
      if parts.count == 5, parts[2].count == 1 {
        date = "\(parts[0]) \(parts[1])  \(parts[2]) \(parts[3]) \(parts[4])"
      }
      text += ", last modified: \(date)"
    }
    if bytes[8] == 2 { text += ", max compression" }
    if bytes[8] == 4 { text += ", max speed" }
    let systems: [UInt8: String] = [
      0: "FAT filesystem (MS-DOS, OS/2, NT)", 3: "Unix", 7: "Macintosh", 11: "NTFS filesystem (NT)",
    ]
    if let system = systems[bytes[9]] { text += ", from \(system)" }
    if bytes.count >= 18 {
      let size = bytes.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
      text += ", original size modulo 2^32 \(size)"
    }
    return text
  }

  /// The first words file says of an ELF file: its class, byte order, type and machine.
  static func elf(_ bytes: [UInt8]) -> String {
    guard bytes.count >= 20 else { return "ELF" }
    let bits = bytes[4] == 2 ? "64-bit" : bytes[4] == 1 ? "32-bit" : "invalid class"
    let little = bytes[5] != 2
    func half(_ offset: Int) -> Int {
      let (a, b) = (Int(bytes[offset]), Int(bytes[offset + 1]))
      return little ? a | b << 8 : a << 8 | b
    }
    var text = "ELF \(bits) \(little ? "LSB" : "MSB")"
    let types = [1: "relocatable", 2: "executable", 3: "shared object", 4: "core file"]
    text += " " + (types[half(16)] ?? "unknown type")
    let machines = [
      3: "Intel 80386", 0x28: "ARM", 0x3e: "x86-64", 0xb7: "ARM aarch64", 0xf3: "UCB RISC-V",
      0x08: "MIPS", 0x15: "64-bit PowerPC or cisco 7500", 0x16: "IBM S/390",
    ]
    text += ", " + (machines[half(18)] ?? "unknown machine")
    // file's magic prints the version's comma even when the header stops before it.
    if bytes.count >= 24 {
      text += half(20) | half(22) == 1 ? ", version 1" : ", invalid version"
    } else {
      text += ","
    }
    let abis = [0: "SYSV", 3: "GNU/Linux", 9: "FreeBSD"]
    text += " (" + (abis[Int(bytes[7])] ?? "unknown") + ")"
    return text
  }

  /// The interpreter a `#!` line names, as file's magic words it.
  static func script(_ bytes: [UInt8]) -> String {
    let line = String(decoding: bytes.prefix { $0 != 10 }.dropFirst(2), as: UTF8.self)
    let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard var program = words.first.map({ PathText.name($0) }) else {
      return "a  script"
    }
    if program == "env", words.count > 1 { program = words[1] }
    let known: [String: String] = [
      "sh": "POSIX shell script", "bash": "Bourne-Again shell script",
      "zsh": "Paul Falstad's zsh script", "ash": "Neil Brown's ash script",
      "python": "Python script", "python3": "Python script", "python2": "Python script",
      "perl": "Perl script", "ruby": "Ruby script", "node": "Node.js script",
      "awk": "awk script",
    ]
    if let name = known[program] { return name }
    // An interpreter file does not know: named as the line names it, after `env` if there.
    let named = PathText.name(words[0]) == "env" ? words.dropFirst() : words[...]
    return "a \(named.joined(separator: " ")) script"
  }

  /// A JSON object or array, the whole file of it.
  static func isJSON(_ bytes: [UInt8]) -> Bool {
    guard let first = bytes.first(where: { ![9, 10, 13, 32].contains($0) }),
      first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    else { return false }
    return (try? JSONValue(parsing: bytes)) != nil
  }

  /// Text as file's `ascmagic` sees it: its encoding, and the notes on its lines.
  struct TextKind {
    var encoding: String
    var details: String

    init?(_ bytes: [UInt8]) {
      // file's text characters: the printable ones, and BEL, BS, TAB, LF, FF, CR, ESC.
      let ascii: Set<UInt8> = Set([7, 8, 9, 10, 12, 13, 27] + Array(32...126))
      var isASCII = true
      for byte in bytes where !ascii.contains(byte) {
        isASCII = false
        guard byte >= 0x80 else { return nil }
      }
      var body = bytes[...]
      if isASCII {
        encoding = "ASCII"
      } else if bytes.starts(with: [0xef, 0xbb, 0xbf]),
        String(validating: bytes.dropFirst(3), as: UTF8.self) != nil
      {
        encoding = "Unicode text, UTF-8 (with BOM)"
        body = bytes.dropFirst(3)
      } else if String(validating: bytes, as: UTF8.self) != nil {
        encoding = "Unicode text, UTF-8"
      } else if bytes.allSatisfy({ ascii.contains($0) || $0 >= 0xa0 }) {
        encoding = "ISO-8859"
      } else if bytes.allSatisfy({ ascii.contains($0) || $0 >= 0x80 }) {
        encoding = "Non-ISO extended-ASCII"
      } else {
        return nil
      }
      var (lf, cr, crlf) = (0, 0, 0)
      var longest = 0
      var length = 0
      var escapes = false
      var overstriking = false
      var previous: UInt8 = 0
      for (index, byte) in zip(body.indices, body) {
        switch byte {
        case 10:
          if previous == 13 { crlf += 1 } else { lf += 1 }
          longest = max(longest, length)
          length = 0
        case 13:
          if index + 1 == body.endIndex || body[index + 1] != 10 {
            cr += 1
            longest = max(longest, length)
            length = 0
          }
        default:
          if byte == 27 { escapes = true }
          if byte == 8 { overstriking = true }
          length += 1
        }
        previous = byte
      }
      longest = max(longest, length)
      var notes: [String] = []
      if longest > 300 { notes.append("with very long lines (\(longest))") }
      let terminators = [(crlf, "CRLF"), (cr, "CR"), (lf, "LF")].filter { $0.0 > 0 }.map(\.1)
      if terminators.isEmpty {
        notes.append("with no line terminators")
      } else if terminators != ["LF"] {
        notes.append("with \(terminators.joined(separator: ", ")) line terminators")
      }
      if escapes { notes.append("with escape sequences") }
      if overstriking { notes.append("with overstriking") }
      details = notes.map { ", " + $0 }.joined()
    }
  }
}

extension UtilityContext {
  mutating func fileType(_ invocation: Invocation) -> CommandOutput {
    let options = FileType.options.parse(invocation.arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    guard !options.operands.isEmpty else {
      return .failure(
        "Usage: file [-bcCdEhikLlNnprsSvzZ0] [--apple] [--extension] [--mime-encoding]\n            [--mime-type] [-e <testname>] [-F <separator>]  [-f <namefile>]\n            [-m <magicfiles>] [-P <parameter=value>] [--exclude-quiet]\n            <file> ...\n       file -C [-m <magicfiles>]\n       file [--help]"
      )
    }
    var output = CommandOutput()
    let names = options.operands.map { $0 == "-" ? "/dev/stdin" : $0 }
    let width = (names.map(\.count).max() ?? 0) + 1
    for (operand, name) in zip(options.operands, names) {
      let description: String
      if operand == "-" {
        description = FileType.describe(invocation.input)
      } else if operand == "/dev/null" {
        description = "character special (1/3)"
      } else if let info = try? fileSystem.info(operand, from: directory, follow: options.has("L"))
      {
        switch info.kind {
        case .directory:
          description = info.mode & 0o1000 != 0 ? "sticky, directory" : "directory"
        case .symlink:
          let target = info.linkTarget ?? ""
          description =
            fileSystem.exists(operand, from: directory)
            ? "symbolic link to \(target)" : "broken symbolic link to \(target)"
        case .fifo: description = "fifo (named pipe)"
        case .socket: description = "socket"
        case .characterDevice: description = "character special"
        case .blockDevice: description = "block special"
        case .file:
          do {
            description = FileType.describe(try fileSystem.read(operand, from: directory))
          } catch {
            description = "cannot open `\(operand)' (\(error))"
          }
        }
      } else {
        description = "cannot open `\(operand)' (No such file or directory)"
      }
      if options.has("b") {
        output.print(description + "\n")
      } else {
        let label = name + ":"
        output.print(label + String(repeating: " ", count: width - name.count) + description + "\n")
      }
    }
    return output
  }
}
