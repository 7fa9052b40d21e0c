import Foundation
import LabImage
import LabJSON
import LabLimits

/// One layer of an image as dive shows it.
public struct DiveLayer: Sendable {
  /// The position from the bottom, from 0.
  public var index: Int
  /// What dive calls the layer's ID: the first part of its name in the image archive, which
  /// for Docker 25 and later is `blobs`.
  public var id: String
  /// The diff ID (`sha256:…`) the image's config gives the layer.
  public var digest: String
  /// The instruction, from the image's history, without `/bin/sh -c `.
  public var command: String
  /// The bytes of the files in the layer's tar.
  public var size: UInt64
  public var tree: FileTree

  public init(
    index: Int, id: String, digest: String, command: String, size: UInt64, tree: FileTree
  ) {
    self.index = index
    self.id = id
    self.digest = digest
    self.command = command
    self.size = size
    self.tree = tree
  }

  /// The layer's ID as the layer list shows it after `FROM`: at most 15 characters.
  public var shortID: String { String(id.prefix(15)) }

  /// The command on one line: a heredoc's newlines as `↵`.
  public var commandPreview: String { command.replacingOccurrences(of: "\n", with: "↵") }

  /// The layer list's text: the size in 7 columns, then `FROM ID` or the command.
  public var listing: String {
    let text = index == 0 ? "FROM " + shortID : commandPreview
    return Humanize.leftPad(Humanize.bytes(size), 7) + "  " + text
  }
}

/// An image read from the store as dive reads one: a tree per layer and the history beside it.
public struct DiveImage: Sendable {
  public var name: String
  public var layers: [DiveLayer]

  public var trees: [FileTree] { layers.map(\.tree) }

  public init(name: String, layers: [DiveLayer]) {
    self.name = name
    self.layers = layers
  }

  /// Reads the image `id` from `store`, streaming each layer's tar once.
  public static func load(from store: ImageStore, id: Digest, name: String) throws -> DiveImage {
    let image = try store.image(id)
    var trees: [(tree: FileTree, size: UInt64)] = []
    for diffID in image.diffIDs {
      var scanner = LayerScanner()
      try store.readLayerTar(diffID) { chunk in
        // A large image takes a while: the command line's time limit and Ctrl-C stop it.
        if let reason = Budget.current?.check() { throw DiveError("\(reason)") }
        try scanner.consume(chunk)
      }
      try scanner.finish()
      trees.append(tree(of: scanner.files))
    }
    let history = (image.config["history"]?.arrayValue ?? []).map { entry in
      (
        createdBy: entry["created_by"]?.stringValue ?? "",
        isEmpty: entry["empty_layer"]?.boolValue ?? false
      )
    }
    let diffIDs = image.diffIDs.map(\.description)
    return DiveImage(
      name: name, layers: layers(trees: trees, history: history, diffIDs: diffIDs))
  }

  /// The members of a layer's tar held in memory, as dive lists them.
  public static func files(inLayerTar bytes: [UInt8]) throws -> [DiveFileInfo] {
    var scanner = LayerScanner()
    try bytes.withUnsafeBytes { try scanner.consume($0) }
    try scanner.finish()
    return scanner.files
  }

  /// A layer's tree from its members, and the sum of their sizes.
  static func tree(of files: [DiveFileInfo]) -> (tree: FileTree, size: UInt64) {
    var tree = FileTree()
    var size: UInt64 = 0
    for file in files {
      size &+= UInt64(clamping: file.size)
      tree.add(file.path, file)
    }
    return (tree, size)
  }

  /// Pairs trees with history as dive does: each tree takes the next history entry that made
  /// a layer, `(missing)` when there is none.
  static func layers(
    trees: [(tree: FileTree, size: UInt64)], history: [(createdBy: String, isEmpty: Bool)],
    diffIDs: [String]
  ) -> [DiveLayer] {
    var historyIndex = 0
    var layers: [DiveLayer] = []
    for (index, (tree, size)) in trees.enumerated() {
      var command = "(missing)"
      var digest = ""
      var next = historyIndex
      while next < history.count {
        if !history[next].isEmpty {
          historyIndex = next
          break
        }
        next += 1
      }
      if historyIndex < history.count, !history[historyIndex].isEmpty {
        command = history[historyIndex].createdBy
        // The config's diff ID for this history entry: its place among the non-empty entries.
        let position = history[..<historyIndex].filter { !$0.isEmpty }.count
        digest = position < diffIDs.count ? diffIDs[position] : ""
        historyIndex += 1
      }
      if command.hasPrefix("/bin/sh -c ") { command.removeFirst("/bin/sh -c ".count) }
      layers.append(
        DiveLayer(
          index: index, id: "blobs", digest: digest, command: command, size: size, tree: tree))
    }
    return layers
  }
}
