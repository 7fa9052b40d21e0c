import Foundation
import LabTestSupport
import Testing

/// End-to-end: runs the built `layerlab` as a user would.
@Suite("layerlab exec, store and tour")
struct ExecTests {
  static var binary: String {
    let tests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidate = tests
    // The test bundle sits in the build folder, beside the executable (or one level up).
    for _ in 0..<3 {
      let path = candidate.appendingPathComponent("layerlab").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
      candidate.deleteLastPathComponent()
    }
    return tests.appendingPathComponent("layerlab").path
  }

  func layerlab(_ arguments: [String], store: String, directory: String? = nil) throws -> ToolOutput
  {
    try TestSupport.run(
      Self.binary, arguments,
      environment: ["LAYERLAB_STORE": store, "LAYERLAB_REGISTRY": TestSupport.registryRoot],
      directory: directory)
  }

  @Test func oneWordIsACommandLineManyWordsAreArguments() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let pull = try layerlab(["exec", "--", "docker pull nginx"], store: store)
    #expect(pull.status == 0, "\(pull.stderr)")
    #expect(
      pull.stdout.hasSuffix(
        "Status: Downloaded newer image for nginx:latest\ndocker.io/library/nginx:latest\n"))
    let count = try layerlab(
      ["exec", "--", "docker", "inspect", "-f", "{{len .RootFS.Layers}}", "nginx"], store: store)
    #expect(count.stdout == "7\n")
    let cmd = try layerlab(
      ["exec", "--", "docker inspect -f '{{.Config.Cmd}}' nginx"], store: store)
    #expect(cmd.stdout == "[nginx -g daemon off;]\n")
  }

  @Test func exitStatusAndStreamsAreTheCommands() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let missing = try layerlab(["exec", "--", "docker rmi nosuch"], store: store)
    #expect(missing.status == 1)
    #expect(missing.stdout == "")
    #expect(missing.stderr == "Error response from daemon: No such image: nosuch:latest\n")
    let unknown = try layerlab(["exec", "--", "frobnicate"], store: store)
    #expect(unknown.status == 127)
    #expect(unknown.stderr == "bash: frobnicate: command not found\n")
  }

  @Test func theClockAdvancesPerCommandAndCanBeSet() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    _ = try layerlab(
      ["exec", "--now", "2024-08-14T21:31:20Z", "--", "docker pull -q nginx"], store: store)
    let since = try layerlab(
      ["exec", "--now", "2024-08-14T21:31:20Z", "--", "docker images --format {{.CreatedSince}}"],
      store: store)
    #expect(since.stdout == "8 seconds ago\n")
    let bad = try layerlab(["exec", "--now", "yesterday", "--", "docker images"], store: store)
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("'yesterday' is not a time"))
  }

  @Test(arguments: ["1e19", "nan", "inf", "1e300", "253402300800", "10000-01-01T00:00:00Z"])
  func aTimeTheClockCannotShowIsBadUsage(time: String) throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let message =
      "Error: '\(time)' is not a time: use RFC 3339 (2024-09-01T12:00:00Z) or Unix seconds, in the years 1 to 9999\n"
    let flag = try layerlab(["exec", "--now", time, "--", "date"], store: store)
    #expect(flag.status == 2)
    #expect(flag.stderr.hasPrefix(message))
    let variable = try TestSupport.run(
      Self.binary, ["exec", "--", "date"],
      environment: ["LAYERLAB_STORE": store, "LAYERLAB_NOW": time])
    #expect(variable.status == 2)
    #expect(variable.stderr.hasPrefix(message))
  }

  @Test func theClockRunsToTheEndOfTheYear9999AndStops() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let last = try layerlab(
      ["exec", "--now", "253402300799", "--", "date -u; sleep 1"], store: store)
    #expect(last.stdout == "Fri Dec 31 23:59:59 UTC 9999\n")
    #expect(last.stderr == "sleep: 1: the sandbox's clock stops at the end of the year 9999\n")
    #expect(last.status == 1)
    // The store's clock stays at the last second rather than overflowing.
    #expect(
      try layerlab(["exec", "--", "date -u"], store: store).stdout
        == "Fri Dec 31 23:59:59 UTC 9999\n")
  }

  @Test func storePathResetAndFsck() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    #expect(
      try layerlab(["store", "path"], store: store).stdout
        == "store:     \(store)\nworkspace: \(store)-workspace\n")
    _ = try layerlab(["exec", "--", "docker pull -q alpine"], store: store)
    // A leftover of an interrupted run is cleaned up, and the store is whole.
    try FileManager.default.createDirectory(
      atPath: "\(store)/tmp/overlay-leftover", withIntermediateDirectories: true)
    let fsck = try layerlab(["store", "fsck"], store: store)
    #expect(fsck.status == 0, "\(fsck.stderr)")
    #expect(fsck.stdout.contains("removed leftover"))
    #expect(fsck.stdout.hasSuffix("1 images, 1 layers, 0 containers, 0 problems\n"))
    _ = try layerlab(["store", "reset"], store: store)
    #expect(try layerlab(["exec", "--", "docker images -q"], store: store).stdout == "")
  }

  @Test func theCurrentDirectoryIsNotTheSandboxsUnlessAsked() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let here = try TestSupport.scratchDirectory("cwd")
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: "\(here)/canary.txt"))
    let removed = try layerlab(["exec", "--", "rm canary.txt"], store: store, directory: here)
    #expect(removed.status == 1)
    #expect(FileManager.default.fileExists(atPath: "\(here)/canary.txt"))
    // With --workdir the sandbox may change files there, as its help says.
    let asked = try layerlab(
      ["exec", "--workdir", here, "--", "cat canary.txt"], store: store, directory: here)
    #expect(asked.stdout == "keep me\n")
    let missing = try layerlab(
      ["exec", "--workdir", "\(here)/nowhere", "--", "true"], store: store)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("--workdir \(here)/nowhere: no such directory"))
  }

  @Test func aRelativeStoreWithDotsWorks() throws {
    let parent = try TestSupport.scratchDirectory("e2e")
    let inner = "\(parent)/inner"
    try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
    let pull = try TestSupport.run(
      Self.binary, ["exec", "--store", "../s1", "--", "docker pull -q alpine"],
      environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot], directory: inner)
    #expect(pull.status == 0, "\(pull.stderr)")
    #expect(FileManager.default.fileExists(atPath: "\(parent)/s1/image/overlay2/repositories.json"))
  }

  @Test func execHelpIsHelp() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let help = try layerlab(["exec", "--help"], store: store)
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: layerlab exec"))
  }

  @Test func theTourRuns() throws {
    let store = try TestSupport.scratchDirectory("e2e")
    let tour = try layerlab(["tour"], store: store)
    #expect(tour.status == 0, "\(tour.stderr)")
    #expect(tour.stdout.contains("$ docker pull nginx\nUsing default tag: latest\n"))
    #expect(tour.stdout.contains("nginx        latest    "))
  }
}

