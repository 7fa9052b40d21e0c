import Foundation
import LabFuzzing

// Built with `-sanitize=fuzzer -DFUZZING` (see `scripts/fuzz`), this is a libFuzzer binary:
// `FUZZ_TARGET` names the target, and libFuzzer's own options follow. Built normally, it is a
// replayer: `layerlab-fuzz TARGET FILE...` feeds each file to the target once.

/// The target chosen by `FUZZ_TARGET`, read once.
private let chosenTarget: FuzzTarget? = ProcessInfo.processInfo.environment["FUZZ_TARGET"]
  .flatMap(FuzzTarget.init(rawValue:))

/// libFuzzer's entry for one input.
private func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let target = chosenTarget else { return 0 }
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  target.run(bytes)
  return 0
}

#if FUZZING
/// libFuzzer's entry by its C name: a debug build links libFuzzer's own `main` (SwiftPM renames
/// a debug executable's), which calls this.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzOneInput(data, size)
}

/// libFuzzer's driver, which parses its options and calls back for every input.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

@main
enum FuzzMain {
  static func main() {
    #if FUZZING
    guard chosenTarget != nil else { usage() }
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(runDriver(&argc, &argv) { fuzzOneInput($0, $1) })
    #else
    let arguments = CommandLine.arguments.dropFirst()
    guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { usage() }
    for path in arguments.dropFirst() {
      guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("layerlab-fuzz: cannot read \(path)\n".utf8))
        exit(2)
      }
      target.run(Array(data))
    }
    #endif
  }

  static func usage() -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
    FileHandle.standardError.write(
      Data(
        "usage: layerlab-fuzz TARGET FILE... (or FUZZ_TARGET=TARGET when fuzzing); targets: \(names)\n"
          .utf8))
    exit(2)
  }
}
