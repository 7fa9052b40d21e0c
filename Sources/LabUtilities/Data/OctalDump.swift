import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `od`: dumps bytes in octal, hexadecimal, decimal or as characters, laid out as GNU `od`
/// lays them out, so that a lesson's `od -c` of a layer file reads the same here.
///
/// Formats may repeat (`-t x1 -t c`), so it reads its arguments itself rather than through an
/// ``OptionSpec``, whose values keep only the last.
struct OctalDump: Utility {
  static let name = "od"
  static let options = OptionSpec.own

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.octalDump(invocation)
  }

  /// One output format: how many bytes a field takes and how it is written.
  struct Format: Equatable {
    enum Kind: Equatable {
      case octal, hexadecimal, signed, unsigned, character, named
    }
    var kind: Kind
    var size: Int

    /// The characters a field takes at most, without the space before it (GNU's tables).
    var digits: Int {
      let index = min(size, 8)
      switch kind {
      case .octal: return [0, 3, 6, 8, 11, 14, 16, 19, 22][index]
      case .hexadecimal: return size * 2
      case .signed: return [1, 4, 6, 8, 11, 13, 16, 18, 20][index]
      case .unsigned: return [0, 3, 5, 8, 10, 13, 15, 17, 20][index]
      case .character, .named: return 3
      }
    }

    /// One field's text, unpadded, from `size` little-endian bytes.
    func text(_ bytes: ArraySlice<UInt8>) -> String {
      let byte = bytes.first ?? 0
      switch kind {
      case .character: return OctalDump.character(byte)
      case .named: return OctalDump.named(byte)
      default: break
      }
      var value: UInt64 = 0
      for (shift, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
      switch kind {
      case .octal: return OctalDump.zeroPadded(String(value, radix: 8), digits)
      case .hexadecimal: return OctalDump.zeroPadded(String(value, radix: 16), digits)
      case .signed:
        let bits = 8 * size
        let signed =
          bits < 64 && value & (1 << (bits - 1)) != 0
          ? Int64(bitPattern: value) - Int64(1 << bits) : Int64(bitPattern: value)
        return String(signed)
      default: return String(value)
      }
    }
  }

  static func zeroPadded(_ text: String, _ width: Int) -> String {
    String(repeating: "0", count: max(0, width - text.count)) + text
  }

  /// `-c`: C escapes, printable ASCII as itself, and three octal digits for the rest.
  static func character(_ byte: UInt8) -> String {
    switch byte {
    case 0: return "\\0"
    case 7: return "\\a"
    case 8: return "\\b"
    case 12: return "\\f"
    case 10: return "\\n"
    case 13: return "\\r"
    case 9: return "\\t"
    case 11: return "\\v"
    case 32...126: return String(UnicodeScalar(byte))
    default: return zeroPadded(String(byte, radix: 8), 3)
    }
  }

  /// `-t a`: ASCII's names, the high bit ignored.
  static func named(_ byte: UInt8) -> String {
    let names = [
      "nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt", "ff", "cr",
      "so", "si", "dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em", "sub",
      "esc", "fs", "gs", "rs", "us", "sp",
    ]
    let low = byte & 0x7f
    if Int(low) < names.count { return names[Int(low)] }
    if low == 0x7f { return "del" }
    return String(UnicodeScalar(low))
  }

  /// Why a `-t` argument is refused, in GNU's words.
  struct TypeError: Error {
    var message: String
  }

  /// A `-t` argument (`x1`, `c`, `d2`, `o`, `xC`, several at once as in `x1c`).
  static func formats(_ spec: String) -> Result<[Format], TypeError> {
    var result: [Format] = []
    var characters = Array(spec)[...]
    while let letter = characters.popFirst() {
      let kind: Format.Kind
      switch letter {
      case "o": kind = .octal
      case "x": kind = .hexadecimal
      case "d": kind = .signed
      case "u": kind = .unsigned
      case "c":
        result.append(Format(kind: .character, size: 1))
        continue
      case "a":
        result.append(Format(kind: .named, size: 1))
        continue
      default:
        return .failure(
          TypeError(message: "invalid character '\(letter)' in type string ‘\(spec)’"))
      }
      var size = 4
      if let next = characters.first {
        let sizes: [Character: Int] = ["C": 1, "S": 2, "I": 4, "L": 8]
        if let named = sizes[next] {
          size = named
          characters.removeFirst()
        } else if next.isNumber {
          let digits = characters.prefix { $0.isNumber }
          characters.removeFirst(digits.count)
          guard let number = Int(String(digits)), [1, 2, 4, 8].contains(number) else {
            return .failure(
              TypeError(
                message:
                  "invalid type string ‘\(spec)’;\nthis system doesn't provide a \(digits)-byte integral type"
              ))
          }
          size = number
        }
      }
      result.append(Format(kind: kind, size: size))
    }
    return .success(result)
  }

  /// A count of bytes as `-N` and `-j` take it: decimal, `0x` hexadecimal or `0` octal, with
  /// GNU's multipliers (`b` 512, `k`/`K` 1024, `m`/`M` 1024², `kB`, `MB` in thousands).
  static func byteCount(_ text: String) -> Int? {
    let suffixes: [(String, Int)] = [
      ("kB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("b", 512), ("k", 1024),
      ("K", 1024), ("m", 1 << 20), ("M", 1 << 20), ("G", 1 << 30), ("g", 1 << 30),
    ]
    var body = Substring(text)
    var multiplier = 1
    let isHex = body.hasPrefix("0x") || body.hasPrefix("0X")
    for (suffix, factor) in suffixes where !isHex && body.hasSuffix(suffix) {
      body = body.dropLast(suffix.count)
      multiplier = factor
      break
    }
    let value: Int?
    if isHex {
      value = Int(body.dropFirst(2), radix: 16)
    } else if body.hasPrefix("0"), body.count > 1 {
      value = Int(body.dropFirst(), radix: 8)
    } else {
      value = Int(body)
    }
    guard let value, value >= 0 else { return nil }
    let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
    return overflow ? nil : product
  }
}

extension UtilityContext {
  mutating func octalDump(_ invocation: Invocation) -> CommandOutput {
    var formats: [OctalDump.Format] = []
    var radix: Character = "o"
    var skip = 0
    var limit: Int?
    var width = 16
    var verbose = false
    var operands: [String] = []
    func usage(_ message: String) -> CommandOutput {
      .failure("od: \(message)\nTry 'od --help' for more information.")
    }
    var arguments = invocation.arguments[...]
    var onlyOperands = false
    while let argument = arguments.popFirst() {
      if onlyOperands || argument == "-" || !argument.hasPrefix("-") {
        operands.append(argument)
        continue
      }
      if argument == "--" {
        onlyOperands = true
        continue
      }
      if argument.hasPrefix("--") {
        let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
        let longNames: [String: Character] = [
          "address-radix": "A", "format": "t", "read-bytes": "N", "skip-bytes": "j",
          "output-duplicates": "v", "width": "w",
        ]
        guard let letter = longNames[parts[0]] else {
          return usage("unrecognized option '\(argument)'")
        }
        if letter == "v" {
          verbose = true
          continue
        }
        guard let value = parts.count > 1 ? parts[1] : arguments.popFirst() else {
          return usage("option '--\(parts[0])' requires an argument")
        }
        arguments.insert(value, at: arguments.startIndex)
        arguments.insert("-" + String(letter), at: arguments.startIndex)
        continue
      }
      var letters = Array(argument.dropFirst())[...]
      while let letter = letters.popFirst() {
        switch letter {
        case "c": formats.append(.init(kind: .character, size: 1))
        case "x": formats.append(.init(kind: .hexadecimal, size: 2))
        case "o": formats.append(.init(kind: .octal, size: 2))
        case "b": formats.append(.init(kind: .octal, size: 1))
        case "d": formats.append(.init(kind: .unsigned, size: 2))
        case "s": formats.append(.init(kind: .signed, size: 2))
        case "v": verbose = true
        case "w" where letters.isEmpty:
          // `-w` alone is 32; its value, optional, is only ever attached.
          width = 32
        case "A", "t", "N", "j", "w":
          let value: String
          if !letters.isEmpty {
            value = String(letters)
            letters = []
          } else if let next = arguments.popFirst() {
            value = next
          } else {
            return usage("option requires an argument -- '\(letter)'")
          }
          switch letter {
          case "A":
            guard value.count == 1, let first = value.first, "doxn".contains(first) else {
              return .failure(
                "od: invalid output address radix '\(value)'; it must be one character from [doxn]")
            }
            radix = first
          case "t":
            switch OctalDump.formats(value) {
            case .success(let parsed): formats += parsed
            case .failure(let error): return .failure("od: \(error.message)")
            }
          case "w":
            guard let number = Int(value), number > 0 else {
              return usage("invalid -w argument '\(value)'")
            }
            width = number
          default:
            guard let number = OctalDump.byteCount(value) else {
              return usage("invalid \(letter == "N" ? "-N" : "-j") argument '\(value)'")
            }
            if letter == "N" { limit = number } else { skip = number }
          }
        default:
          return usage("invalid option -- '\(letter)'")
        }
      }
    }
    if formats.isEmpty { formats = [.init(kind: .octal, size: 2)] }
    // A line holds whole fields of every format: GNU rounds the width to their sizes' multiple.
    let lcm = formats.map(\.size).reduce(1) { a, b in a * b / gcd(a, b) }
    if width % lcm != 0 { width = (width / lcm + 1) * lcm }
    var output = CommandOutput()
    var bytes = inputs(operands, invocation: invocation, output: &output).flatMap(\.bytes)
    if skip > bytes.count {
      output.printError("od: cannot skip past end of combined input\n")
      output.status = 1
      return output
    }
    bytes.removeFirst(skip)
    if let limit, limit < bytes.count { bytes.removeLast(bytes.count - limit) }
    let addressWidth = ["d": 7, "o": 7, "x": 6, "n": 0][radix] ?? 7
    func address(_ offset: Int) -> String {
      switch radix {
      case "n": return ""
      case "d": return OctalDump.zeroPadded(String(offset), addressWidth)
      case "x": return OctalDump.zeroPadded(String(offset, radix: 16), addressWidth)
      default: return OctalDump.zeroPadded(String(offset, radix: 8), addressWidth)
      }
    }
    // GNU's alignment: every format's line is as wide as the widest, the spare spaces spread
    // over its fields from the left.
    let lineWidth = formats.map { ($0.digits + 1) * (width / $0.size) }.max() ?? 0
    var text = ""
    var previous: ArraySlice<UInt8>?
    var squashing = false
    var offset = 0
    while offset < bytes.count {
      if Budget.shouldStop() != nil { break }
      let end = min(offset + width, bytes.count)
      let block = bytes[offset..<end]
      defer {
        previous = block
        offset = end
      }
      if !verbose, block.count == width, let previous, previous.elementsEqual(block) {
        if !squashing { text += "*\n" }
        squashing = true
        continue
      }
      squashing = false
      var padded = Array(block)
      padded += Array(repeating: 0, count: width - block.count)
      for (index, format) in formats.enumerated() {
        text += index == 0 ? address(skip + offset) : String(repeating: " ", count: addressWidth)
        let fields = width / format.size
        let blank = (width - block.count) / format.size
        let pad = lineWidth - format.digits * fields
        var remaining = pad
        for field in 0..<(fields - blank) {
          let left = fields - field
          let next = pad * (left - 1) / fields
          let fieldWidth = remaining - next + format.digits
          let start = field * format.size
          let value = format.text(padded[start..<(start + format.size)])
          text += String(repeating: " ", count: max(0, fieldWidth - value.count)) + value
          remaining = next
        }
        text += "\n"
      }
      if text.utf8.count > 1 << 16 {
        output.print(text)
        text = ""
      }
    }
    // When no input could be read, GNU prints not even the closing address.
    if radix != "n" && (output.status == 0 || !bytes.isEmpty) {
      text += address(skip + bytes.count) + "\n"
    }
    output.print(text)
    return output
  }
}

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
