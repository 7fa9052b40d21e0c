/// The state of dive's full-screen view and how keys change it; drawing is ``render(width:height:)``.
///
/// Pure: no terminal here, so every key and every size can be tested.
public struct DiveExplorer: Sendable {
  /// A key as the view understands it.
  public enum Key: Equatable, Sendable {
    case up, down, left, right, pageUp, pageDown, tab, space, quit
    /// Ctrl and a letter: `control("a")` is Ctrl-A.
    case control(Character)
    case character(Character)
  }

  public enum Pane: Sendable { case layers, files }
  public enum CompareMode: Sendable { case layer, aggregated }

  public let analysis: DiveAnalysis
  public private(set) var pane = Pane.layers
  public private(set) var layerIndex = 0
  public private(set) var compareMode = CompareMode.layer
  /// The kinds of change hidden from the file tree.
  public private(set) var hidden: Set<DiffType> = []
  public private(set) var showsAttributes = true
  /// Directories collapsed in the file tree, by path.
  public private(set) var collapsed: Set<String> = []
  public private(set) var fileCursor = 0
  private var fileTop = 0
  private var layerTop = 0
  private var tree: FileTree
  private var rows: [Row] = []
  /// The height of the file pane at the last drawing, for paging.
  private var fileHeight = 10

  struct Row: Sendable {
    var node: Int
    var branches: String
    var isCollapsed: Bool
  }

  public init(_ analysis: DiveAnalysis) {
    self.analysis = analysis
    // An image of no layers (`FROM scratch` and metadata only) has an empty tree.
    tree =
      analysis.image.layers.isEmpty ? FileTree() : analysis.comparedTree(bottom: 0...0, top: 0...0)
    rebuild()
  }

  /// The indexes of the layers compared below and on top, as dive's `GetCompareIndexes`.
  var compareIndexes: (bottom: ClosedRange<Int>, top: ClosedRange<Int>) {
    if layerIndex == 0 { return (0...0, 0...0) }
    switch compareMode {
    case .layer: return (0...(layerIndex - 1), layerIndex...layerIndex)
    case .aggregated: return (0...0, 1...layerIndex)
    }
  }

  /// Applies a key; returns false when the view should close.
  public mutating func handle(_ key: Key) -> Bool {
    switch key {
    case .quit, .control("c"), .character("q"): return false
    case .tab: pane = pane == .layers ? .files : .layers
    case .up, .character("k"): move(-1)
    case .down, .character("j"): move(1)
    case .pageUp, .character("u"): move(-max(1, pane == .files ? fileHeight : 5))
    case .pageDown, .character("d"): move(max(1, pane == .files ? fileHeight : 5))
    case .control("a") where pane == .layers: setCompare(.aggregated)
    case .control("l") where pane == .layers: setCompare(.layer)
    case .control("a"): toggle(.added)
    case .control("r"): toggle(.removed)
    case .control("m"): toggle(.modified)
    case .control("u"): toggle(.unmodified)
    case .control("b"): showsAttributes.toggle()
    case .space where pane == .files: toggleCollapse()
    case .left, .character("h"): if pane == .files { collapseOrParent() }
    case .right, .character("l"): if pane == .files { expand() }
    default: break
    }
    return true
  }

  private mutating func move(_ delta: Int) {
    switch pane {
    case .layers:
      let next = min(max(0, layerIndex + delta), max(0, analysis.image.layers.count - 1))
      if next != layerIndex {
        layerIndex = next
        retree()
      }
    case .files:
      fileCursor = min(max(0, fileCursor + delta), max(0, rows.count - 1))
    }
  }

  private mutating func setCompare(_ mode: CompareMode) {
    compareMode = mode
    retree()
  }

  private mutating func toggle(_ type: DiffType) {
    if hidden.contains(type) { hidden.remove(type) } else { hidden.insert(type) }
    rebuild()
  }

  private mutating func toggleCollapse() {
    guard fileCursor < rows.count else { return }
    let node = rows[fileCursor].node
    guard !tree[node].children.isEmpty else { return }
    let path = tree.path(node)
    if collapsed.contains(path) { collapsed.remove(path) } else { collapsed.insert(path) }
    rebuild()
  }

