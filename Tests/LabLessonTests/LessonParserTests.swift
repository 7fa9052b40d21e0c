import LabLesson
import LabTestSupport
import Testing

@Suite("Markdown lessons into steps")
struct LessonParserTests {
  func parse(_ text: String) throws -> [Step] {
    try LessonParser.parse(text, path: "lesson.md").steps
  }

  func commands(_ steps: [Step]) -> [(String, String?, MatchMode?)] {
    steps.compactMap {
      guard case .command(let step) = $0 else { return nil }
      return (step.command, step.expected?.text, step.expected?.mode)
    }
  }

  @Test func shellBlockThenUntaggedOutput() throws {
    let steps = try parse(
      "Run it:\n\n```sh\ndocker image ls\n```\n\nYou will see:\n\n```\nREPOSITORY   TAG\n```\n")
    let found = commands(steps)
    #expect(found.count == 1)
    #expect(found[0].0 == "docker image ls")
    #expect(found[0].1 == "REPOSITORY   TAG\n")
    #expect(found[0].2 == .normal)
  }

  @Test func consoleTranscriptWithPrompts() throws {
    let text = """
      ```console
      $ docker pull -q alpine
      docker.io/library/alpine:latest

      $ docker images -q
      6d3d3e211680
      ```
      """
    let found = commands(try parse(text))
    #expect(found.map(\.0) == ["docker pull -q alpine", "docker images -q"])
    #expect(found.map(\.1) == ["docker.io/library/alpine:latest\n", "6d3d3e211680\n"])
  }

  @Test func consoleWithoutPromptsIsOutput() throws {
    let text = "```bash\ndocker images -q\n```\n\n```console\n6d3d3e211680\n```\n"
    #expect(commands(try parse(text)).first?.1 == "6d3d3e211680\n")
  }

  @Test func untaggedBlockWithDollarAndRootPrompts() throws {
    let text = "```\n$ whoami\nlearner\n```\n\n```console\n# whoami\nroot\n```\n"
    let found = commands(try parse(text))
    #expect(found.map(\.0) == ["whoami", "whoami"])
    #expect(found.map(\.1) == ["learner\n", "root\n"])
  }

  @Test func rootPromptsInBashBlocksNeedACommand() throws {
    let found = commands(try parse("```bash\n# docker images -q\n6d3d3e211680\n```\n"))
    #expect(found.map(\.0) == ["docker images -q"])
    #expect(found.first?.1 == "6d3d3e211680\n")
    let commented = commands(
      try parse("```bash\n# Fetch the image first\ndocker pull alpine\n```\n"))
    #expect(commented.map(\.0) == ["docker pull alpine"])
  }

