import ArgumentParser
import Foundation
import LabImage
import LabLesson
import LabOutput
import LabRegistryClient
import LabShell
import LabSnapshot
import LabTerminal
import LabWorkshop

extension LayerLab {
  /// A learner steps through a lesson.
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Step through a lesson: read it, run its commands, see your output beside it.",
      discussion: """
        At each step the lesson's command is shown: press Enter to run it, or type any command.
        Your progress is kept, and `layerlab run` on the same lesson picks up where you left.
        At an exercise, solve the task your own way: after every command its checks look at
        your images and files, and say when it is solved.
        Commands of the stepper start with a colon: :hint :solution :show :skip :next :back
        :restart :list :help :quit. Ctrl-D leaves too.
        """)

    @Argument(
      help: "A lesson file, a folder of lessons, or the name of a bundled lesson.",
      completion: .file(extensions: ["md"]))
    var lesson: String

    @Option(help: "Start at this step (counting the steps you act on), doing the ones before.")
    var step: Int?

    @Flag(help: "No colours or bold, whatever the terminal.")
    var plain = false

    @OptionGroup var options: StoreOptions

    func run() throws {
      let path = try Workshop.resolve(lesson)
      let parsed: Lesson
      do {
        parsed = try LessonParser.parse(contentsOf: path)
      } catch {
        throw BadInput(error.description)
      }
      var stepperUI = try StepperUI(
        lesson: parsed, options: options, color: Terminal.usesColor && !plain)
      try stepperUI.start(at: step)
    }
  }
}

/// The stepper's terminal: prose, the step's command, the prompt, the verdict.
struct StepperUI {
  var stepper: Stepper
  let place: LessonPlace
  let registry: EmbeddedRegistry?
  /// Lessons reach only the registries the user configured, never one a lesson names.
  let registryAccess: RegistryAccess
  let renderer: TerminalRenderer
  let editor: LineEditor?
  let color: Bool
  /// The step whose prose was shown last, so it is shown once.
  var shown: Int?

  init(lesson: Lesson, options: StoreOptions, color: Bool) throws {
    registry = EmbeddedRegistry.locate()
    registryAccess = try StoreOptions.registryAccess(allowsLoopback: false)
    place = LessonPlace(lessonPath: lesson.path, dataDirectory: options.dataDirectory)
    stepper = try place.resume(lesson, registry: registry, registryAccess: registryAccess)
    renderer = TerminalRenderer(width: min(Terminal.width, 100), color: color)
    self.color = color
    let history = options.dataDirectory + "/history"
    if Terminal.isInteractive {
      // The completer reads the sandbox as it is when Tab is pressed.
      let box = SessionBox()
      editor = LineEditor(historyFile: history) { line in
        box.session?.sandbox.shell.completions(for: line) ?? ("", [])
      }
      sessionBox = box
    } else {
      editor = nil
      sessionBox = nil
    }
    Interrupt.install(for: &stepper.sessionSandbox)
  }

  /// Lets the line editor's completer see the current sandbox.
  let sessionBox: SessionBox?

  mutating func start(at step: Int?) throws {
    if let step { try jump(to: step) }
    if !stepper.log.isEmpty && !stepper.isFinished {
      say(paint("Welcome back: you are at step \(stepper.commandNumber.current).", "2"))
    }
    while !stepper.isFinished {
      sessionBox?.session = stepper.session
      showProse()
      guard let line = read(prompt()) else {
        try save()
        say("\nYour progress is saved: `layerlab run \(stepper.lesson.path)` goes on from here.")
        return
      }
      if line == ShellInput.cancelled { continue }
      if line.hasPrefix(":") {
        if try !command(line) { return }
        continue
      }
      act(on: line)
      try save()
    }
    finish()
    try save()
  }

  // MARK: - A step

