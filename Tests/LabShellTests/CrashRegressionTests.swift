import Foundation
import LabDocker
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// Lines a fuzzing campaign found to crash the sandbox: each now gets bash's or GNU's answer, or
/// the sandbox's where they have none, and never a trap or a stack overflow.
@Suite("Lines that once crashed the sandbox")
struct CrashRegressionTests {
  /// Runs `line` in a fresh sandbox on a thread with a small stack.
  static func run(_ line: String) throws -> CommandOutput {
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

  @Test(arguments: [
    (
      "head -n 99999999999999999999",
      "head: invalid number of lines: ‘99999999999999999999’: Value too large for defined data type"
    ),
    (
      "tail -c -99999999999999999999",
      "tail: invalid number of bytes: ‘99999999999999999999’: Value too large for defined data type"
    ),
    (
      "tail -n +99999999999999999999",
      "tail: invalid number of lines: ‘+99999999999999999999’: Value too large for defined data type"
    ),
    ("head -n abc", "head: invalid number of lines: ‘abc’"),
  ])
  func headAndTailCheckTheirCountsAsGNU(command: String, message: String) throws {
    let result = try Self.run("printf 'a\\nb\\nc\\n' | \(command)")
    #expect(result.stdout == "")
    #expect(result.stderr == message + "\n")
    #expect(result.status == 1)
  }

  @Test func headAndTailTakeCountsUpTo64Bits() throws {
    let result = try Self.run(
      "printf 'a\\nb\\nc\\n' > f; head -n 18446744073709551615 f; head -n -1 f; tail -n -1 f; head -c -4 f"
    )
    #expect(result.stdout == "a\nb\nc\na\nb\nc\na\n")
    #expect(result.status == 0)
  }

  @Test(arguments: [
    ("sort -k 0", "sort: field number is zero: invalid field specification ‘0’"),
    ("sort -k -1", "sort: invalid number at field start: invalid count at start of ‘-1’"),
    ("sort -k 2x", "sort: stray character in field spec: invalid field specification ‘2x’"),
  ])
  func sortKeysAnswerAsGNU(command: String, message: String) throws {
    let result = try Self.run("printf 'b a\\na b\\n' | \(command)")
    #expect(result.stdout == "")
    #expect(result.stderr == message + "\n")
    #expect(result.status == 2)
    let huge = try Self.run("printf 'b a\\na b\\n' | sort -k 99999999999999999999")
    #expect(huge.stdout == "a b\nb a\n")
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

  @Test func arithmeticWrapsAsBashDoes() throws {
    let result = try Self.run(
      "echo $((9223372036854775807+1)) $((-9223372036854775807-1)) $(( -9223372036854775808 / -1 ))"
        + " $((7 % -1)) $((99999999999999999999)); x=-5; echo $((x*2))")
    #expect(
      result.stdout
        == "-9223372036854775808 -9223372036854775808 -9223372036854775808 0 7766279631452241919\n-10\n"
    )
    #expect(result.status == 0)
  }

  @Test(arguments: [
    ("echo $((1/0)); echo after", #"bash: 1/0: division by 0 (error token is "0")"#),
    ("echo $(( 1 / 0 ))", #"bash: 1 / 0 : division by 0 (error token is "0 ")"#),
    ("x=0; echo $((7 % x + 1))", #"bash: 7 % x + 1: division by 0 (error token is "x + 1")"#),
    (
      "for i in 1 2; do echo $((i/0)); done; echo after",
      #"bash: i/0: division by 0 (error token is "0")"#
    ),
  ])
  func divisionByZeroStopsTheLineAsBashDoes(line: String, message: String) throws {
    let result = try Self.run(line)
    #expect(result.stdout == "")
    #expect(result.stderr == message + "\n")
    #expect(result.status == 1)
  }

  @Test func anErrorInASubshellOrSubstitutionEndsOnlyThat() throws {
    let subshell = try Self.run(#"(echo $((1/0)); echo sub); echo "st=$?""#)
    #expect(subshell.stdout == "st=1\n")
    #expect(subshell.stderr == "bash: 1/0: division by 0 (error token is \"0\")\n")
    let substitution = try Self.run(#"echo "[$(echo $((1/0)); echo inner)]""#)
    #expect(substitution.stdout == "[]\n")
    #expect(substitution.status == 0)
  }

  @Test(arguments: [
    ("x=; echo ${x:?}; echo after", "bash: x: parameter null or not set"),
    ("echo ${y:?custom msg}; echo after", "bash: y: custom msg"),
    ("echo ${y?}; echo after", "bash: y: parameter not set"),
    ("echo start; echo ${y:?} > out.txt; echo after", "bash: y: parameter null or not set"),
  ])
  func aMissingRequiredParameterStopsTheLine(line: String, message: String) throws {
    let result = try Self.run(line)
    #expect(result.stderr == message + "\n")
    #expect(!result.stdout.contains("after"))
    #expect(result.status == 1)
  }

  @Test func aScriptStopsAtAnExpansionErrorAndTheLineGoesOn() throws {
    let result = try Self.run(
      #"printf 'echo one\necho ${x:?}\necho two\n' > s.sh; sh s.sh; echo "status $?"; "#
        + #"printf 'echo three\necho $((1 %% 0))\necho four\n' > t.sh; bash t.sh; echo "status $?""#
    )
    #expect(result.stdout == "one\nstatus 1\nthree\nstatus 1\n")
    #expect(
      result.stderr
        == "bash: x: parameter null or not set\nbash: 1 % 0: division by 0 (error token is \"0\")\n"
    )
  }

  @Test func aRequiredParameterThatIsSetExpands() throws {
    let result = try Self.run("x=; y=1; echo \"[${x?}]\" ${y:?}")
    #expect(result.stdout == "[] 1\n")
    #expect(result.status == 0)
  }

  @Test func sleepPastTheClocksEndFails() throws {
    for line in ["sleep 1e19", "sleep inf"] {
      let result = try Self.run(line)
      let argument = line.dropFirst(6)
      #expect(
        result.stderr
          == "sleep: \(argument): the sandbox's clock stops at the end of the year 9999\n")
      #expect(result.status == 1)
    }
  }

  @Test func awkReckonsSubstrAndFieldsWithoutOverflow() throws {
    let result = try Self.run(
      #"awk -v n=1e30 'BEGIN { print substr("hello", 2, n) "|" substr("hello", -n, n) "|" substr("hello", n) "|" substr("hello", 2, -n) }'; echo a b | awk -v n=1e30 '{ print $(n) "|" $(n/n) }'"#
    )
    #expect(result.stdout == "ello|||\n|a\n")
    let negative = try Self.run(
      "a=(x); echo \"${a[-9]}\"; unset 'a[-9]'; echo $?; echo ${a[@]}; b=([-5]=y); echo ${#b[@]}; a[-5]=y; echo never"
    )
    #expect(negative.stdout == "\n1\nx\n0\n")
    #expect(
      negative.stderr
        == "bash: a: bad array subscript\nbash: unset: [-9]: bad array subscript\n"
        + "bash: [-5]=y: bad array subscript\nbash: a[-5]: bad array subscript\n")
    #expect(negative.status == 1)
    let list = try Self.run("a[0]=(z); echo never")
    #expect(list.stderr == "bash: a[0]: cannot assign list to array member\n")
    #expect(list.stdout == "")
    #expect(list.status == 1)
  }

  @Test func arrayIndicesWrapAt64BitsAsBashs() throws {
    let result = try Self.run(
      "a[9223372036854775807]=x; a+=(y); echo ${!a[@]}; b=(x); echo ${b[@]:9223372036854775807:9223372036854775807} ${b[@]: -9223372036854775807}; s=abc; echo ${s:1:9223372036854775807}."
    )
    #expect(result.stdout == "-9223372036854775808 9223372036854775807\n\nbc.\n")
    #expect(result.status == 0)
  }

  @Test func awkRecursionStopsWithinASmallStack() throws {
    let program =
      "function f(n) { if (n > 0) return 1 + f(n - 1) + f(0); return 0 } BEGIN { print f(8); print f(1000000000) }"
    let line =
      String(repeating: "( ", count: 30) + "awk '\(program)'" + String(repeating: " )", count: 30)
    let result = try Self.run(line)
    #expect(result.stdout == "8\n")
    #expect(
      result.stderr == "awk: run time error: function calls nest too deep for this sandbox's awk\n")
    #expect(result.status == 2)
  }

  @Test func awkRecursionThatBranchesStopsAtTheTimeLimit() throws {
    var session = try ShellFixture().session()
    session.sandbox.timeout = 1
    let result = session.run(
      "awk 'function f(n,  i, s) { if (n > 8) return 1; for (i = 0; i < 20; i++) s += f(n + 1); return s } BEGIN { print f(1) }'"
    )
    #expect(result.status == 124)
    #expect(
      result.stderr
        == "bash: the sandbox stopped this command after 1 second, the step's time limit\n")
  }

  @Test func aLongPatternMatchesWithoutNesting() throws {
    let pattern = String(repeating: "a*", count: 50_000)
    let questions = String(repeating: "?", count: 100_000)
    let result = try Self.run(
      "x=abc; echo ${x#\(pattern)} ${x#*b} ${x%%c*}; ls \(questions) 2>/dev/null")
    #expect(result.stdout == "abc c ab\n")
    #expect(result.status == 2)
  }
}
