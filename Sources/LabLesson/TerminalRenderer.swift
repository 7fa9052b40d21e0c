internal import CCmark

/// Markdown prose rendered for a terminal: headings, emphasis, inline code, code blocks, lists,
/// block quotes, links (text and URL), tables and rules, wrapped to a width.
///
/// With `color`, styles are ANSI escapes; without, the text stands alone with the marks a
/// reader needs (backticks around code, underlined headings), so the output reads well piped,
/// in a screen reader, or under `NO_COLOR`. HTML blocks (LayerLab's directives among them) are
/// left out.
public struct TerminalRenderer: Sendable {
  public var width: Int
  public var color: Bool

  public init(width: Int, color: Bool) {
    self.width = max(20, width)
    self.color = color
  }

  /// Renders a markdown fragment.
  public func render(_ markdown: String) -> String {
    guard let document = cmark_parse_document(markdown, markdown.utf8.count, 0) else { return "" }
    defer { cmark_node_free(document) }
    var out: [String] = []
    renderChildren(of: document, indent: "", into: &out)
    while out.last?.isEmpty == true { out.removeLast() }
    while out.first?.isEmpty == true { out.removeFirst() }
    return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
  }

  // MARK: - Blocks

  /// How deeply blocks and inlines nest before the rest is shown as plain text: a lesson of a
  /// thousand nested quotes must not exhaust the stack.
  static let maximumDepth = 24

  private func renderChildren(
    of node: OpaquePointer, indent: String, depth: Int = 0, into out: inout [String]
  ) {
    var child = cmark_node_first_child(node)
    while let current = child {
      renderBlock(current, indent: indent, depth: depth + 1, into: &out)
      child = cmark_node_next(current)
    }
  }

  private func renderBlock(
    _ node: OpaquePointer, indent: String, depth: Int, into out: inout [String]
  ) {
    if depth > Self.maximumDepth {
      let words = Self.text(of: node).split(separator: " ").map {
        Word(plain: String($0), styled: String($0))
      }
      out += wrap(words, indent)
      return
    }
    switch cmark_node_get_type(node) {
    case CMARK_NODE_HEADING:
      let level = Int(cmark_node_get_heading_level(node))
      let words = inlineWords(node)
      let text = words.map(\.plain).joined(separator: " ")
      separate(&out)
      if color {
        out += wrap(words.map { Word(plain: $0.plain, styled: style($0.styled, "1")) }, indent)
      } else {
        out += wrap(words, indent)
        if level <= 2 {
          let rule = String(repeating: level == 1 ? "=" : "-", count: min(text.count, width))
          out.append(indent + rule)
        }
      }
    case CMARK_NODE_PARAGRAPH:
      separate(&out)
      if let table = table(node) {
        out += table.map { indent + $0 }
      } else {
        out += wrap(inlineWords(node), indent)
      }
    case CMARK_NODE_CODE_BLOCK:
      separate(&out)
      var literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
      if literal.hasSuffix("\n") { literal.removeLast() }
      for line in literal.split(separator: "\n", omittingEmptySubsequences: false) {
        let shown = indent + "    " + line
        out.append(color ? style(shown, "2") : shown)
      }
    case CMARK_NODE_BLOCK_QUOTE:
      separate(&out)
      var inner: [String] = []
      narrowed(by: indent.count + 2).renderChildren(
        of: node, indent: "", depth: depth, into: &inner)
      while inner.first?.isEmpty == true { inner.removeFirst() }
      let bar = color ? style("│", "2") + " " : "| "
      out += inner.map { indent + bar + $0 }
    case CMARK_NODE_LIST:
      separate(&out)
      let ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
      var number = Int(cmark_node_get_list_start(node))
      var item = cmark_node_first_child(node)
      while let current = item {
        let marker = ordered ? "\(number). " : "• "
        var inner: [String] = []
        narrowed(by: indent.count + 2 + marker.count).renderChildren(
          of: current, indent: "", depth: depth + 1, into: &inner)
        inner.removeAll { $0.isEmpty }
        let hanging = String(repeating: " ", count: marker.count)
        for (index, line) in inner.enumerated() {
          out.append(indent + "  " + (index == 0 ? marker : hanging) + line)
        }
        number += 1
        item = cmark_node_next(current)
      }
    case CMARK_NODE_THEMATIC_BREAK:
      separate(&out)
      out.append(indent + String(repeating: "─", count: width - indent.count))
    case CMARK_NODE_HTML_BLOCK:
      break
    default:
      renderChildren(of: node, indent: indent, depth: depth, into: &out)
    }
  }

  /// The renderer for what sits `columns` to the right: a list item, a quote.
  private func narrowed(by columns: Int) -> TerminalRenderer {
    var inner = self
    inner.width = max(10, width - columns)
    return inner
  }

  /// A blank line between blocks.
  private func separate(_ out: inout [String]) {
    if let last = out.last, !last.isEmpty { out.append("") }
  }

  // MARK: - Inlines

  /// A word as it shows and as it is styled; wrapping counts only what shows.
  struct Word {
    var plain: String
    var styled: String
  }

