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
    let negative = try Self.run("echo a b | awk '{ print $(-1) }'")
    #expect(negative.stdout == "")
    #expect(negative.stderr == "awk: run time error: negative field index $-1\n")
    #expect(negative.status == 2)
  }

  // MARK: - Sizes

  @Test func aHugeBraceSequenceStaysAsWrittenWithBashsMessage() throws {
    let result = try Self.run("echo {2147483648..5} {1..5..-9223372036854775808} {1..3}")
    #expect(result.stdout == "{2147483648..5} {1..5..-9223372036854775808} 1 2 3\n")
    #expect(
      result.stderr == "bash: brace expansion: failed to allocate memory for 2147483644 elements\n")
    #expect(result.status == 0)
    let product = try Self.run("echo {1..1000}{1..1000}")
    #expect(product.stdout == "{1..1000}{1..1000}\n")
    #expect(
      product.stderr
        == "bash: brace expansion: the sandbox makes at most 100000 words of one word\n")
  }

  @Test func seqRefusesOutputPastTheLimitBeforeMakingIt() throws {
    let result = try Self.run("seq 1 1000000000")
    #expect(result.stdout == "")
    #expect(result.stderr == "seq: the sandbox stops a command's output at 64 MiB\n")
    #expect(result.status == 1)
    let edge = try Self.run("seq 9223372036854775806 9223372036854775807; seq 2 1")
    #expect(edge.stdout == "9223372036854775806\n9223372036854775807\n")
  }

  @Test func outputPastTheLimitIsCutWithAMessage() throws {
    let result = try Self.run("printf '%40000000s' a; printf '%40000000s' b; echo never")
    #expect(result.stdout.utf8.count == 40_000_000)
    #expect(result.stderr == "bash: the sandbox stops a command's output at 64 MiB\n")
    #expect(result.status == 1)
  }

  @Test func aVariableThatKeepsDoublingStopsTheLine() throws {
    let result = try Self.run("x=abcdefgh; for i in $(seq 40); do x=$x$x; done; echo never")
    #expect(result.stdout == "")
    #expect(
      result.stderr
        == "bash: a word's expansion is over 64 MiB: the sandbox stopped the command line\n")
    #expect(result.status == 1)
  }

  // MARK: - Depth

  @Test func aScriptThatRunsItselfStopsAtTheNestingLimit() throws {
    let result = try Self.run("echo ./s.sh > s.sh; chmod +x s.sh; ./s.sh; echo never")
    #expect(result.stdout == "")
    #expect(result.stderr == "bash: ./s.sh: maximum nesting level exceeded (32)\n")
    #expect(result.status == 1)
    // Twice a level would be 2^16 runs without the stop.
    let twice = try Self.run("echo 'sh s.sh; sh s.sh' > s.sh; sh s.sh")
    #expect(twice.stderr == "bash: s.sh: maximum nesting level exceeded (32)\n")
    #expect(twice.status == 1)
    let sourced = try Self.run("echo '. ./s.sh' > s.sh; . ./s.sh")
    #expect(sourced.stderr == "bash: ./s.sh: maximum nesting level exceeded (32)\n")
  }

  @Test func nestedSubstitutionsStopAtTheNestingLimit() throws {
    let depth = 3000
    let line =
      "echo " + String(repeating: "$(echo ", count: depth) + "x"
      + String(repeating: ")", count: depth)
    let result = try Self.run(line)
    #expect(result.stderr == "bash: maximum nesting level exceeded (32)\n")
    #expect(result.status == 1)
    let shallow = try Self.run("echo $(echo $(echo $(echo deep)))")
    #expect(shallow.stdout == "deep\n")
  }

  /// Lines nested far past the limit, by name.
  static let deepLines: [String: String] = [
    "subshells": String(repeating: "( ", count: 10_000) + "echo x"
      + String(repeating: " )", count: 10_000),
    "groups": String(repeating: "{ ", count: 10_000) + "echo x"
      + String(repeating: "; }", count: 10_000),
    "ifs": String(repeating: "if true; then ", count: 10_000) + "echo x"
      + String(repeating: "; fi", count: 10_000),
    "and-chain": String(repeating: "true && ", count: 100_000) + "echo x",
    "parameters": "echo " + String(repeating: "${x:-", count: 10_000) + "x"
      + String(repeating: "}", count: 10_000),
  ]

  @Test(arguments: deepLines.keys.sorted())
  func deepNestingIsASyntaxError(kind: String) throws {
    let result = try Self.run(Self.deepLines[kind] ?? "")
    #expect(result.stderr == "bash: syntax error: the sandbox nests commands at most 32 deep\n")
    #expect(result.status == 2)
  }

  @Test func nestingWithinTheLimitRuns() throws {
    let line =
      String(repeating: "( ", count: 31) + "echo x" + String(repeating: " )", count: 31) + "; "
      + String(repeating: "true && ", count: 31) + "echo y; "
      + String(repeating: "if true; then ", count: 31) + "echo z"
      + String(repeating: "; fi", count: 31)
    let result = try Self.run(line)
    #expect(result.stdout == "x\ny\nz\n")
    #expect(result.status == 0)
  }

  @Test func theDeepestNestingFitsASmallStack() throws {
    // Shells in groups in shells, down to the limit, with arithmetic as deep as it may go.
    let arithmetic =
      "echo $(( " + String(repeating: "(", count: 60) + "6 * 7" + String(repeating: ")", count: 60)
      + " ))"
    let script = "cd .; { ( sh s.sh ); }"
    let result = try Self.run(
      "echo '\(script)' > s.sh; \(script); echo $?; "
        + String(repeating: "( ", count: 30) + arithmetic + String(repeating: " )", count: 30))
    // The innermost script cannot even parse its group and subshell.
    #expect(result.stdout == "2\n42\n")
    #expect(result.stderr == "bash: syntax error: the sandbox nests commands at most 32 deep\n")
  }

  @Test func jqRefusesJSONNestedPastItsLimitAsJqDoes() throws {
    let result = try Self.run(#"(printf '{"a":\n'; printf '%0100000d' 0 | tr 0 '[') | jq ."#)
    #expect(result.stdout == "")
    #expect(
      result.stderr == "jq: parse error: Exceeds depth limit for parsing at line 2, column 100\n")
    #expect(result.status == 2)
  }

  @Test func deepArithmeticStopsWithBashsMessage() throws {
    let result = try Self.run(
      "echo $(( " + String(repeating: "(", count: 100_000) + "1"
        + String(repeating: ")", count: 100_000) + " ))")
    #expect(result.stderr.hasPrefix("bash: ((((("))
    #expect(result.stderr.contains(": expression recursion level exceeded (error token is \"(((("))
    #expect(result.status == 1)
    let negations = try Self.run("echo $((" + String(repeating: "- ", count: 100_000) + "1))")
    #expect(negations.stderr.contains("expression recursion level exceeded"))
    #expect(try Self.run("echo $(( -(-(3)) ))").stdout == "3\n")
  }

  static let awkTooDeep =
    "awk: syntax error: expressions and statements nest at most 30 deep in this sandbox's awk\n"

  @Test(arguments: [
    String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
    String(repeating: "- ", count: 10_000) + "1",
    String(repeating: "1 + ", count: 10_000) + "1",
    String(repeating: "\"a\" ", count: 10_000),
    String(repeating: "$", count: 10_000) + "0",
  ])
  func awkExpressionsNestWithinALimit(expression: String) throws {
    let fixture = try ShellFixture()
    try Data("BEGIN { print \(expression) }".utf8).write(
      to: URL(fileURLWithPath: fixture.workspace + "/deep.awk"))
    let result = TestSupport.onSmallStack { fixture.ours(#"awk "$(cat deep.awk)""#) }
    #expect(result.stderr == Self.awkTooDeep)
    #expect(result.status == 2)
  }

  @Test func awkStatementsNestWithinALimitAndRunWithinIt() throws {
    let deepIfs = try Self.run(
      "awk 'BEGIN { " + String(repeating: "if (1) ", count: 10_000) + "print 1 }'")
    #expect(deepIfs.stderr == Self.awkTooDeep)
    let blocks = try Self.run(
      "awk 'BEGIN " + String(repeating: "{ ", count: 10_000)
        + String(repeating: "} ", count: 10_000)
        + "'")
    #expect(blocks.stderr == Self.awkTooDeep)
    // At the limit, inside shells nested as deep as they go, it runs.
    let program =
      String(repeating: "if (1) ", count: 14) + "print "
      + String(repeating: "(", count: 14) + String(repeating: "1 + ", count: 28) + "1"
      + String(repeating: ")", count: 14)
    let deepest = try Self.run(
      String(repeating: "( ", count: 30) + "awk 'BEGIN { \(program) }'"
        + String(repeating: " )", count: 30))
    #expect(deepest.stdout == "29\n")
  }

  @Test func testTakesAnyNumberOfNegationsAndConnectives() throws {
    let result = try Self.run(
      "test " + String(repeating: "! ", count: 10_001) + "x; echo $?; [ "
        + String(repeating: "x -a ", count: 10_000) + "x ]; echo $?; [ "
        + String(repeating: "'' -o ", count: 10_000) + "x ]; echo $?")
    #expect(result.stdout == "1\n0\n0\n")
  }

  @Test func directoryWalksStopAtTheDepthLimit() throws {
    let fixture = try ShellFixture()
    let deep = String(repeating: "d/", count: 100)
    try FileManager.default.createDirectory(
      atPath: fixture.workspace + "/" + deep, withIntermediateDirectories: true)
    let commands = [
      "find d | wc -l", "du -s d > /dev/null", "tree d > /dev/null", "grep -r x d",
      "cp -r d e", "tar -cf t.tar d",
    ]
    let results = TestSupport.onSmallStack { commands.map { fixture.ours($0) } }
    let last = "d" + String(repeating: "/d", count: 64)
    #expect(results[0].stdout == "65\n")
    for (command, result) in zip(commands, results) {
      let utility = String(command.prefix { $0 != " " })
      #expect(
        result.stderr
          == "\(utility): '\(last)': the sandbox goes at most 64 directories deep\n", "\(command)")
    }
    #expect(results.map(\.status) == [0, 1, 1, 2, 1, 1])
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