@Suite("layerlab check and lint, end to end")
struct CheckCommandTests {
  static let fixtures = "\(TestSupport.packageRoot)/Tests/LabWorkshopTests/Fixtures"

  func layerlab(_ arguments: [String]) throws -> ToolOutput {
    try TestSupport.run(
      ExecTests.binary, arguments,
      environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot, "NO_COLOR": "1"])
  }

  @Test func passingLessonsExitZeroAndWriteReports() throws {
    let directory = try TestSupport.scratchDirectory("check")
    let report = "\(directory)/report.xml"
    let result = try layerlab(
      ["check", "--jobs", "2", "--report", "junit:\(report)"]
        + ["containers.md", "exercises.md", "layers.md"].map { "\(Self.fixtures)/\($0)" })
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasSuffix("43 passed, 0 failed\n"))
    let xml = try String(contentsOfFile: report, encoding: .utf8)
    #expect(
      xml.contains("<testsuite name=\"\(Self.fixtures)/layers.md\" tests=\"10\" failures=\"0\">"))
  }

  @Test func aFailingStepExitsOneAndABadLessonTwo() throws {
    let directory = try TestSupport.scratchDirectory("check")
    try Data("# Wrong\n\n```console\n$ echo hello\ngoodbye\n```\n".utf8).write(
      to: URL(fileURLWithPath: "\(directory)/wrong.md"))
    let failing = try layerlab(["check", "\(directory)/wrong.md"])
    #expect(failing.status == 1)
    #expect(failing.stdout.contains("FAIL line 4: $ echo hello"))
    #expect(failing.stdout.hasSuffix("0 passed, 1 failed\n"))
    try Data("# Bad\n\n<!-- layerlab: frobnicate -->\n".utf8).write(
      to: URL(fileURLWithPath: "\(directory)/bad.md"))
    let bad = try layerlab(["check", "\(directory)/bad.md"])
    #expect(bad.status == 2)
    #expect(
      bad.stdout.contains("\(directory)/bad.md:3: error: unknown directive 'layerlab: frobnicate'"))
    let lint = try layerlab(["lint", "\(directory)/bad.md"])
    #expect(lint.status == 1)
    // Every problem, not only the first: the unknown directive, and the lesson left stepless.
    #expect(
      lint.stdout == """
        \(directory)/bad.md:1:1: warning: the lesson has no steps [LL002]
        \(directory)/bad.md:3:1: error: unknown directive 'layerlab: frobnicate' [LL001]
        2 problems

        """)
    let missing = try layerlab(["check", "\(directory)/nowhere.md"])
    #expect(missing.status == 2)
    #expect(missing.stderr == "Error: \(directory)/nowhere.md: no such file or directory\n")
    #expect(try layerlab(["check", "--jobs", "0", "\(directory)/wrong.md"]).status == 2)
    #expect(try layerlab(["check", "--frobnicate"]).status == 2)
    // A binary file is no lesson: the line of its first byte that is not UTF-8.
    try Data("# Binary\n\n".utf8 + [0xFF, 0xFE, 0x00] + "\n".utf8).write(
      to: URL(fileURLWithPath: "\(directory)/binary.md"))
    let binary = try layerlab(["check", "\(directory)/binary.md"])
    #expect(binary.status == 2)
    #expect(
      binary.stdout.contains(
        "\(directory)/binary.md:3: error: this is not UTF-8 text; a lesson is a markdown file"))
  }

  @Test func aLessonWithNoStepsSaysSo() throws {
    let directory = try TestSupport.scratchDirectory("check")
    try Data("# Prose\n\nNothing to run here.\n".utf8).write(
      to: URL(fileURLWithPath: "\(directory)/prose.md"))
    let result = try layerlab(["check", "\(directory)/prose.md"])
    #expect(
      result.stdout.contains("\(directory)/prose.md:1:1: warning: the lesson has no steps [LL002]"))
  }

  @Test(.enabled(if: TestSupport.seedLesson != nil, "../shared/seed is not beside this clone"))
  func theSeedLessonPasses() throws {
    let seed = try #require(TestSupport.seedLesson)
    let result = try layerlab(["check", seed])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.hasSuffix("13 passed, 0 failed\n"))
  }
}

