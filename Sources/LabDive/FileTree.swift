import Foundation

/// How a path in a layer compares with the layers below it.
public enum DiffType: Int, Sendable, Equatable {
  case unmodified, modified, added, removed

  /// dive's merge: the same type stays, anything else makes the parent modified.
  func merge(_ other: DiffType) -> DiffType { self == other ? self : .modified }
}

/// A file tree as dive keeps one per layer: nodes by name under their parent, whiteouts kept
/// as nodes named `.wh.NAME`, opaque markers dropped.
///
/// Nodes live in one array and refer to each other by index, so a tree is a value.
public struct FileTree: Sendable {
  public struct Node: Sendable {
    public var name: String
    public var info: DiveFileInfo
    public var parent: Int?
    public var children: [String: Int] = [:]
    public var diff: DiffType = .unmodified
    /// Whether a whiteout is an overlay whiteout (`.wh.NAME`).
    public var isWhiteout: Bool { name.hasPrefix(FileTree.whiteoutPrefix) }
  }

  public private(set) var nodes: [Node]
  public static let root = 0
  static let whiteoutPrefix = ".wh."
  static let opaquePrefix = ".wh..wh.."

  public init() {
    nodes = [Node(name: "", info: .empty, parent: nil)]
  }

  public subscript(_ index: Int) -> Node { nodes[index] }

  /// The names of a node's children in byte order, as Go sorts strings.
  public func sortedChildren(_ index: Int) -> [Int] {
    nodes[index].children.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map(
      \.value)
  }

  public func isLeaf(_ index: Int) -> Bool { nodes[index].children.isEmpty }

  /// The node's absolute path, with a whiteout's prefix taken off its own name.
  public func path(_ index: Int) -> String {
    var names: [String] = []
    var current = index
    while let parent = nodes[current].parent {
      var name = nodes[current].name
      if current == index, name.hasPrefix(Self.whiteoutPrefix) {
        name.removeFirst(Self.whiteoutPrefix.count)
      }
      names.append(name)
      current = parent
    }
    return ("/" + names.reversed().joined(separator: "/")).replacingOccurrences(of: "//", with: "/")
  }

  /// The node at `path`, or nil.
  public func node(at path: String) -> Int? {
    var current = Self.root
    for name in path.split(separator: "/") {
      guard let child = nodes[current].children[String(name)] else { return nil }
      current = child
    }
    return current
  }

  /// Adds `path` with `info`, creating the directories on the way with an empty payload.
  ///
  /// Returns the node and the nodes it created; an opaque marker adds nothing.
  @discardableResult
  public mutating func add(_ path: String, _ info: DiveFileInfo) -> (node: Int?, added: [Int]) {
    let names = path.split(separator: "/").map(String.init)
    var current = Self.root
    var added: [Int] = []
    for (position, name) in names.enumerated() {
      if let child = nodes[current].children[name] {
        current = child
      } else {
        if name.hasPrefix(Self.opaquePrefix) { return (nil, added) }
        nodes.append(Node(name: name, info: .empty, parent: current))
        let child = nodes.count - 1
        nodes[current].children[name] = child
        current = child
        added.append(child)
      }
      if position == names.count - 1 { nodes[current].info = info }
    }
    return (current, added)
  }

  /// Takes the node at `path` and everything under it out of the tree.
  mutating func remove(_ path: String) -> Bool {
    guard let index = node(at: path), let parent = nodes[index].parent else { return false }
    nodes[parent].children[nodes[index].name] = nil
    nodes[index].parent = nil
    return true
  }

  /// Visits the nodes under `start` children first, in name order; the root is never visited.
  ///
  /// The visitor returns false to stop the walk, as dive's visitor returns an error.
  @discardableResult
  public func visitChildFirst(
    from start: Int = FileTree.root, where evaluate: ((Int) -> Bool)? = nil,
    _ visit: (Int) -> Bool
  ) -> Bool {
    for child in sortedChildren(start) {
      if !visitChildFirst(from: child, where: evaluate, visit) { return false }
    }
    if start == Self.root { return true }
    if evaluate?(start) ?? true { return visit(start) }
    return true
  }

