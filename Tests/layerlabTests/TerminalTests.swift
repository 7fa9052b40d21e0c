import Foundation
import LabTestSupport
import Testing

/// A real terminal, driven as a person would drive it: keys sent through tmux, the screen read
/// back.
struct TerminalSession {
  let socket = "layerlab-\(UUID().uuidString.prefix(8))"
  let tmux: String

  /// Starts `command` in a detached tmux window of `width` columns.
  init(_ command: String, width: Int = 80, height: Int = 40) throws {
    tmux = try #require(TestSupport.tool("tmux"))
    // The tmux server lives on after this call: it must not hold the pipes the test reads,
    // and its start is waited for by the C library, as a shell would.
    // The window stays after the program ends, to read what it printed last.
    let quoted = [
      tmux, "-L", socket, "new-session", "-d", "-s", "t", "-x", "\(width)", "-y",
      "\(height)", command, ";", "set-option", "-t", "t", "remain-on-exit", "on",
    ].map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let status = system(quoted.joined(separator: " ") + " </dev/null >/dev/null 2>&1")
    #expect(status == 0)
  }

  func keys(_ keys: String...) throws {
    _ = try TestSupport.run(tmux, ["-L", socket, "send-keys", "-t", "t"] + keys)
  }

  /// Types text literally, then Enter.
  func type(_ text: String, enter: Bool = true) throws {
    _ = try TestSupport.run(tmux, ["-L", socket, "send-keys", "-t", "t", "-l", text])
    if enter { try keys("Enter") }
  }

  func screen() throws -> String {
    try TestSupport.run(tmux, ["-L", socket, "capture-pane", "-p", "-t", "t", "-S", "-200"]).stdout
  }

  /// The screen once it shows `text`; what it shows after 20 seconds otherwise.
  @discardableResult
  func waitFor(_ text: String, count: Int = 1) throws -> String {
    var shown = ""
    for _ in 0..<400 {
      shown = try screen()
      if shown.components(separatedBy: text).count - 1 >= count { return shown }
      usleep(50_000)
    }
    Issue.record("the screen never showed \(text):\n\(shown)")
    return shown
  }

  /// Whether the program in the window is still running.
  func isRunning() throws -> Bool {
    let panes = try TestSupport.run(
      tmux, ["-L", socket, "list-panes", "-t", "t", "-F", "#{pane_dead} #{pane_current_command}"])
    return panes.status == 0 && !panes.stdout.hasPrefix("1")
  }

  func close() {
    _ = try? TestSupport.run(tmux, ["-L", socket, "kill-server"])
  }
}

@Suite(
  "The stepper and the shell in a real terminal",
  .enabled(if: TestSupport.tool("tmux") != nil, "tmux is not installed"), .serialized)
struct TerminalTests {
  static func environment(_ data: String) -> String {
    "env NO_COLOR=1 XDG_DATA_HOME=\(data) LAYERLAB_REGISTRY=\(TestSupport.registryRoot) TERM=xterm"
  }

  @Test func aLearnerStepsThroughAndComesBack() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let lesson = "\(directory)/short.md"
    try Data(RunTests.lesson.utf8).write(to: URL(fileURLWithPath: lesson))
    let command = "\(Self.environment(directory + "/data")) \(ExecTests.binary) run \(lesson)"
    let terminal = try TerminalSession(command)
    defer { terminal.close() }
    try terminal.waitFor("$ docker pull -q alpine")
    // The first step with Enter.
    try terminal.keys("Enter")
    try terminal.waitFor("docker.io/library/alpine:latest")
    // The second too, then the third typed by hand with the lesson's ID pasted in.
    try terminal.waitFor("$ docker images -q alpine")
    try terminal.keys("Enter")
    try terminal.waitFor("✓ matches the lesson", count: 2)
    try terminal.type("docker inspect -f '{{.Id}}' 0123456789ab")
    let matched = try terminal.waitFor("✓ matches the lesson", count: 3)
    #expect(matched.contains("the lesson's 0123456789ab is "))
    // A hint, then Ctrl-D: the progress is kept.
    try terminal.type(":hint")
    try terminal.waitFor("hint: press Enter to create the file")
    try terminal.keys("C-d")
    try terminal.waitFor("Your progress is saved")
    terminal.close()