  private mutating func collapseOrParent() {
    guard fileCursor < rows.count else { return }
    let node = rows[fileCursor].node
    let path = tree.path(node)
    if !tree[node].children.isEmpty && !collapsed.contains(path) {
      collapsed.insert(path)
      rebuild()
      return
    }
    guard let parent = tree[node].parent, parent != FileTree.root,
      let row = rows.firstIndex(where: { $0.node == parent })
    else { return }
    fileCursor = row
  }

  private mutating func expand() {
    guard fileCursor < rows.count else { return }
    let path = tree.path(rows[fileCursor].node)
    if collapsed.remove(path) != nil { rebuild() }
  }

  private mutating func retree() {
    guard !analysis.image.layers.isEmpty else { return }
    let (bottom, top) = compareIndexes
    tree = analysis.comparedTree(bottom: bottom, top: top)
    rebuild()
  }

  /// The visible rows: dive hides a node whose kind of change is hidden unless a child of it
  /// is visible, and skips what is under a collapsed directory.
  private mutating func rebuild() {
    var visible = [Bool](repeating: false, count: tree.nodes.count)
    tree.visitChildFirst { index in
      var shown = !hidden.contains(tree[index].diff)
      for child in tree[index].children.values where visible[child] { shown = true }
      visible[index] = shown
      return true
    }
    var result: [Row] = []
    func walk(_ index: Int, _ branches: String) {
      let children = tree.sortedChildren(index).filter { visible[$0] }
      for (position, child) in children.enumerated() {
        let last = position == children.count - 1
        let isCollapsed = collapsed.contains(tree.path(child)) && !tree[child].children.isEmpty
        result.append(
          Row(node: child, branches: branches + (last ? "└─" : "├─"), isCollapsed: isCollapsed))
        if !isCollapsed { walk(child, branches + (last ? "    " : "│   ")) }
      }
    }
    walk(FileTree.root, "")
    rows = result
    fileCursor = min(fileCursor, max(0, rows.count - 1))
  }

  /// The names on the visible rows of the file tree, top to bottom (for tests).
  public var visiblePaths: [String] { rows.map { tree.path($0.node) } }

  // MARK: - Drawing

  /// The screen as `height` lines of `width` columns, with ANSI colours.
  public mutating func render(width: Int, height: Int) -> [String] {
    guard width >= 60, height >= 12 else {
      var lines = [String](repeating: "", count: max(1, height))
      lines[0] = fit("dive needs a terminal of at least 60 columns and 12 rows; q quits", width)
      return lines
    }
    let leftWidth = width / 2
    let rightWidth = width - leftWidth
    let bodyHeight = height - 1
    // One blank column between the panes.
    let left = leftColumn(width: leftWidth - 1, height: bodyHeight)
    let right = fileColumn(width: rightWidth, height: bodyHeight)
    var lines: [String] = []
    for row in 0..<bodyHeight { lines.append(left[row] + " " + right[row]) }
    lines.append(statusLine(width: width))
    return lines
  }