  @Test func fullPromptsAsBlogsPrintThem() throws {
    let text = """
      ```shell-session
      user@host:~$ docker pull -q alpine
      docker.io/library/alpine:latest
      root@box:/srv# whoami
      root
      [user@host site]$ ls
      index.html
      ~/site$ pwd
      /home/learner/site
      Mac:~ ann$ echo hi
      hi
      % docker images -q
      6d3d3e211680
      % of the layers are shared
      ```
      """
    let found = commands(try parse(text))
    #expect(
      found.map(\.0) == [
        "docker pull -q alpine", "whoami", "ls", "pwd", "echo hi", "docker images -q",
      ])
    #expect(found.last?.1 == "6d3d3e211680\n% of the layers are shared\n")
  }

  @Test func statusLinesAsCramAndTrycmdWriteThem() throws {
    let text = """
      ```console
      $ docker rmi nosuch
      Error response from daemon: No such image: nosuch:latest
      [1]
      $ false
      [1]
      $ docker pull -q alpine
      ? success
      docker.io/library/alpine:latest
      $ cat nothing
      ? failed
      ```
      """
    let expected = try parse(text).compactMap { step -> LabLesson.Expectation? in
      guard case .command(let command) = step else { return nil }
      return command.expected
    }
    #expect(expected.map(\.status) == [.code(1), .code(1), .success, .failure])
    #expect(
      expected.map(\.text) == [
        "Error response from daemon: No such image: nosuch:latest\n", "",
        "docker.io/library/alpine:latest\n", "",
      ])
  }

  @Test func continuationsStayForTheShell() throws {
    let text = "```console\n$ docker image inspect alpine \\\n>   --format '{{.Os}}'\nlinux\n```\n"
    let found = commands(try parse(text))
    #expect(found.map(\.0) == ["docker image inspect alpine \\\n  --format '{{.Os}}'"])
    #expect(found.first?.1 == "linux\n")
  }

  @Test func everyLineOfAPromptlessBlockIsAStep() throws {
    let text =
      "```bash\n# a comment\ndocker pull alpine\ndocker tag alpine \\\n  mine:1\ncat > f.txt <<EOF\nhello\nEOF\n```\n"
    let found = commands(try parse(text))
    #expect(
      found.map(\.0) == [
        "docker pull alpine", "docker tag alpine \\\n  mine:1", "cat > f.txt <<EOF\nhello\nEOF",
      ])
  }

  @Test(arguments: ["text", "plaintext", "output", "json"])
  func outputTags(tag: String) throws {
    let found = commands(try parse("```sh\necho '{}'\n```\n\n```\(tag)\n{}\n```\n"))
    #expect(found.first?.1 == "{}\n")
  }

  @Test func proseNamesACommand() throws {
    let text = """
      ```sh
      docker build -t example .
      ```

      If you now run `docker image ls`, you will see something like:

      ```
      REPOSITORY
      ```
      """
    let found = commands(try parse(text))
    #expect(found.map(\.0) == ["docker build -t example .", "docker image ls"])
    #expect(found[0].1 == nil)
    #expect(found[1].2 == .approximate)
  }

  @Test(arguments: [
    ("First, let's create a simple application `app.py`:\n\n```python\nprint(1)\n```\n", "app.py"),
    ("Next, let's create a `Dockerfile`:\n\n```\nFROM alpine\n```\n", "Dockerfile"),
    ("Put these two files in a folder. `index.html`:\n\n```html\n<p>hi</p>\n```\n", "index.html"),
    ("```python title=\"app.py\"\nprint(1)\n```\n", "app.py"),
    ("```yaml file=compose.yaml\nservices: {}\n```\n", "compose.yaml"),
    ("<!-- layerlab: file conf/site.conf -->\n```\nlisten 80;\n```\n", "conf/site.conf"),
  ])
  func fileSteps(text: String, path: String) throws {
    let steps = try parse(text)
    guard case .file(let found, _, _) = steps.first else {
      Issue.record("no file step in \(text)")
      return
    }
    #expect(found == path)
  }

  @Test(arguments: [
    ("the output will be approximately as follows:", MatchMode.approximate),
    ("you will see something similar to this:", .approximate),
    ("Among other things, this will include the following output:", .excerpt),
    ("The output will be:", .normal),
  ])
  func leadInModes(prose: String, mode: MatchMode) throws {
    let found = commands(try parse("```sh\ndocker images\n```\n\n\(prose)\n\n```\nx\n```\n"))
    #expect(found.first?.2 == mode)
  }

  @Test func directivesSharpen() throws {
    let text = """
      <!-- layerlab: clock 2024-09-01T12:00:00Z -->
      <!-- layerlab: skip -->
      ```sh
      docker run nginx
      ```

      <!-- layerlab: expect exact -->
      ```sh
      $ echo hi
      hi
      ```
      """
    let steps = try parse(text)
    guard case .clock(let time, _) = steps.first else {
      Issue.record("no clock step")
      return
    }
    #expect(time == "2024-09-01T12:00:00Z")
    let found = commands(steps)
    #expect(found.map(\.0) == ["echo hi"])
    #expect(found.first?.2 == .exact)
  }

  @Test(arguments: [
    (
      "<!-- layerlab: frobnicate -->\n",
      "lesson.md:1: error: unknown directive 'layerlab: frobnicate'"
    ),
    (
      "<!-- layerlab: expect loosely -->\n",
      "lesson.md:1: error: expect takes exact, approximate or excerpt, not 'loosely'"
    ),
  ])
  func badLessonsNameTheLine(text: String, message: String) {
    #expect {
      _ = try LessonParser.parse(text, path: "lesson.md")
    } throws: { error in
      (error as? LessonError)?.description == message
    }
  }

  @Test func emphasisNestedAsDeeplyAsTheTextAsksIsRead() throws {
    // 600 KB of `*a `, as a fuzzer wrote it, then the same closed: cmark nests the emphasis
    // 100,000 deep.
    let open = String(repeating: "*a ", count: 200_000)
    let nested =
      String(repeating: "*a ", count: 100_000) + "b" + String(repeating: " a*", count: 100_000)
    for prose in [open, nested] {
      let text = "# Stars\n\n\(prose)\n\n```sh\necho hi\n```\n"
      let lesson = try TestSupport.onSmallStack { () -> Result<Lesson, LessonError> in
        do throws(LessonError) {
          return .success(try LessonParser.parse(text, path: "stars.md"))
        } catch {
          return .failure(error)
        }
      }.get()
      #expect(commands(lesson.steps).map(\.0) == ["echo hi"])
    }
    let blocks = TestSupport.onSmallStack { MarkdownReader.blocks(nested) }
    guard case .paragraph(let text, _, _) = blocks.first else {
      Issue.record("no paragraph")
      return
    }
    #expect(
      text == String(repeating: "a ", count: 100_000) + "b"
        + String(repeating: " a", count: 100_000))
  }
}
