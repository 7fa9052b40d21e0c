internal import CCmark

/// A block of a markdown document, copied out of cmark's tree at once.
public enum MarkdownBlock: Equatable, Sendable {
  /// Prose, with the inline code spans it holds.
  case paragraph(text: String, codeSpans: [String], line: Int)
  case heading(text: String, line: Int)
  /// A fenced or indented code block. `isClosed` is false for a fence that runs to the end of
  /// the file without its closing fence.
  case code(info: String, text: String, line: Int, endLine: Int, isFenced: Bool, isClosed: Bool)
  case html(text: String, line: Int)

  public var line: Int {
    switch self {
    case .paragraph(_, _, let line), .heading(_, let line), .html(_, let line): line
    case .code(_, _, let line, _, _, _): line
    }
  }
}

/// Reads markdown with libcmark into ``MarkdownBlock`` values; no C pointer outlives the call.
public enum MarkdownReader {
  public static func blocks(_ source: String) -> [MarkdownBlock] {
    guard let document = cmark_parse_document(source, source.utf8.count, CMARK_OPT_SOURCEPOS) else {
      return []
    }
    defer { cmark_node_free(document) }
    guard let iterator = cmark_iter_new(document) else { return [] }
    defer { cmark_iter_free(iterator) }
    // Split at line feeds as scalars: a `\r\n` is one Character, which `split` would not cut.
    let lines = source.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
      String(String.UnicodeScalarView($0)).trimmingCharacters(in: ["\r"])
    }
    var blocks: [MarkdownBlock] = []
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
      guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
      let line = Int(cmark_node_get_start_line(node))
      switch cmark_node_get_type(node) {
      case CMARK_NODE_PARAGRAPH:
        var text = ""
        var spans: [String] = []
        collectInline(node, text: &text, spans: &spans)
        blocks.append(.paragraph(text: text, codeSpans: spans, line: line))
      case CMARK_NODE_HEADING:
        var text = ""
        var spans: [String] = []
        collectInline(node, text: &text, spans: &spans)
        blocks.append(.heading(text: text, line: line))
      case CMARK_NODE_CODE_BLOCK:
        let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
        let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
        let endLine = Int(cmark_node_get_end_line(node))
        let firstLine = line - 1 < lines.count ? lines[line - 1] : ""
        let trimmed = firstLine.drop { $0 == " " }
        let isFenced = trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
        var isClosed = true
        if isFenced {
          let fence = String(trimmed.prefix { $0 == "`" || $0 == "~" })
          let last =
            endLine - 1 < lines.count ? lines[endLine - 1].trimmingCharacters(in: [" "]) : ""
          isClosed =
            endLine > line && last.hasPrefix(fence) && last.allSatisfy { $0 == fence.first }
        }
        blocks.append(
          .code(
            info: info, text: literal, line: line, endLine: endLine, isFenced: isFenced,
            isClosed: isClosed))
      case CMARK_NODE_HTML_BLOCK:
        let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
        blocks.append(.html(text: literal, line: line))
      default:
        break
      }
    }
    return blocks
  }

  /// The text and code spans of a block's inline nodes, depth first and in order.
  ///
  /// It walks the tree in a loop rather than calling itself a level at a time: cmark nests
  /// emphasis as deeply as the text asks (`*a *a … a* a*`), far past what a stack holds.
  private static func collectInline(
    _ node: OpaquePointer, text: inout String, spans: inout [String]
  ) {
    var next = cmark_node_first_child(node)
    // The links being walked: a code span in a link's text names a page, never a step.
    var links: [OpaquePointer] = []
    while let current = next {
      switch cmark_node_get_type(current) {
      case CMARK_NODE_TEXT:
        text += cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
      case CMARK_NODE_CODE:
        let code = cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
        if links.isEmpty { spans.append(code) }
        text += links.isEmpty ? "`\(code)`" : code
      case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
        text += " "
      case CMARK_NODE_HTML_INLINE:
        text += cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
      default:
        if let child = cmark_node_first_child(current) {
          if cmark_node_get_type(current) == CMARK_NODE_LINK { links.append(current) }
          next = child
          continue
        }
      }
      // The next sibling, of this node or of the nearest ancestor below `node` that has one.
      next = nil
      var climbing: OpaquePointer? = current
      while let at = climbing, at != node {
        if links.last == at { links.removeLast() }
        if let sibling = cmark_node_next(at) {
          next = sibling
          break
        }
        climbing = cmark_node_parent(at)
      }
    }
  }
}

extension String {
  /// The string without leading and trailing characters of `set`.
  func trimmingCharacters(in set: Set<Character>) -> String {
    guard let start = firstIndex(where: { !set.contains($0) }),
      let end = lastIndex(where: { !set.contains($0) })
    else { return "" }
    return String(self[start...end])
  }
}