  private mutating func leftColumn(width: Int, height: Int) -> [String] {
    let layers = analysis.image.layers
    let layerHeight = min(layers.count + 2, max(4, height / 3))
    let detailsHeight = min(8, max(3, (height - layerHeight) / 2))
    let imageHeight = height - layerHeight - detailsHeight
    var lines: [String] = []
    // Layers.
    lines.append(header("Layers", width: width, selected: pane == .layers))
    lines.append(Style.bold(fit("Cmp" + Humanize.leftPad("Size", 7) + "  Command", width)))
    let visibleLayers = layerHeight - 2
    if layerIndex < layerTop { layerTop = layerIndex }
    if layerIndex >= layerTop + visibleLayers { layerTop = layerIndex - visibleLayers + 1 }
    let (bottom, top) = compareIndexes
    for row in 0..<visibleLayers {
      let index = layerTop + row
      guard index < layers.count else {
        lines.append(fit("", width))
        continue
      }
      var bar = "  "
      if bottom.contains(index) { bar = Style.paint("  ", "42") }
      if top.contains(index) { bar = Style.paint("  ", "45") }
      let text = fit(layers[index].listing, width - 3)
      lines.append(bar + " " + (index == layerIndex ? Style.paint(text, "1;7") : text))
    }
    // Layer details.
    let layer =
      layers.isEmpty
      ? DiveLayer(index: 0, id: "", digest: "", command: "", size: 0, tree: FileTree())
      : layers[layerIndex]
    var details = [
      Style.bold("Tags:   ") + "(unavailable)", Style.bold("Id:     ") + layer.id,
      Style.bold("Size:   ") + Humanize.bytes(layer.size), Style.bold("Digest: ") + layer.digest,
      Style.bold("Command:"),
    ]
    details += wrap(layer.command, width)
    lines.append(header("Layer Details", width: width, selected: false))
    for row in 0..<(detailsHeight - 1) {
      lines.append(row < details.count ? fitStyled(details[row], width) : fit("", width))
    }
    // Image details.
    var image = [
      Style.bold("Image name:") + " " + analysis.image.name,
      Style.bold("Total Image size:") + " " + Humanize.bytes(analysis.sizeBytes),
      Style.bold("Potential wasted space:") + " " + Humanize.bytes(analysis.wastedBytes),
      Style.bold("Image efficiency score:") + " \(Int(100.0 * analysis.efficiency)) %",
      " ",
      Style.bold(
        Humanize.leftPad("Count", 5) + "  " + Humanize.leftPad("Total Space", 12) + "  Path"),
    ]
    for file in analysis.inefficiencies.reversed() {
      image.append(
        Humanize.leftPad(String(file.count), 5) + "  "
          + Humanize.leftPad(Humanize.bytes(UInt64(max(0, file.cumulativeSize))), 12) + "  "
          + file.path)
    }
    lines.append(header("Image Details", width: width, selected: false))
    for row in 0..<(imageHeight - 1) {
      lines.append(row < image.count ? fitStyled(image[row], width) : fit("", width))
    }
    return lines
  }

  private mutating func fileColumn(width: Int, height: Int) -> [String] {
    var lines: [String] = []
    let title =
      compareMode == .aggregated && layerIndex > 0
      ? "Aggregated Layer Contents" : "Current Layer Contents"
    lines.append(header(title, width: width, selected: pane == .files))
    if showsAttributes {
      lines.append(
        Style.bold(
          fit(
            "P" + "ermission" + " " + Humanize.leftPad("UID:GID", 11) + " "
              + Humanize.leftPad("Size", 10) + "  Filetree", width)))
    } else {
      lines.append(Style.bold(fit("Filetree", width)))
    }
    let visible = height - 2
    fileHeight = max(1, visible)
    if fileCursor < fileTop { fileTop = fileCursor }
    if fileCursor >= fileTop + visible { fileTop = fileCursor - visible + 1 }
    fileTop = max(0, min(fileTop, max(0, rows.count - visible)))
    for line in 0..<visible {
      let index = fileTop + line
      guard index < rows.count else {
        lines.append(fit("", width))
        continue
      }
      let row = rows[index]
      let node = tree[row.node]
      var name = node.name
      if node.info.typeFlag == DiveFileInfo.typeSymlink
        || node.info.typeFlag == DiveFileInfo.typeHardLink
      {
        name += " → " + node.info.linkName
      }
      var text = row.branches + (row.isCollapsed ? "⊕ " : "─ ") + name
      if showsAttributes { text = attributes(row.node) + text }
      let fitted = fit(text, width)
      let selected = pane == .files && index == fileCursor
      if selected {
        lines.append(Style.paint(fitted, "1;7"))
      } else {
        lines.append(Style.paint(fitted, Self.color(node.diff)))
      }
    }
    return lines
  }

