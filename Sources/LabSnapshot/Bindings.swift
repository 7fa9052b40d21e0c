/// The author's IDs as bound to the learner's actual ones, in the order they were met.
///
/// One author ID binds to one actual ID, two author IDs never bind to one actual ID, and a
/// short ID binds to the prefix of its full ID.
public struct Bindings: Sendable {
  public struct Pair: Codable, Equatable, Sendable {
    public var author: String
    public var actual: String
    public var kind: TokenKind
    /// Where the binding was made (`lesson.md:31`).
    public var origin: String
  }

  public private(set) var pairs: [Pair] = []

  public init() {}

  public static func bare(_ id: String) -> String {
    id.hasPrefix("sha256:") ? String(id.dropFirst(7)) : id
  }

  /// The actual ID an author ID is bound to, by full ID or by prefix.
  public func actual(for author: String) -> String? {
    let key = Self.bare(author)
    for pair in pairs {
      let bound = Self.bare(pair.author)
      let actual = Self.bare(pair.actual)
      if bound == key { return actual }
      // A short ID and its full ID are the same binding.
      if key.count < bound.count, bound.hasPrefix(key) { return String(actual.prefix(key.count)) }
      if bound.count < key.count, key.hasPrefix(bound), actual.count >= key.count { return nil }
    }
    return nil
  }

  /// Binds an author ID to an actual one, or says why they contradict earlier bindings.
  public mutating func bind(_ author: String, to actualID: String, kind: TokenKind, origin: String)
    -> String?
  {
    let key = Self.bare(author)
    let value = Self.bare(actualID)
    if let existing = actual(for: key) {
      return existing == value || value.hasPrefix(existing) || existing.hasPrefix(value)
        ? nil : "\(author) was bound to \(existing) but here stands for \(value)"
    }
    for pair in pairs {
      let bound = Self.bare(pair.actual)
      if bound == value || (bound.hasPrefix(value) || value.hasPrefix(bound)) && pair.kind == kind,
        !(Self.bare(pair.author).hasPrefix(key) || key.hasPrefix(Self.bare(pair.author)))
      {
        return
          "\(author) and \(pair.author) are different IDs in the lesson but both stand for \(value)"
      }
    }
    pairs.append(Pair(author: key, actual: value, kind: kind, origin: origin))
    return nil
  }

  /// `text` with every bound author ID replaced by the learner's, keeping each ID's form.
  public func rewrite(_ text: String) -> String {
    var result = ""
    for segment in Tokenizer.segments(text) {
      switch segment {
      case .literal(let literal): result += literal
      case .wildcard: result += "[..]"
      case .token(let kind, let token):
        guard kind.isIdentifier, let actual = actual(for: token) else {
          result += token
          continue
        }
        let prefix = token.hasPrefix("sha256:") ? "sha256:" : ""
        let bare = Self.bare(token)
        result += prefix + (actual.count >= bare.count ? String(actual.prefix(bare.count)) : actual)
      }
    }
    return result
  }

  /// Author IDs in `text` that no output has bound yet.
  public func unbound(in text: String) -> [String] {
    Tokenizer.segments(text).compactMap { segment in
      guard case .token(let kind, let token) = segment, kind == .digest || kind == .shortID else {
        return nil
      }
      return actual(for: token) == nil ? token : nil
    }
  }
}
