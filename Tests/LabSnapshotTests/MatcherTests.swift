import Foundation
import LabSnapshot
import Testing

@Suite("Matching expected output")
struct MatcherTests {
  let matcher = Matcher()

  func check(
    _ expected: String, _ actual: String, _ comparison: Comparison = .normal,
    command: String = "cmd",
    bindings: inout Bindings
  ) -> MatchResult {
    matcher.match(
      expected: expected, actual: actual, comparison: comparison, command: command,
      bindings: &bindings,
      origin: "lesson.md:1")
  }

  func passes(
    _ expected: String, _ actual: String, _ comparison: Comparison = .normal,
    command: String = "cmd"
  ) -> Bool {
    var bindings = Bindings()
    return check(expected, actual, comparison, command: command, bindings: &bindings).passed
  }

  static let volatilePairs: [(String, String)] = [
    (
      "sha256:5ef79149e0ecf2fb4d3a3d2ed87a3b07dc8ba0dc1ebbf59dd6cbcd1fb2cc26f1",
      "sha256:480e608a114c5f14b70f6f92db53bac7914d533c01480b061c9abe5f9862326f"
    ),
    ("id 5ef79149e0ec", "id 480e608a114c"),
    (
      "/bin/sh -c #(nop) ADD file:5758b97d8301c84a2… in /",
      "/bin/sh -c #(nop) ADD file:99093095d62d04215… in /"
    ),
    ("link UYQOYP3JF3KSPJ6T4IDMP5QLMP", "link 2W3OG6FP2LZRMRKEKW4S6CJZPU"),
    ("2 weeks ago", "About a minute ago"),
    ("size 188MB", "size 7.8kB"),
    ("at 2024-05-01T12:34:56Z", "at 2026-11-26T15:00:00.123Z"),
    ("took 0.4s", "took 12.0s"),
    ("-rw-r--r-- 1 root root 10 Aug 13 00:20 f", "-rw-r--r-- 1 root root 10 Nov 26  2026 f"),
  ]

  @Test(arguments: volatilePairs)
  func volatileTokensMatchByShape(expected: String, actual: String) {
    #expect(passes(expected, actual))
  }

  @Test func literalTextMustMatch() {
    #expect(!passes("example latest", "exmaple latest"))
    #expect(!passes("effaced...", "1234567..."), "hex-letter words are not truncated IDs")
    #expect(passes("a  b\tc   ", "a b c"), "runs of blanks and trailing spaces are cosmetic")
    #expect(passes("\u{1B}[32mok\u{1B}[0m", "ok"))
  }

  @Test func bindingsStayConsistent() {
    var bindings = Bindings()
    #expect(check("5ef79149e0ec", "480e608a114c", bindings: &bindings).passed)
    #expect(bindings.actual(for: "5ef79149e0ec") == "480e608a114c")
    // One author ID, one actual ID.
    #expect(!check("5ef79149e0ec", "111111111111", bindings: &bindings).passed)
    // Never two author IDs for one actual ID.
    #expect(!check("aaaaaaaaaaaa", "480e608a114c", bindings: &bindings).passed)
    #expect(check("aaaaaaaaaaaa", "222222222222", bindings: &bindings).passed)
  }

