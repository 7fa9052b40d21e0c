/// The sandbox's bounds: lessons come from the internet, and no command line may crash the
/// runner, exhaust its stack or fill its memory.
///
/// Where bash has an answer for going past a bound it is bash's; elsewhere the message says that
/// the sandbox stopped. The depths are small enough for a 512 KiB thread stack in a debug build.
public enum Limits {
  /// The most bytes a command may write, a word may expand to, or a utility may make.
  public static let outputBytes = 64 << 20
  /// ``outputBytes`` as messages show it.
  public static let outputText = "64 MiB"
  /// The most words one word's brace expansion may make.
  public static let braceWords = 100_000
  /// How deeply commands may nest: each `( … )`, `{ …; }`, `if`, loop, `&&` or `||` link and
  /// `${…}` within `${…}` is a level, and each shell run inside a shell (`$(…)`, a script, `sh -c`,
  /// `source`) two.
  public static let depth = 32
  /// How deeply `$(( … ))` may nest parentheses and signs.
  public static let arithmeticDepth = 64
  /// How deeply `find`, `du`, `tree`, `grep -r`, `cp -r` and `tar` go into directories, a level
  /// of calls each; the host's path length allows some 2,000.
  public static let directoryDepth = 64

  /// What a utility says about a directory past ``directoryDepth``.
  public static func directoryMessage(_ utility: String, _ path: String) -> String {
    "\(utility): '\(path)': the sandbox goes at most \(directoryDepth) directories deep\n"
  }

  /// What a utility says when what it would write is over ``outputBytes``.
  public static func outputMessage(_ utility: String) -> String {
    "\(utility): the sandbox stops a command's output at \(outputText)"
  }
}
