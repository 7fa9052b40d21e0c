extension DiveAnalysis {
  /// The tree dive shows for a selection: layers `bottom` stacked, then each of `top` compared
  /// and marked on them (dive's `Comparer`).
  public func comparedTree(bottom: ClosedRange<Int>, top: ClosedRange<Int>) -> FileTree {
    let trees = image.trees
    var tree = FileTree.stacked(trees, bottom.lowerBound, bottom.upperBound)
    for index in top { tree.compareAndMark(trees[index]) }
    return tree
  }

  /// What layer `index` changed: for the first layer, everything it adds to an empty tree.
  public func changes(ofLayer index: Int) -> FileTree {
    if index == 0 {
      var tree = FileTree()
      tree.compareAndMark(image.trees[0])
      return tree
    }
    return comparedTree(bottom: 0...(index - 1), top: index...index)
  }

  /// The plain report `dive IMAGE` prints when its output is not a terminal: the image's
  /// details, then one block per layer (size, digest, instruction, and the paths it added
  /// `+`, modified `~` and removed `-` as a tree), then the inefficient files.
  public func plainReport() -> String {
    var out = "Image name: \(image.name)\n"
    out += "Total Image size: \(Humanize.bytes(sizeBytes))\n"
    out += "Potential wasted space: \(Humanize.bytes(wastedBytes))\n"
    out += "Image efficiency score: \(Int(100.0 * efficiency)) %\n"
    for layer in image.layers {
      out += "\nLayer \(layer.index + 1) of \(image.layers.count)  \(Humanize.bytes(layer.size))"
      out += layer.digest.isEmpty ? "\n" : "  \(layer.digest)\n"
      out += layer.command + "\n"
      let lines = Self.changeLines(changes(ofLayer: layer.index))
      out += lines.isEmpty ? "  (no changes)\n" : lines.joined(separator: "\n") + "\n"
    }
    out += "\nInefficient files:\n"
    if inefficiencies.isEmpty {
      out += "  (none)\n"
    } else {
      out += "Count   Total Space  Path\n"
      for file in inefficiencies.reversed() {
        out +=
          Humanize.leftPad(String(file.count), 5) + "  "
          + Humanize.leftPad(Humanize.bytes(UInt64(max(0, file.cumulativeSize))), 12) + "  "
          + file.path + "\n"
      }
    }
    return out
  }

  /// The changed nodes of a marked tree and the directories leading to them, drawn as a
  /// tree with a mark per line; a removed directory is one line with what it held.
  static func changeLines(_ tree: FileTree) -> [String] {
    var changed = Set<Int>()
    func collect(_ index: Int) -> Bool {
      var any = tree[index].diff != .unmodified && index != FileTree.root
      if tree[index].diff == .removed {
        changed.insert(index)
        return true
      }
      for child in tree.sortedChildren(index) where collect(child) { any = true }
      if any { changed.insert(index) }
      return any
    }
    _ = collect(FileTree.root)
    var lines: [String] = []
    func draw(_ index: Int, _ prefix: String) {
      let children = tree.sortedChildren(index).filter { changed.contains($0) }
      for (position, child) in children.enumerated() {
        let node = tree[child]
        let last = position == children.count - 1
        let mark: String
        switch node.diff {
        case .added: mark = "+"
        case .modified: mark = "~"
        case .removed: mark = "-"
        case .unmodified: mark = " "
        }
        var text = node.name
        if node.info.typeFlag == DiveFileInfo.typeSymlink
          || node.info.typeFlag == DiveFileInfo.typeHardLink
        {
          text += " → " + node.info.linkName
        }
        let isDirectory = node.info.isDir || !node.children.isEmpty
        if isDirectory { text += "/" }
        if !isDirectory || node.diff == .removed {
          text += "  " + Humanize.bytes(UInt64(max(0, tree.displaySize(child))))
        }
        lines.append(mark + " " + prefix + (last ? "└── " : "├── ") + text)
        if node.diff != .removed { draw(child, prefix + (last ? "    " : "│   ")) }
      }
    }
    draw(FileTree.root, "")
    return lines
  }
}
