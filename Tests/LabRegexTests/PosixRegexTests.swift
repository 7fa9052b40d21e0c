import LabRegex
import Testing

@Suite("POSIX regular expressions from the C library")
struct PosixRegexTests {
  @Test func nestedQuantifiersDoNotBacktrackExponentially() throws {
    // A Perl-style engine takes 2^60 steps here; the C library's matcher does not.
    let regex = try PosixRegex("(a+)+$", syntax: .extended)
    #expect(!regex.matches(String(repeating: "a", count: 60) + "b"))
    #expect(regex.matches(String(repeating: "a", count: 60)))
    let nested = try PosixRegex("^(a|aa)+(b|bb)*c$", syntax: .extended)
    #expect(!nested.matches(String(repeating: "a", count: 200)))
  }

  @Test func gnuExtensionsInBothSyntaxes() throws {
    #expect(try PosixRegex("ab\\+c", syntax: .basic).matches("abbbc"))
    #expect(try PosixRegex("colou\\?r", syntax: .basic).matches("color"))
    #expect(try PosixRegex("cat\\|dog", syntax: .basic).matches("hotdog"))
    #expect(try PosixRegex("\\bword\\b", syntax: .extended).matches("a word here"))
    #expect(!(try PosixRegex("\\<ord", syntax: .basic).matches("word")))
    #expect(try PosixRegex("\\w+\\s", syntax: .extended).matches("abc def"))
    #expect(try PosixRegex("NGINX", syntax: .basic, ignoreCase: true).matches("nginx:latest"))
    // In basic syntax a bare + is a literal.
    #expect(try PosixRegex("a+b", syntax: .basic).matches("a+b"))
    #expect(!(try PosixRegex("a+b", syntax: .basic).matches("aab")))
  }

  @Test func groupsAndEveryMatch() throws {
    let regex = try PosixRegex("([a-z]+):([0-9]+)", syntax: .extended)
    let text = Array("nginx:80 redis:6379".utf8)
    let first = try #require(regex.firstMatch(in: text, from: 0))
    #expect(first.range == 0..<8)
    #expect(first.groups == [0..<5, 6..<8])
    #expect(regex.allMatches(in: text).map(\.range) == [0..<8, 9..<19])
    // An empty match moves on one character, as sed's g flag does.
    #expect(try PosixRegex("x*", syntax: .basic).allMatches(in: Array("abc".utf8)).count == 4)
  }

  @Test func patternsThatWouldExpandExponentiallyAreRefused() throws {
    // The C library copies a repeated atom for each `+`: 2^40 copies would never finish.
    let stacked = "<" + String(repeating: "+", count: 40) + "x"
    #expect(throws: PosixRegex.CompileError(message: "Regular expression too big")) {
      try PosixRegex(stacked, syntax: .extended)
    }
    #expect(throws: PosixRegex.CompileError(message: "Regular expression too big")) {
      try PosixRegex("((a{99}){99}){99}", syntax: .extended)
    }
    #expect(throws: PosixRegex.CompileError(message: "Regular expression too big")) {
      try PosixRegex("\\(a\\{200\\}\\)\\{200\\}", syntax: .basic)
    }
    // Runs of the same assertion are one; a long mixed run is refused.
    let anchors = String(repeating: "\\B", count: 100) + "x"
    #expect(try PosixRegex(anchors, syntax: .extended).matches("axb"))
    #expect(!(try PosixRegex(anchors, syntax: .extended).matches("x")))
    #expect(throws: PosixRegex.CompileError(message: "Regular expression too big")) {
      try PosixRegex(String(repeating: "\\b\\B", count: 20), syntax: .extended)
    }
    // Ordinary patterns are far below the limit.
    #expect(
      try PosixRegex("^[a-z0-9]+(:[0-9]{1,5})?(/[a-z._-]+){0,8}$", syntax: .extended)
        .matches("localhost:5000/a/b"))
    #expect(try PosixRegex("a*b*c*[[:digit:]]\\{3\\}", syntax: .basic).matches("abc123"))
  }

  @Test func badPatternsSayWhatTheCLibrarySays() {
    #expect(throws: PosixRegex.CompileError(message: "Unmatched ( or \\(")) {
      try PosixRegex("(a", syntax: .extended)
    }
    #expect(throws: PosixRegex.CompileError(message: "Unmatched [, [^, [:, [., or [=")) {
      try PosixRegex("[a", syntax: .basic)
    }
  }
}
