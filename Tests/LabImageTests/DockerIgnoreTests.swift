import Foundation
import LabImage
import LabTestSupport
import Testing

@Suite(".dockerignore patterns")
struct DockerIgnoreTests {
  static let rules = """
    # comments and blank lines count for nothing

    *.log
    **/secret.txt
    build/
    !build/keep.txt
    """

  @Test(arguments: [
    ("app.log", true), ("app.py", false), ("deep/dir/secret.txt", true), ("secret.txt", true),
    ("build/out.o", true), ("build/keep.txt", false), ("notes/app.log", false),
  ])
  func excludes(path: String, excluded: Bool) {
    #expect(DockerIgnore(Self.rules).excludes(path) == excluded)
  }

  @Test func windowsLineEndingsReadTheSame() {
    let crlf = DockerIgnore(Self.rules.replacingOccurrences(of: "\n", with: "\r\n"))
    #expect(crlf.excludes("app.log"))
    #expect(crlf.excludes("build/out.o"))
    #expect(!crlf.excludes("build/keep.txt"))
  }

  @Test func aPatternOfAnyLengthMatchesWithoutNesting() {
    let long = String(repeating: "a", count: 100_000)
    let stars = String(repeating: "*", count: 10_000)
    let results = TestSupport.onSmallStack {
      [
        PathPattern.matches(long, long), PathPattern.matches(long + "?", long),
        PathPattern.matches("a\(stars)b", "ab"), PathPattern.matches("**/\(long)", "x/" + long),
        DockerIgnore(long + "\n").excludes(long),
      ]
    }
    #expect(results == [true, false, true, true, true])
  }
}