  /// dive's attribute columns: type and permissions, `UID:GID`, size.
  private func attributes(_ index: Int) -> String {
    let info = tree[index].info
    let mode = info.mode
    func bit(_ mask: UInt32, _ letter: Character) -> Character { mode & mask != 0 ? letter : "-" }
    func exec(_ mask: UInt32, _ special: UInt32, _ on: Character, _ off: Character) -> Character {
      let x = mode & mask != 0
      if mode & special != 0 { return x ? on : off }
      return x ? "x" : "-"
    }
    let permissions = String([
      bit(0o400, "r"), bit(0o200, "w"), exec(0o100, 1 << 23, "s", "S"),
      bit(0o040, "r"), bit(0o020, "w"), exec(0o010, 1 << 22, "s", "S"),
      bit(0o004, "r"), bit(0o002, "w"), exec(0o001, 1 << 20, "t", "T"),
    ])
    let size = Humanize.bytes(UInt64(max(0, tree.displaySize(index))))
    return (info.isDir ? "d" : "-") + permissions + " "
      + Humanize.leftPad("\(info.uid):\(info.gid)", 11) + " " + Humanize.leftPad(size, 10) + " "
  }

  static func color(_ diff: DiffType) -> String {
    switch diff {
    case .added: return "32"
    case .removed: return "31"
    case .modified: return "33"
    case .unmodified: return ""
    }
  }

  private func statusLine(width: Int) -> String {
    var keys: [(String, String, Bool)] = [("^C", "Quit", false), ("Tab", "Switch view", false)]
    switch pane {
    case .layers:
      keys += [
        ("^L", "Show layer changes", compareMode == .layer),
        ("^A", "Show aggregated changes", compareMode == .aggregated),
      ]
    case .files:
      keys += [
        ("Space", "Collapse dir", false),
        ("^A", "Added", !hidden.contains(.added)),
        ("^R", "Removed", !hidden.contains(.removed)),
        ("^M", "Modified", !hidden.contains(.modified)),
        ("^U", "Unmodified", !hidden.contains(.unmodified)),
        ("^B", "Attributes", showsAttributes),
      ]
    }
    var plain = 0
    var out = ""
    for (key, title, selected) in keys {
      let piece = "▏" + key + " " + title + " "
      guard plain + piece.count <= width else { break }
      plain += piece.count
      out +=
        selected
        ? Style.paint("▏", "45;37") + Style.paint(key, "45;37;1")
          + Style.paint(" \(title) ", "45;37")
        : Style.paint("▏", "7") + Style.paint(key, "7;1") + Style.paint(" \(title) ", "7")
    }
    return out + Style.paint(String(repeating: " ", count: max(0, width - plain)), "7")
  }

  /// A pane's title bar as dive draws it: `┃ ● Layers ┣━━━` when selected.
  private func header(_ title: String, width: Int, selected: Bool) -> String {
    let body = selected ? " ● \(title) " : " \(title) "
    let fill = max(0, width - body.count - 2)
    let text =
      selected
      ? "┃" + Style.bold(body) + "┣" + String(repeating: "━", count: fill)
      : "│" + Style.bold(body) + "├" + String(repeating: "─", count: fill)
    return body.count + 2 > width ? fit(selected ? "━" : "─", width) : text
  }

  private func wrap(_ text: String, _ width: Int) -> [String] {
    var lines: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var rest = Substring(line)
      repeat {
        lines.append(String(rest.prefix(width)))
        rest = rest.dropFirst(width)
      } while !rest.isEmpty
    }
    return lines
  }

  /// `text` cut or padded to exactly `width` columns.
  func fit(_ text: String, _ width: Int) -> String {
    let characters = Array(text)
    if characters.count >= width { return String(characters.prefix(width)) }
    return text + String(repeating: " ", count: width - characters.count)
  }

  /// Like ``fit(_:_:)`` for text holding colour codes, which take no columns.
  func fitStyled(_ text: String, _ width: Int) -> String {
    var out = ""
    var columns = 0
    var inEscape = false
    for character in text {
      if inEscape {
        out.append(character)
        if character.isLetter { inEscape = false }
        continue
      }
      if character == "\u{1B}" {
        inEscape = true
        out.append(character)
        continue
      }
      guard columns < width else { continue }
      out.append(character)
      columns += 1
    }
    return out + String(repeating: " ", count: max(0, width - columns))
  }
}

/// ANSI styles for the full-screen view.
enum Style {
  static func paint(_ text: String, _ code: String) -> String {
    code.isEmpty ? text : "\u{1B}[\(code)m\(text)\u{1B}[0m"
  }

  static func bold(_ text: String) -> String { paint(text, "1") }
}
