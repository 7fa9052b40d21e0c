/// Which lines of two files differ, as GNU diff decides it: the lines both begin and end with
/// set aside, the shortest edit script of the rest found by Myers's divide and conquer
/// (gnulib's `diffseq.h`), then each run of changes slid as GNU's `shift_boundaries` slides
/// it, so that `diff` here pairs the same lines as `diff` on Debian.
///
/// GNU also sets aside lines that occur in one file only before it searches, which only
/// makes it faster; ties between equally short scripts are resolved as above either way in
/// the files lessons compare.
struct LineComparison {
  /// Whether each line of the first (0) and second (1) file is deleted or inserted.
  var changed: [[Bool]]

  /// - Parameters:
  ///   - old: The first file's lines, each as a number that equal lines share.
  ///   - new: The second file's.
  ///   - horizon: Lines of the alike beginning and end kept in the comparison: GNU keeps
  ///     as many as the context it prints, so `-u` may pair lines that normal output does not.
  init(_ old: [Int], _ new: [Int], horizon: Int = 0) {
    // GNU sets the lines the files begin and end with alike aside before it compares the
    // rest, so no change slides into them.
    var prefix = 0
    while prefix < min(old.count, new.count) && old[prefix] == new[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < min(old.count, new.count) - prefix
      && old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
    {
      suffix += 1
    }
    prefix = max(0, prefix - horizon)
    suffix = max(0, suffix - horizon)
    let oldMiddle = Array(old[prefix..<(old.count - suffix)])
    let newMiddle = Array(new[prefix..<(new.count - suffix)])
    var search = Search(old: oldMiddle, new: newMiddle)
    search.compare(0, oldMiddle.count, 0, newMiddle.count)
    var middle = [search.deleted, search.inserted]
    Self.shiftBoundaries(&middle, [oldMiddle, newMiddle])
    let before = Array(repeating: false, count: prefix)
    let after = Array(repeating: false, count: suffix)
    changed = [before + middle[0] + after, before + middle[1] + after]
  }

  /// One change: `deleted` lines of the first file from `old`, replaced by `inserted` lines
  /// of the second from `new` (0-based).
  struct Change {
    var old: Int
    var new: Int
    var deleted: Int
    var inserted: Int
  }

  /// The changes in order, each a maximal run of deleted and inserted lines.
  var changes: [Change] {
    var result: [Change] = []
    var i = 0
    var j = 0
    let (a, b) = (changed[0], changed[1])
    while i < a.count || j < b.count {
      if (i < a.count && a[i]) || (j < b.count && b[j]) {
        var change = Change(old: i, new: j, deleted: 0, inserted: 0)
        while i < a.count && a[i] {
          i += 1
          change.deleted += 1
        }
        while j < b.count && b[j] {
          j += 1
          change.inserted += 1
        }
        result.append(change)
      } else {
        i += 1
        j += 1
      }
    }
    return result
  }

  /// Myers's middle-snake search over diagonals, both ends at once.
  private struct Search {
    let old: [Int]
    let new: [Int]
    var deleted: [Bool]
    var inserted: [Bool]
    /// Furthest x reached on each diagonal, forward and backward, offset so that the lowest
    /// diagonal (`-new.count - 1`) is index 0.
    var forward: [Int]
    var backward: [Int]
    let offset: Int

    init(old: [Int], new: [Int]) {
      self.old = old
      self.new = new
      deleted = Array(repeating: false, count: old.count)
      inserted = Array(repeating: false, count: new.count)
      offset = new.count + 1
      forward = Array(repeating: 0, count: old.count + new.count + 3)
      backward = forward
    }

    mutating func compare(_ xStart: Int, _ xEnd: Int, _ yStart: Int, _ yEnd: Int) {
      var (xoff, xlim, yoff, ylim) = (xStart, xEnd, yStart, yEnd)
      while xoff < xlim && yoff < ylim && old[xoff] == new[yoff] {
        xoff += 1
        yoff += 1
      }
      while xoff < xlim && yoff < ylim && old[xlim - 1] == new[ylim - 1] {
        xlim -= 1
        ylim -= 1
      }
      if xoff == xlim {
        for y in yoff..<ylim { inserted[y] = true }
      } else if yoff == ylim {
        for x in xoff..<xlim { deleted[x] = true }
      } else {
        let (xmid, ymid) = middle(xoff, xlim, yoff, ylim)
        compare(xoff, xmid, yoff, ymid)
        compare(xmid, xlim, ymid, ylim)
      }
    }

    /// Where the shortest script crosses the middle: gnulib's `diag`, without its heuristics.
    mutating func middle(_ xoff: Int, _ xlim: Int, _ yoff: Int, _ ylim: Int) -> (Int, Int) {
      let dmin = xoff - ylim
      let dmax = xlim - yoff
      let fmid = xoff - yoff
      let bmid = xlim - ylim
      var (fmin, fmax, bmin, bmax) = (fmid, fmid, bmid, bmid)
      let odd = (fmid - bmid) & 1 != 0
      let o = offset
      forward[fmid + o] = xoff
      backward[bmid + o] = xlim
      while true {
        if fmin > dmin {
          fmin -= 1
          forward[fmin - 1 + o] = -1
        } else {
          fmin += 1
        }
        if fmax < dmax {
          fmax += 1
          forward[fmax + 1 + o] = -1
        } else {
          fmax -= 1
        }
        var d = fmax
        while d >= fmin {
          let low = forward[d - 1 + o]
          let high = forward[d + 1 + o]
          var x = low < high ? high : low + 1
          var y = x - d
          while x < xlim && y < ylim && old[x] == new[y] {
            x += 1
            y += 1
          }
          forward[d + o] = x
          if odd && bmin <= d && d <= bmax && backward[d + o] <= x { return (x, y) }
          d -= 2
        }
        if bmin > dmin {
          bmin -= 1
          backward[bmin - 1 + o] = Int.max
        } else {
          bmin += 1
        }
        if bmax < dmax {
          bmax += 1
          backward[bmax + 1 + o] = Int.max
        } else {
          bmax -= 1
        }
        d = bmax
        while d >= bmin {
          let low = backward[d - 1 + o]
          let high = backward[d + 1 + o]
          var x = low < high ? low : high - 1
          var y = x - d
          while xoff < x && yoff < y && old[x - 1] == new[y - 1] {
            x -= 1
            y -= 1
          }
          backward[d + o] = x
          if !odd && fmin <= d && d <= fmax && x <= forward[d + o] { return (x, y) }
          d -= 2
        }
      }
    }
  }

  /// GNU's `shift_boundaries`: a run of changed lines slides over identical lines to join
  /// the changes around it, else as far down as it goes, then back up to meet a change in
  /// the other file.
  static func shiftBoundaries(_ flags: inout [[Bool]], _ lines: [[Int]]) {
    for f in 0..<2 {
      // One unchanged line either side, as GNU's arrays have.
      var changed = [false] + flags[f] + [false]
      let other = [false] + flags[1 - f] + [false]
      let equivs = lines[f]
      let end = equivs.count
      // Indices are GNU's, 0-based; `changed[k + 1]` is its `changed[k]`.
      func isChanged(_ k: Int) -> Bool { changed[k + 1] }
      func otherChanged(_ k: Int) -> Bool { other[k + 1] }
      var i = 0
      var j = 0
      while true {
        while i < end && !isChanged(i) {
          while otherChanged(j) { j += 1 }
          j += 1
          i += 1
        }
        if i == end { break }
        var start = i
        i += 1
        while isChanged(i) { i += 1 }
        while otherChanged(j) { j += 1 }
        var corresponding: Int
        var runLength: Int
        repeat {
          runLength = i - start
          while start > 0 && equivs[start - 1] == equivs[i - 1] {
            start -= 1
            changed[start + 1] = true
            i -= 1
            changed[i + 1] = false
            while isChanged(start - 1) { start -= 1 }
            j -= 1
            while otherChanged(j) { j -= 1 }
          }
          corresponding = otherChanged(j - 1) ? i : end
          while i != end && equivs[start] == equivs[i] {
            changed[start + 1] = false
            start += 1
            changed[i + 1] = true
            i += 1
            while isChanged(i) { i += 1 }
            j += 1
            while otherChanged(j) {
              j += 1
              corresponding = i
            }
          }
        } while runLength != i - start
        while corresponding < i {
          start -= 1
          changed[start + 1] = true
          i -= 1
          changed[i + 1] = false
          j -= 1
          while otherChanged(j) { j -= 1 }
        }
      }
      flags[f] = Array(changed[1..<(end + 1)])
    }
  }
}
