import Foundation
import LabDive
import Testing

/// dive's algorithms on hand-made layers, its number formats, and the full-screen view.
@Suite("dive's pieces")
struct DiveUnitTests {
  static func file(_ path: String, _ size: Int64, hash: UInt64 = 1) -> DiveFileInfo {
    DiveFileInfo(
      path: path, typeFlag: UInt8(ascii: "0"), linkName: "", hash: hash, size: size, mode: 0o644,
      uid: 0, gid: 0, isDir: false)
  }

  static func directory(_ path: String) -> DiveFileInfo {
    DiveFileInfo(
      path: path, typeFlag: UInt8(ascii: "5"), linkName: "", hash: 0, size: 0,
      mode: 0o755 | 1 << 31, uid: 0, gid: 0, isDir: true)
  }

  static func image(_ layers: [[DiveFileInfo]]) -> DiveImage {
    DiveImage(
      name: "test",
      layers: layers.enumerated().map { index, files in
        var tree = FileTree()
        for file in files { tree.add(file.path, file) }
        return DiveLayer(
          index: index, id: "blobs", digest: "", command: "layer \(index)",
          size: UInt64(files.reduce(0) { $0 + $1.size }), tree: tree)
      })
  }

  @Test func overwritingAndRemovingADirectoryCountEveryCopy() {
    let analysis = DiveAnalysis(
      Self.image([
        [
          Self.directory("app"), Self.file("app/a", 100), Self.file("app/b", 50),
          Self.file("keep", 10),
        ],
        // /keep rewritten with 30 bytes; /app removed whole, as `rm -rf /app` does.
        [Self.file("keep", 30, hash: 2)],
        [Self.file(".wh.app", 0)],
        // An opaque marker is not a path of its own.
        [Self.directory("etc"), Self.file("etc/.wh..wh..opq", 0)],
      ]))
    // /app/a and /app/b are seen once each (100, 50); /keep twice (10 + 30, smallest 10);
    // the whiteout of /app is a path of its own, seen once, sized by what it removed: 150;
    // /etc is an empty directory, a leaf of 0 bytes.
    // Minimum 100 + 50 + 10 + 150 + 0 = 310 over 100 + 50 + 40 + 150 + 0 = 340.
    #expect(analysis.efficiency == 310.0 / 340.0)
    #expect(analysis.inefficiencies == [Inefficiency(path: "/keep", count: 2, cumulativeSize: 40)])
    #expect(analysis.wastedBytes == 40)
    // User bytes: 30 + 0 + 0.
    #expect(analysis.wastedUserPercent == 40.0 / 30.0)
    // The tree of the removal: /app and what it held, one line.
    #expect(analysis.plainReport().contains("Layer 3 of 4  0 B\nlayer 2\n- └── app/  150 B\n"))
  }

