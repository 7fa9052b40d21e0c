import Foundation
import Synchronization

/// Why the sandbox stopped a command before it ended.
public enum BudgetExceeded: Error, Equatable, Sendable, CustomStringConvertible {
  /// The step ran past its time limit (`check --timeout`).
  case timeout(seconds: Int)
  /// The learner pressed Ctrl-C.
  case interrupted
  /// Loops, however nested, went round more often than one command may.
  case rounds(Int)
  /// The session's store and workspace reached their disk quota.
  case noSpace

  public var description: String {
    switch self {
    case .timeout(let seconds):
      "the sandbox stopped this command after \(seconds) second\(seconds == 1 ? "" : "s"), the step's time limit"
    case .interrupted: "interrupted"
    case .rounds(let count):
      "the sandbox stopped this command after \(count) loop rounds"
    case .noSpace: "No space left on device"
    }
  }
}

/// The disk a session may fill: its store and workspace together.
///
/// Writes charge what they add and removals give it back, so a loop that doubles a file, or a
/// small archive that expands to gigabytes, stops at the quota with `No space left on device`.
public final class DiskQuota: Sendable {
  /// What is left, in bytes.
  private let remaining: Atomic<Int64>
  /// What the session's directories held before, measured at the first write.
  private let measure: Mutex<(@Sendable () -> Int64)?>

  /// The default quota: 4 GiB, or `LAYERLAB_DISK_QUOTA` (bytes, or with a `K`, `M` or `G`).
  public static var defaultBytes: Int64 {
    ProcessInfo.processInfo.environment["LAYERLAB_DISK_QUOTA"].flatMap(parse) ?? 4 << 30
  }

  /// - Parameters:
  ///   - bytes: The quota.
  ///   - used: What the session's directories already hold; measured only when something is
  ///     first written, so sessions that only read never walk them.
  public init(bytes: Int64, used: (@Sendable () -> Int64)? = nil) {
    remaining = Atomic(bytes)
    measure = Mutex(used)
  }

  /// The bytes still free.
  public var available: Int64 {
    settle()
    return remaining.load(ordering: .relaxed)
  }

  /// Subtracts what the directories held, the first time it is needed.
  private func settle() {
    guard
      let used = measure.withLock({ measure in
        defer { measure = nil }
        return measure
      })
    else { return }
    remaining.subtract(max(0, used()), ordering: .relaxed)
  }

  /// Takes `bytes` from the quota, or refuses when they do not fit.
  public func charge(_ bytes: Int64) throws(BudgetExceeded) {
    guard bytes > 0 else { return }
    settle()
    var current = remaining.load(ordering: .relaxed)
    while true {
      guard current >= bytes else { throw .noSpace }
      let (exchanged, original) = remaining.compareExchange(
        expected: current, desired: current - bytes, ordering: .relaxed)
      if exchanged { return }
      current = original
    }
  }

  /// Gives back what a removal freed.
  public func credit(_ bytes: Int64) {
    guard bytes > 0 else { return }
    remaining.add(bytes, ordering: .relaxed)
  }

  /// `4G`, `512M`, `100K` or a plain number of bytes.
  static func parse(_ text: String) -> Int64? {
    let shifts: [Character: Int64] = ["K": 10, "M": 20, "G": 30, "T": 40]
    guard let last = text.uppercased().last else { return nil }
    if let shift = shifts[last], let number = Int64(text.dropLast()), number >= 0,
      number <= Int64.max >> shift
    {
      return number << shift
    }
    return Int64(text).flatMap { $0 >= 0 ? $0 : nil }
  }
}

/// Ctrl-C, seen by the commands running: set from a signal handler, read by their loops.
public final class Interruption: Sendable {
  private let flag = Atomic<Bool>(false)

  public init() {}

  public var isRaised: Bool { flag.load(ordering: .relaxed) }
  public func raise() { flag.store(true, ordering: .relaxed) }
  public func clear() { flag.store(false, ordering: .relaxed) }
}

/// What one command may spend: time, loop rounds, and the session's disk.
///
/// Long-running work (loops, a utility's pass over its input, a template's `range`) asks
/// ``check()`` as it goes and stops cooperatively with a clear message. The budget of the
/// running command is ``current``, a task-local value, so code deep inside a utility, a build or
/// a template reaches it without every call passing it along.
///
/// The time limit counts the processor time the command's process spent, so a step that passes
/// on an idle machine also passes on one busy with other work; waiting costs no processor time
/// (a registry that never answers), so no command outlives four times its limit on the clock.
public final class Budget: Sendable {
  @TaskLocal public static var current: Budget?

