import Foundation
import LabFuzzing

// Built with `-sanitize=fuzzer -DFUZZING` (see `scripts/fuzz`), libFuzzer supplies `main` and
// calls the entry point below; `FUZZ_TARGET` names the target. Built normally, this is a
// replayer: `layerlab-fuzz TARGET FILE...` feeds each file to the target once.

/// The target chosen by `FUZZ_TARGET`, read once.
private let chosenTarget: FuzzTarget? = ProcessInfo.processInfo.environment["FUZZ_TARGET"]
  .flatMap(FuzzTarget.init(rawValue:))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let target = chosenTarget else {
    fatalError("set FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
  }
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  target.run(bytes)
  return 0
}

#if !FUZZING
@main
enum Replay {
  static func main() {
    let arguments = CommandLine.arguments.dropFirst()
    guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
      FileHandle.standardError.write(
        Data(
          "usage: layerlab-fuzz TARGET FILE...; targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))\n"
            .utf8))
      exit(2)
    }
    for path in arguments.dropFirst() {
      guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("layerlab-fuzz: cannot read \(path)\n".utf8))
        exit(2)
      }
      target.run(Array(data))
    }
  }
}
#endif
