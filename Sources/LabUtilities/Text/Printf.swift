import Foundation
import LabLimits
import LabOutput

/// bash's `printf` and the backslash escapes `echo -e` and `printf` share: the shell's
/// builtins and awk's `printf` format alike.
public enum Printf {
  /// Backslash escapes as `echo -e` and `printf %b` read them; `\c` stops the output.
  public static func interpretEscapes(_ text: String) -> (bytes: [UInt8], stop: Bool) {
    var result: [UInt8] = []
    var characters = Array(text)[...]
    while let character = characters.first {
      characters.removeFirst()
      guard character == "\\", !characters.isEmpty else {
        result += Array(String(character).utf8)
        continue
      }
      guard let bytes = escape(&characters, octalNeedsZero: true) else { return (result, true) }
      result += bytes
    }
    return (result, false)
  }

  /// The bytes of one escape, read after its backslash; `nil` for `\c`.
  ///
  /// `echo -e` writes octal as `\0NNN`; a `printf` format as `\NNN`.
  static func escape(_ characters: inout ArraySlice<Character>, octalNeedsZero: Bool) -> [UInt8]? {
    guard let next = characters.popFirst() else { return Array("\\".utf8) }
    func number(radix: Int, maximum: Int, first: String = "") -> UInt8 {
      var digits = first
      while digits.count < maximum, let digit = characters.first, digit.isHexDigit,
        Int(String(digit), radix: radix) != nil
      {
        digits.append(digit)
        characters.removeFirst()
      }
      return UInt8(truncatingIfNeeded: Int(digits, radix: radix) ?? 0)
    }
    switch next {
    case "n": return [10]
    case "t": return [9]
    case "r": return [13]
    case "\\": return [92]
    case "a": return [7]
    case "b": return [8]
    case "e": return [27]
    case "f": return [12]
    case "v": return [11]
    case "c": return nil
    case "x":
      guard let digit = characters.first, digit.isHexDigit else { return Array("\\x".utf8) }
      return [number(radix: 16, maximum: 2)]
    case "0" where octalNeedsZero:
      return [number(radix: 8, maximum: 3)]
    case "0"..."7" where !octalNeedsZero:
      return [number(radix: 8, maximum: 3, first: String(next))]
    default:
      return Array("\\\(next)".utf8)
    }
  }

  public static func printf(_ invocation: Invocation) -> CommandOutput {
    guard let format = invocation.arguments.first else {
      return .failure("printf: usage: printf [-v var] format [arguments]", status: 2)
    }
    var arguments = Array(invocation.arguments.dropFirst())
    var output: [UInt8] = []
    repeat {
      var consumed = false
      var characters = Array(format)[...]
      while let character = characters.first {
        characters.removeFirst()
        if character == "\\" {
          guard let bytes = escape(&characters, octalNeedsZero: false) else {
            return CommandOutput(stdout: output)
          }
          output += bytes
          continue
        }
        guard character == "%" else {
          output += Array(String(character).utf8)
          continue
        }
        // %[flags][width][.precision]verb
        var flags = ""
        while let next = characters.first, "-+ #0".contains(next) {
          flags.append(next)
          characters.removeFirst()
        }
        let width = Self.formatNumber(&characters)
        var precision: Int?
        var fits = width != nil
        if characters.first == "." {
          characters.removeFirst()
          precision = Self.formatNumber(&characters)
          fits = fits && precision != nil
        }
        guard let verb = characters.first else { break }
        characters.removeFirst()
        if verb == "%" {
          output.append(UInt8(ascii: "%"))
          continue
        }
        let argument = arguments.isEmpty ? "" : arguments.removeFirst()
        consumed = true
        if verb == "b" {
          let (bytes, stop) = interpretEscapes(argument)
          output += bytes
          if stop { return CommandOutput(stdout: output) }
          continue
        }
        // bash skips a conversion whose width or precision is past an `int`; the sandbox
        // refuses one past its output limit.
        guard fits, let width else { continue }
        guard max(width, precision ?? 0) <= Limits.outputBytes - output.count else {
          return CommandOutput(
            stdout: output, stderr: Array((Limits.outputMessage("bash: printf") + "\n").utf8),
            status: 1)
        }
        let text: String
        switch verb {
        case "d", "i": text = String(Int(argument) ?? 0)
        case "s": text = precision.map { String(argument.prefix($0)) } ?? argument
        case "x": text = String(Int(argument) ?? 0, radix: 16)
        case "o": text = String(Int(argument) ?? 0, radix: 8)
        case "c": text = String(argument.prefix(1))
        case "f": text = Self.fixed(argument, precision: precision ?? 6)
        default: text = argument
        }
        // The padding goes in as bytes: a width in the millions costs a fill, not a string.
        let padding = [UInt8](
          repeating: UInt8(ascii: flags.contains("0") && verb != "s" ? "0" : " "),
          count: max(0, width - text.count))
        if flags.contains("-") {
          output += text.utf8
          output += padding
        } else {
          output += padding
          output += text.utf8
        }
      }
      if !consumed { break }
    } while !arguments.isEmpty
    return CommandOutput(stdout: output)
  }

  /// A width or precision in a format: `0` when there are no digits, `nil` past an `int`.
  static func formatNumber(_ characters: inout ArraySlice<Character>) -> Int? {
    var value = 0
    var fits = true
    while let digit = characters.first?.wholeNumberValue, characters.first?.isASCII == true {
      characters.removeFirst()
      value = value * 10 + digit
      if value > Int(Int32.max) {
        fits = false
        value = 0
      }
    }
    return fits ? value : nil
  }

  /// `%f` as bash's printf writes it: the number as `strtold` reads it (`1e300`, `nan`, `inf`),
  /// in long double where the machine has one.
  static func fixed(_ text: String, precision: Int) -> String {
    let precision = Int32(clamping: precision)
    #if arch(x86_64) || arch(i386)
    let value: any CVarArg = Float80(text) ?? 0
    let format = "%.*Lf"
    #else
    let value: any CVarArg = Double(text) ?? 0
    let format = "%.*f"
    #endif
    let size = withVaList([precision, value]) { vsnprintf(nil, 0, format, $0) }
    var buffer = [CChar](repeating: 0, count: Int(max(size, 0)) + 1)
    _ = withVaList([precision, value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
