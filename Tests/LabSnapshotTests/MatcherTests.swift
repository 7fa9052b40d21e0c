import Foundation
import LabSnapshot
import LabTestSupport
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

  static let buildDisplay = """
    [+] Building 0.0s (6/6) FINISHED                                 docker:default
     => [internal] load build definition from Dockerfile                        0.0s
     => => transferring dockerfile: 39B                                         0.0s
     => [internal] load metadata for docker.io/library/alpine:3.20              0.0s
     => [internal] load .dockerignore                                           0.0s
     => => transferring context: 2B                                             0.0s
     => [1/2] FROM docker.io/library/alpine:3.20@sha256:073a04712b1205d9494f22  0.0s
     => => resolve docker.io/library/alpine:3.20@sha256:073a04712b1205d9494f22  0.0s
     => [2/2] RUN echo hi > /hi.txt                                             0.0s
     => exporting to image                                                      0.0s
     => => exporting layers                                                     0.0s
     => => writing image sha256:a87b08c9b052e1fc02089154b294699971a941f5d35c93  0.0s
     => => naming to docker.io/library/hi:latest                                0.0s
    """

  /// The same build as an older Docker on a wider terminal drew it.
  static let olderBuildDisplay = """
    [+] Building 1.2s (6/6) FINISHED
     => [internal] load .dockerignore                                          0.0s
     => => transferring context: 2B                                            0.0s
     => [internal] load build definition from Dockerfile                       0.0s
     => [internal] load metadata for docker.io/library/alpine:3.20             1.0s
     => CACHED [1/2] FROM docker.io/library/alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d  0.0s
     => [2/2] RUN echo hi > /hi.txt                                            0.2s
     => exporting to image                                                     0.0s
     => => writing image sha256:7d5b6a8c2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c  0.0s
     => => naming to docker.io/library/hi                                      0.0s
    """

  @Test func buildDisplaysCompareByTheirSteps() {
    #expect(passes(Self.olderBuildDisplay, Self.buildDisplay, command: "docker build -t hi ."))
    let otherStep = Self.olderBuildDisplay.replacingOccurrences(of: "echo hi", with: "echo ho")
    #expect(!passes(otherStep, Self.buildDisplay, command: "docker build -t hi ."))
    let cachedRun = Self.olderBuildDisplay.replacingOccurrences(
      of: "=> [2/2] RUN", with: "=> CACHED [2/2] RUN")
    #expect(!passes(cachedRun, Self.buildDisplay, command: "docker build -t hi ."))
    let otherName = Self.olderBuildDisplay.replacingOccurrences(
      of: "library/hi ", with: "library/ho ")
    #expect(!passes(otherName, Self.buildDisplay, command: "docker build -t hi ."))
    var bindings = Bindings()
    let strict = Matcher(strict: true).match(
      expected: Self.olderBuildDisplay, actual: Self.buildDisplay, comparison: .normal,
      command: "docker build -t hi .", bindings: &bindings, origin: "lesson.md:1")
    #expect(!strict.passed)
  }

  @Test func legacyBuildTranscriptsCompareByTheirSteps() {
    let older = """
      Sending build context to Docker daemon  2.048kB
      Step 1/2 : FROM alpine:3.20
       ---> a24bb4013296
      Step 2/2 : RUN echo hello
       ---> Running in 8a3a1c8f6a53
      hello
      Removing intermediate container 8a3a1c8f6a53
       ---> 1f3ad2b6c45b
      Successfully built 1f3ad2b6c45b
      Successfully tagged lb:latest
      """
    let newer = """
      DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
                  BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0
                  environment-variable.

      Sending build context to Docker daemon       49B\r\r
      Step 1/2 : FROM alpine:3.20
      3.20: Pulling from library/alpine
      811319acad67: Pull complete
      Digest: sha256:073a04712b1205d9494f2281d9dae2e95e2e82397ed5656ddf0ff84d44f0574c
      Status: Downloaded newer image for alpine:3.20
       ---> 6d3d3e211680
      Step 2/2 : RUN echo hello
       ---> Running in 4a6677df0279
      hello
       ---> Removed intermediate container 4a6677df0279
       ---> 8ca396cc1e71
      Successfully built 8ca396cc1e71
      Successfully tagged lb:latest
      """
    var bindings = Bindings()
    #expect(check(older, newer, command: "docker build -t lb .", bindings: &bindings).passed)
    #expect(bindings.actual(for: "1f3ad2b6c45b") == "8ca396cc1e71")
    #expect(
      !passes(
        older.replacingOccurrences(of: "hello\n", with: "goodbye\n"), newer,
        command: "docker build -t lb ."))
  }

  @Test func aCarriageReturnOverprintsTheLine() {
    #expect(passes("Downloading 100%\ndone", "Downloading  10%\rDownloading 100%\r\r\ndone"))
    #expect(passes("a\nb", "a\r\nb\r\n"))
  }

  @Test func longOutputsAndElisionsMatchWithoutNesting() {
    // A line of output took a level of calls: a long block overflowed the stack.
    let lines = (1...5_000).map(String.init)
    let whole = lines.joined(separator: "\n") + "\n"
    let elided = (["1", "..."] + lines.suffix(2) + ["..."]).joined(separator: "\n") + "\n"
    let results = TestSupport.onSmallStack { [self] in
      [
        passes(whole, whole), passes(elided, whole), passes("...\n4999\n...\n", whole),
        passes("1\n...\n3\n", whole), passes(whole + "5001\n", whole),
      ]
    }
    #expect(results == [true, true, true, false, false])
  }
}