extension CheckCommandTests {
  /// Three small lessons that pass, in a folder of their own.
  static func threeLessons() throws -> String {
    let directory = try TestSupport.scratchDirectory("check")
    for name in ["a", "b", "c"] {
      try Data("# \(name)\n\n```console\n$ echo hi\nhi\n```\n".utf8).write(
        to: URL(fileURLWithPath: "\(directory)/\(name).md"))
    }
    return directory
  }

  @Test(arguments: ["json", "junit", "tap"])
  func aLessonThatCrashesIsAnErrorAndTheOthersRun(format: String) throws {
    let directory = try Self.threeLessons()
    let report = "\(directory)/report.\(format)"
    let result = try TestSupport.run(
      ExecTests.binary, ["check", "--jobs", "2", "--report", "\(format):\(report)", directory],
      environment: [
        "LAYERLAB_REGISTRY": TestSupport.registryRoot, "NO_COLOR": "1",
        "LAYERLAB_WORKER_FAULT": "b.md",
      ])
    #expect(result.status == 2)
    #expect(result.stdout.hasSuffix("2 passed, 0 failed\n"), "\(result.stdout)")
    #expect(result.stdout.contains("\(directory)/b.md\n  error: LayerLab crashed on this lesson"))
    let text = try String(contentsOfFile: report, encoding: .utf8)
    #expect(text.contains("LayerLab crashed on this lesson (signal 4, Illegal instruction)"))
    #expect(text.contains("\(directory)/c.md"))
  }

