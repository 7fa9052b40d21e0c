import Foundation
import LabDive
import LabFiles
import LabImage
import LabOutput
import LabShell
import LabTestSupport
import Testing

/// `dive` in the sandbox shell: `--ci` with dive 0.13's text and exit codes, `.dive-ci`,
/// `CI=true`, `--json`, and its errors.
@Suite("dive in the sandbox")
struct DiveCommandTests {
  static let preamble = """
    Image Source: docker://demo:later
    Extracting image from docker-engine... (this can take a while for large images)
    Analyzing image...

    """

  @Test func ciFailsAnImageThatDeletesInALaterLayer() throws {
    var fixture = try DiveFixture(build: ["later"])
    let result = fixture.session.run("dive demo:later --ci")
    #expect(result.status == 1)
    #expect(result.stderr == "")
    // efficiency 7797699 / 7906593 = 98.6227 %; 108894 / 108913 = 99.9826 % of user bytes.
    #expect(
      result.stdout == "  Using default CI config\n" + Self.preamble + """
          efficiency: 98.6227 %
          wastedBytes: 108894 bytes (109 kB)
          userWastedPercent: 99.9826 %
        Inefficient Files:
        Count  Wasted Space  File Path
            2        109 kB  /big.txt
        Results:
          FAIL: highestUserWastedPercent: too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.9998255488325545 > threshold=0.1)
          SKIP: highestWastedBytes: rule disabled
          PASS: lowestEfficiency
        Result:FAIL [Total:3] [Passed:1] [Failed:1] [Warn:0] [Skipped:1]


        """)
  }

  @Test func ciPassesTheSameWorkDoneInOneRun() throws {
    var fixture = try DiveFixture(build: ["same"])
    let result = fixture.session.run("dive demo:same --ci")
    #expect(result.status == 0)
    #expect(
      result.stdout == """
          Using default CI config
        Image Source: docker://demo:same
        Extracting image from docker-engine... (this can take a while for large images)
        Analyzing image...
          efficiency: 100.0000 %
          wastedBytes: 0 bytes (0 B)
          userWastedPercent: 0.0000 %
        Inefficient Files:
        Count  Wasted Space  File Path
        None
        Results:
          PASS: highestUserWastedPercent
          SKIP: highestWastedBytes: rule disabled
          PASS: lowestEfficiency
        Result:PASS [Total:3] [Passed:2] [Failed:0] [Warn:0] [Skipped:1]


        """)
  }

  @Test func rulesComeFromFlagsThenTheCIFileThenDefaults() throws {
    var fixture = try DiveFixture(build: ["later"])
    // Flags alone: a looser percentage passes, a byte limit below 108894 fails.
    let flags = fixture.session.run(
      "dive --ci --highestUserWastedPercent=1 --highestWastedBytes 100kB demo:later")
    #expect(flags.status == 1)
    #expect(
      flags.stdout.contains(
        """
        Results:
          PASS: highestUserWastedPercent
          FAIL: highestWastedBytes: too many bytes wasted (wasted-bytes=108894 > threshold=100000)
          PASS: lowestEfficiency
        Result:FAIL [Total:3] [Passed:2] [Failed:1] [Warn:0] [Skipped:0]
        """))
    // A .dive-ci file in the workspace, read by CI=true as by --ci; 0.99 is above 0.986.
    _ = fixture.session.run(
      "printf 'rules:\\n  lowestEfficiency: 0.99\\n  highestWastedBytes: disabled\\n  highestUserWastedPercent: 1.0\\n' > .dive-ci"
    )
    let file = fixture.session.run("CI=true dive demo:later")
    #expect(file.status == 1)
    #expect(
      file.stdout.hasPrefix("  Using CI config: .dive-ci\nImage Source: docker://demo:later\n"))
    #expect(
      file.stdout.contains(
        """
          PASS: highestUserWastedPercent
          SKIP: highestWastedBytes: rule disabled
          FAIL: lowestEfficiency: image efficiency is too low (efficiency=0.9862274433501257 < threshold=0.99)
        Result:FAIL [Total:3] [Passed:1] [Failed:1] [Warn:0] [Skipped:1]
        """))
    // A flag given on the command line wins over the file.
    let both = fixture.session.run("dive demo:later --ci --lowestEfficiency 0.5")
    #expect(both.status == 0, "\(both.stdout)")
    #expect(
      both.stdout.contains("Result:PASS [Total:3] [Passed:2] [Failed:0] [Warn:0] [Skipped:1]"))
  }

  @Test func aRuleOutOfRangeIsMisconfigured() throws {
    var fixture = try DiveFixture(build: ["same"])
    let result = fixture.session.run("dive demo:same --ci --lowestEfficiency=2")
    #expect(result.status == 1)
    #expect(
      result.stdout.hasSuffix(
        """
        Inefficient Files:
        Count  Wasted Space  File Path
        None
        Results:
          CONFIGURED   : highestUserWastedPercent: test
          CONFIGURED   : highestWastedBytes: rule disabled
          MISCONFIGURED: lowestEfficiency: lowestEfficiency config value is outside allowed range (0-1), given '2'
        CI Misconfigured


        """))
  }

  @Test func jsonWritesDivesExport() throws {
    var fixture = try DiveFixture(build: ["later"])
    let result = fixture.session.run("dive demo:later --json report.json")
    #expect(result.status == 0)
    #expect(result.stdout == Self.preamble + "Exporting image to 'report.json'...\n")
    let data = try Data(contentsOf: URL(fileURLWithPath: fixture.workspace + "/report.json"))
    let text = String(decoding: data, as: UTF8.self)
    // Go's MarshalIndent with two spaces, fields in dive's order.
    #expect(
      text.hasPrefix("{\n  \"layer\": [\n    {\n      \"index\": 0,\n      \"id\": \"blobs\",\n"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let image = try #require(json["image"] as? [String: Any])
    #expect(image["sizeBytes"] as? Int == 7_906_593)
    #expect(image["inefficientBytes"] as? Int == 108_894)
    // 7797699 / 7906593 with the shortest digits that read back the same, as Go writes it.
    #expect(text.contains("\"efficiencyScore\": 0.9862274433501257,\n"))
    let references = try #require(image["fileReference"] as? [[String: Any]])
    #expect(references.count == 1)
    #expect(references.first?["file"] as? String == "/big.txt")
    #expect(references.first?["count"] as? Int == 2)
    let layers = try #require(json["layer"] as? [[String: Any]])
    #expect(layers.map { $0["sizeBytes"] as? Int } == [7_797_680, 108_894, 19, 0])
    let removal = try #require(layers[3]["fileList"] as? [[String: Any]])
    #expect(removal.first?["path"] as? String == ".wh.big.txt")
  }

  @Test func withoutATerminalDivePrintsThePlainReport() throws {
    var fixture = try DiveFixture(build: ["later"])
    let result = fixture.session.run("dive demo:later")
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("Image name: demo:later\nTotal Image size: 7.9 MB\n"))
    // Piped, the same report.
    let piped = fixture.session.run("dive demo:later | tail -n 3")
    #expect(
      piped.stdout
        == "Inefficient files:\nCount   Total Space  Path\n    2        109 kB  /big.txt\n")
  }

  @Test func errorsAreDivesAndNeverReachTheHost() throws {
    var fixture = try DiveFixture(build: [])
    let missing = fixture.session.run("dive")
    #expect(missing.status == 1)
    #expect(missing.stdout == "No image argument given\n")
    let unknown = fixture.session.run("dive --frobnicate demo")
    #expect(unknown.status == 1)
    #expect(unknown.stderr.hasPrefix("Error: unknown flag: --frobnicate\n"))
    // An image the store lacks is pulled, as dive asks Docker to; the registry has no demo.
    let absent = fixture.session.run("dive demo:nothing")
    #expect(absent.status == 1)
    #expect(
      absent.stdout.hasPrefix(
        "The image is not available locally. Trying to pull 'demo:nothing'...\n"))
    #expect(absent.stderr.hasSuffix("cannot fetch image\nexit status 1\n"))
    // One the registry has is pulled and analysed.
    let pulled = fixture.session.run("dive alpine:3.20 --ci")
    #expect(pulled.status == 0, "\(pulled.stdout)")
    #expect(pulled.stdout.contains("Status: Downloaded newer image for alpine:3.20\n"))
    // The export is written inside the sandbox or not at all: the store is read-only.
    let store = fixture.session.run("dive alpine:3.20 --json /var/lib/docker/out.json")
    #expect(store.status == 1)
    #expect(store.stderr.hasPrefix("cannot open export file\nopen /var/lib/docker/out.json: "))
    let tmp = fixture.session.run("dive alpine:3.20 --json /tmp/../../out.json && ls /out.json")
    #expect(tmp.status != 0 || !FileManager.default.fileExists(atPath: "/out.json"))
    // Inside a container, as in a build, there is no dive.
    let inside = fixture.session.run("docker run --rm alpine:3.20 dive alpine")
    #expect(inside.status == 127)
    #expect(fixture.session.run("dive --version").stdout == "dive 0.13.1\n")
  }
}