  mutating func showProse() {
    guard shown != stepper.position else { return }
    shown = stepper.position
    let before = stepper.lesson.prose.before[stepper.position]
    let rendered = renderer.render(before)
    if !rendered.isEmpty { say("\n" + rendered, newline: false) }
    let (number, total) = stepper.commandNumber
    say("\n" + progressLine(number, total))
    switch stepper.current {
    case .command:
      say(paint("  $ " + (stepper.suggestedCommand ?? ""), "1"))
      say(paint("  Enter runs it; or type your own. :help for more.", "2"))
    case .file(let path, let content, _), .addToFile(let path, let content, _):
      let verb = stepper.current?.fileWrite?.appends == true ? "Add to the end of " : "Create "
      say("  " + verb + paint(path, "1") + ":")
      say(renderer.render("```\n" + content + "```"), newline: false)
      say(paint("  Enter creates it.", "2"))
    case .exercise(let exercise):
      // A title taken from the heading was just shown with the step.
      let section = Workshop.section(before: stepper.position, in: stepper.lesson)
      say(paint("  Exercise" + (exercise.title == section ? "" : ": " + exercise.title), "1;36"))
      let task = renderer.render(exercise.task)
      if !task.isEmpty { say(task, newline: false) }
      let par = exercise.solution.count
      say(
        paint(
          "  Solve it your own way: your work is checked after every command"
            + (par > 0 ? " (par: \(par) command\(par == 1 ? "" : "s"))" : "") + ".", "2"))
      say(paint("  :hint for a hint, :solution to see one, :skip to move on.", "2"))
    default:
      break
    }
  }

  func progressLine(_ number: Int, _ total: Int) -> String {
    let cells = 10
    let filled = total == 0 ? cells : (number - 1) * cells / max(total, 1)
    let bar = String(repeating: "▓", count: filled) + String(repeating: "░", count: cells - filled)
    let section = Workshop.section(before: stepper.position, in: stepper.lesson)
    return paint("Step \(number)/\(total) \(bar) \(section)", "1")
  }

  func prompt() -> String {
    stepper.session.sandbox.shell.prompt
  }

  mutating func act(on line: String) {
    switch stepper.current {
    case .file(let path, _, _), .addToFile(let path, _, _):
      if editor == nil { say(line) }
      if line.trimmingCharacters(in: .whitespaces).isEmpty {
        let appends = stepper.current?.fileWrite?.appends == true
        if let failure = stepper.createFile() {
          say(paint(failure, "31"))
        } else {
          let done = appends ? "added to" : "created"
          say(paint("✓ \(done) \(path)", "32"))
        }
      } else {
        // Exploring before creating the file.
        emitWithHint(stepper.runOutsideStep(line))
      }
    case .exercise:
      if editor == nil { say(line) }
      guard let attempt = stepper.run(line) else {
        say(paint("  An exercise has no command to run for you: type your own, or :hint.", "2"))
        return
      }
      emitWithHint(attempt.result)
      exerciseVerdict(attempt)
    case .command:
      let typed = line.trimmingCharacters(in: .whitespaces).isEmpty
      if editor == nil {
        // Scripted input is not echoed: show what runs, as a terminal would have.
        say(typed ? (stepper.suggestedCommand ?? "") : line)
      } else if typed {
        say(paint("  " + (stepper.suggestedCommand ?? ""), "2"))
      }
      // A step whose output the lesson shows is compared with it: there a full-screen program
      // (dive) prints its plain report instead of taking the terminal.
      if case .command(let step) = stepper.current {
        stepper.sessionSandbox.shell.allowsFullScreen =
          Terminal.isInteractive && step.expected == nil
      }
      defer { stepper.sessionSandbox.shell.allowsFullScreen = Terminal.isInteractive }
      guard let attempt = stepper.run(line) else { return }
      for (author, actual) in attempt.rewrites {
        say(paint("  the lesson's \(short(author)) is \(short(actual)) here", "2"))
      }
      emitWithHint(attempt.result)
      verdict(attempt)
    default:
      break
    }
  }

  /// A command's output; at a terminal, after a pull of an image the registry lacks, the
  /// images it has.
  func emitWithHint(_ result: CommandOutput) {
    emit(result)
    if editor != nil, let hint = PullHint.line(after: result, registry: registry) {
      printError(paint(hint, "2") + "\n")
    }
  }