  @Test func aReportNeverReplacesALesson() throws {
    let directory = try Self.threeLessons()
    let lesson = "\(directory)/a.md"
    let before = try String(contentsOfFile: lesson, encoding: .utf8)
    let result = try layerlab(["check", "--report", "junit:\(lesson)", lesson, "\(directory)/b.md"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("a report would overwrite a lesson"))
    #expect(try String(contentsOfFile: lesson, encoding: .utf8) == before)
    // Nor any markdown file that exists, lesson or not.
    try Data("# notes\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/notes.md"))
    let notes = try layerlab(["check", "--report", "json:\(directory)/notes.md", lesson])
    #expect(notes.status == 2)
    #expect(try String(contentsOfFile: "\(directory)/notes.md", encoding: .utf8) == "# notes\n")
    // The old spelling is refused, not taken for a lesson.
    #expect(try layerlab(["check", "--report", "junit", lesson]).status == 2)
  }
}

@Suite("layerlab shell")
struct ShellCommandTests {
  @Test func aSessionKeepsItsDirectoryAndEndsAtExit() throws {
    let store = try TestSupport.scratchDirectory("shell")
    let workspace = try TestSupport.scratchDirectory("shell-home")
    let result = try TestSupport.run(
      ExecTests.binary, ["shell", "--workdir", workspace],
      input: "cd /tmp\npwd\nsudo -i\nwhoami\nexit\nwhoami\necho hi > note.txt\nexit\necho never\n",
      environment: ["LAYERLAB_STORE": store, "LAYERLAB_REGISTRY": TestSupport.registryRoot])
    #expect(result.status == 0)
    #expect(
      result.stdout
        == "learner@layerlab:~$ learner@layerlab:/tmp$ /tmp\nlearner@layerlab:/tmp$ root@layerlab:/tmp# root\n"
        + "root@layerlab:/tmp# learner@layerlab:/tmp$ learner\nlearner@layerlab:/tmp$ learner@layerlab:/tmp$ "
    )
    // /tmp is the store's scratch space, and it persists between sessions.
    let again = try TestSupport.run(
      ExecTests.binary, ["shell", "--workdir", workspace], input: "cat /tmp/note.txt\n",
      environment: ["LAYERLAB_STORE": store, "LAYERLAB_REGISTRY": TestSupport.registryRoot])
    #expect(again.stdout.contains("hi\n"))
  }

  @Test func anOpenLoopOrQuoteGoesOnAtTheSecondPrompt() throws {
    let result = try TestSupport.run(
      ExecTests.binary, ["shell", "--workdir", try TestSupport.scratchDirectory("shell-home")],
      input: "for i in 1 2\ndo echo $i\ndone\necho \"a\nb\"\n",
      environment: [
        "LAYERLAB_STORE": try TestSupport.scratchDirectory("shell"),
        "LAYERLAB_REGISTRY": TestSupport.registryRoot,
      ])
    #expect(
      result.stdout
        == "learner@layerlab:~$ > > 1\n2\nlearner@layerlab:~$ > a\nb\nlearner@layerlab:~$ ")
  }

  @Test func aHereDocumentTypedAtThePromptIsReadToItsDelimiter() throws {
    let result = try TestSupport.run(
      ExecTests.binary, ["shell", "--workdir", try TestSupport.scratchDirectory("shell-home")],
      input:
        "cat <<EOF > note.txt\nhello there\nEOF\ncat <<-'END'\n\tstripped $HOME\n\tEND\ncat note.txt\n",
      environment: [
        "LAYERLAB_STORE": try TestSupport.scratchDirectory("shell"),
        "LAYERLAB_REGISTRY": TestSupport.registryRoot,
      ])
    #expect(result.stderr == "", "\(result.stderr)")
    #expect(
      result.stdout
        == "learner@layerlab:~$ > > learner@layerlab:~$ > > stripped $HOME\nlearner@layerlab:~$ hello there\nlearner@layerlab:~$ "
    )
  }
}

