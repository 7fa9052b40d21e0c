import Foundation
import LabDocker
import LabImage
import LabJSON
import LabTestSupport
import Testing

/// Archives, templates and Dockerfiles a lesson may bring: each once crashed the toolkit or
/// passed silently, and now fails as Docker does.
@Suite("Hostile archives, templates and Dockerfiles")
struct HostileInputTests {
  /// `docker load` of an archive whose `manifest.json` is `manifest`, with a config beside it.
  static func load(_ manifest: String) throws -> CommandResult {
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
}
