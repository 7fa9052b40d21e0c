import Foundation
import LabDocker
import LabShell
import LabTestSupport
import Testing

/// Lines a fuzzing campaign found to crash the sandbox: each now gets bash's or GNU's answer, or
/// the sandbox's where they have none, and never a trap or a stack overflow.
@Suite("Lines that once crashed the sandbox")
struct CrashRegressionTests {
  /// Runs `line` in a fresh sandbox on a thread with a small stack.
  static func run(_ line: String) throws -> CommandResult {
    let fixture = try ShellFixture()
    return TestSupport.onSmallStack { fixture.ours(line) }
  }

  // MARK: - Numbers

  @Test(arguments: [
    ("echo abc | cut -c 2-1", "cut: invalid decreasing range"),
    ("echo abc | cut -f -0", "cut: invalid decreasing range"),
    ("echo abc | cut -f 0", "cut: fields are numbered from 1"),
    ("echo abc | cut -c 0-3", "cut: byte/character positions are numbered from 1"),
    (
      "echo abc | cut -c 99999999999999999999",
      "cut: byte/character offset ‘99999999999999999999’ is too large"
    ),
    ("echo abc | cut -f 1-2-3", "cut: invalid field range"),
    ("echo abc | cut -c -", "cut: invalid range with no endpoint: -"),
  ])
  func cutListsAnswerAsGNU(line: String, message: String) throws {
    let result = try Self.run(line)
    #expect(result.stderr == "\(message)\nTry 'cut --help' for more information.\n")
    #expect(result.stdout == "")
    #expect(result.status == 1)
  }

  @Test func cutTakesRangesUpToTheLargestOffset() throws {
    let result = try Self.run("echo abcdef | cut -c 1-9223372036854775807,3-; echo abc | cut -c 2-")
    #expect(result.stdout == "abcdef\nbc\n")
    #expect(result.status == 0)
  }

  @Test func printfWritesAnyFloatAsBashDoes() throws {
    let result = try Self.run(
      "printf '%f|%f|%f|%.2f\\n' nan inf -inf -2.345; printf '%.400f' 1 | wc -c")
    #expect(result.stdout == "nan|inf|-inf|-2.35\n402\n")
    #expect(result.status == 0)
    #if arch(x86_64) || arch(i386)
    // bash reads the number as a long double.
    let large = try Self.run("printf '%f' 1e300")
    #expect(
      large.stdout
        == "1000000000000000000008997324079559193870523944273290747938260082321265646596180935"
        + "755849152083750497190350372508614274835903592556184672983913096260520748646287327135"
        + "641843653294084255107606016789726652932370030551382947620994540294772781889620606179"
        + "267611627097410650567187386105690089424915104006144.000000")
    #endif
  }

  @Test func printfSkipsAWidthPastAnIntAndRefusesOnePastTheOutputLimit() throws {
    // bash drops a conversion whose width overflows an int, and goes on.
    let skipped = try Self.run("printf '%999999999999d|%d\\n' 1 2")
    #expect(skipped.stdout == "|2\n")
    #expect(skipped.status == 0)
    let refused = try Self.run("printf '%99999999d' 1")
    #expect(refused.stdout == "")
    #expect(refused.stderr == "bash: printf: the sandbox stops a command's output at 64 MiB\n")
    #expect(refused.status == 1)
  }

  @Test func awkReckonsSubstrAndFieldsWithoutOverflow() throws {
    let result = try Self.run(
      #"awk -v n=1e30 'BEGIN { print substr("hello", 2, n) "|" substr("hello", -n, n) "|" substr("hello", n) "|" substr("hello", 2, -n) }'; echo a b | awk -v n=1e30 '{ print $(n) "|" $(n/n) }'"#
    )
    #expect(result.stdout == "ello|||\n|a\n")
    let negative = try Self.run("echo a b | awk '{ print $(-1) }'")
    #expect(negative.stdout == "")
    #expect(negative.stderr == "awk: run time error: negative field index $-1\n")
    #expect(negative.status == 2)
  }

  @Test func seqRefusesOutputPastTheLimitBeforeMakingIt() throws {
    let result = try Self.run("seq 1 1000000000")
    #expect(result.stdout == "")
    #expect(result.stderr == "seq: the sandbox stops a command's output at 64 MiB\n")
    #expect(result.status == 1)
    let edge = try Self.run("seq 9223372036854775806 9223372036854775807; seq 2 1")
    #expect(edge.stdout == "9223372036854775806\n9223372036854775807\n")
  }
}
