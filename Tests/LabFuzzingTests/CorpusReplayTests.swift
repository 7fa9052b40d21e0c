import Foundation
import LabFuzzing
import LabTestSupport
import Testing

/// Every seed of the fuzzers, and every input a fuzzer once found a problem with, runs
/// through its target without a crash: the fuzzers' findings stay fixed.
@Suite("Fuzz inputs replay")
struct CorpusReplayTests {
  static func inputs(_ folder: String, _ target: FuzzTarget) -> [String] {
    let directory = "\(TestSupport.packageRoot)/Fuzz/\(folder)/\(target.rawValue)"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.sorted().map { "\(directory)/\($0)" }
  }

  @Test(arguments: FuzzTarget.allCases)
  func seedsAndRegressionsRun(_ target: FuzzTarget) throws {
    let seeds = Self.inputs("corpus", target)
    #expect(!seeds.isEmpty, "Fuzz/corpus/\(target.rawValue) has no seeds")
    for path in seeds + Self.inputs("regressions", target) {
      let data = try #require(FileManager.default.contents(atPath: path))
      target.run(Array(data))
    }
  }
}
