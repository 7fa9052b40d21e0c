import Foundation
import LabDocker
import LabImage
import LabJSON
import LabOutput
import LabTestSupport
import Testing

/// Archives, templates and Dockerfiles a lesson may bring: each once crashed the toolkit or
/// passed silently, and now fails as Docker does.
@Suite("Hostile archives, templates and Dockerfiles")
struct HostileInputTests {
  /// `docker load` of an archive whose `manifest.json` is `manifest`, with a config beside it.
  static func load(_ manifest: String) throws -> CommandOutput {
    let scenario = try Scenario()
    try scenario.write("manifest.json", manifest)
    try scenario.write("config.json", #"{"rootfs":{"type":"layers","diff_ids":[]}}"#)
    return TestSupport.onSmallStack { [scenario] in
      var scenario = scenario
      return scenario.run(
        "tar -cf bad.tar manifest.json config.json && docker load -i bad.tar; docker images -q")
    }
  }

  @Test(arguments: [
    (#"{"a":1}"#, "json: cannot unmarshal object into Go value of type []tarexport.manifestItem"),
    (#""x""#, "json: cannot unmarshal string into Go value of type []tarexport.manifestItem"),
    ("null", "invalid manifest, manifest cannot be null (but can be [])"),
    ("[1]", "json: cannot unmarshal number into Go value of type tarexport.manifestItem"),
    (
      #"[{"Config":"config.json","RepoTags":"x"}]"#,
      "json: cannot unmarshal string into Go struct field manifestItem.RepoTags of type []string"
    ),
    (
      #"[{"Config":"config.json","Layers":[true]}]"#,
      "json: cannot unmarshal bool into Go struct field manifestItem.Layers of type string"
    ),
    (
      #"[{"Config":7}]"#,
      "json: cannot unmarshal number into Go struct field manifestItem.Config of type string"
    ),
  ])
  func aManifestOfTheWrongShapeFailsAsDockerDoes(manifest: String, message: String) throws {
    let result = try Self.load(manifest)
    #expect(result.stdout == "")
    #expect(result.stderr == "Error response from daemon: \(message)\n")
    #expect(result.status == 0)  // `docker images -q` ran after it.
    var scenario = try Scenario()
    try scenario.write("manifest.json", manifest)
    #expect(scenario.run("tar -cf bad.tar manifest.json && docker load -i bad.tar").status == 1)
  }

  @Test(arguments: [
    (#"["Bad:1"]"#, "invalid reference format: repository name (library/Bad) must be lowercase"),
    (#"["a b:1"]"#, "invalid reference format"),
    (#"["nginx"]"#, #"invalid tag "nginx""#),
    (
      #"["ok:1", "nginx@sha256:\#(String(repeating: "a", count: 64))"]"#,
      #"invalid tag "nginx@sha256:\#(String(repeating: "a", count: 64))""#
    ),
  ])
  func invalidTagsFailTheLoadAndStoreNothing(tags: String, message: String) throws {
    let result = try Self.load(#"[{"Config":"config.json","RepoTags":\#(tags),"Layers":[]}]"#)
    #expect(result.stdout == "")
    #expect(result.stderr == "Error response from daemon: \(message)\n")
  }

  @Test func aManifestNestedPastTheLimitIsNoCrash() throws {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let result = try Self.load(deep)
    #expect(
      result.stderr
        == "Error response from daemon: invalid JSON: exceeded max depth at offset 100\n"
    )
  }

  /// Runs `lines` after pulling alpine, on a small stack.
  static func withAlpine(_ lines: [String]) throws -> [CommandOutput] {
    let scenario = try Scenario()
    return TestSupport.onSmallStack { [scenario] in
      var scenario = scenario
      _ = scenario.run("docker pull -q alpine")
      return lines.map { scenario.run($0) }
    }
  }

  @Test func templateFunctionsCheckTheirNumbersAsGoAndDockerDo() throws {
    let results = try Self.withAlpine([
      "docker inspect -f '{{slice .Id -9223372036854775808}}' alpine",
      "docker inspect --format '{{slice .Id 7 19}}|{{slice .Id 71}}' alpine",
      "docker inspect -f '{{slice .Id 5 3}}' alpine",
      "docker inspect -f '{{slice .Id 1 2 3}}' alpine",
      "docker image ls --format '{{pad .Repository -1 0}}'",
      "docker image ls --format '{{truncate .Repository -1}}|'",
      "docker image ls --format '{{truncate .Repository 3}}|{{truncate .Repository 99}}'",
      #"docker inspect -f '{{printf "%99999999d" 1}}' alpine"#,
      "docker inspect -f '{{range 100000000000}}x{{end}}' alpine",
    ])
    let at = #"template: :1:2: executing "" at"#
    #expect(
      results.map(\.stderr) == [
        "\(at) <slice .Id -9223372036854775808>: error calling slice: index out of range: -9223372036854775808\n",
        "",
        "\(at) <slice .Id 5 3>: error calling slice: invalid slice index: 5 > 3\n",
        "\(at) <slice .Id 1 2 3>: error calling slice: cannot 3-index slice a string\n",
        "\(at) <pad .Repository -1 0>: error calling pad: strings: negative Repeat count\n",
        "\(at) <truncate .Repository -1>: error calling truncate: runtime error: slice bounds out of range [:-1]\n",
        "", "",
        "template: :1: the sandbox ranges over at most 1000000 items\n",
      ])
    #expect(results.map(\.status) == [1, 0, 1, 1, 1, 1, 0, 0, 1])
    #expect(results[1].stdout == "c1b10a3392ec|\n")
    #expect(results[6].stdout == "alp|alpine\n")
    // Go's fmt: a width past a million is no width, and the rest of the format no verb.
    #expect(results[7].stdout == "%!(NOVERB)%!(EXTRA int=1)\n")
  }

  @Test func templatesNestedPastTheLimitAreParseErrors() throws {
    let count = 5_000
    let parentheses =
      String(repeating: "(", count: count) + ".Id" + String(repeating: ")", count: count)
    let conditionals =
      String(repeating: "{{if 1}}", count: count) + "x" + String(repeating: "{{end}}", count: count)
    let chain = "{{if 0}}" + String(repeating: "{{else if 0}}", count: count) + "{{end}}"
    let scenario = try Scenario()
    try scenario.write("parentheses", "{{" + parentheses + "}}")
    try scenario.write("conditionals", conditionals)
    try scenario.write("chain", chain)
    let results = TestSupport.onSmallStack { [scenario] in
      var scenario = scenario
      _ = scenario.run("docker pull -q alpine")
      return ["parentheses", "conditionals", "chain"].map {
        scenario.run(
          "docker inspect -f \"$(cat \($0))\" alpine; docker image ls --format \"$(cat \($0))\"")
      }
    }
    for result in results {
      #expect(
        result.stderr
          == "template parsing error: template: :1: max expression depth exceeded\n"
          + "template: :1: max expression depth exceeded\n")
    }
    // Within the limit, they run.
    var fine = scenario
    _ = fine.run("docker pull -q alpine")
    let nested = String(repeating: "(", count: 40) + "len .Id" + String(repeating: ")", count: 40)
    #expect(fine.run("docker inspect -f '{{\(nested)}}' alpine").stdout == "71\n")
  }

  @Test(arguments: [
    ("--interval=10000000000s", #"time: invalid duration "10000000000s""#),
    ("--interval=2562047h47m16.854775808s", #"time: invalid duration "2562047h47m16.854775808s""#),
    ("--timeout=10", #"time: missing unit in duration "10""#),
    ("--timeout=5x", #"time: unknown unit "x" in duration "5x""#),
    ("--start-period=0.5ms", #"Interval "start-period" cannot be less than 1ms"#),
    ("--retries=-1", "--retries cannot be negative (-1)"),
    ("--retries=99999999999", #"strconv.ParseInt: parsing "99999999999": value out of range"#),
  ])
  func healthcheckOptionsAreDockerfileParseErrors(option: String, message: String) throws {
    var scenario = try Scenario()
    try scenario.write("Dockerfile", "FROM alpine\nHEALTHCHECK \(option) CMD true\n")
    let buildKit = scenario.run("docker build .")
    #expect(
      buildKit.stderr.hasSuffix(
        "ERROR: failed to solve: dockerfile parse error on line 2: \(message)\n"))
    #expect(buildKit.status == 1)
    let legacy = scenario.run("DOCKER_BUILDKIT=0 docker build .")
    #expect(
      legacy.stderr.hasSuffix(
        "Error response from daemon: dockerfile parse error on line 2: \(message)\n"))
    #expect(legacy.status == 1)
  }

  @Test func healthcheckDurationsReadAsGoReadsThem() throws {
    var scenario = try Scenario()
    try scenario.write(
      "Dockerfile",
      "FROM alpine\nHEALTHCHECK --interval=2562047h47m16.854775807s --timeout=1.5s --retries=3 --start-period=0 CMD true\n"
    )
    let result = scenario.run(
      "docker build -q -t hc . > /dev/null && docker inspect -f '{{json .Config.Healthcheck}}' hc")
    #expect(
      result.stdout
        == #"{"Test":["CMD-SHELL","true"],"Interval":9223372036854775807,"Timeout":1500000000,"Retries":3}"#
        + "\n")
  }

  @Test func aNegativeStageIndexIsNoStage() throws {
    var scenario = try Scenario()
    try scenario.write("Dockerfile", "FROM alpine\nCOPY --from=-1 /etc/os-release /x\n")
    let result = scenario.run("docker build .")
    #expect(
      result.stderr.hasSuffix(
        "ERROR: failed to solve: COPY --from=-1: no such stage in this Dockerfile\n"))
    #expect(result.status == 1)
  }

  @Test func nestedDockerfileVariablesExpandWithinALimit() throws {
    let deep =
      String(repeating: "${x:-", count: 2_000) + "v" + String(repeating: "}", count: 2_000)
    let scenario = try Scenario()
    try scenario.write(
      "Dockerfile", "FROM alpine\nENV SHALLOW=${x:-${y:-${z:-v}}}\nENV DEEP=\(deep)\n")
    let result = TestSupport.onSmallStack { [scenario] in
      var scenario = scenario
      return scenario.run(
        "docker build -q -t deep . > /dev/null; docker inspect -f '{{index .Config.Env 1}}' deep")
    }
    #expect(result.stdout == "SHALLOW=v\n")
    #expect(result.status == 0)
  }

  @Test func aTableOfManyColumnsIsLaidOutWithoutNesting() throws {
    let results = try Self.withAlpine([
      #"docker image ls --format "table {{.Repository}}$(printf '\t%.0s' {1..20000})x" | wc -c"#,
      #"docker image ls --format 'table {{.Repository}}\t{{.Tag}}'"#,
    ])
    #expect(results.map(\.stdout) == ["400010\n", "REPOSITORY   TAG\nalpine       latest\n"])
  }
}