  func verdict(_ attempt: Stepper.Attempt) {
    if let report = attempt.report {
      if report.outcome == .passed {
        let accepted = Set(report.differences.map(\.reason)).sorted()
        say(paint("✓ matches the lesson", "32"))
        if !accepted.isEmpty { say(paint("  accepted: " + accepted.joined(separator: "; "), "2")) }
      } else if attempt.completesStep {
        say(paint("✗ your output differs from the lesson's:", "33"))
        say(ReportRenderer.describe(report, in: "lesson", paint: paint), newline: false)
      }
    } else if attempt.completesStep {
      say(paint("✓ done", "32"))
    }
    if !attempt.completesStep {
      say(
        paint(
          "  (exploring: this step is done when you run its command or get its output)", "2"))
    } else {
      let between = stepper.lesson.prose.between[stepper.position - 1]
      let rendered = renderer.render(between)
      if !rendered.isEmpty { say(rendered, newline: false) }
    }
  }

  /// After a command at an exercise: solved, with the count against par, or why not yet.
  func exerciseVerdict(_ attempt: Stepper.Attempt) {
    guard let verdict = attempt.exercise else { return }
    guard verdict.isSolved else {
      let first = verdict.message.split(separator: "\n").first.map(String.init) ?? ""
      say(paint("  · not solved yet" + (first.isEmpty ? "" : ": " + first), "2"))
      return
    }
    let index = stepper.position - 1
    guard case .exercise(let exercise) = stepper.lesson.steps[index] else { return }
    let state = stepper.exercises[index] ?? Stepper.ExerciseState()
    say(paint("✓ solved: " + exercise.title, "32"))
    say(paint("  " + Self.parLine(commands: state.commands, par: exercise.solution.count), "2"))
  }

  /// The count against par, as in "You solved it in 4 commands; the model solution takes 2".
  static func parLine(commands: Int, par: Int) -> String {
    func count(_ number: Int) -> String { "\(number) command\(number == 1 ? "" : "s")" }
    let yours = "You solved it in \(count(commands))"
    guard par > 0 else { return yours + "." }
    if commands == par { return yours + ", as many as the model solution." }
    if commands < par { return yours + "; the model solution takes \(par). Well done." }
    return yours + "; the model solution takes \(par)."
  }

  mutating func finish() {
    let closing = renderer.render(stepper.lesson.prose.closing)
    if !closing.isEmpty { say("\n" + closing, newline: false) }
    let skipped = stepper.outcomes.values.filter { $0 == .skipped }.count
    say(
      paint(
        "\n✓ Lesson complete"
          + (skipped > 0 ? " (\(skipped) step\(skipped == 1 ? "" : "s") skipped)" : "")
          + ".", "32"))
    let (solved, reached) = Progress(stepper).exerciseTally
    if reached > 0 { say(paint("  Exercises solved: \(solved) of \(reached).", "2")) }
  }

  // MARK: - The stepper's own commands