    let again = try TerminalSession(command)
    defer { again.close() }
    let resumed = try again.waitFor("Create note.txt")
    #expect(resumed.contains("Welcome back: you are at step 4."))
  }

  @Test func ctrlCCancelsTheLineAndTheShellLivesOn() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let command =
      "\(Self.environment(directory + "/data")) \(ExecTests.binary) shell --store \(directory)/store"
    let terminal = try TerminalSession(command, width: 60)
    defer { terminal.close() }
    try terminal.waitFor("learner@layerlab:~$")
    try terminal.type("echo half-typed", enter: false)
    try terminal.keys("C-c")
    try terminal.waitFor("half-typed^C")
    try terminal.type("echo still here")
    try terminal.waitFor("\nstill here")
    // Ctrl-C stops a running loop, and the shell goes on.
    try terminal.type("while true; do :; done")
    try terminal.keys("C-c")
    try terminal.type("echo after the loop")
    try terminal.waitFor("\nafter the loop")
    #expect(try terminal.isRunning())
  }

  /// Ctrl-C as the shell takes the terminal back, between a command and its prompt, reaches
  /// the line editor as a signal, not a key: the line is cancelled and the shell stays.
  @Test(.enabled(if: TestSupport.tool("pgrep") != nil))
  func anInterruptAtThePromptCancelsTheLineAndTheShellStays() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let command =
      "\(Self.environment(directory + "/data")) \(ExecTests.binary) shell --store \(directory)/store"
    let terminal = try TerminalSession(command, width: 60)
    defer { terminal.close() }
    try terminal.waitFor("learner@layerlab:~$")
    let pgrep = try #require(TestSupport.tool("pgrep"))
    let found = try TestSupport.run(
      pgrep, ["-f", "^\(ExecTests.binary) shell --store \(directory)/store$"])
    let pid = try #require(Int32(found.stdout.split(separator: "\n").first ?? ""))
    #expect(kill(pid, SIGINT) == 0)
    try terminal.waitFor("learner@layerlab:~$ ^C")
    try terminal.type("echo still here")
    try terminal.waitFor("\nstill here")
    #expect(try terminal.isRunning())
  }

  @Test func aPullTheRegistryLacksNamesItsImagesAtTheShellAndTheStepper() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let shell = try TerminalSession(
      "\(Self.environment(directory + "/data")) \(ExecTests.binary) shell --store \(directory)/store",
      width: 200)
    defer { shell.close() }
    try shell.waitFor("learner@layerlab:~$")
    try shell.type("docker pull nosuch")
    let screen = try shell.waitFor("layerlab: the embedded registry has ")
    #expect(
      screen.contains(
        "requested access to the resource is denied\nlayerlab: the embedded registry has alpine, busybox, debian, hello-world, nginx, node, python, ubuntu\n"
      ), "\(screen)")
    // A pull that works adds nothing.
    try shell.type("docker pull -q busybox")
    let pulled = try shell.waitFor("docker.io/library/busybox:latest\n")
    #expect(pulled.components(separatedBy: "the embedded registry has").count - 1 == 1)

    let lesson = "\(directory)/short.md"
    try Data(RunTests.lesson.utf8).write(to: URL(fileURLWithPath: lesson))
    let stepper = try TerminalSession(
      "\(Self.environment(directory + "/data")) \(ExecTests.binary) run \(lesson)", width: 200)
    defer { stepper.close() }
    try stepper.waitFor("$ docker pull -q alpine")
    try stepper.type("docker pull alpine:9")
    let stepped = try stepper.waitFor("layerlab: the embedded registry has ")
    #expect(
      stepped.contains(
        "manifest for alpine:9 not found: manifest unknown: manifest unknown\nlayerlab: the embedded registry has alpine:3, alpine:3.20, alpine:3.20.2, alpine:latest\n"
      ), "\(stepped)")
  }

  @Test func aLongLineAtSixtyColumnsShowsOnce() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let command =
      "\(Self.environment(directory + "/data")) \(ExecTests.binary) shell --store \(directory)/store"
    let terminal = try TerminalSession(command, width: 60)
    defer { terminal.close() }
    try terminal.waitFor("learner@layerlab:~$")
    let marker = "MARK"
    let long = "echo " + marker + String(repeating: "x", count: 141)
    try terminal.type(long, enter: false)
    try terminal.keys("Home")
    try terminal.keys("End")
    try terminal.keys("Left", "Left", "BSpace", "DC")
    try terminal.keys("End")
    try terminal.type("END", enter: false)
    let screen = try terminal.waitFor("xxxEND")
    #expect(screen.components(separatedBy: marker).count - 1 == 1, "\(screen)")
    // No `~` from an unbound Home or End key: the prompt's is the only one.
    #expect(screen.components(separatedBy: "~").count - 1 == 1, "\(screen)")
  }

  static let exerciseLesson = """
    # Names

    ```console
    $ docker pull -q busybox
    docker.io/library/busybox:latest
    ```

    ## Your turn

    <!-- layerlab: exercise A second name -->

    Give busybox the name `tools:1.0` too.

    ```verify
    docker image inspect tools:1.0 >/dev/null 2>&1 || { echo "no tools:1.0 yet"; exit 1; }
    ```

    ```hint
    First hint: an image may have many names.
    ```

    ```hint
    Second hint: docker tag.
    ```

    ```solution
    docker tag busybox tools:1.0
    ```

    ## Done

    That was it.
    """

  @Test func aLearnerSolvesAnExerciseTheirOwnWay() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let lesson = "\(directory)/names.md"
    try Data(Self.exerciseLesson.utf8).write(to: URL(fileURLWithPath: lesson))
    let command = "\(Self.environment(directory + "/data")) \(ExecTests.binary) run \(lesson)"
    let terminal = try TerminalSession(command)
    defer { terminal.close() }
    try terminal.waitFor("$ docker pull -q busybox")
    try terminal.keys("Enter")
    try terminal.waitFor("Exercise: A second name")
    try terminal.type(":hint")
    try terminal.waitFor("hint 1 of 2: First hint")
    try terminal.type(":hint")
    let hints = try terminal.waitFor("hint 2 of 2: Second hint")
    let first = try #require(hints.range(of: "hint 1 of 2"))
    let second = try #require(hints.range(of: "hint 2 of 2"))
    #expect(first.lowerBound < second.lowerBound)
    // Not the model's way: a Dockerfile and a build.
    try terminal.type("printf 'FROM busybox\\n' > Dockerfile")
    try terminal.waitFor("not solved yet: no tools:1.0 yet")
    try terminal.type("docker build -q -t tools:1.0 .")
    try terminal.waitFor("✓ solved: A second name")
    try terminal.waitFor("You solved it in 2 commands; the model solution takes 1.")
    try terminal.waitFor("That was it.")
    try terminal.waitFor("Exercises solved: 1 of 1.")
  }

  @Test func aLearnerGoesIntoAContainerAndComesBack() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let command =
      "\(Self.environment(directory + "/data")) \(ExecTests.binary) shell --store \(directory)/store"
    let terminal = try TerminalSession(command)
    defer { terminal.close() }
    try terminal.waitFor("learner@layerlab:~$")
    try terminal.type("docker run -it --name box alpine sh")
    try terminal.waitFor("\n/ #")
    try terminal.type("cd /tmp && echo inside > note")
    try terminal.waitFor("/tmp #")
    try terminal.type("exit")
    try terminal.waitFor("learner@layerlab:~$", count: 2)
    try terminal.type("docker diff box")
    let screen = try terminal.waitFor("A /tmp/note")
    #expect(screen.contains("C /tmp\nA /tmp/note"), "\(screen)")
  }

  @Test func watchChecksTheLessonAgainWhenItIsSaved() throws {
    let directory = try TestSupport.scratchDirectory("tmux")
    let lesson = "\(directory)/watched.md"
    try Data("# W\n\n```console\n$ echo one\none\n```\n".utf8).write(
      to: URL(fileURLWithPath: lesson))
    let command = "\(Self.environment(directory + "/data")) \(ExecTests.binary) watch \(lesson)"
    let terminal = try TerminalSession(command)
    defer { terminal.close() }
    try terminal.waitFor("✓ all 1 steps pass")
    // The author saves a change; the watcher sees it.
    try Data("# W\n\n```console\n$ echo one\ntwo\n```\n".utf8).write(
      to: URL(fileURLWithPath: lesson))
    let screen = try terminal.waitFor("0 passed, 1 failed; the first difference:")
    #expect(screen.contains("FAIL line 4: $ echo one"))
    let passed = try #require(screen.range(of: "✓ all 1 steps pass", options: .backwards))
    let failed = try #require(screen.range(of: "FAIL line 4", options: .backwards))
    #expect(passed.lowerBound < failed.lowerBound)
    try terminal.keys("C-c")
  }
}
