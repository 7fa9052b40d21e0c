import LabShell
import Testing

@Suite("Parsing command lines")
struct ShellParserTests {
  func simple(_ line: String) throws -> SimpleCommand {
    guard case .simple(let command) = try ShellParser.parse(line) else {
      Issue.record("\(line) is not a simple command")
      return SimpleCommand()
    }
    return command
  }

  @Test(arguments: [
    (
      "echo 'a b' \"c $X\" d\\ e",
      [
        ShellWord([.text("echo", quoted: false)]),
        ShellWord([.text("a b", quoted: true)]),
        ShellWord([
          .text("c ", quoted: true),
          .parameter(name: "X", operation: nil, argument: nil, quoted: true),
        ]),
        ShellWord([.text("d", quoted: false), .text(" ", quoted: true), .text("e", quoted: false)]),
      ]
    ),
    (
      "ls $(pwd)/x `id`",
      [
        ShellWord([.text("ls", quoted: false)]),
        ShellWord([.command("pwd", quoted: false), .text("/x", quoted: false)]),
        ShellWord([.command("id", quoted: false)]),
      ]
    ),
    (
      "echo ${HOME:-/root} $((1+2))",
      [
        ShellWord([.text("echo", quoted: false)]),
        ShellWord([
          .parameter(
            name: "HOME", operation: ":-", argument: ShellWord([.text("/root", quoted: false)]),
            quoted: false)
        ]),
        ShellWord([.arithmetic("1+2", quoted: false)]),
      ]
    ),
  ])
  func wordsKeepTheirQuoting(line: String, words: [ShellWord]) throws {
    #expect(try simple(line).words == words)
  }

  @Test func assignmentsAndRedirections() throws {
    let command = try simple("DOCKER_BUILDKIT=0 docker build . > out.txt 2>&1 < in.txt")
    #expect(command.assignments.map(\.name) == ["DOCKER_BUILDKIT"])
    #expect(command.words.compactMap(\.literalText) == ["docker", "build", "."])
    #expect(command.redirections.map(\.kind) == [.output, .duplicate, .input])
    #expect(command.redirections.map(\.descriptor) == [1, 2, 0])
    #expect(command.redirections.compactMap(\.target.literalText) == ["out.txt", "1", "in.txt"])
  }

  @Test func hereDocumentsTakeTheirBodies() throws {
    let command = try simple("cat > app.py <<'EOF'\nprint(\"$HOME\")\nEOF")
    #expect(command.redirections.last?.kind == .heredoc(body: "print(\"$HOME\")\n", expands: false))
    let tabbed = try simple("cat <<-END\n\tindented\n\tEND")
    #expect(tabbed.redirections.first?.kind == .heredoc(body: "indented\n", expands: true))
  }

  @Test func operatorsBuildTheTree() throws {
    let node = try ShellParser.parse("a | b && c || d; e")
    guard case .sequence(let items) = node, items.count == 2, case .or(let left, _) = items[0],
      case .and(let pipeline, _) = left, case .pipeline(let commands, false) = pipeline
    else {
      Issue.record("unexpected tree \(node)")
      return
    }
    #expect(commands.count == 2)
  }

  @Test func continuationsAndComments() throws {
    let command = try simple("docker build \\\n  -t app . # build it")
    #expect(command.words.compactMap(\.literalText) == ["docker", "build", "-t", "app", "."])
  }

  @Test(arguments: [
    ("echo |", ShellSyntaxError.unexpectedToken("newline")),
    ("| echo", .unexpectedToken("|")),
    ("echo 'open", .unexpectedEnd("'")),
    ("echo $(date", .unexpectedEnd(")")),
    ("a && || b", .unexpectedToken("||")),
    ("echo ;;", .unexpectedToken(";;")),
  ])
  func syntaxErrors(line: String, error: ShellSyntaxError) {
    #expect(throws: error) { _ = try ShellParser.parse(line) }
  }
}
