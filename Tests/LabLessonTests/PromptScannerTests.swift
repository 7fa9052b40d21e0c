import Testing

@testable import LabLesson

/// The hand-written prompt scanner finds the prompts the patterns it replaces find, and ends
/// them at the same place.
@Suite("Prompts scanned by hand")
struct PromptScannerTests {
  static var fullPrompt: Regex<Substring> {
    #/^(?:[\w.-]+@[\w.-]+(?::\S*?)?|\[[^\]]+\]|~\S*?|[\w.-]+:\S+ [\w.-]+)[$#] /#
  }
  static var ashPrompt: Regex<Substring> { #/^(?:/\S*|~\S*) [#$] /# }

  /// Prompts, near-prompts and ordinary output.
  static let lines = [
    "user@host:~$ ls", "root@3f2a4c1d9e0b:/# cat /etc/os-release", "root@host:/app# ",
    "[user@host dir]$ make", "[root@box ~]# id", "~/site$ npm test", "~$ ls", "~ $ ls",
    "host:~ user$ brew install", "me@box$ echo", "me@box# echo", "me@box:$ x", "me@box:# x",
    "me@box:/a b$ x", "me@box:/a$b$ x", "me@box:/a$bc", "user@host:~$", "user@host:~$x",
    "user@host ~$ ls", "@host:~$ ls", "user@:~$ ls", "[]$ ls", "[a]$ls", "[a] $ ls",
    "[a]b]$ x", "host: user$ x", "host:~ $ x", "host:~ us er$ x", "host:~\tuser$ x",
    "/ # ls", "/app # ls -l", "~ # whoami", "/ $ echo", "/#", "/ #", "/ # ", "/a/b/c # x",
    "/ ## x", "~/x y # z", "/\t# x", "total 0", "drwxr-xr-x 2 root root 4096 Sep  1 12:00 app",
    "REPOSITORY   TAG       IMAGE ID", "Step 1/3 : FROM busybox", "$ ls", "# comment",
    "naïve@hôte:~$ ls", "ü-ser@host:/$ x", "user.name@my-host.local:/var/lib$ sudo ls",
    "a_b@c_d:~/proj$ git status", "x@y:~$ echo '$ '", "x@y:~ $ echo", "[user@host dir]# ",
    "[user@host dir]#ls", "", " ", "user@host:~$  two spaces", "e\u{301}@host:~$ ls",
  ]

  @Test func fullPromptsEndWhereThePatternEnds() {
    for line in Self.lines {
      let expected = line.firstMatch(of: Self.fullPrompt)?.range.upperBound
      #expect(PromptScanner.fullPromptEnd(line) == expected, "\(line)")
    }
  }

  @Test func ashPromptsEndWhereThePatternEnds() {
    for line in Self.lines {
      let expected = line.firstMatch(of: Self.ashPrompt)?.range.upperBound
      #expect(PromptScanner.ashPromptEnd(line) == expected, "\(line)")
    }
  }
}