  /// The most loop rounds one command may run, however its loops nest, by default.
  public static let maximumRounds = 100_000

  public let disk: DiskQuota?
  let interruption: Interruption?
  let seconds: Int
  /// The most loop rounds this command may run.
  let maximumRounds: Int
  /// The monotonic time, in nanoseconds, past which the command's processor time is counted.
  let deadline: UInt64
  /// The monotonic time past which the command is stopped whatever it spent: four limits on.
  let waitDeadline: UInt64
  /// The process's processor time when the command began, and the most it may add.
  let processorStart: UInt64
  let processorLimit: UInt64
  /// When the processor time is next read, once past ``deadline``: reading it is a system call.
  private let nextProcessorCheck = Atomic<UInt64>(0)
  let clocks: Clocks
  private let rounds = Atomic<Int>(0)
  private let stopped = Mutex<BudgetExceeded?>(nil)

  /// - Parameters:
  ///   - seconds: The command's time limit.
  ///   - disk: The session's quota, if writes are to be charged.
  ///   - interruption: The flag Ctrl-C raises, if any.
  ///   - rounds: The most loop rounds the command may run.
  public convenience init(
    seconds: Int = 30, disk: DiskQuota? = nil, interruption: Interruption? = nil,
    rounds: Int = maximumRounds
  ) {
    self.init(
      seconds: seconds, disk: disk, interruption: interruption, rounds: rounds, clocks: .system)
  }

  init(
    seconds: Int, disk: DiskQuota?, interruption: Interruption?, rounds: Int, clocks: Clocks
  ) {
    self.seconds = seconds
    self.maximumRounds = rounds
    self.disk = disk
    self.interruption = interruption
    self.clocks = clocks
    let now = clocks.monotonic()
    let limit = UInt64(clamping: max(0, seconds)).multipliedReportingOverflow(by: 1_000_000_000)
    let wait = limit.partialValue.multipliedReportingOverflow(by: 4)
    let (deadline, overflow) = now.addingReportingOverflow(limit.partialValue)
    let (waitDeadline, waitOverflow) = now.addingReportingOverflow(wait.partialValue)
    self.deadline = limit.overflow || overflow ? .max : deadline
    self.waitDeadline = limit.overflow || wait.overflow || waitOverflow ? .max : waitDeadline
    self.processorLimit = limit.overflow ? .max : limit.partialValue
    self.processorStart = clocks.processor()
  }

  /// The clocks a time limit reads, in nanoseconds; apart so that tests can set them.
  struct Clocks: Sendable {
    var monotonic: @Sendable () -> UInt64
    /// The processor time the process has spent, all its threads together.
    var processor: @Sendable () -> UInt64

    static let system = Clocks(
      monotonic: { nanoseconds(CLOCK_MONOTONIC) },
      processor: { nanoseconds(CLOCK_PROCESS_CPUTIME_ID) })

    private static func nanoseconds(_ clock: clockid_t) -> UInt64 {
      var time = timespec()
      clock_gettime(clock, &time)
      return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
  }

  /// Whether the command has spent its time: past its limit on the clock, and past it in
  /// processor time too or past four limits on the clock.
  private func timeIsUp() -> Bool {
    let now = clocks.monotonic()
    guard now > deadline else { return false }
    if now > waitDeadline { return true }
    // Past the limit on the clock, the processor time is read at most every 10 ms.
    guard now >= nextProcessorCheck.load(ordering: .relaxed) else { return false }
    nextProcessorCheck.store(now &+ 10_000_000, ordering: .relaxed)
    return clocks.processor() &- processorStart > processorLimit
  }

  /// Why the command must stop now, if it must; once stopped, it stays stopped.
  public func check() -> BudgetExceeded? {
    if let reason = stopped.withLock({ $0 }) { return reason }
    var reason: BudgetExceeded?
    if interruption?.isRaised == true {
      reason = .interrupted
    } else if timeIsUp() {
      reason = .timeout(seconds: seconds)
    }
    if let reason { stopped.withLock { $0 = reason } }
    return reason
  }

  /// Counts one round of a loop; the reason to stop, if there is one.
  public func countRound() -> BudgetExceeded? {
    if rounds.add(1, ordering: .relaxed).newValue > maximumRounds {
      stopped.withLock { $0 = $0 ?? .rounds(maximumRounds) }
    }
    return check()
  }

  /// Charges a write to the session's disk.
  public func chargeDisk(_ bytes: Int64) throws(BudgetExceeded) {
    try disk?.charge(bytes)
  }

  /// The current budget's reason to stop, if there is a budget and a reason.
  public static func shouldStop() -> BudgetExceeded? { current?.check() }
}
