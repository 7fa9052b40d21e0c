import ArgumentParser
import Foundation
import LabFiles
import LabImage
import LabRegistryClient
import LabWorkshop

/// Runs one lesson in a child process of LayerLab's own binary, so that whatever the lesson
/// does to its run (a crash, a hang no budget caught) costs that lesson, not the others.
///
/// This is the one place LayerLab starts a process, and the process is always itself
/// (`/proc/self/exe`), never a program a lesson names.
enum LessonWorker {
  /// The running executable, as the kernel knows it.
  static let executable = "/proc/self/exe"

  /// Runs `layerlab worker PATH` and reads its report.
  ///
  /// - Parameters:
  ///   - path: The lesson.
  ///   - strict: Whether `--strict` applies.
  ///   - timeout: Each step's time limit, in seconds.
  ///   - variables: Placeholder values, `name=value`.
  ///   - lessonTimeout: How long the whole lesson may take before its process is killed.
  /// - Returns: The lesson's report, or one with an error that says how the worker ended.
  static func check(
    path: String, strict: Bool, timeout: Int, variables: [String] = [], lessonTimeout: Int
  ) -> LessonReport {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments =
      ["worker", path, "--timeout", String(timeout)] + (strict ? ["--strict"] : [])
      + variables.flatMap { ["--var", $0] }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    // A crash ends the worker at once: no backtrace to print, nobody to read it.
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    do {
      try process.run()
    } catch {
      return LessonReport(path: path, title: "", error: "cannot start a worker: \(error)")
    }
    let killed = KillFlag()
    let deadline = DispatchWorkItem {
      killed.set()
      kill(process.processIdentifier, SIGKILL)
    }
    DispatchQueue.global().asyncAfter(
      deadline: .now() + .seconds(lessonTimeout), execute: deadline)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    deadline.cancel()
    // A worker that died cannot clean up after itself.
    ScratchDirectory.removeStale(of: process.processIdentifier)
    if killed.isSet {
      return LessonReport(
        path: path, title: "",
        error: "the lesson took longer than \(lessonTimeout) seconds and was stopped")
    }
    if process.terminationReason == .uncaughtSignal {
      let signal = process.terminationStatus
      let name = String(cString: strsignal(signal))
      return LessonReport(
        path: path, title: "",
        error:
          "LayerLab crashed on this lesson (signal \(signal), \(name)); the other lessons went on")
    }
    guard let report = try? JSONDecoder().decode(LessonReport.self, from: data) else {
      return LessonReport(
        path: path, title: "",
        error: "the worker ended with status \(process.terminationStatus) and no report")
    }
    return report
  }
}

/// Set once from another thread.
private final class KillFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  func set() {
    lock.lock()
    value = true
    lock.unlock()
  }

  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}

extension LayerLab {
  /// Checks one lesson and writes its report as JSON: what `check` runs in a child process.
  struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check one lesson for `layerlab check`, in a process of its own.",
      shouldDisplay: false)

    @Argument var path: String
    @Option var timeout = 30
    @Flag var strict = false
    @Option(name: .customLong("var")) var variables: [String] = []

    func run() throws {
      // Fault injection for the tests that prove one lesson's crash spares the others.
      if let fault = ProcessInfo.processInfo.environment["LAYERLAB_WORKER_FAULT"],
        path.hasSuffix(fault)
      {
        fatalError("LAYERLAB_WORKER_FAULT: crashing on \(path) as asked")
      }
      var runner = LessonRunner(strict: strict, registry: EmbeddedRegistry.locate())
      runner.registryAccess = try StoreOptions.registryAccess(allowsLoopback: false)
      runner.timeout = timeout
      runner.variables = try PlaceholderValues.parse(variables)
      let report = runner.check(path: path)
      FileHandle.standardOutput.write(try JSONEncoder().encode(report))
    }
  }
}

/// `--var name=value` options: values for the placeholders of lessons from the web.
enum PlaceholderValues {
  static func parse(_ options: [String]) throws -> [String: String] {
    var values: [String: String] = [:]
    for option in options {
      let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty else {
        throw ValidationError("--var takes name=value, not '\(option)'")
      }
      // `<your-username>`, `your_username` and `username` all name one placeholder.
      var name = parts[0].lowercased().replacingOccurrences(of: "-", with: "_")
      name = name.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
      if name.hasPrefix("your_") { name.removeFirst(5) }
      values[name] = parts[1]
    }
    return values
  }
}