  private func style(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// The node's inline content as words, each styled on its own, so wrapping never cuts an
  /// escape sequence.
  private func inlineWords(_ node: OpaquePointer) -> [Word] {
    var words: [Word] = []
    var joinNext = false
    func add(_ text: String, _ styleCode: String?) {
      let pieces = text.split(separator: " ", omittingEmptySubsequences: false)
      for (index, piece) in pieces.enumerated() {
        if piece.isEmpty {
          joinNext = false
          continue
        }
        let styled = styleCode.map { style(String(piece), $0) } ?? String(piece)
        if index == 0, joinNext, var last = words.popLast() {
          last.plain += piece
          last.styled += styled
          words.append(last)
        } else {
          words.append(Word(plain: String(piece), styled: styled))
        }
        joinNext = true
      }
      if text.hasSuffix(" ") { joinNext = false }
    }
    func walk(_ parent: OpaquePointer, _ styleCode: String?, _ depth: Int = 0) {
      if depth > Self.maximumDepth {
        add(Self.text(of: parent), styleCode)
        return
      }
      var child = cmark_node_first_child(parent)
      while let current = child {
        let literal = cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
        switch cmark_node_get_type(current) {
        case CMARK_NODE_TEXT:
          add(literal, styleCode)
        case CMARK_NODE_CODE:
          add(color ? literal : "`\(literal)`", "36")
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
          joinNext = false
        case CMARK_NODE_EMPH:
          walk(current, color ? "3" : nil, depth + 1)
        case CMARK_NODE_STRONG:
          walk(current, color ? "1" : nil, depth + 1)
        case CMARK_NODE_LINK:
          walk(current, color ? "4" : styleCode, depth + 1)
          let url = cmark_node_get_url(current).map { String(cString: $0) } ?? ""
          if !url.isEmpty { add(" (\(url))", color ? "2" : nil) }
        case CMARK_NODE_IMAGE:
          add("[image: ", styleCode)
          walk(current, styleCode, depth + 1)
          add("]", styleCode)
        case CMARK_NODE_HTML_INLINE:
          break
        default:
          walk(current, styleCode, depth + 1)
        }
        child = cmark_node_next(current)
      }
    }
    walk(node, nil)
    return words
  }

  private func wrap(_ words: [Word], _ indent: String) -> [String] {
    var lines: [String] = []
    var line = ""
    var shown = 0
    let limit = max(10, width - indent.count)
    for word in words {
      if shown > 0 && shown + 1 + word.plain.count > limit {
        lines.append(indent + line)
        line = ""
        shown = 0
      }
      if shown > 0 {
        line += " "
        shown += 1
      }
      line += word.styled
      shown += word.plain.count
    }
    if shown > 0 { lines.append(indent + line) }
    return lines
  }

  // MARK: - Tables

  /// A pipe table (which CommonMark reads as a paragraph), laid out in aligned columns.
  private func table(_ node: OpaquePointer) -> [String]? {
    var text = ""
    var child = cmark_node_first_child(node)
    while let current = child {
      switch cmark_node_get_type(current) {
      case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: text += "\n"
      case CMARK_NODE_CODE:
        text += "`" + (cmark_node_get_literal(current).map { String(cString: $0) } ?? "") + "`"
      default:
        text += Self.text(of: current)
      }
      child = cmark_node_next(current)
    }
    let blank: Set<Character> = [" "]
    let rows = text.split(separator: "\n").map { String($0).trimmingCharacters(in: blank) }
    guard rows.count >= 2, rows.allSatisfy({ $0.hasPrefix("|") }),
      rows[1].allSatisfy({ "|-: ".contains($0) })
    else { return nil }
    let cells: [[String]] = rows.enumerated().filter { $0.offset != 1 }.map { _, row in
      row.trimmingCharacters(in: ["|"]).split(separator: "|", omittingEmptySubsequences: false)
        .map { String($0).trimmingCharacters(in: blank) }
    }
    let columns = cells.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in cells {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    var lines: [String] = []
    for (number, row) in cells.enumerated() {
      let padded = (0..<columns).map { index in
        let cell = index < row.count ? row[index] : ""
        return cell + String(repeating: " ", count: widths[index] - cell.count)
      }
      var line = padded.joined(separator: "  ")
      while line.hasSuffix(" ") { line.removeLast() }
      lines.append(number == 0 && color ? style(line, "1") : line)
      if number == 0 && !color {
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
      }
    }
    return lines
  }

  /// The text of a node and everything in it, walked with cmark's iterator (no recursion).
  static func text(of node: OpaquePointer) -> String {
    guard let iterator = cmark_iter_new(node) else { return "" }
    defer { cmark_iter_free(iterator) }
    var text = ""
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
      guard event == CMARK_EVENT_ENTER, let current = cmark_iter_get_node(iterator) else {
        continue
      }
      switch cmark_node_get_type(current) {
      case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: text += " "
      case CMARK_NODE_HTML_INLINE, CMARK_NODE_HTML_BLOCK: break
      default:
        if let literal = cmark_node_get_literal(current) { text += String(cString: literal) }
      }
    }
    return text
  }
}
