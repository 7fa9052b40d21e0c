import Foundation
import LabFiles
import LabLimits
import LabRegex

extension Shell {
  static let textUtilities: [String: Utility] = [
    "head": { shell, invocation in shell.headOrTail(invocation, head: true) },
    "tail": { shell, invocation in shell.headOrTail(invocation, head: false) },
    "wc": { shell, invocation in
      let options = Options(invocation.arguments, known: "lwcm", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      let files = shell.inputs(options.operands, invocation: invocation, output: &output)
      let all = !(options.has("l") || options.has("w") || options.has("c") || options.has("m"))
      var rows: [[Int]] = []
      var totals = [0, 0, 0]
      for file in files {
        let text = String(decoding: file.bytes, as: UTF8.self)
        let counts = [
          file.bytes.filter { $0 == 10 }.count,
          text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).count,
          options.has("m") ? text.count : file.bytes.count,
        ]
        rows.append(counts)
        for index in 0..<3 { totals[index] += counts[index] }
      }
      let selected = [
        all || options.has("l"), all || options.has("w"),
        all || options.has("c") || options.has("m"),
      ]
      let single = selected.filter { $0 }.count == 1 && files.count == 1
      let width =
        single ? 0 : max(String(totals.max() ?? 0).count, files.contains { $0.name == "-" } ? 7 : 1)
      func line(_ counts: [Int], _ name: String) -> String {
        let fields = (0..<3).filter { selected[$0] }.map { index -> String in
          let text = String(counts[index])
          return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        return fields.joined(separator: " ") + (name == "-" ? "" : " \(name)") + "\n"
      }
      for (file, counts) in zip(files, rows) { output.print(line(counts, file.name)) }
      if files.count > 1 { output.print(line(totals, "total")) }
      return output
    },
    "grep": { shell, invocation in shell.grep(invocation) },
    "sort": { shell, invocation in
      let options = Options(
        invocation.arguments, known: "rnufh", withValue: "kt", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      var lines = shell.inputs(options.operands, invocation: invocation, output: &output).flatMap {
        $0.bytes.lines
      }
      var field: Int?
      if let spec = options.values["k"] {
        let key = Self.sortKeyField(spec)
        if let error = key.error { return .error("sort: \(error)", status: 2) }
        field = key.field
      }
      let separator = options.values["t"].flatMap(\.first)
      func key(_ line: String) -> String {
        guard let field else { return line }
        let parts =
          separator.map {
            line.split(separator: $0, omittingEmptySubsequences: false).map(String.init)
          }
          ?? line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return field - 1 < parts.count ? parts[(field - 1)...].joined(separator: " ") : ""
      }
      lines.sort { a, b in
        let (left, right) = (key(a), key(b))
        if options.has("n") || options.has("h") {
          // `-h` ranks by the suffix first (K < M < G …), then by the number, as GNU does.
          let x = Self.numericKey(left, human: options.has("h"))
          let y = Self.numericKey(right, human: options.has("h"))
          if x != y { return x.lexicographicallyPrecedes(y) }
        }
        if options.has("f"), left.lowercased() != right.lowercased() {
          return left.lowercased() < right.lowercased()
        }
        return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
          || (left == right && Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)))
      }
      if options.has("r") { lines.reverse() }
      if options.has("u") {
        var seen: Set<String> = []
        lines = lines.filter { seen.insert(key($0)).inserted }
      }
      output.print(lines.map { $0 + "\n" }.joined())
      return output
    },
    "uniq": { shell, invocation in
      let options = Options(invocation.arguments, known: "cdu", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      let lines = shell.inputs(
        Array(options.operands.prefix(1)), invocation: invocation, output: &output
      ).flatMap { $0.bytes.lines }
      var groups: [(String, Int)] = []
      for line in lines {
        if let last = groups.last, last.0 == line {
          groups[groups.count - 1].1 += 1
        } else {
          groups.append((line, 1))
        }
      }
      for (line, count) in groups {
        if options.has("d") && count < 2 { continue }
        if options.has("u") && count > 1 { continue }
        if options.has("c") {
          let text = String(count)
          output.print(
            String(repeating: " ", count: max(0, 7 - text.count)) + text + " " + line + "\n")
        } else {
          output.print(line + "\n")
        }
      }
      return output
    },
    "cut": { shell, invocation in
      let options = Options(
        invocation.arguments, known: "s", withValue: "dfc", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      var output = ShellOutput()
      let delimiter = options.values["d"].flatMap(\.first) ?? "\t"
      guard let spec = options.values["f"] ?? options.values["c"] else {
        return .error(
          "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information."
        )
      }
      let (ranges, error) = Self.ranges(spec, positions: options.values["f"] == nil)
      if let error {
        return .error("cut: \(error)\nTry 'cut --help' for more information.")
      }
      let wanted = { (index: Int) in ranges.contains { $0.contains(UInt64(index)) } }
      for line in shell.inputs(options.operands, invocation: invocation, output: &output).flatMap({
        $0.bytes.lines
      }) {
        if options.values["c"] != nil {
          let characters = Array(line)
          output.print(
            String(characters.enumerated().filter { wanted($0.offset + 1) }.map(\.element)) + "\n")
          continue
        }
        let fields = line.split(separator: delimiter, omittingEmptySubsequences: false)
        if fields.count == 1 {
          if !options.has("s") { output.print(line + "\n") }
          continue
        }
        output.print(
          fields.enumerated().filter { wanted($0.offset + 1) }.map { String($0.element) }.joined(
            separator: String(delimiter)) + "\n")
      }
      return output
    },
    "tr": { _, invocation in
      let options = Options(invocation.arguments, known: "dsc", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      guard !options.operands.isEmpty else {
        return .error("tr: missing operand\nTry 'tr --help' for more information.")
      }
      let sets = options.operands.map(Self.characterSet)
      // `-c`: the first set stands for every character it does not name.
      let complement = options.has("c")
      func inFirstSet(_ character: Character) -> Bool { sets[0].contains(character) != complement }
      var text = String(decoding: invocation.input, as: UTF8.self)
      if options.has("d"), !sets.isEmpty {
        text.removeAll(where: inFirstSet)
      } else if sets.count >= 2 {
        let from = sets[0]
        let to = sets[1]
        if complement && to.count != 1 {
          return .error("tr: with -c, this tr takes a second set of one character")
        }
        text = String(
          text.map { character in
            if complement { return inFirstSet(character) ? to[0] : character }
            guard let index = from.firstIndex(of: character) else { return character }
            return index < to.count ? to[index] : (to.last ?? character)
          })
      }
      if options.has("s"), !sets.isEmpty {
        // Alone, `-s` squeezes the first set; after deleting or translating, the last one.
        let squeezeSet = sets.count == 1 && !options.has("d") ? nil : sets[sets.count - 1]
        let squeeze = { (character: Character) in
          squeezeSet.map { $0.contains(character) } ?? inFirstSet(character)
        }
        var result = ""
        for character in text where !(squeeze(character) && result.last == character) {
          result.append(character)
        }
        text = result
      }
      return ShellOutput(stdout: Array(text.utf8))
    },
    "tee": { shell, invocation in
      let options = Options(invocation.arguments, known: "a", utility: invocation.name)
      if let invalid = options.invalid(invocation.name) { return invalid }
      for path in options.operands {
        try? shell.fileSystem.write(
          invocation.input, to: path, from: shell.directory, append: options.has("a"))
      }
      return ShellOutput(stdout: invocation.input)
    },
    "sed": { shell, invocation in shell.sed(invocation) },
    "awk": { shell, invocation in shell.awk(invocation) },
    "nl": { shell, invocation in
      var output = ShellOutput()
      var number = 0
      for line in shell.inputs(invocation.arguments, invocation: invocation, output: &output)
        .flatMap({ $0.bytes.lines })
      {
        if line.isEmpty {
          output.print("       \n")
          continue
        }
        number += 1
        let text = String(number)
        output.print(
          String(repeating: " ", count: max(0, 6 - text.count)) + text + "\t" + line + "\n")
      }
      return output
    },
  ]

  /// A `cut` list such as `1,3-5,7-`, read as GNU's `set_fields` reads it, with its messages.
  ///
  /// - Parameters:
  ///   - spec: The list.
  ///   - positions: Whether it lists byte or character positions (`-c`) rather than fields.
  /// - Returns: The ranges, or GNU's complaint.
  static func ranges(_ spec: String, positions: Bool) -> (
    ranges: [ClosedRange<UInt64>], error: String?
  ) {
    let numberedFromOne =
      positions ? "byte/character positions are numbered from 1" : "fields are numbered from 1"
    var ranges: [ClosedRange<UInt64>] = []
    var value: UInt64 = 0
    var initial: UInt64 = 1
    var lhs = false
    var rhs = false
    var dash = false
    var digitsStart: String.Index?
    var index = spec.startIndex
    while true {
      let character = index < spec.endIndex ? spec[index] : nil
      if character == "-" {
        digitsStart = nil
        if dash {
          return ([], positions ? "invalid byte or character range" : "invalid field range")
        }
        dash = true
        if lhs && value == 0 { return ([], numberedFromOne) }
        initial = lhs ? value : 1
        value = 0
      } else if character == nil || character == "," || character == " " || character == "\t" {
        digitsStart = nil
        if dash {
          dash = false
          if !lhs && !rhs { return ([], "invalid range with no endpoint: -") }
          if !rhs {
            ranges.append(initial...UInt64.max)
          } else {
            guard value >= initial else { return ([], "invalid decreasing range") }
            ranges.append(initial...value)
          }
        } else {
          guard value > 0 else { return ([], numberedFromOne) }
          ranges.append(value...value)
        }
        value = 0
        guard character != nil else { break }
        lhs = false
        rhs = false
      } else if let character, character.isASCII, let digit = character.wholeNumberValue {
        if digitsStart == nil { digitsStart = index }
        if dash { rhs = true } else { lhs = true }
        let (times, overflow) = value.multipliedReportingOverflow(by: 10)
        let (sum, carry) = times.addingReportingOverflow(UInt64(digit))
        guard !overflow, !carry, sum != UInt64.max else {
          let start = digitsStart ?? index
          let number = spec[start...].prefix { $0.isASCII && $0.isNumber }
          return (
            [],
            positions
              ? "byte/character offset ‘\(number)’ is too large"
              : "field number ‘\(number)’ is too large"
          )
        }
        value = sum
      } else {
        let rest = spec[index...]
        return (
          [],
          positions ? "invalid byte/character position ‘\(rest)’" : "invalid field value ‘\(rest)’"
        )
      }
      index = spec.index(after: index)
    }
    return (ranges, nil)
  }

  /// The first field of a `sort -k` key (`2`, `2,3`, `1.2n`), or GNU's complaint about it.
  ///
  /// A field past `Int` means one no line has, as GNU's clamped number does.
  static func sortKeyField(_ spec: String) -> (field: Int, error: String?) {
    let digits = spec.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty else {
      return (0, "invalid number at field start: invalid count at start of ‘\(spec)’")
    }
    let field = digits.allSatisfy { $0 == "0" } ? 0 : Int(digits) ?? Int.max
    guard field > 0 else {
      return (0, "field number is zero: invalid field specification ‘\(spec)’")
    }
    // .C, the ordering letters, then an optional end: ,F[.C][letters].
    let allowed = Set("0123456789.bdfgiMhnRrV")
    let rest = spec.dropFirst(digits.count)
    let end = rest.firstIndex(of: ",").map { rest[rest.index(after: $0)...] } ?? ""
    let start = rest.prefix { $0 != "," }
    guard start.allSatisfy(allowed.contains), end.allSatisfy(allowed.contains) else {
      return (0, "stray character in field spec: invalid field specification ‘\(spec)’")
    }
    return (field, nil)
  }

  /// `a-z`, `[:upper:]`, escapes: the characters a `tr` set names.
  static func characterSet(_ text: String) -> [Character] {
    let classes: [String: String] = [
      "[:lower:]": "abcdefghijklmnopqrstuvwxyz", "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "[:digit:]": "0123456789", "[:space:]": " \t\n\r\u{B}\u{C}", "[:blank:]": " \t",
    ]
    var result: [Character] = []
    var rest = Substring(text)
    while !rest.isEmpty {
      if let (name, members) = classes.first(where: { rest.hasPrefix($0.key) }) {
        result += members
        rest = rest.dropFirst(name.count)
        continue
      }
      var character = rest.removeFirst()
      if character == "\\", let next = rest.first {
        rest.removeFirst()
        character = next == "n" ? "\n" : next == "t" ? "\t" : next
      }
      if rest.hasPrefix("-"), rest.count > 1, let end = rest.dropFirst().first,
        let low = character.unicodeScalars.first?.value, let high = end.unicodeScalars.first?.value,
        low <= high
      {
        result += (low...high).compactMap { Unicode.Scalar($0).map(Character.init) }
        rest = rest.dropFirst(2)
        continue
      }
      result.append(character)
    }
    return result
  }

  mutating func headOrTail(_ invocation: Invocation, head: Bool) -> ShellOutput {
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
    let options = Options(
      arguments, known: head ? "" : "f", withValue: "nc", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var output = ShellOutput()
    let files = inputs(options.operands, invocation: invocation, output: &output)
    let countText = options.values["n"] ?? options.values["c"] ?? "10"
    let fromStart = countText.hasPrefix("+")
    let allButLast = countText.hasPrefix("-")
    // GNU's checks: digits after one sign, and no more than 64 bits (beyond Int, all of them).
    let digits = fromStart || allButLast ? countText.dropFirst() : Substring(countText)
    let what = options.values["n"] != nil ? "lines" : "bytes"
    let shown = allButLast ? String(digits) : countText
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      return .error("\(invocation.name): invalid number of \(what): ‘\(shown)’")
    }
    guard let large = UInt64(digits) else {
      return .error(
        "\(invocation.name): invalid number of \(what): ‘\(shown)’: Value too large for defined data type"
      )
    }
    let count = Int(clamping: large)
    for (index, file) in files.enumerated() {
      if files.count > 1 {
        output.print(
          (index > 0 ? "\n" : "") + "==> \(file.name == "-" ? "standard input" : file.name) <==\n")
      }
      if options.values["c"] != nil {
        let bytes = file.bytes
        output.write(
          head
            ? Array(bytes.prefix(allButLast ? max(0, bytes.count - count) : count))
            : Array(bytes.suffix(count)))
        continue
      }
      let lines = file.bytes.lines
      var chosen: ArraySlice<String>
      if head {
        chosen = allButLast ? lines.dropLast(count) : lines.prefix(count)
      } else {
        chosen = fromStart ? lines.dropFirst(max(0, count - 1)) : lines.suffix(count)
      }
      output.print(chosen.map { $0 + "\n" }.joined())
    }
    return output
  }

  mutating func grep(_ invocation: Invocation) -> ShellOutput {
    let options = Options(
      invocation.arguments, known: "ivcnErlqwFoHh", withValue: "e", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var operands = options.operands
    guard let pattern = options.values["e"] ?? (operands.isEmpty ? nil : operands.removeFirst())
    else {
      return .error(
        "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.",
        status: 2)
    }
    // The C library's POSIX matcher, with GNU's extensions: linear where a backtracking
    // engine is exponential, and GNU grep's own messages for a bad pattern.
    let extended = options.has("E") && !options.has("F")
    var regexPattern = options.has("F") ? PosixRegex.literal(pattern) : pattern
    if options.has("w") {
      regexPattern = extended ? "\\b(" + regexPattern + ")\\b" : "\\b\\(" + regexPattern + "\\)\\b"
    }
    let regex: PosixRegex
    do {
      regex = try PosixRegex(
        regexPattern, syntax: extended ? .extended : .basic, ignoreCase: options.has("i"))
    } catch {
      return .error("grep: \(error)", status: 2)
    }
    var output = ShellOutput(status: 1)
    var sources: [(String, [UInt8])] = []
    // An error makes the status 2, whatever matched, as in GNU grep.
    var walkFailed = false
    if options.has("r") {
      let roots = operands.isEmpty ? ["."] : operands
      for root in roots {
        var paths: [String] = []
        func walk(_ path: String, depth: Int) {
          guard let info = try? fileSystem.info(path, from: directory) else { return }
          if info.kind == .directory {
            guard depth < Limits.directoryDepth else {
              output.printError(Limits.directoryMessage("grep", path))
              walkFailed = true
              return
            }
            for name in ((try? fileSystem.list(path, from: directory)) ?? []).sorted() {
              walk(path + "/" + name, depth: depth + 1)
            }
          } else {
            paths.append(path)
          }
        }
        walk(root, depth: 0)
        for path in paths {
          sources.append((path, (try? fileSystem.read(path, from: directory)) ?? []))
        }
      }
    } else {
      var errors = ShellOutput()
      sources = inputs(operands, invocation: invocation, output: &errors).map {
        ($0.name, $0.bytes)
      }
      output.write(errors.stderr, isError: true)
      if errors.status != 0 && sources.isEmpty { output.status = 2 }
    }
    let showNames = (sources.count > 1 || options.has("r")) && !options.has("h") || options.has("H")
    for (name, bytes) in sources {
      var count = 0
      for (number, line) in bytes.lines.enumerated() {
        if number % 1024 == 0, let reason = Budget.shouldStop() {
          output.printError("grep: \(reason)\n")
          output.status = 2
          return output
        }
        let lineBytes = Array(line.utf8)
        let matched = regex.firstMatch(in: lineBytes, from: 0) != nil
        guard matched != options.has("v") else { continue }
        count += 1
        output.status = 0
        if options.has("q") { return ShellOutput() }
        if options.has("c") || options.has("l") { continue }
        let prefix = (showNames ? "\(name):" : "") + (options.has("n") ? "\(number + 1):" : "")
        if options.has("o") {
          for match in regex.allMatches(in: lineBytes) where !match.range.isEmpty {
            output.print(prefix + String(decoding: lineBytes[match.range], as: UTF8.self) + "\n")
          }
        } else {
          output.print(prefix + line + "\n")
        }
      }
      if options.has("c") { output.print((showNames ? "\(name):" : "") + "\(count)\n") }
      if options.has("l") && count > 0 { output.print(name + "\n") }
    }
    if options.has("c") && output.status == 1 && !output.stdout.isEmpty { output.status = 1 }
    if walkFailed { output.status = 2 }
    return output
  }

  /// `sed`: `s/a/b/g`, `p`, `d`, with line numbers, `$` and `/re/` addresses, `-n`, `-e`, `-i`.
  mutating func sed(_ invocation: Invocation) -> ShellOutput {
    let options = Options(
      invocation.arguments, known: "nirE", withValue: "e", utility: invocation.name)
    if let invalid = options.invalid(invocation.name) { return invalid }
    var operands = options.operands
    guard let script = options.values["e"] ?? (operands.isEmpty ? nil : operands.removeFirst())
    else {
      return .error(
        "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...", status: 1)
    }
    var output = ShellOutput()
    let files = inputs(operands, invocation: invocation, output: &output)
    for file in files {
      var lines = file.bytes.lines
      var result = ""
      let commands = script.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
      for (index, var line) in lines.enumerated() {
        var printed = !options.has("n")
        var extra = ""
        for command in commands {
          var body = Substring(command)
          var addressMatches = true
          if let first = body.first, first.isNumber {
            let number = Int(String(body.prefix { $0.isNumber })) ?? 0
            body = body.drop { $0.isNumber }
            addressMatches = index + 1 == number
          } else if body.hasPrefix("$") {
            body = body.dropFirst()
            addressMatches = index == lines.count - 1
          } else if body.hasPrefix("/"), let end = body.dropFirst().firstIndex(of: "/") {
            let pattern = String(body[body.index(after: body.startIndex)..<end])
            body = body[body.index(after: end)...]
            let syntax: PosixRegex.Syntax =
              options.has("E") || options.has("r") ? .extended : .basic
            guard let address = try? PosixRegex(pattern, syntax: syntax) else {
              return .error(
                "sed: -e expression #1, char \(command.count): unterminated address regex")
            }
            addressMatches = address.matches(line)
          }
          guard addressMatches else { continue }
          guard let verb = body.first else { continue }
          switch verb {
          case "d": printed = false
          case "p": extra += line + "\n"
          case "s":
            let delimiter = body.dropFirst().first ?? "/"
            let pieces = body.dropFirst(2).split(
              separator: delimiter, omittingEmptySubsequences: false
            ).map(String.init)
            guard pieces.count >= 2 else {
              return .error(
                "sed: -e expression #1, char \(command.count): unterminated `s' command")
            }
            let flags = pieces.count > 2 ? pieces[2] : ""
            let regex: PosixRegex
            do {
              regex = try PosixRegex(
                pieces[0], syntax: options.has("E") || options.has("r") ? .extended : .basic,
                ignoreCase: flags.contains("I") || flags.contains("i"))
            } catch {
              return .error("sed: -e expression #1, char \(command.count): \(error)")
            }
            line = regex.substitute(in: line, replacement: pieces[1], global: flags.contains("g"))
            if flags.contains("p") { extra += line + "\n" }
          default:
            return .error("sed: -e expression #1, char 1: unknown command: `\(verb)'")
          }
        }
        result += extra + (printed ? line + "\n" : "")
        lines[index] = line
      }
      if options.has("i"), file.name != "-" {
        try? fileSystem.write(Array(result.utf8), to: file.name, from: directory)
      } else {
        output.print(result)
      }
    }
    return output
  }

  /// The number a line starts with for `sort -n`, and for `sort -h` its unit's rank before it.
  static func numericKey(_ text: String, human: Bool) -> [Double] {
    let trimmed = text.drop { $0 == " " || $0 == "\t" }
    let digits = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "-" }
    let number = Double(digits) ?? 0
    guard human else { return [number] }
    let unit = trimmed.dropFirst(digits.count).first.map { String($0).uppercased() } ?? ""
    let rank = Double(
      ["K", "M", "G", "T", "P", "E", "Z", "Y"].firstIndex(of: unit).map { $0 + 1 } ?? 0)
    return [number < 0 ? -rank : rank, number]
  }

  /// `awk [-F FS] [-v NAME=VALUE]… PROGRAM [FILE…]`, with the awk of ``AwkProgram``.
  mutating func awk(_ invocation: Invocation) -> ShellOutput {
    var arguments = invocation.arguments[...]
    var separator: String?
    var assignments: [String: String] = [:]
    while let first = arguments.first, first.hasPrefix("-"), first.count > 1 {
      arguments.removeFirst()
      if first == "--" { break }
      let flag = first.dropFirst().prefix(1)
      var value = String(first.dropFirst(2))
      guard flag == "F" || flag == "v" else {
        return .error("awk: invalid option -- '\(flag)'", status: 2)
      }
      if value.isEmpty {
        guard let next = arguments.popFirst() else {
          return .error("awk: option requires an argument -- \(flag)", status: 2)
        }
        value = next
      }
      if flag == "F" {
        separator = value
      } else {
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
          return .error("awk: '\(value)' is not a variable assignment", status: 2)
        }
        assignments[parts[0]] = parts[1]
      }
    }
    guard let source = arguments.popFirst() else {
      return .error("usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]", status: 2)
    }
    let program: AwkProgram
    do {
      program = try AwkProgram(source)
    } catch {
      return .error(error.description, status: 2)
    }
    var output = ShellOutput()
    let lines = inputs(Array(arguments), invocation: invocation, output: &output).flatMap {
      $0.bytes.lines
    }
    var machine = AwkMachine(separator: separator, assignments: assignments) { words in
      Self.printf(
        Invocation(name: "printf", arguments: words, input: [], outputIsTerminal: false)
      ).stdout
    }
    machine.run(program, lines: lines)
    output.write(machine.output)
    if let failure = machine.failure {
      output.printError(failure + "\n")
      output.status = 2
    }
    return output
  }
}