/// `kill -9` at any moment of a command that writes the store leaves it whole: no image half
/// listed, nothing `store fsck` finds wrong, no temporary file in the workspace.
@Suite("Killed runs corrupt nothing")
struct KillTests {
  @Test func killingAtRandomMomentsLeavesTheStoreWhole() throws {
    let root = try TestSupport.scratchDirectory("kill")
    let store = "\(root)/store"
    let workspace = "\(root)/work"
    try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
    try Data("FROM alpine\nRUN echo built > /built\nCOPY . /app\n".utf8).write(
      to: URL(fileURLWithPath: "\(workspace)/Dockerfile"))
    let line =
      "docker pull -q nginx; docker build -q -t built .; docker run built cat /built; "
      + "docker run -d -p 8080:80 nginx; docker commit $(docker ps -lq) snap; "
      + "docker save -o out.tar built nginx; docker rm -f $(docker ps -aq); docker rmi -f built snap"
    var generator = SystemRandomNumberGenerator()
    for trial in 0..<12 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: ExecTests.binary)
      process.arguments = ["exec", "--store", store, "--workdir", workspace, "--", line]
      process.environment = ["LAYERLAB_REGISTRY": TestSupport.registryRoot, "HOME": root]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // Any moment will do: the assertions hold whenever the kill lands.
      usleep(UInt32.random(in: 0...(trial < 6 ? 150_000 : 600_000), using: &generator))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      let fsck = try TestSupport.run(
        ExecTests.binary, ["store", "fsck", "--store", store],
        environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot])
      #expect(fsck.status == 0, "trial \(trial): \(fsck.stdout)\(fsck.stderr)")
      #expect(fsck.stdout.hasSuffix(", 0 problems\n"), "trial \(trial): \(fsck.stdout)")
      // Every image and container listed is whole enough to inspect.
      let ids = try TestSupport.run(
        ExecTests.binary, ["exec", "--store", store, "--", "docker images -q; docker ps -aq"],
        environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot, "HOME": root])
      for id in ids.stdout.split(separator: "\n") {
        let inspect = try TestSupport.run(
          ExecTests.binary, ["exec", "--store", store, "--", "docker", "inspect", String(id)],
          environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot, "HOME": root])
        #expect(inspect.status == 0, "trial \(trial): \(id) \(inspect.stderr)")
      }
      let names = try FileManager.default.contentsOfDirectory(atPath: workspace)
      #expect(Set(names).isSubset(of: ["Dockerfile", "out.tar"]), "trial \(trial): \(names)")
    }
  }
}

@Suite("layerlab record, end to end")
struct RecordCommandTests {
  static let lesson = """
    # Stale

    ```console
    $ printf 'alpha\\nbeta\\n'
    alpha
    BETA
    $ docker pull -q alpine
    docker.io/library/alpine:latest
    ```
    """

  func run(_ arguments: [String]) throws -> ToolOutput {
    try TestSupport.run(
      ExecTests.binary, arguments, environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot])
  }

  @Test func diffWritesNothingAndRecordWritesTheChange() throws {
    let path = try TestSupport.scratchDirectory("record") + "/lesson.md"
    try Data(Self.lesson.utf8).write(to: URL(fileURLWithPath: path))
    let diff = try run(["record", "--diff", path])
    #expect(diff.status == 0)
    #expect(diff.stdout.contains("\n-BETA\n+beta\n"), "\(diff.stdout)")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.lesson)
    let record = try run(["record", path])
    #expect(record.stdout == "\(path): 1 output recorded\n")
    #expect(
      try String(contentsOfFile: path, encoding: .utf8)
        == Self.lesson.replacingOccurrences(of: "BETA", with: "beta"))
    #expect(try run(["record", path]).stdout == "\(path): up to date\n")
  }

  @Test func interactiveTakesOnlyTheChangesTheAuthorAccepts() throws {
    let path = try TestSupport.scratchDirectory("record-interactive") + "/lesson.md"
    let lesson = Self.lesson + "\n```console\n$ echo one\nONE\n```\n"
    try Data(lesson.utf8).write(to: URL(fileURLWithPath: path))
    let run = try TestSupport.run(
      ExecTests.binary, ["record", "--interactive", path], input: "n\ny\n",
      environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot])
    #expect(run.stdout.contains("-BETA\n+alpha\n+beta\nTake this change? [y]es, [n]o, [q]uit: "))
    #expect(run.stdout.hasSuffix("\(path): 1 output recorded\n"))
    #expect(
      try String(contentsOfFile: path, encoding: .utf8)
        == lesson.replacingOccurrences(of: "ONE", with: "one"))
  }

  @Test func aKilledRecordLeavesTheLessonWhole() throws {
    let path = try TestSupport.scratchDirectory("record-kill") + "/lesson.md"
    let recorded = Self.lesson.replacingOccurrences(of: "BETA", with: "beta")
    var generator = SystemRandomNumberGenerator()
    for trial in 0..<6 {
      try Data(Self.lesson.utf8).write(to: URL(fileURLWithPath: path))
      let process = Process()
      process.executableURL = URL(fileURLWithPath: ExecTests.binary)
      process.arguments = ["record", path]
      process.environment = ["LAYERLAB_REGISTRY": TestSupport.registryRoot]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 0...250_000, using: &generator))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      let text = try String(contentsOfFile: path, encoding: .utf8)
      #expect(text == Self.lesson || text == recorded, "trial \(trial): \(text)")
    }
  }
}

