import Foundation
import LabLesson
import LabSnapshot

/// Sizes in a `docker images` table for the images the lesson builds itself.
///
/// Pulled base images are miniatures, so their sizes may differ from the author's freely. An
/// image the lesson builds holds what the lesson put in it: if its size is off by more than
/// twice, the build did something else than the lesson's (a file missing, a layer too many),
/// and a passing step would hide it.
enum BuiltImageSizes {
  /// The differences, one for each built image whose size is off by more than twice.
  static func differences(expected: Expectation, actual: String, built: Set<String>)
    -> [Difference]
  {
    guard !built.isEmpty else { return [] }
    let wanted = sizes(in: expected.text)
    let got = sizes(in: actual)
    var found: [Difference] = []
    for (image, size) in wanted.sorted(by: { $0.key < $1.key }) where built.contains(image) {
      guard let actualSize = got[image], size.bytes > 0, actualSize.bytes > 0 else { continue }
      let ratio = max(size.bytes, actualSize.bytes) / min(size.bytes, actualSize.bytes)
      guard ratio > 2 else { continue }
      found.append(
        Difference(
          kind: .semantic, expected: size.text, actual: actualSize.text,
          reason:
            "\(image), which the lesson builds, is \(actualSize.text) here but \(size.text) in the lesson: more than twice apart",
          expectedLine: size.line))
    }
    return found
  }

  /// Each image's size in a `docker images` table, by `repository:tag`.
  static func sizes(in text: String) -> [String: (text: String, bytes: Double, line: Int)] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let headerIndex = lines.firstIndex(where: { $0.hasPrefix("REPOSITORY") }) else {
      return [:]
    }
    let header = columns(lines[headerIndex])
    guard let tagColumn = header.firstIndex(of: "TAG"), header.last?.hasSuffix("SIZE") == true
    else { return [:] }
    var result: [String: (String, Double, Int)] = [:]
    for (index, line) in lines.enumerated().dropFirst(headerIndex + 1) {
      let cells = columns(line)
      guard cells.count > tagColumn, let sizeText = cells.last, let bytes = self.bytes(sizeText)
      else { continue }
      result["\(cells[0]):\(cells[tagColumn])"] = (sizeText, bytes, index)
    }
    return result
  }

  /// A table row's cells: text between runs of two or more spaces.
  static func columns(_ line: String) -> [String] {
    line.split(separator: "  ", omittingEmptySubsequences: true).map {
      String($0).trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
  }

  /// `7.8MB`, `130 MB`, `2.05kB`, `512B` in bytes (Docker's decimal units).
  static func bytes(_ text: String) -> Double? {
    guard let match = text.wholeMatch(of: #/([0-9]+(?:\.[0-9]+)?) ?([kKMGT]?B)/#),
      let number = Double(match.output.1)
    else { return nil }
    let scale: Double =
      switch match.output.2.uppercased() {
      case "KB": 1e3
      case "MB": 1e6
      case "GB": 1e9
      case "TB": 1e12
      default: 1
      }
    return number * scale
  }
}
