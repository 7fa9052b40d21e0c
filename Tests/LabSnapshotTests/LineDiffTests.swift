import Testing

@testable import LabSnapshot

/// Myers's diff, as the failure reports use it.
@Suite("Line diffs")
struct LineDiffTests {
  func script(_ left: [String], _ right: [String]) -> String {
    let edits = LineDiff.editScript(left.count, right.count) { left[$0] == right[$1] } ?? []
    return edits.map { edit in
      switch edit {
      case .same(let i, _): " " + left[i]
      case .removed(let i): "-" + left[i]
      case .added(let j): "+" + right[j]
      }
    }.joined(separator: "\n")
  }

  @Test func theShortestScriptWithRemovalsFirst() {
    #expect(script(["a", "b", "c"], ["a", "b", "c"]) == " a\n b\n c")
    #expect(script(["a", "b", "c"], ["a", "x", "c"]) == " a\n-b\n+x\n c")
    #expect(script(["a", "b"], ["a", "b", "c"]) == " a\n b\n+c")
    #expect(script(["a", "b", "c"], ["b", "c"]) == "-a\n b\n c")
    #expect(script([], ["x"]) == "+x")
    #expect(script(["x"], []) == "-x")
    #expect(
      script(["a", "b", "c", "a", "b", "b", "a"], ["c", "b", "a", "b", "a", "c"]).split(
        separator: "\n"
      ).filter { $0.hasPrefix("-") || $0.hasPrefix("+") }.count == 5)
  }

  @Test func tooManyDifferencesAreNotComputed() {
    let left = (0..<1_000).map { "l\($0)" }
    let right = (0..<1_000).map { "r\($0)" }
    #expect(LineDiff.editScript(left.count, right.count) { left[$0] == right[$1] } == nil)
  }
}