  @Test func theInefficientFilesAreListedLargestFirst() {
    let analysis = DiveAnalysis(
      Self.image([
        [Self.file("small", 1), Self.file("large", 1000), Self.file("middle", 20)],
        [
          Self.file("small", 1, hash: 2), Self.file("large", 1000, hash: 2),
          Self.file("middle", 20, hash: 2),
        ],
      ]))
    let (report, passed) = DiveCI(rules: DiveCI.Rules()).evaluate(analysis)
    #expect(!passed)
    #expect(
      report.contains(
        """
        Count  Wasted Space  File Path
            2        2.0 kB  /large
            2          40 B  /middle
            2           2 B  /small
        """))
  }

  @Test(
    arguments: [
      (0, "0 B"), (9, "9 B"), (10, "10 B"), (999, "999 B"), (1000, "1.0 kB"), (1049, "1.0 kB"),
      (1050, "1.1 kB"), (9999, "10 kB"), (108_894, "109 kB"), (7_906_593, "7.9 MB"),
      (22_888_896, "23 MB"), (1_000_000_000, "1.0 GB"),
    ] as [(UInt64, String)])
  func sizesReadAsGoHumanizeWritesThem(size: UInt64, text: String) {
    #expect(Humanize.bytes(size) == text)
  }

  @Test func sizesParseAsGoHumanizeReadsThem() throws {
    #expect(try Humanize.parseBytes("20MB").get() == 20_000_000)
    #expect(try Humanize.parseBytes("1.5 KiB").get() == 1536)
    #expect(try Humanize.parseBytes("1,000").get() == 1000)
    #expect(try Humanize.parseBytes("42").get() == 42)
    #expect(throws: DiveError("unhandled size name: parsecs")) {
      try Humanize.parseBytes("12 parsecs").get()
    }
    #expect(throws: DiveError("strconv.ParseFloat: parsing \"\": invalid syntax")) {
      try Humanize.parseBytes("off").get()
    }
  }

  @Test func floatsReadAsGoPrintsThem() {
    #expect(Humanize.goFloat(0.1) == "0.1")
    #expect(Humanize.goFloat(1) == "1")
    #expect(Humanize.goFloat(0.9862274433501257) == "0.9862274433501257")
    #expect(Humanize.goFloat(0.00001) == "1e-05")
    #expect(Humanize.goFloat(1_234_567) == "1.234567e+06")
    #expect(Humanize.goFloat(.nan) == "NaN")
    #expect(Humanize.fixed(98.62274433501257, digits: 4) == "98.6227")
    #expect(Humanize.fixed(12.5, digits: 0) == "12")
  }

  @Test func ciConfigFilesReadAsViperReadsThem() throws {
    let values = try DiveCI.parseConfig(
      """
      # the project's rules
      rules:
        lowestEfficiency: 0.95   # at least
        highestWastedBytes: "20MB"
        highestUserWastedPercent: 0.20
      other: value
      """
    ).get()
    #expect(
      values == [
        "lowestEfficiency": "0.95", "highestWastedBytes": "20MB", "highestUserWastedPercent": "0.2",
      ])
    #expect(throws: DiveError("yaml: line 2: could not find expected ':'")) {
      try DiveCI.parseConfig("rules:\n  nonsense\n").get()
    }
  }

  @Test func keysParseFromTheTerminalsBytes() {
    let (keys, rest) = DiveTerminal.parseKeys(
      Array("\u{1B}[A\u{1B}[Bq\t\u{1}\u{12}\r\u{15} \u{3}\u{1B}[".utf8))
    #expect(
      keys == [
        .up, .down, .character("q"), .tab, .control("a"), .control("r"), .control("m"),
        .control("u"), .space, .control("c"),
      ])
    #expect(rest == Array("\u{1B}[".utf8))
  }

  /// The visible columns of a line: its characters without colour codes.
  static func columns(_ line: String) -> Int {
    line.replacing(/\u{1B}\[[0-9;]*[A-Za-z]/, with: "").count
  }

  @Test func theViewFillsAnyTerminalFrom60Columns() {
    let analysis = DiveAnalysis(
      Self.image([
        [Self.directory("etc"), Self.file("etc/passwd", 700), Self.file("bin", 800_000)],
        [Self.directory("etc"), Self.file("etc/passwd", 720, hash: 2), Self.file("etc/new", 5)],
        [Self.file(".wh.bin", 0)],
      ]))
    var explorer = DiveExplorer(analysis)
    for (width, height) in [(60, 12), (80, 24), (133, 41), (250, 70)] {
      let lines = explorer.render(width: width, height: height)
      #expect(lines.count == height)
      #expect(lines.allSatisfy { Self.columns($0) == width }, "\(width)x\(height)")
    }
    let small = explorer.render(width: 59, height: 30)
    #expect(small[0].hasPrefix("dive needs a terminal of at least 60 columns"))
  }

  @Test func keysMoveBetweenLayersAndFilterTheTree() {
    let analysis = DiveAnalysis(
      Self.image([
        [Self.directory("etc"), Self.file("etc/passwd", 700), Self.file("bin", 800_000)],
        [Self.directory("etc"), Self.file("etc/passwd", 720, hash: 2), Self.file("etc/new", 5)],
        [Self.file(".wh.bin", 0)],
      ]))
    var explorer = DiveExplorer(analysis)
    #expect(explorer.visiblePaths == ["/bin", "/etc", "/etc/passwd"])
    var open = explorer.handle(.down)
    #expect(open)
    #expect(explorer.layerIndex == 1)
    // Tab to the tree; Ctrl-U hides what the layer left unchanged (/bin).
    open = explorer.handle(.tab)
    #expect(open)
    open = explorer.handle(.control("u"))
    #expect(open)
    #expect(explorer.visiblePaths == ["/etc", "/etc/new", "/etc/passwd"])
    // Ctrl-M hides the modified too; /etc stays, for a child of it is shown.
    open = explorer.handle(.control("m"))
    #expect(open)
    #expect(explorer.visiblePaths == ["/etc", "/etc/new"])
    // Ctrl-A hides the added: nothing is left.
    open = explorer.handle(.control("a"))
    #expect(open)
    #expect(explorer.visiblePaths == [])
    open = explorer.handle(.control("a"))
    #expect(open)
    open = explorer.handle(.tab)
    #expect(open)
    open = explorer.handle(.down)
    #expect(open)
    #expect(explorer.layerIndex == 2)
    // The removal: /bin, marked removed, the only change left to show.
    #expect(explorer.visiblePaths == ["/bin"])
    open = explorer.handle(.character("q"))
    #expect(!open)
    open = explorer.handle(.control("c"))
    #expect(!open)
  }

  @Test func anImageOfNoLayersShowsAndScoresWithoutFailing() {
    // `FROM scratch` with metadata only: dive's score is 1, its user percentage 0 / 0.
    let analysis = DiveAnalysis(DiveImage(name: "empty", layers: []))
    #expect(analysis.efficiency == 1)
    #expect(analysis.wastedUserPercent.isNaN)
    var explorer = DiveExplorer(analysis)
    var open = explorer.handle(.down)
    open = explorer.handle(.tab) && explorer.handle(.control("u")) && open
    #expect(open)
    #expect(explorer.render(width: 80, height: 24).count == 24)
    #expect(analysis.plainReport().hasPrefix("Image name: empty\nTotal Image size: 0 B\n"))
    let (report, passed) = DiveCI(rules: DiveCI.Rules()).evaluate(analysis)
    #expect(passed)
    #expect(report.contains("  userWastedPercent: NaN %\n"))
  }
}
