/// A bash indexed array: values at non-negative indices, which may leave gaps (`a[5]=x` on an
/// empty array makes one element, at 5), so it is a dictionary rather than a Swift array.
struct ShellArray: Equatable, Sendable {
  private(set) var elements: [Int: String] = [:]

  init() {}

  /// An array of `values` at indices 0, 1, 2…, as `a=(x y z)` makes.
  init(_ values: [String]) {
    for (index, value) in values.enumerated() { elements[index] = value }
  }

  /// The indices that hold a value, in order, as `${!a[@]}` lists them.
  var indices: [Int] { elements.keys.sorted() }

  /// The values in index order, as `${a[@]}` gives them.
  var values: [String] { indices.compactMap { elements[$0] } }

  var count: Int { elements.count }

  /// Where `a+=(…)` puts its first value: one past the highest index, wrapping past the
  /// largest as bash's 64-bit index does.
  var nextIndex: Int { (elements.keys.max() ?? -1) &+ 1 }

  subscript(index: Int) -> String? {
    get { elements[index] }
    set { elements[index] = newValue }
  }

  /// The index a negative subscript stands for, counted back from ``nextIndex`` as bash counts
  /// it (`a[-1]` is the last element); `nil` when it lands before index 0.
  func resolved(_ index: Int) -> Int? {
    guard index < 0 else { return index }
    let resolved = nextIndex &+ index
    return resolved >= 0 ? resolved : nil
  }

  mutating func append(_ values: [String]) {
    var next = nextIndex
    for value in values {
      elements[next] = value
      next &+= 1
    }
  }
}
