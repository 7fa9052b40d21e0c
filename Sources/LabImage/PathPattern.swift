/// Path patterns as Go's `path.Match` and Docker's `patternmatcher` read them: `*` and `?`
/// within one path component, `[…]` classes, `\` escapes, and `**` across components.
///
/// `docker images` filters, `.dockerignore` and `COPY` globs use it; the shell's globs share
/// its character classes.
public enum PathPattern {
  public static func matches(_ pattern: String, _ path: String) -> Bool {
    matches(Array(pattern)[...], Array(path)[...])
  }

  /// Whether `character` is in the class `[…]` whose inside is `body` (`a-z`, `!x`, `^x`).
  public static func classContains(_ body: ArraySlice<Character>, _ character: Character) -> Bool {
    var set = Array(body)
    let negated = set.first == "^" || set.first == "!"
    if negated { set.removeFirst() }
    var found = false
    var index = 0
    while index < set.count {
      if index + 2 < set.count, set[index + 1] == "-" {
        if set[index] <= character && character <= set[index + 2] { found = true }
        index += 3
      } else {
        if set[index] == character { found = true }
        index += 1
      }
    }
    return found != negated
  }

  /// One step of a pattern.
  private enum Token {
    case character(Character)
    /// `?`: any character but `/`.
    case any
    case characterClass(ArraySlice<Character>)
    /// `*`: any run of characters without `/`.
    case star
    /// `**`, with the `/` after it: nothing, or anything that ends in `/`; at the end, anything.
    case components
    /// An unclosed `[` or a trailing `\`, which match nothing.
    case never
  }

  private static func tokens(_ pattern: [Character]) -> [Token] {
    var tokens: [Token] = []
    var index = 0
    while index < pattern.count {
      let character = pattern[index]
      index += 1
      switch character {
      case "*" where index < pattern.count && pattern[index] == "*":
        index += 1
        if index < pattern.count, pattern[index] == "/" { index += 1 }
        tokens.append(.components)
      case "*": tokens.append(.star)
      case "?": tokens.append(.any)
      case "[":
        guard let close = pattern[(index - 1)...].firstIndex(of: "]") else {
          tokens.append(.never)
          index = pattern.count
          break
        }
        tokens.append(.characterClass(pattern[index..<close]))
        index = close + 1
      case "\\":
        guard index < pattern.count else {
          tokens.append(.never)
          break
        }
        tokens.append(.character(pattern[index]))
        index += 1
      default: tokens.append(.character(character))
      }
    }
    return tokens
  }

  /// Runs the pattern as an automaton over the path, a set of positions at a time: time grows
  /// with the product of the lengths, and nothing calls itself.
  private static func matches(_ pattern: ArraySlice<Character>, _ path: ArraySlice<Character>)
    -> Bool
  {
    let tokens = tokens(Array(pattern))
    /// A position in the pattern, and whether it is inside the components a `**` takes.
    struct State: Hashable {
      var position: Int
      var inComponents = false
    }
    /// The states and every state reachable from them without taking a character.
    func closure(_ states: Set<State>) -> Set<State> {
      var result = states
      var pending = Array(states)
      while let state = pending.popLast() {
        guard !state.inComponents, state.position < tokens.count else { continue }
        switch tokens[state.position] {
        case .star, .components:
          let next = State(position: state.position + 1)
          if result.insert(next).inserted { pending.append(next) }
        default: break
        }
      }
      return result
    }
    var states = closure([State(position: 0)])
    for character in path {
      var next: Set<State> = []
      for state in states where state.position < tokens.count {
        let advance = State(position: state.position + 1)
        if state.inComponents {
          next.insert(state)
          if character == "/" { next.insert(advance) }
          continue
        }
        switch tokens[state.position] {
        case .character(let expected): if character == expected { next.insert(advance) }
        case .any: if character != "/" { next.insert(advance) }
        case .characterClass(let body): if classContains(body, character) { next.insert(advance) }
        case .star: if character != "/" { next.insert(state) }
        case .components:
          // At the end of the pattern `**` takes anything; elsewhere, whole components.
          if state.position == tokens.count - 1 {
            next.insert(state)
          } else {
            next.insert(State(position: state.position, inComponents: true))
            if character == "/" { next.insert(advance) }
          }
        case .never: break
        }
      }
      states = closure(next)
      if states.isEmpty { return false }
    }
    return states.contains { !$0.inComponents && $0.position == tokens.count }
  }
}
