import Foundation

extension TestSupport {
  /// Every path under `root` with its type, size and content digest, for checking that an
  /// operation left a directory exactly as it was.
  public static func treeSnapshot(_ root: String) -> [String: String] {
    var snapshot: [String: String] = [:]
    guard let walker = FileManager.default.enumerator(atPath: root) else { return snapshot }
    while let relative = walker.nextObject() as? String {
      let path = "\(root)/\(relative)"
      let attributes = try? FileManager.default.attributesOfItem(atPath: path)
      let type = attributes?[.type] as? FileAttributeType
      switch type {
      case .typeSymbolicLink?:
        snapshot[relative] =
          "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
      case .typeDirectory?:
        snapshot[relative] = "dir"
      default:
        let data = FileManager.default.contents(atPath: path) ?? Data()
        snapshot[relative] = "file \(data.count) \(data.hashValue)"
      }
    }
    return snapshot
  }
}
