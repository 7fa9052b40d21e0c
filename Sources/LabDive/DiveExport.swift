import Foundation
import LabJSON

/// dive's `--json` export: each layer's files, and the image's size, score and wasted paths.
public enum DiveExport {
  /// The document as dive's `json.MarshalIndent(…, "", "  ")` writes it.
  public static func json(_ analysis: DiveAnalysis) -> String {
    let layers = analysis.image.layers.map { layer -> JSONValue in
      var files: [JSONValue] = []
      layer.tree.visitChildFirst { index in
        files.append(fileInfo(layer.tree[index].info))
        return true
      }
      return .object([
        ("index", .int(layer.index)),
        ("id", .string(layer.id)),
        ("digestId", .string(layer.digest)),
        ("sizeBytes", .int(layer.size)),
        ("command", .string(layer.command)),
        ("fileList", .array(files)),
      ])
    }
    let references = analysis.inefficiencies.reversed().map { file -> JSONValue in
      .object([
        ("count", .int(file.count)),
        ("sizeBytes", .int(UInt64(bitPattern: file.cumulativeSize))),
        ("file", .string(file.path)),
      ])
    }
    let document = JSONValue.object([
      ("layer", .array(layers)),
      (
        "image",
        .object([
          ("sizeBytes", .int(analysis.sizeBytes)),
          ("inefficientBytes", .int(analysis.wastedBytes)),
          ("efficiencyScore", .number(jsonFloat(analysis.efficiency))),
          ("fileReference", .array(references)),
        ])
      ),
    ])
    return document.indented("  ", escapingHTML: true)
  }

  private static func fileInfo(_ info: DiveFileInfo) -> JSONValue {
    .object([
      ("path", .string(info.path)),
      ("typeFlag", .int(info.typeFlag)),
      ("linkName", .string(info.linkName)),
      ("size", .int(info.size)),
      ("fileMode", .int(info.mode)),
      ("uid", .int(info.uid)),
      ("gid", .int(info.gid)),
      ("isDir", .bool(info.isDir)),
    ])
  }

  /// A float as Go's `encoding/json` writes one: shortest digits, an exponent only below 1e-6
  /// or from 1e21 on.
  static func jsonFloat(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let magnitude = abs(value)
    if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
      return Humanize.goFloat(value).replacingOccurrences(of: "e-0", with: "e-")
    }
    return Humanize.goFloat(value, exponent: false)
  }
}
