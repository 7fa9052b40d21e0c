import LabDocker
import LabOutput
import Testing

/// Standard output and standard error reach a terminal, or `2>&1`, in the order written.
@Suite("The order of the two output streams")
struct StreamOrderTests {
  @Test func theLegacyBuildersNoticeComesFirst() throws {
    let fixture = try ShellFixture()
    let result = fixture.ours("DOCKER_BUILDKIT=0 docker build -q . 2>&1 | head -1")
    #expect(
      result.stdout
        == "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
    )
    let failed = fixture.ours(
      "printf 'FROM alpine\\nRUN false\\n' > Dockerfile; DOCKER_BUILDKIT=0 docker build . 2>&1")
    #expect(failed.stdout.hasPrefix("DEPRECATED:"))
    #expect(
      failed.stdout.hasSuffix(
        "The command '/bin/sh -c false' returned a non-zero code: 1\n"))
  }

  @Test func aFailedPullPrintsItsHeaderBeforeTheError() throws {
    let result = try ShellFixture().ours("docker pull nosuch")
    #expect(
      result.interleaved
        == "Using default tag: latest\nError response from daemon: pull access denied for nosuch, "
        + "repository does not exist or may require 'docker login': denied: requested access to "
        + "the resource is denied\n")
  }

  @Test func aCommandsOwnOrderSurvivesAPipeAndARedirection() throws {
    let fixture = try ShellFixture()
    let result = fixture.ours("{ echo one; ls absent; echo three; } | cat; echo four >&2")
    #expect(
      result.interleaved
        == "ls: cannot access 'absent': No such file or directory\none\nthree\nfour\n")
    let file = fixture.ours("{ echo one; ls absent; echo three; } > out.txt 2>&1; cat out.txt")
    #expect(
      file.stdout == "one\nls: cannot access 'absent': No such file or directory\nthree\n")
  }
}
