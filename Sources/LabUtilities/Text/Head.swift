import Foundation
import LabArchive
import LabFiles
import LabImage
import LabJSON
import LabLimits
import LabOutput
import LabRegex

/// `head`: the first lines or bytes of files.
struct Head: Utility {
  static let name = "head"
  static let options = OptionSpec("", values: "nc", long: ["lines": "n", "bytes": "c"])

  static func run(_ invocation: Invocation, in context: inout UtilityContext) -> CommandOutput {
    context.headOrTail(invocation, head: true)
  }
}

extension UtilityContext {
  mutating func headOrTail(_ invocation: Invocation, head: Bool) -> CommandOutput {
    var arguments = invocation.arguments
    // `head -5` is `head -n 5`; in `head -n -5` the -5 is the option's value.
    arguments = arguments.indices.map { index in
      let argument = arguments[index]
      let isValue = index > 0 && ["-n", "-c", "--lines", "--bytes"].contains(arguments[index - 1])
      return !isValue && argument.count > 1 && argument.hasPrefix("-")
        && argument.dropFirst().allSatisfy(\.isNumber)
        ? "-n\(argument.dropFirst())" : argument
    }
    // `tail -f` prints what there is: nothing in the sandbox appends to a file meanwhile.
    let options = (head ? Head.options : Tail.options).parse(arguments)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = CommandOutput()
    let files = inputChunks(options.operands, invocation: invocation, output: &output)
    let countText = options.values["n"] ?? options.values["c"] ?? "10"
    let fromStart = countText.hasPrefix("+")
    let allButLast = countText.hasPrefix("-")
    // GNU's checks: digits after one sign, and no more than 64 bits (beyond Int, all of them).
    let digits = fromStart || allButLast ? countText.dropFirst() : Substring(countText)
    let what = options.values["n"] != nil ? "lines" : "bytes"
    let shown = allButLast ? String(digits) : countText
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      return .failure("\(invocation.name): invalid number of \(what): ‘\(shown)’")
    }
    guard let large = UInt64(digits) else {
      return .failure(
        "\(invocation.name): invalid number of \(what): ‘\(shown)’: Value too large for defined data type"
      )
    }
    let count = Int(clamping: large)
    for (index, file) in files.enumerated() {
      if files.count > 1 {
        output.print(
          (index > 0 ? "\n" : "") + "==> \(file.name == "-" ? "standard input" : file.name) <==\n")
      }
      var chunks = file.chunks
      do {
        // A chunk at a time, holding at most what may still be printed: lines and bytes as
        // they are, a last line without a newline printed without one, as GNU's.
        if options.values["c"] != nil {
          if head && !allButLast {
            var left = count
            while left > 0, let chunk = try chunks.next() {
              output.write(Array(chunk.prefix(left)))
              left -= min(left, chunk.count)
            }
          } else if head {
            // All but the last `count` bytes: they wait until more come after them.
            var waiting: [UInt8] = []
            while let chunk = try chunks.next() {
              waiting += chunk
              if waiting.count > count {
                output.write(Array(waiting.prefix(waiting.count - count)))
                waiting.removeFirst(waiting.count - count)
              }
            }
          } else if fromStart {
            var skip = max(0, count - 1)
            while let chunk = try chunks.next() {
              let skipped = min(skip, chunk.count)
              skip -= skipped
              if skipped < chunk.count {
                output.write(Array(chunk[(chunk.startIndex + skipped)...]))
              }
            }
          } else {
            var last: [UInt8] = []
            while let chunk = try chunks.next() {
              last += chunk
              if last.count > count + InputChunks.chunkSize { last.removeFirst(last.count - count) }
            }
            output.write(Array(last.suffix(count)))
          }
          continue
        }
        if head && !allButLast {
          var left = count
          guard left > 0 else { continue }
          _ = try chunks.forEachRawLine { line in
            output.write(Array(line))
            left -= 1
            return left > 0
          }
        } else if head || !fromStart {
          // The last `count` lines wait: `head -n -N` prints a line once `count` follow it,
          // `tail -n N` prints those left at the end.
          var waiting = LineRing(capacity: count)
          _ = try chunks.forEachRawLine { line in
            if let pushedOut = waiting.push(Array(line)), head { output.write(pushedOut) }
            return true
          }
          if !head { output.write(waiting.joined()) }
        } else {
          var skip = max(0, count - 1)
          _ = try chunks.forEachRawLine { line in
            if skip > 0 {
              skip -= 1
            } else {
              output.write(Array(line))
            }
            return true
          }
        }
      } catch {
        output.printError("\(invocation.name): \(file.name): \(error)\n")
        output.status = 1
      }
    }
    return output
  }
}

/// The last lines seen, at most `capacity` of them.
struct LineRing {
  let capacity: Int
  private var lines: [[UInt8]] = []
  private var start = 0

  init(capacity: Int) { self.capacity = capacity }

  /// Keeps `line`; returns the oldest line when that makes one too many.
  mutating func push(_ line: [UInt8]) -> [UInt8]? {
    guard capacity > 0 else { return line }
    if lines.count < capacity {
      lines.append(line)
      return nil
    }
    let oldest = lines[start]
    lines[start] = line
    start = (start + 1) % capacity
    return oldest
  }

  /// The lines kept, oldest first, back to back.
  func joined() -> [UInt8] {
    Array((lines[start...] + lines[..<start]).joined())
  }
}