  @Test func aShortIDBindsToThePrefixOfItsFullID() {
    var bindings = Bindings()
    let author = "9853575bc4f955c5892dd64187538a6cd02dba6968eba9201854876a7a257034"
    let actual = "3730953ab4241565640a5e86af1ea35de86bad9faf3e79a0f06c0cf2565ab96b"
    #expect(check("sha256:\(author)", "sha256:\(actual)", bindings: &bindings).passed)
    #expect(bindings.actual(for: "9853575bc4f9") == "3730953ab424")
    #expect(
      bindings.rewrite("ls 9853575bc4f9 sha256:\(author)") == "ls 3730953ab424 sha256:\(actual)")
    #expect(
      bindings.unbound(in: "cat 0000000000000000000000000000000000000000000000000000000000000000")
        == [
          "0000000000000000000000000000000000000000000000000000000000000000"
        ])
  }

  @Test func dockerTablesCompareRowsAsASet() {
    let expected = """
      REPOSITORY  TAG       IMAGE ID       CREATED         SIZE
      nginx       latest    5ef79149e0ec   2 weeks ago     188MB
      example     latest    78d35b56c06c   8 seconds ago   125MB
      """
    let actual = """
      REPOSITORY   TAG       IMAGE ID       CREATED        SIZE
      example      latest    75de784fe798   1 second ago   125MB
      nginx        latest    480e608a114c   2 weeks ago    188MB
      """
    #expect(passes(expected, actual))
    #expect(!passes(expected.replacingOccurrences(of: "example", with: "exmaple"), actual))
    #expect(
      !passes(expected, actual + "\nalpine       latest    6d3d3e211680   5 weeks ago    7.8MB"))
  }

  @Test func listingsCompareAsNames() {
    #expect(
      passes(
        "cache-id  diff\tsize  tar-split.json.gz", "cache-id\ndiff\nsize\ntar-split.json.gz",
        command: "sudo ls x"))
    #expect(!passes("committed  diff", "committed  diff  link", command: "ls x"))
  }

  @Test func jsonComparesAsDataAndFragmentsAsSubtrees() {
    let actual = """
      [
          {
              "Id": "sha256:480e608a114c5f14b70f6f92db53bac7914d533c01480b061c9abe5f9862326f",
              "RootFS": {
                  "Type": "layers",
                  "Layers": ["sha256:3730953ab4241565640a5e86af1ea35de86bad9faf3e79a0f06c0cf2565ab96b", "sha256:14a7a431ddbf530d0d149d0fcb280dd29c1c9a330e311eb16dbc95bc07f03926"]
              }
          }
      ]
      """
    let fragment = """
      "RootFS": {
          "Type": "layers",
          "Layers": [
              "sha256:9853575bc4f955c5892dd64187538a6cd02dba6968eba9201854876a7a257034",
              "sha256:414698da489a5dd0db700cca4a87b7ca20dbc0fbefea813ca0bc9ff4f409e73f"
          ]
      }
      """
    #expect(passes(fragment, actual, .excerpt))
    let oneLayer = fragment.replacingOccurrences(
      of: ",\n        \"sha256:414698da489a5dd0db700cca4a87b7ca20dbc0fbefea813ca0bc9ff4f409e73f\"",
      with: "")
    #expect(!passes(oneLayer, actual, .excerpt))
    #expect(passes("{\"a\": [1, 2]}", "{\"a\":[1,2]}"))
    #expect(!passes("{\"a\": [1, 2]}", "{\"a\":[2,1]}"))
  }

  @Test func elisionsAndWildcards() {
    #expect(passes("first\n...\nlast", "first\nx\ny\nlast"))
    #expect(passes("first\n…\nlast", "first\nlast"))
    #expect(passes("-SNIP-\nlast", "a\nb\nlast"))
    #expect(passes("Step [..] : FROM alpine", "Step 1/2 : FROM alpine"))
    #expect(passes("Successfully built [0-9a-f]{12} (re)", "Successfully built 6d3d3e211680"))
    #expect(passes("Loaded image: *:latest (glob)", "Loaded image: nginx:latest"))
    #expect(!passes("first\n...\nlast", "first\nx\nnot last"))
  }

  @Test func excerptsAppearInOrderWithGaps() {
    #expect(passes("b\nd", "a\nb\nc\nd\ne", .excerpt))
    #expect(!passes("d\nb", "a\nb\nc\nd\ne", .excerpt))
  }

  @Test func strictModeRejectsWhatTheLearnerModeAccepts() {
    var bindings = Bindings()
    let strict = Matcher(strict: true)
    #expect(
      !strict.match(
        expected: "size 188MB", actual: "size 125MB", comparison: .normal, command: "x",
        bindings: &bindings, origin: ""
      ).passed)
    #expect(
      strict.match(
        expected: "id 5ef79149e0ec", actual: "id 480e608a114c", comparison: .normal, command: "x",
        bindings: &bindings, origin: ""
      ).passed)
  }

  @Test func differencesAreClassified() {
    var bindings = Bindings()
    let result = check(
      "nginx 5ef79149e0ec 2 weeks ago", "nginx 480e608a114c 3 weeks ago", bindings: &bindings)
    #expect(result.passed)
    #expect(result.differences.map(\.kind) == [.volatile, .volatile])
    let failed = check("nginx", "apache", bindings: &bindings)
    #expect(failed.differences.map(\.kind) == [.semantic])
  }
}
