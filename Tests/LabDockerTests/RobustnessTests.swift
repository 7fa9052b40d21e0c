import Foundation
import LabDocker
import LabImage
import LabJSON
import LabShell
import LabTestSupport
import Testing

/// Bad input of every kind gets an error, never a crash: random text through every parser.
@Suite("Parsers survive arbitrary input")
struct RobustnessTests {
  /// A small deterministic generator, so a failure replays.
  struct Generator {
    var state: UInt64

    mutating func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }

    mutating func text(_ alphabet: [Character], length: Int) -> String {
      String(
        (0..<Int(next() % UInt64(length + 1))).map { _ in
          alphabet[Int(next() % UInt64(alphabet.count))]
        })
    }
  }

  static let alphabet = Array("ab$:{}[]()\"'`\\|&;<>-=*?#@!%^~/.,\n\t 0123456789EOFRUN")

  @Test func everyParserReturnsOrThrows() {
    var generator = Generator(state: 42)
    for _ in 0..<3000 {
      let text = generator.text(Self.alphabet, length: 40)
      _ = try? ShellParser.parse(text)
      _ = try? DockerfileParser.parse("FROM alpine\n" + text)
      _ = try? GoTemplate("{{" + text + "}}").execute(.map([("a", .string("x"))]))
      _ = try? ImageReference(parsing: text)
      _ = try? JSONValue(parsing: text)
      _ = DockerIgnore(text).excludes("a/b")
      _ = PathPattern.matches(text, "ab/c")
    }
  }

  @Test func jsonNestsAtMostToItsLimitAndNumbersNeverTrap() throws {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let error = TestSupport.onSmallStack { () -> JSONError? in
      do throws(JSONError) {
        _ = try JSONValue(parsing: deep)
        return nil
      } catch {
        return error
      }
    }
    #expect(error?.isTooDeep == true)
    #expect(error?.description == "invalid JSON: exceeded max depth at offset 100")
    let limit = JSONValue.depthLimit
    let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
    #expect(try JSONValue(parsing: deepest).compact() == deepest)
    // Numbers past 64 bits are no integers; an unpaired surrogate is U+FFFD, as in Go.
    #expect(try JSONValue(parsing: "1e300").intValue == nil)
    #expect(try JSONValue(parsing: "-1e3").intValue == -1000)
    #expect(try JSONValue(parsing: #""\ud800\u0041""#) == .string("\u{FFFD}A"))
  }

  @Test func theShellRunsArbitraryLinesSafely() throws {
    let workspace = try TestSupport.scratchDirectory("fuzz-home")
    var session = try SandboxSession(
      store: ImageStore(root: try TestSupport.scratchDirectory("fuzz")), workspace: workspace,
      registry: nil, clock: VirtualClock(now: Date(timeIntervalSince1970: 0)), keepsClock: false)
    var generator = Generator(state: 7)
    let words = [
      "echo", "ls", "cat", "docker", "images", "-a", "x", "$(", ")", "|", ">", "out", "<<E", "E",
      "'", "\"", "${", "}", "&&", ";", "*", "sudo", "cd", "..", "grep", "sed", "s/a/b/", "head",
      "-n", "jq", ".", "tar", "-tf", "awk", "{print $1}", "if", "then", "else", "fi", "for", "in",
      "do", "done", "while", "until", "break", "continue", "{a,b}", "{1..3}", "xargs", "seq",
      "read", "sleep", "date", "\n",
    ]
    for _ in 0..<400 {
      let count = Int(generator.next() % 6) + 1
      let line = (0..<count).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(
        separator: " ")
      _ = session.run(line)
    }
    // Nothing left the workspace.
    #expect(!FileManager.default.fileExists(atPath: "/out"))
  }
}
