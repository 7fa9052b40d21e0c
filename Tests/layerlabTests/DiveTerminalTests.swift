import Foundation
import LabTestSupport
import Testing

/// `dive` full screen in the sandbox shell, driven through tmux as a person drives it.
@Suite(
  "dive in a real terminal",
  .enabled(if: TestSupport.tool("tmux") != nil, "tmux is not installed"), .serialized)
struct DiveTerminalTests {
  static let dockerfile = """
    FROM alpine:3.20
    RUN seq 1 20000 > /big.txt
    COPY app.txt /srv/app.txt
    RUN rm /big.txt

    """

  /// A shell over a fresh store whose workspace holds the Dockerfile and `app.txt`, with
  /// `demo:later` built.
  static func shell(width: Int = 120, height: Int = 40) throws -> TerminalSession {
    let directory = try TestSupport.scratchDirectory("tmux-dive")
    let workspace = directory + "/work"
    try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
    try Data(dockerfile.utf8).write(to: URL(fileURLWithPath: workspace + "/Dockerfile"))
    try Data("hello from the app\n".utf8).write(to: URL(fileURLWithPath: workspace + "/app.txt"))
    let command =
      "\(TerminalTests.environment(directory + "/data")) \(ExecTests.binary) shell "
      + "--store \(directory)/store --workdir \(workspace)"
    let terminal = try TerminalSession(command, width: width, height: height)
    try terminal.waitFor("learner@layerlab:~$")
    try terminal.type("docker build -q -t demo:later . && echo built")
    try terminal.waitFor("\nbuilt")
    return terminal
  }

  @Test func theThirdLayerAddedOnlyShowsTheCopiedFileAndQLeaves() throws {
    let terminal = try Self.shell()
    defer { terminal.close() }
    try terminal.type("dive demo:later")
    let opened = try terminal.waitFor("Current Layer Contents")
    #expect(opened.contains("● Layers"))
    #expect(opened.contains("Image efficiency score: 98 %"))
    // The first layer is alpine: its files, unchanged.
    #expect(opened.contains("busybox"))
    // Down twice: the third layer, the COPY.
    try terminal.keys("Down", "Down")
    try terminal.waitFor("Size:   19 B")
    // To the file tree, and hide what is not added: unmodified, modified, removed.
    try terminal.keys("Tab")
    try terminal.waitFor("● Current Layer Contents")
    try terminal.keys("C-u")
    try terminal.keys("C-m")
    try terminal.keys("C-r")
    let added = try terminal.waitFor("└── app.txt")
    #expect(!added.contains("busybox"), "\(added)")
    #expect(added.contains("└── srv"))
    // Ctrl-A now hides the added file too.
    try terminal.keys("C-a")
    var hidden = try terminal.screen()
    for _ in 0..<100 where hidden.contains("── app.txt") {
      usleep(50_000)
      hidden = try terminal.screen()
    }
    #expect(!hidden.contains("── app.txt"), "\(hidden)")
    #expect(!hidden.contains("── srv"), "\(hidden)")
    // q leaves: the shell's screen is back, with what dive printed before its view.
    try terminal.keys("q")
    let back = try terminal.waitFor("Building cache...")
    #expect(!back.contains("Current Layer Contents"))
    try terminal.type("echo still here")
    try terminal.waitFor("\nstill here")
    #expect(try terminal.isRunning())
  }

  @Test func ctrlCLeavesAndTheTerminalIsRestoredAtAnyWidth() throws {
    let terminal = try Self.shell(width: 60, height: 20)
    defer { terminal.close() }
    try terminal.type("dive demo:later")
    try terminal.waitFor("Current Layer Contents")
    // Wider: the view redraws at the new size.
    _ = try TestSupport.run(
      terminal.tmux, ["-L", terminal.socket, "resize-window", "-t", "t", "-x", "100", "-y", "30"])
    let wide = try terminal.waitFor("Show aggregated changes")
    #expect(wide.contains("Image Details"))
    try terminal.keys("C-c")
    try terminal.waitFor("Building cache...")
    // The terminal is cooked again: typed text echoes, and the line editor reads it.
    try terminal.type("echo after dive")
    try terminal.waitFor("\nafter dive")
    // Not a terminal: the plain report, through a pipe, in the same shell.
    try terminal.type("dive demo:later | grep -c Layer")
    try terminal.waitFor("\n4\n")
  }

  static let lesson = """
    # A look inside busybox

    ```console
    $ docker pull -q busybox
    docker.io/library/busybox:latest
    ```

    ```console
    $ dive busybox
    Image name: busybox
    Total Image size: 4.3 MB
    Potential wasted space: 0 B
    Image efficiency score: 100 %
    ...
    ```

    ## Done

    That was it.
    """

  @Test func aStepThatShowsDivesOutputGetsThePlainReportInTheStepper() throws {
    let directory = try TestSupport.scratchDirectory("tmux-dive")
    let path = "\(directory)/dive.md"
    try Data(Self.lesson.utf8).write(to: URL(fileURLWithPath: path))
    let command =
      "\(TerminalTests.environment(directory + "/data")) \(ExecTests.binary) run \(path)"
    let terminal = try TerminalSession(command)
    defer { terminal.close() }
    try terminal.waitFor("$ docker pull -q busybox")
    try terminal.keys("Enter")
    try terminal.waitFor("$ dive busybox")
    try terminal.keys("Enter")
    // Compared with the lesson, not drawn full screen.
    let shown = try terminal.waitFor("✓ matches the lesson", count: 2)
    #expect(shown.contains("Image efficiency score: 100 %"))
    #expect(!shown.contains("Current Layer Contents"))
  }
}