@Suite("layerlab lint, end to end")
struct LintCommandTests {
  /// Ten kinds of problem, each once.
  static let lesson = """
    # Ten problems

    Create `missing.txt` and run it.

    <!-- layerlab: clock yesterday -->

    ```console
    $ docker pull -q nosuchimage
    $ frobnicate --all
    $ docker tag alpine <your-name>/alpine
    $ docker rmi 0123456789ab
    ```

    ```dockerfile title="Dockerfile"
    FROM alpine
    ```

    ```text
    orphan output
    ```

    ## Exercise

    <!-- layerlab: exercise -->

    Do something.

    ```verify
    docker rmi alpine
    ```
    """

  func lint(_ arguments: [String]) throws -> ToolOutput {
    try TestSupport.run(
      ExecTests.binary, ["lint"] + arguments,
      environment: ["LAYERLAB_REGISTRY": TestSupport.registryRoot])
  }

  @Test func everyProblemOnceInEveryFormat() throws {
    let directory = try TestSupport.scratchDirectory("lint")
    let path = "\(directory)/ten.md"
    try Data(Self.lesson.utf8).write(to: URL(fileURLWithPath: path))
    let text = try lint([path])
    #expect(text.status == 1)
    let codes = text.stdout.split(separator: "\n").compactMap { line -> String? in
      guard line.hasSuffix("]"), let open = line.lastIndex(of: "[") else { return nil }
      return String(line[line.index(after: open)..<line.index(before: line.endIndex)])
    }
    #expect(
      codes == [
        "LL005", "LL003", "LL007", "LL006", "LL008", "LL004", "LL009", "LL011", "LL012", "LL013",
      ], "\(text.stdout)")
    #expect(text.stdout.hasSuffix("10 problems\n"))
    let json = try lint(["--format", "json", path])
    let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
    #expect(parsed?.compactMap { $0["code"] as? String } == codes)
    let github = try lint(["--format", "github", path])
    let annotations = github.stdout.split(separator: "\n")
    #expect(annotations.count == 10)
    #expect(
      annotations[1]
        == "::error file=\(path),line=5,col=1,title=LL003::'yesterday' is not a time in the years 1 to 9999"
    )
    #expect(annotations[7].hasPrefix("::warning file=\(path),line=24,col=1,title=LL011::"))
    #expect(annotations[8].hasPrefix("::notice "))
  }

  @Test func warningsPassUnlessStrictAndAnEmptyFolderIsNoCourse() throws {
    let directory = try TestSupport.scratchDirectory("lint")
    let path = "\(directory)/warn.md"
    try Data("# W\n\n```console\n$ frobnicate\n```\n".utf8).write(to: URL(fileURLWithPath: path))
    #expect(try lint([path]).status == 0)
    #expect(try lint(["--strict", path]).status == 1)
    let empty = try TestSupport.scratchDirectory("lint-empty")
    let lintEmpty = try lint([empty])
    let checkEmpty = try TestSupport.run(ExecTests.binary, ["check", empty])
    #expect(lintEmpty.status == 2)
    #expect(checkEmpty.status == 2)
    #expect(lintEmpty.stderr == checkEmpty.stderr)
  }
}
