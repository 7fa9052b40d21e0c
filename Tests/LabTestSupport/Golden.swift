import Foundation
import LabFiles

/// Test helpers shared by every test target: golden files, fixtures, scratch directories
/// and the outside tools used as oracles.
public enum TestSupport {
  /// The package's root directory, found from this file's path.
  public static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The embedded registry checked into the repository.
  public static var registryRoot: String { "\(packageRoot)/sandbox/registry" }

  /// `../shared` beside the repository, when this checkout has it.
  public static var sharedRoot: String? {
    let path = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
      .appendingPathComponent("shared").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }

  /// The seed lesson in `../shared`, when this checkout has it.
  public static var seedLesson: String? {
    guard let shared = sharedRoot else { return nil }
    let path = "\(shared)/seed/images.md"
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }

  /// A new empty directory, removed when the process ends at the latest.
  ///
  /// It is named for this process (`layerlab-LABEL-PID-UUID`), so that everything made from
  /// it (a store's workspace beside it) is removed when the tests end, and a run that was
  /// killed leaves its directories to the next run of LayerLab to remove.
  public static func scratchDirectory(_ label: String = "test") throws -> String {
    _ = removalAtExit
    return try ScratchDirectory.make(label)
  }

  /// Removes this process's scratch directories when it exits.
  private static let removalAtExit: Void = {
    atexit {
      let folder = NSTemporaryDirectory()
      let mark = "-\(getpid())-"
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      for name in names where name.hasPrefix("layerlab-") && name.contains(mark) {
        ScratchDirectory.remove(folder + name)
      }
    }
  }()

  /// Compares `actual` with the golden file `name` in the test file's `__Snapshots__` folder.
  ///
  /// With `RECORD_SNAPSHOTS=1`, or when the file does not exist yet, the file is written and
  /// the comparison fails on purpose, so a recording never passes silently.
  ///
  /// - Returns: A description of the difference, or `nil` when they match.
  public static func golden(
    _ actual: String, named name: String, testFile: String = #filePath
  ) -> String? {
    let directory = URL(fileURLWithPath: testFile).deletingLastPathComponent()
      .appendingPathComponent("__Snapshots__")
    let file = directory.appendingPathComponent(name).path
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    if record || !FileManager.default.fileExists(atPath: file) {
      try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try? Data(actual.utf8).write(to: URL(fileURLWithPath: file))
      return "recorded a new golden file \(name); run again to compare"
    }
    let expected = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    guard expected != actual else { return nil }
    let expectedLines = expected.components(separatedBy: "\n")
    let actualLines = actual.components(separatedBy: "\n")
    for index in 0..<max(expectedLines.count, actualLines.count) {
      let left = index < expectedLines.count ? expectedLines[index] : "<end>"
      let right = index < actualLines.count ? actualLines[index] : "<end>"
      if left != right {
        return "\(name) differs at line \(index + 1):\n  golden: \(left)\n  actual: \(right)"
      }
    }
    return "\(name) differs"
  }
}

/// The result of running an outside program.
public struct ToolOutput: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

extension TestSupport {
  /// The full path of a program on `PATH`, or `nil` when it is not installed.
  public static func tool(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Runs an outside program (an oracle such as `skopeo` or `bsdtar`, or the built
  /// `layerlab`) and collects its output.
  public static func run(
    _ executable: String, _ arguments: [String], input: String? = nil,
    environment: [String: String]? = nil, directory: String? = nil
  ) throws -> ToolOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Read both pipes before waiting, so a full pipe never stalls the child.
    nonisolated(unsafe) var errorData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errorData = stderr.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ToolOutput(
      status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
      stderr: String(decoding: errorData, as: UTF8.self))
  }
}

extension TestSupport {
  /// The stack macOS gives a secondary thread, smaller than Linux's: the depth limits of the
  /// parsers and the shell must hold within it.
  public static let smallStack = 512 << 10

  /// Runs `body` on a thread with a ``smallStack`` stack and waits for its result, so that a
  /// recursion too deep for a lesson runner's thread crashes the test instead of passing.
  public static func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let result = Box(body)
    let thread = Thread { result.run() }
    thread.stackSize = smallStack
    thread.start()
    return result.wait()
  }

  /// A body and its value, handed from the thread that computes it to the one that waits.
  private final class Box<T: Sendable>: @unchecked Sendable {
    let body: @Sendable () -> T
    var value: [T] = []
    let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> T) { self.body = body }

    func run() {
      value = [body()]
      done.signal()
    }

    /// The value, once the thread has set it; the semaphore orders the write before the read.
    func wait() -> T {
      done.wait()
      return value[0]
    }
  }
}
