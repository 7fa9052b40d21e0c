import ArgumentParser
import Foundation
import LabBundle
import LabFiles
import LabImage
import LabLesson
import LabRegistryClient
import LabWorkshop

extension LayerLab {
  /// Writes what the toolkit prints back into lessons, keeping what the author wrote that holds.
  struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run lessons and write their actual outputs where they differ.",
      discussion: """
        Only the lines that differ change: lines that still match keep the author's text \
        (`...`, `[..]`, `(re)`, their IDs), new lines show the author's IDs where they are \
        bound, and passing steps, prose and fences stay byte for byte. The file is replaced \
        through a temporary file and a rename, and not at all if it changed meanwhile.
        """)

    @Argument(help: "Lesson files, or directories of them.", completion: .file(extensions: ["md"]))
    var paths: [String]

    @Flag(help: "Also write the output of commands whose output the lesson does not show.")
    var fill = false

    @Flag(help: "Print the change as a unified diff and write nothing.")
    var diff = false

    @Flag(help: "Show each changed block and ask whether to take it (y, n, or q to stop).")
    var interactive = false

    @Option(help: "How long one step may run, in seconds.")
    var timeout = 30

    func run() throws {
      ScratchDirectory.removeStale()
      var lessons: [String] = []
      for path in paths { lessons += try LessonFiles.find(path) }
      if let bundled = lessons.first(where: BundledFiles.isBundled) {
        throw BadInput("\(bundled): a bundled lesson is read-only; record a copy of it")
      }
      guard !lessons.isEmpty else {
        throw BadInput("no lessons found in \(paths.joined(separator: " "))")
      }
      var runner = LessonRunner(registry: EmbeddedRegistry.locate())
      runner.registryAccess = try StoreOptions.registryAccess(allowsLoopback: false)
      runner.timeout = timeout
      var failed = false
      for lesson in lessons {
        do {
          var recording = try LessonRecorder.record(path: lesson, runner: runner, fill: fill)
          if interactive {
            var chosen: Set<Int> = []
            var quit = false
            for (index, change) in recording.changes.enumerated() where !quit {
              printOut(recording.describe(change))
              printOut("Take this change? [y]es, [n]o, [q]uit: ")
              switch readLine()?.trimmingCharacters(in: .whitespaces).lowercased() {
              case "y", "yes": chosen.insert(index)
              case "n", "no", "": break
              default: quit = true
              }
            }
            recording = recording.keeping(chosen)
          }
          if diff {
            printOut(LessonRecorder.unifiedDiff(recording))
            continue
          }
          try LessonRecorder.write(recording)
          printOut(
            recording.isUpToDate
              ? "\(lesson): up to date\n"
              : "\(lesson): \(recording.changedBlocks) output\(recording.changedBlocks == 1 ? "" : "s") recorded\n"
          )
        } catch {
          FileHandle.standardError.write(Data("\(error.description)\n".utf8))
          failed = true
        }
      }
      if failed { throw ExitCode(2) }
    }
  }
}
