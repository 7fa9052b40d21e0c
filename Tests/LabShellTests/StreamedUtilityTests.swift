import Foundation
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import LabUtilities
import Testing

/// Utilities that read files read them a chunk at a time, and print what reading them whole
/// printed: on files without a last newline, with CRLF, with bytes that are not UTF-8, empty,
/// and with lines cut by a chunk's end.
@Suite("Utilities that stream their files")
struct StreamedUtilityTests {
  static let chunk = InputChunks.chunkSize

  /// Files of tricky shapes, by name.
  static var files: [String: [UInt8]] {
    var long: [UInt8] = []
    var number = 0
    // Lines of varying lengths, so that chunk ends fall inside lines and on newlines.
    while long.count < 3 * chunk + 100 {
      let line =
        "line \(number) " + String(repeating: number % 5 == 0 ? "match " : "x", count: number % 97)
      long += Array(line.utf8) + [10]
      number += 1
    }
    var huge = Array(repeating: UInt8(ascii: "a"), count: chunk + 10)
    huge += Array(" match\nshort\n".utf8)
    return [
      "plain.txt": Array("one match\ntwo\nthree match\n".utf8),
      "no-newline.txt": Array("first\nlast match".utf8),
      "crlf.txt": Array("alpha match\r\nbeta\r\n\r\ngamma match\r\n".utf8),
      "binary.bin": [0, 1, 2, 0xFF, 0xFE, 10, 0x6D, 0x61, 0x74, 0x63, 0x68, 0xC3, 10, 0x80, 0],
      "empty.txt": [],
      "blank-lines.txt": Array("\n\n\nmatch\n\n".utf8),
      "long.txt": long,
      "huge-line.txt": huge,
    ]
  }

  func session() throws -> (SandboxSession, String) {
    let workspace = try TestSupport.scratchDirectory("streamed-workspace")
    for (name, bytes) in Self.files {
      #expect(FileManager.default.createFile(atPath: "\(workspace)/\(name)", contents: Data(bytes)))
    }
    let session = try SandboxSession(
      store: ImageStore(root: try TestSupport.scratchDirectory("streamed-store")),
      workspace: workspace, registry: nil, clock: VirtualClock(), keepsClock: false)
    return (session, workspace)
  }

