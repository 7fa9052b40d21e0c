import Foundation
import LabDocker
import Testing

@Suite("Docker's human units")
struct HumanUnitsTests {
  static let sizes: [(Int64, String)] = [
    (0, "0B"), (999, "999B"), (1000, "1kB"), (7800, "7.8kB"), (13_256, "13.3kB"),
    (187_694_648, "188MB"), (125_290_000, "125MB"), (74_760_000, "74.8MB"),
    (999_999, "1e+03kB"), (999_500, "1e+03kB"), (999_499, "999kB"), (1_000_000, "1MB"),
    (4_261_550, "4.26MB"), (1_500_000_000_000, "1.5TB"),
  ]

  static let durations: [(Double, String)] = [
    (0.4, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"),
    (119, "About a minute"), (120, "2 minutes"), (3599, "59 minutes"), (3600, "About an hour"),
    (5399, "About an hour"), (5400, "2 hours"), (47.4 * 3600, "47 hours"),
    (48 * 3600, "2 days"), (13.9 * 86400, "13 days"), (14 * 86400, "2 weeks"),
    (59 * 86400, "8 weeks"), (60 * 86400, "2 months"), (729 * 86400, "24 months"),
    (730 * 86400, "2 years"),
  ]

  @Test(arguments: sizes)
  func sizeWithPrecisionThree(bytes: Int64, text: String) {
    #expect(HumanUnits.size(bytes) == text)
  }

  static let preciseSizes: [(Int64, String)] = [
    (187_694_648, "187.7MB"), (2048, "2.048kB"), (0, "0B"),
  ]

  @Test(arguments: preciseSizes)
  func sizeWithPrecisionFour(bytes: Int64, text: String) {
    #expect(HumanUnits.size(bytes, precision: 4) == text)
  }

  @Test(arguments: durations)
  func duration(seconds: Double, text: String) {
    #expect(HumanUnits.duration(seconds) == text)
  }

  @Test func goFormatG() {
    #expect(HumanUnits.formatG(0.00001234, precision: 3) == "1.23e-05")
    #expect(HumanUnits.formatG(0.0001234, precision: 3) == "0.000123")
    #expect(HumanUnits.formatG(123456, precision: 3) == "1.23e+05")
    #expect(HumanUnits.formatG(7.8, precision: 3) == "7.8")
  }

  @Test func truncatesIDsLikeDocker() {
    #expect(HumanUnits.truncateID("sha256:5ef79149e0ecf2fb4d3a3d2ed87a3b07") == "5ef79149e0ec")
    #expect(HumanUnits.truncateID("<missing>") == "<missing>")
    #expect(HumanUnits.ellipsis("abcdef", 4) == "abc…")
  }
}

@Suite("Go's tabwriter as Docker sets it up")
struct TabWriterTests {
  @Test func padsEveryColumnButTheLast() {
    let text =
      "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nnginx\tlatest\t5ef79149e0ec\t2 weeks ago\t188MB\n"
    #expect(
      TabWriter().format(text) == """
        REPOSITORY   TAG       IMAGE ID       CREATED       SIZE
        nginx        latest    5ef79149e0ec   2 weeks ago   188MB

        """)
  }

  @Test func shortColumnsTakeTheMinimumWidth() {
    #expect(TabWriter().format("A\tB\nx\ty\n") == "A         B\nx         y\n")
  }
}

@Suite("Go templates")
struct GoTemplateTests {
  let image = TemplateValue.structure([
    .init("ID", json: "Id", .string("sha256:abc")),
    .init("RepoTags", .list([.string("nginx:latest"), .string("nginx:1.27.1")])),
    .init(
      "Config",
      .structure([
        .init("Cmd", .list([.string("nginx"), .string("-g"), .string("daemon off;")])),
        .init("Entrypoint", .null(.slice)),
        .init("Labels", .map([("maintainer", .string("NGINX <docker-maint@nginx.com>"))])),
        .init("ExposedPorts", .map([("80/tcp", .structure([]))])),
        .init("Volumes", .null(.map)),
        .init("Healthcheck", .null(.interface)),
      ])),
    .init("Size", .int(188)),
  ])

  func render(_ text: String) throws -> String { try GoTemplate(text).execute(image) }

  @Test(arguments: [
    ("{{.Config.Cmd}}", "[nginx -g daemon off;]"),
    ("{{.Config.Entrypoint}}", "[]"),
    ("{{.Config.Volumes}}", "map[]"),
    ("{{.Config.Healthcheck}}", "<nil>"),
    ("{{.Config.ExposedPorts}}", "map[80/tcp:{}]"),
    ("{{json .Config.ExposedPorts}}", #"{"80/tcp":{}}"#),
    ("{{json .Config.Labels}}", #"{"maintainer":"NGINX <docker-maint@nginx.com>"}"#),
    ("{{json .RepoTags}}", #"["nginx:latest","nginx:1.27.1"]"#),
    ("{{index .RepoTags 1}}", "nginx:1.27.1"),
    ("{{index .Config.Labels \"maintainer\"}}", "NGINX <docker-maint@nginx.com>"),
    ("{{len .RepoTags}}", "2"),
    ("{{join .Config.Cmd \",\"}}", "nginx,-g,daemon off;"),
    ("{{range .RepoTags}}[{{.}}]{{end}}", "[nginx:latest][nginx:1.27.1]"),
    ("{{range $i, $t := .RepoTags}}{{$i}}={{$t}} {{end}}", "0=nginx:latest 1=nginx:1.27.1 "),
    ("{{range $k, $v := .Config.ExposedPorts}}{{$k}}{{end}}", "80/tcp"),
    ("{{if .Config.Entrypoint}}yes{{else}}no{{end}}", "no"),
    ("{{if eq .Size 188}}big{{else if gt .Size 1}}small{{end}}", "big"),
    ("{{.ID | upper}}", "SHA256:ABC"),
    ("{{lower \"ABC\"}} {{upper .ID}}", "abc SHA256:ABC"),
    ("{{printf \"%s has %d tags\" .ID (len .RepoTags)}}", "sha256:abc has 2 tags"),
    ("{{with .Config}}{{.Cmd}}{{end}}", "[nginx -g daemon off;]"),
    ("{{- \" x \" -}}  ", " x "),
    ("{{/* a comment */}}ok", "ok"),
    ("{{$c := .Config}}{{$c.Cmd}}", "[nginx -g daemon off;]"),
    ("{{split \"a:b\" \":\"}}", "[a b]"),
    (
      "{{json .}}",
      #"{"Id":"sha256:abc","RepoTags":["nginx:latest","nginx:1.27.1"],"Config":{"Cmd":["nginx","-g","daemon off;"],"Entrypoint":null,"Labels":{"maintainer":"NGINX <docker-maint@nginx.com>"},"ExposedPorts":{"80/tcp":{}},"Volumes":null,"Healthcheck":null},"Size":188}"#
    ),
  ])
  func renders(template: String, output: String) throws {
    #expect(try render(template) == output)
  }

  @Test func missingFieldsAreExecutionErrors() {
    #expect(throws: TemplateError.self) { _ = try render("{{.Nope}}") }
    #expect(throws: TemplateError.self) { _ = try render("{{.Config.Cmd.Nope}}") }
  }

  @Test(arguments: ["{{.ID", "{{if .ID}}x", "{{end}}", "{{nosuchfunc .ID}}", "{{.ID | }}"])
  func badTemplatesAreParseErrors(template: String) {
    #expect(throws: TemplateError.self) { _ = try GoTemplate(template) }
  }
}
