/// A path found in more than one layer (or removed in a later one), and what it costs.
public struct Inefficiency: Equatable, Sendable {
  public var path: String
  /// How many layers hold the path (a removal counts).
  public var count: Int
  /// The bytes of every copy of the path, removals counting the size they removed.
  public var cumulativeSize: Int64

  public init(path: String, count: Int, cumulativeSize: Int64) {
    self.path = path
    self.count = count
    self.cumulativeSize = cumulativeSize
  }
}

/// dive's analysis of an image: its size, the space its layers waste, and the efficiency score.
public struct DiveAnalysis: Sendable {
  public var image: DiveImage
  /// The minimum bytes each path needs over the bytes its copies take, from 0 to 1.
  public var efficiency: Double
  public var sizeBytes: UInt64
  /// The bytes of every layer but the first (the base image's bottom layer).
  public var userSizeBytes: UInt64
  /// The cumulative bytes of the inefficient paths.
  public var wastedBytes: UInt64
  /// Wasted bytes over user bytes; NaN for an image of one layer, as in dive.
  public var wastedUserPercent: Double
  /// The inefficient paths, smallest first.
  public var inefficiencies: [Inefficiency]

  public init(_ image: DiveImage) {
    self.image = image
    (efficiency, inefficiencies) = Self.efficiency(image.trees)
    var size: UInt64 = 0
    var user: UInt64 = 0
    for layer in image.layers {
      size &+= layer.size
      if layer.index != 0 { user &+= layer.size }
    }
    sizeBytes = size
    userSizeBytes = user
    wastedBytes = inefficiencies.reduce(0) { $0 &+ UInt64(bitPattern: $1.cumulativeSize) }
    wastedUserPercent = Double(wastedBytes) / Double(user)
  }

  /// dive's `filetree.Efficiency`: every leaf of every layer is one sighting of its path; a
  /// whiteout sights the path with the size of what it removed.
  static func efficiency(_ trees: [FileTree]) -> (Double, [Inefficiency]) {
    struct Data {
      var path: String
      var count = 0
      var cumulative: Int64 = 0
      var minimum: Int64 = -1
    }
    var order: [String] = []
    var table: [String: Data] = [:]
    var inefficient: [String] = []
    for (current, tree) in trees.enumerated() {
      // Stacking is only needed for whiteouts; it is made once per layer on first need.
      var below: FileTree?
      let isLeaf = { (index: Int) in tree.isLeaf(index) }
      tree.visitChildFirst(where: isLeaf) { index in
        let path = tree.path(index)
        if table[path] == nil {
          table[path] = Data(path: path)
          order.append(path)
        }
        var size: Int64 = 0
        if tree[index].isWhiteout {
          if below == nil { below = FileTree.stacked(trees, 0, current - 1) }
          guard let stacked = below, let previous = stacked.node(at: path) else {
            // dive stops the layer's walk when a whiteout removes nothing.
            return false
          }
          if stacked[previous].info.isDir {
            stacked.visitChildFirst(from: previous) { node in
              size += stacked[node].info.size
              return true
            }
          }
        } else {
          size = tree[index].info.size
        }
        var data = table[path] ?? Data(path: path)
        data.cumulative += size
        if data.minimum < 0 || size < data.minimum { data.minimum = size }
        data.count += 1
        table[path] = data
        if data.count == 2 { inefficient.append(path) }
        return true
      }
    }
    var minimum: Int64 = 0
    var discovered: Int64 = 0
    for path in order {
      guard let data = table[path] else { continue }
      minimum += data.minimum
      discovered += data.cumulative
    }
    let score = discovered == 0 ? 1.0 : Double(minimum) / Double(discovered)
    let found = inefficient.compactMap { path in
      table[path].map {
        Inefficiency(path: $0.path, count: $0.count, cumulativeSize: $0.cumulative)
      }
    }
    return (score, GoSort.sorted(found) { $0.cumulativeSize < $1.cumulativeSize })
  }
}