  /// Lines as GNU tools see them: split at newlines, a last line without one counts.
  static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
    var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
    if lines.last == [] { lines.removeLast() }
    return lines
  }

  static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  /// Lines with their newlines, as they are in the file.
  static func rawLines(_ bytes: [UInt8]) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    for byte in bytes {
      current.append(byte)
      if byte == 10 {
        lines.append(current)
        current = []
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }

  @Test func grepCountsAndPrintsTheLinesReadingWholeFilesDid() throws {
    var (session, _) = try session()
    for (name, bytes) in Self.files.sorted(by: { $0.key < $1.key }) {
      let matching = Self.lines(bytes).filter { Self.text($0).contains("match") }
      let count = session.run("grep -c match \(name)")
      #expect(count.stdout == "\(matching.count)\n", "\(name)")
      #expect(count.status == (matching.isEmpty ? 1 : 0), "\(name)")
      let printed = session.run("grep -n match \(name)")
      let numbered = Self.lines(bytes).enumerated().filter { Self.text($0.1).contains("match") }
        .map { "\($0.0 + 1):\(Self.text($0.1))\n" }.joined()
      #expect(printed.stdout == numbered, "\(name)")
      let inverted = session.run("grep -vc match \(name)")
      #expect(inverted.stdout == "\(Self.lines(bytes).count - matching.count)\n", "\(name)")
    }
  }

  @Test func grepContextAcrossChunks() throws {
    var (session, _) = try session()
    let lines = Self.lines(Self.files["long.txt"] ?? []).map(Self.text)
    let result = session.run("grep -n -B 2 -A 1 -m 40 'match match match' long.txt")
    // The same selection, made over the whole file as grep did before it streamed.
    var expected = ""
    var lastPrinted: Int?
    var printedUpTo = -1
    var pendingAfter = 0
    var count = 0
    func show(_ index: Int, _ separator: String) {
      if let last = lastPrinted, last < index - 1 { expected += "--\n" }
      expected += "\(index + 1)\(separator)\(lines[index])\n"
      lastPrinted = index
      printedUpTo = index
    }
    for (index, line) in lines.enumerated() {
      if count >= 40 {
        guard pendingAfter > 0 else { break }
        show(index, "-")
        pendingAfter -= 1
        continue
      }
      guard line.contains("match match match") else {
        if pendingAfter > 0 {
          show(index, "-")
          pendingAfter -= 1
        }
        continue
      }
      count += 1
      for earlier in max(printedUpTo + 1, index - 2)..<index { show(earlier, "-") }
      pendingAfter = 1
      show(index, ":")
    }
    #expect(count == 40)
    #expect(result.stdout == expected)
  }

  @Test func wcCountsAsGNUDoes() throws {
    var (session, _) = try session()
    #expect(session.run("wc crlf.txt").stdout == " 4  5 34 crlf.txt\n")
    #expect(session.run("wc -l no-newline.txt").stdout == "1 no-newline.txt\n")
    #expect(session.run("wc empty.txt").stdout == "0 0 0 empty.txt\n")
    #expect(session.run("printf 'h\\xc3\\xa9 l\\xc3\\xa0\\n' | wc -m").stdout == "6\n")
    let long = Self.files["long.txt"] ?? []
    let words = Self.text(long).split(whereSeparator: { $0 == " " || $0 == "\n" }).count
    let width = String(long.count).count
    let fields = [Self.lines(long).count, words, long.count].map {
      String(repeating: " ", count: width - String($0).count) + String($0)
    }
    #expect(session.run("wc long.txt").stdout == fields.joined(separator: " ") + " long.txt\n")
  }

  @Test func catAndHeadGiveTheBytesBack() throws {
    var (session, _) = try session()
    for (name, bytes) in Self.files.sorted(by: { $0.key < $1.key }) {
      #expect(session.run("cat \(name)").stdoutBytes == bytes, "\(name)")
      let numbered =
        Self.lines(bytes).enumerated().map { index, line in
          let number = String(index + 1)
          return String(repeating: " ", count: max(0, 6 - number.count)) + number + "\t"
            + Self.text(line)
        }.joined(separator: "\n") + (bytes.last == 10 ? "\n" : "")
      if Self.text(bytes).utf8.elementsEqual(bytes) {
        #expect(session.run("cat -n \(name)").stdout == numbered, "\(name)")
      }
      // The lines as they are, as GNU's head: a last line without a newline stays without.
      #expect(
        session.run("head -n 3 \(name)").stdoutBytes
          == Self.rawLines(bytes).prefix(3).flatMap { $0 },
        "\(name)")
      #expect(
        session.run("head -c 70000 \(name)").stdoutBytes == Array(bytes.prefix(70_000)), "\(name)")
    }
  }

  @Test func sha256sumHashesInChunks() throws {
    var (session, _) = try session()
    for (name, bytes) in Self.files.sorted(by: { $0.key < $1.key }) {
      #expect(session.run("sha256sum \(name)").stdout == "\(Digest.of(bytes).hex)  \(name)\n")
    }
    let missing = session.run("sha256sum nothing.txt plain.txt")
    #expect(missing.stderr == "sha256sum: nothing.txt: No such file or directory\n")
    #expect(missing.stdout.hasSuffix("  plain.txt\n"))
    #expect(missing.status == 1)
    #expect(session.run("sha256sum /tmp").stderr == "sha256sum: /tmp: Is a directory\n")
  }

  @Test func headAndTailKeepTheBytesOfTheirLines() throws {
    var (session, _) = try session()
    for (name, bytes) in Self.files.sorted(by: { $0.key < $1.key }) {
      let lines = Self.rawLines(bytes)
      #expect(
        session.run("tail -n 2 \(name)").stdoutBytes == lines.suffix(2).flatMap { $0 }, "\(name)")
      #expect(
        session.run("tail -n +3 \(name)").stdoutBytes == lines.dropFirst(2).flatMap { $0 },
        "\(name)")
      #expect(
        session.run("head -n -2 \(name)").stdoutBytes == lines.dropLast(2).flatMap { $0 }, "\(name)"
      )
      #expect(
        session.run("tail -c 70000 \(name)").stdoutBytes == Array(bytes.suffix(70_000)), "\(name)")
      #expect(session.run("tail -c +5 \(name)").stdoutBytes == Array(bytes.dropFirst(4)), "\(name)")
      #expect(
        session.run("head -c -70000 \(name)").stdoutBytes == Array(bytes.dropLast(70_000)),
        "\(name)")
    }
    #expect(session.run("tail -n 1 no-newline.txt").stdout == "last match")
    #expect(session.run("tail -n 0 plain.txt").stdout == "")
    #expect(session.run("head -n -0 plain.txt").stdout == "one match\ntwo\nthree match\n")
  }

  @Test func uniqAndCutReadALineAtATime() throws {
    var (session, workspace) = try session()
    let lines = Self.lines(Self.files["long.txt"] ?? []).map(Self.text)
    var repeated = ""
    for line in lines { repeated += line + "\n" + (line.hasPrefix("line 1") ? line + "\n" : "") }
    #expect(
      FileManager.default.createFile(
        atPath: "\(workspace)/repeated.txt", contents: Data(repeated.utf8)))
    #expect(session.run("uniq repeated.txt").stdout == lines.map { $0 + "\n" }.joined())
    let counted = session.run("uniq -c repeated.txt").stdout
    #expect(counted.split(separator: "\n").count == lines.count)
    #expect(counted.hasPrefix("      1 line 0 \n      2 line 1 "))
    #expect(
      session.run("uniq -d repeated.txt").stdout
        == lines.filter { $0.hasPrefix("line 1") }.map { $0 + "\n" }.joined())
    let seconds = lines.map { line in
      let fields = line.split(separator: " ", omittingEmptySubsequences: false)
      return fields.count == 1 ? line : String(fields[1])
    }
    #expect(session.run("cut -d ' ' -f 2 long.txt").stdout == seconds.map { $0 + "\n" }.joined())
  }

  @Test func awkReadsARecordAtATime() throws {
    var (session, _) = try session()
    let lines = Self.lines(Self.files["long.txt"] ?? []).map(Self.text)
    let sum = lines.reduce(0) { $0 + (Int($1.split(separator: " ")[1]) ?? 0) }
    #expect(
      session.run("awk '{ n += $2 } END { print n, NR }' long.txt").stdout
        == "\(sum) \(lines.count)\n")
    #expect(
      session.run("awk '/match match/ { c++ } END { print c }' long.txt plain.txt").stdout
        == "\(lines.filter { $0.contains("match match") }.count)\n")
    // Fields split at runs of blanks, tabs too; numbers read past blanks around them.
    #expect(session.run("printf ' a\\tb  c \\n' | awk '{ print NF, $2 }'").stdout == "3 b\n")
    #expect(session.run("printf ' 12 ,x\\n' | awk -F, '{ print $1 + 1 }'").stdout == "13\n")
    #expect(session.run("printf 'é b\\n' | awk '{ print $1 }'").stdout == "é\n")
    // exit stops reading; END still runs.
    #expect(session.run("awk 'NR == 3 { exit } END { print NR }' long.txt").stdout == "3\n")
    let missing = session.run("awk 'END { print NR }' nothing.txt plain.txt")
    #expect(missing.stdout == "3\n")
    #expect(missing.stderr.contains("nothing.txt"))
  }

  /// Sorts that spill runs to the sandbox's /tmp (a tiny `-S`) print what a sort in memory
  /// prints, and leave nothing behind.
  @Test func sortSpillsRunsAndMergesThem() throws {
    var (session, workspace) = try session()
    var numbers = ""
    var generator = SystemRandomNumberGenerator()
    for index in 0..<3000 {
      let value = Int.random(in: -500...500, using: &generator)
      numbers +=
        "\(value) item\(index % 17) \(["K", "M", "G", ""].randomElement() ?? "")x\(index % 5)\n"
    }
    numbers += "last-without-newline 9"
    #expect(
      FileManager.default.createFile(
        atPath: "\(workspace)/numbers.txt", contents: Data(numbers.utf8)))
    let all = Self.lines(Array(numbers.utf8)) + Self.lines(Self.files["long.txt"] ?? [])
    let sorted: [UInt8] = all.sorted { $0.lexicographicallyPrecedes($1) }.flatMap {
      line -> [UInt8] in line + [10]
    }
    #expect(session.run("sort numbers.txt long.txt").stdoutBytes == sorted)
    // 1 KiB runs: dozens of them, more than one merge reads at once.
    #expect(session.run("sort -S 1K numbers.txt long.txt").stdoutBytes == sorted)
    #expect(
      session.run("sort -S 512b numbers.txt long.txt > out.txt && cat out.txt").stdoutBytes
        == sorted)
    for options in [
      "-r", "-u", "-n", "-rn", "-h", "-V", "-f", "-k2", "-t ' ' -k3 -u", "-k2 -nr", "-fu",
    ] {
      let memory = session.run("sort \(options) numbers.txt long.txt")
      let spilled = session.run("sort \(options) -S 2K numbers.txt long.txt")
      #expect(memory.status == 0)
      #expect(spilled.stdoutBytes == memory.stdoutBytes, "sort \(options)")
    }
    #expect(session.run("ls -A /tmp").stdout == "")
    #expect(session.run("sort -S x numbers.txt").stderr == "sort: invalid -S argument 'x'\n")
    #expect(
      session.run("sort -S 1Q numbers.txt").stderr == "sort: invalid suffix in -S argument '1Q'\n")
    #expect(session.run("sort -S 1Q numbers.txt").status == 2)
  }

  /// A utility's output redirected to a file reaches it as it is written, in the order a
  /// shell writes it.
  @Test func redirectedOutputStreamsToTheFile() throws {
    var (session, _) = try session()
    let long = Self.files["long.txt"] ?? []
    #expect(session.run("cat long.txt > copy.txt; cat copy.txt").stdoutBytes == long)
    #expect(
      session.run("cat long.txt >> copy.txt; wc -c < copy.txt").stdout == "\(2 * long.count)\n")
    let mixed = session.run("sort plain.txt nothing.txt > both.txt 2>&1; cat both.txt")
    #expect(
      mixed.stdout
        == "sort: nothing.txt: No such file or directory\none match\nthree match\ntwo\n")
    let apart = session.run("sort plain.txt nothing.txt > out.txt 2> err.txt; cat out.txt err.txt")
    #expect(
      apart.stdout == "one match\nthree match\ntwo\nsort: nothing.txt: No such file or directory\n")
    #expect(
      session.run("{ echo first; sort plain.txt; } > group.txt; cat group.txt").stdout
        == "first\none match\nthree match\ntwo\n")
  }
}