  /// Runs `:word`; returns `false` to leave.
  mutating func command(_ line: String) throws -> Bool {
    let word = line.split(separator: " ").first.map(String.init) ?? line
    switch word {
    case ":quit", ":q", ":exit":
      try save()
      say("Your progress is saved: `layerlab run \(stepper.lesson.path)` goes on from here.")
      return false
    case ":skip", ":next":
      stepper.skip()
      say(paint("skipped", "2"))
    case ":hint":
      if case .exercise = stepper.current {
        if let (text, number, count) = stepper.revealHint() {
          say(paint("hint \(number) of \(count): " + text, "36"))
        } else {
          say(paint("No more hints. :solution shows the model solution.", "36"))
        }
        try save()
      } else if case .command(let step) = stepper.current, let hint = step.hint {
        say(paint("hint: " + hint, "36"))
      } else if let command = stepper.suggestedCommand {
        say(paint("hint: the lesson runs  " + command, "36"))
      } else {
        say(paint("hint: press Enter to create the file", "36"))
      }
    case ":solution":
      guard case .exercise = stepper.current else {
        say(paint("This step is no exercise; :hint shows the lesson's command.", "2"))
        break
      }
      let commands = stepper.revealSolution()
      guard !commands.isEmpty else {
        say(paint("This exercise has no model solution.", "2"))
        break
      }
      say(paint("The model solution:", "2"))
      for command in commands { say(paint("  $ " + command, "1")) }
      say(paint("  (Run it, or your own way: the checks look at the result.)", "2"))
      try save()
    case ":show":
      if case .command(let step) = stepper.current, let expected = step.expected {
        say(paint("The lesson expects:", "2"))
        say(stepper.bindings.rewrite(expected.text), newline: false)
      } else {
        say(paint("This step shows no output.", "2"))
      }
    case ":back":
      let log = stepper.logBeforePreviousStep
      stepper = Stepper.replaying(
        log, lesson: stepper.lesson,
        session: try place.freshSession(registry: registry, registryAccess: registryAccess),
        registry: registry)
      Interrupt.install(for: &stepper.sessionSandbox)
      shown = nil
    case ":restart" where line.split(separator: " ").dropFirst().first != "lesson":
      guard case .exercise = stepper.current else { fallthrough }
      stepper = Stepper.replaying(
        stepper.logBeforeCurrentStep, lesson: stepper.lesson,
        session: try place.freshSession(registry: registry, registryAccess: registryAccess),
        registry: registry)
      Interrupt.install(for: &stepper.sessionSandbox)
      say(paint("The exercise starts again, from the sandbox as it was before it.", "2"))
      try save()
    case ":restart":
      stepper = Stepper(
        lesson: stepper.lesson,
        session: try place.freshSession(registry: registry, registryAccess: registryAccess),
        registry: registry)
      Interrupt.install(for: &stepper.sessionSandbox)
      shown = nil
      try save()
    case ":list":
      say(Workshop.stepList(stepper))
    case ":help":
      say(
        """
        Enter        run the lesson's command (or create the file)
        any command  runs in the sandbox; the step is done when it prints the lesson's output
        :hint        a hint (at an exercise, the next one), or the lesson's command
        :solution    at an exercise, the model solution (noted in your progress)
        :show        the output the lesson expects
        :skip :next  leave this step and go on
        :back        back to the step before (the sandbox is rebuilt as it was)
        :restart     the lesson from the start, in a fresh sandbox; at an exercise, the
                     exercise from its start (:restart lesson for the whole lesson)
        :list        the steps and where you are
        :quit        leave (so does Ctrl-D); your progress is saved
        """)
    default:
      say("unknown command \(word); :help lists them")
    }
    return true
  }

  mutating func jump(to number: Int) throws {
    let commands = stepper.lesson.steps.indices.filter {
      Stepper.isInteractive(stepper.lesson.steps[$0])
    }
    guard number >= 1, number <= commands.count else {
      throw ValidationError("--step must be between 1 and \(commands.count)")
    }
    stepper = Stepper(
      lesson: stepper.lesson,
      session: try place.freshSession(registry: registry, registryAccess: registryAccess),
      registry: registry)
    while stepper.commandNumber.current < number && !stepper.isFinished {
      switch stepper.current {
      case .file: stepper.createFile()
      case .command: _ = stepper.run("")
      case .exercise(let exercise):
        // The model solution, as `check` runs it; an exercise it does not solve is skipped.
        let position = stepper.position
        for step in exercise.solution where stepper.position == position {
          _ = stepper.run(step.command)
        }
        if stepper.position == position { stepper.skip() }
      default: break
      }
    }
    Interrupt.install(for: &stepper.sessionSandbox)
  }

  // MARK: - Input and output

  func save() throws { try place.save(Progress(stepper)) }

  func read(_ prompt: String) -> String? {
    guard let editor else {
      printOut(prompt)
      return readLine(strippingNewline: true)
    }
    switch editor.read(prompt: prompt) {
    case .line(let line):
      editor.remember(line)
      return line
    case .cancelled: return ShellInput.cancelled
    case .endOfInput: return nil
    }
  }

  func say(_ text: String, newline: Bool = true) {
    printOut(text + (newline ? "\n" : ""))
  }

  func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  func short(_ id: String) -> String {
    let bare = id.hasPrefix("sha256:") ? String(id.dropFirst(7)) : id
    return bare.count > 12 ? String(bare.prefix(8)) + "…" : bare
  }
}

/// What the line readers return for a line cancelled with Ctrl-C.
enum ShellInput {
  static let cancelled = "\u{3}"
}

/// The sandbox the completer looks at, updated as the learner moves on.
final class SessionBox: @unchecked Sendable {
  var session: SandboxSession?
}