  /// Every node under `start` in the order dive lists a tree: parents first, by name.
  public func visitParentFirst(from start: Int = FileTree.root, _ visit: (Int, Int) -> Void) {
    func walk(_ index: Int, _ depth: Int) {
      if index != Self.root { visit(index, depth) }
      for child in sortedChildren(index) { walk(child, index == Self.root ? 0 : depth + 1) }
    }
    walk(start, 0)
  }

  /// Stacks `upper` on this tree: its whiteouts remove, its other nodes add or replace.
  mutating func stack(_ upper: FileTree) {
    upper.visitChildFirst { index in
      let node = upper[index]
      if node.isWhiteout {
        _ = remove(upper.path(index))
      } else {
        add(upper.path(index), node.info)
      }
      return true
    }
  }

  /// The trees `start...stop` stacked on a copy of the first, as dive's `StackTreeRange`.
  static func stacked(_ trees: [FileTree], _ start: Int, _ stop: Int) -> FileTree {
    var tree = trees[0]
    if start <= stop {
      for index in start...stop { tree.stack(trees[index]) }
    }
    return tree
  }

  /// Marks this (lower) tree with how `upper` changes it: dive's `CompareAndMark`.
  mutating func compareAndMark(_ upper: FileTree) {
    struct Mark {
      var lower: Int
      var upper: Int
      var tentative: DiffType?
      var final: DiffType?
    }
    var marks: [Mark] = []
    upper.visitChildFirst { index in
      let upperNode = upper[index]
      let path = upper.path(index)
      if upperNode.isWhiteout {
        if let lower = node(at: path) { assign(lower, .removed) }
        return true
      }
      guard let lower = node(at: path) else {
        let (_, created) = add(path, upperNode.info)
        for node in created.reversed() {
          marks.append(Mark(lower: node, upper: index, tentative: nil, final: .added))
        }
        return true
      }
      marks.append(
        Mark(lower: lower, upper: index, tentative: compare(lower, upperNode), final: nil))
      return true
    }
    for mark in marks {
      if let final = mark.final {
        assign(mark.lower, final)
      } else if nodes[mark.lower].diff == .unmodified, let tentative = mark.tentative {
        derive(mark.lower, tentative)
      }
      nodes[mark.lower].info = upper[mark.upper].info
    }
  }

  private func compare(_ lower: Int, _ upper: Node) -> DiffType {
    if upper.isWhiteout { return .removed }
    let a = nodes[lower].info
    let b = upper.info
    if a.typeFlag == b.typeFlag, a.hash == b.hash, a.mode == b.mode, a.uid == b.uid,
      a.gid == b.gid
    {
      return .unmodified
    }
    return .modified
  }

  private mutating func derive(_ index: Int, _ diff: DiffType) {
    if isLeaf(index) {
      assign(index, diff)
      return
    }
    var merged = diff
    for child in nodes[index].children.values { merged = merged.merge(nodes[child].diff) }
    assign(index, merged)
  }

  private mutating func assign(_ index: Int, _ diff: DiffType) {
    nodes[index].diff = diff
    if diff == .removed {
      for child in nodes[index].children.values { assign(child, .removed) }
    }
  }

  /// The size dive shows for a node: a file's own; a directory's files, not counting removed
  /// ones unless the directory itself was removed.
  public func displaySize(_ index: Int) -> Int64 {
    if isLeaf(index) { return nodes[index].info.size }
    var total: Int64 = 0
    let removed = nodes[index].diff == .removed
    visitChildFirst(from: index) { child in
      if nodes[child].diff != .removed || removed { total += nodes[child].info.size }
      return true
    }
    return total
  }
}
