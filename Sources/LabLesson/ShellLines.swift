/// How the lines of a shell block read to a person: where a command ends, and whether a line is
/// a command someone types or output the terminal printed.
///
/// Web tutorials rarely mark which is which. A block may hold `docker images` and then the
/// table it printed, with no prompt on either; a command may run over several lines through an
/// open quote or a here-document. The evidence is read line by line, and when it is thin the
/// line is taken as output: running printed text as a command does harm, showing a command as
/// output does none.
enum ShellLines {
  /// Programs tutorials tell readers to run, whether or not the sandbox has them: a line that
  /// starts with one reads as a command.
  static let knownCommands: Set<String> = [
    "docker", "sudo", "ls", "cat", "cd", "echo", "mkdir", "touch", "rm", "cp", "mv", "tar", "grep",
    "head", "tail", "wc", "jq", "find", "tree", "du", "df", "stat", "sha256sum", "pwd", "printf",
    "env", "export", "cut", "sort", "uniq", "awk", "sed", "tr", "tee", "xargs", "curl", "wget",
    "chmod", "chown", "ln", "readlink", "realpath", "basename", "dirname", "date", "sleep", "id",
    "whoami", "hostname", "uname", "base64", "gzip", "gunzip", "zcat", "od", "diff", "column",
    "file", "nl", "seq", "set", "unset", "source", "alias", "exit", "true", "false", "test",
    "for", "while", "if", "case", "apt-get", "apt", "apk", "yum", "dnf", "pip", "pip3", "python",
    "python3", "node", "npm", "npx", "yarn", "git", "make", "go", "java", "ruby", "bash", "sh",
    "zsh", "ssh", "scp", "kill", "ps", "top", "which", "type", "command", "history", "clear",
    "exec", "time", "watch", "less", "more", "vim", "vi", "nano", "emacs", "code", "open",
    "systemctl", "service", "skopeo", "crane", "dive", "podman", "buildah", "kubectl", "minikube",
    "docker-compose", "mount", "umount", "rmdir", "cmp", "xxd", "hexdump", "strings", "ping",
    "nslookup", "dig", "nc", "netstat", "ss", "ip", "ifconfig", "free", "usermod", "groupadd",
    "newgrp", "su", "unzip", "zip", "split", "shasum", "md5sum", "sha1sum", "gpg", "openssl",
    "printenv", "read", "wait", "trap", "cmd", "let", "local", "return", "shift", "umask", "[",
  ]
  /// Editors: a block that opens one is followed by the text to type into the file.
  static let editors: Set<String> = ["vim", "vi", "nano", "emacs", "code", "gedit", "notepad"]

  // MARK: - Where a command ends

  /// Whether `command` is complete: no open quote, here-document, compound command (`for … do`
  /// without its `done`), `\\`, `&&`, `||` or `|` at its end asks for a further line.
  static func isComplete(_ command: String) -> Bool {
    var quote: Character?
    var heredocs: [(delimiter: String, stripTabs: Bool)] = []
    var depth = 0
    var parentheses = 0
    var tokens: [String] = []
    var word = ""
    var continued = false
    func endWord() {
      guard !word.isEmpty else { return }
      let atCommand =
        tokens.last.map {
          [";", "&&", "||", "|", "&", "(", ")", "{", "then", "do", "else", "!"].contains($0)
        }
        ?? true
      if atCommand {
        switch word {
        case "if", "for", "while", "until", "case", "select", "{": depth += 1
        case "fi", "done", "esac", "}": depth -= 1
        default: break
        }
      }
      tokens.append(word)
      word = ""
    }
    for line in command.split(separator: "\n", omittingEmptySubsequences: false) {
      if quote == nil, let (delimiter, stripTabs) = heredocs.first {
        // Inside a here-document: only its delimiter line ends it.
        let text = stripTabs ? String(line.drop { $0 == "\t" }) : String(line)
        if text == delimiter { heredocs.removeFirst() }
        continue
      }
      let characters = Array(line)
      var index = 0
      continued = false
      if quote == nil { tokens.append(";") }
      while index < characters.count {
        let character = characters[index]
        if let open = quote {
          if character == open {
            quote = nil
          } else if character == "\\" && open == "\"" {
            index += 1
          }
          word.append(character)
          index += 1
          continue
        }
        switch character {
        case "\\":
          if index + 1 == characters.count {
            continued = true
          } else {
            word.append(character)
            word.append(characters[index + 1])
          }
          index += 2
          continue
        case "'", "\"":
          quote = character
          word.append(character)
        case " ", "\t":
          endWord()
        case "#" where word.isEmpty:
          // A comment runs to the end of the line.
          index = characters.count
          continue
        case ";", "&", "|", "(", ")":
          endWord()
          if character == "(" { parentheses += 1 }
          if character == ")" { parentheses -= 1 }
          var token = String(character)
          if index + 1 < characters.count, characters[index + 1] == character, character != "(",
            character != ")"
          {
            token.append(character)
            index += 1
          }
          tokens.append(token)
        case "<" where index + 1 < characters.count && characters[index + 1] == "<":
          endWord()
          if index + 2 < characters.count, characters[index + 2] == "<" {
            index += 3
            continue
          }
          var rest = characters[(index + 2)...].drop { $0 == " " }
          let stripTabs = rest.first == "-"
          if stripTabs { rest = rest.dropFirst().drop { $0 == " " } }
          let raw = rest.prefix { !$0.isWhitespace && !";|&<>()".contains($0) }
          let delimiter = String(raw).filter { $0 != "'" && $0 != "\"" && $0 != "\\" }
          if !delimiter.isEmpty { heredocs.append((delimiter, stripTabs)) }
          index = rest.startIndex + raw.count
          continue
        default:
          word.append(character)
        }
        index += 1
      }
      if quote == nil {
        endWord()
      } else {
        word.append("\n")
      }
    }
    if quote != nil || !heredocs.isEmpty || continued || depth > 0 || parentheses > 0 {
      return false
    }
    let last = tokens.last { $0 != ";" }
    return !(last == "&&" || last == "||" || last == "|")
  }

  // MARK: - Command or output

  /// The program a line runs: its first word after assignments and `sudo` with its options.
  static func program(of line: String) -> String? {
    var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    func isAssignment(_ word: String) -> Bool {
      guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return false }
      return word[..<equals].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        && word.first?.isNumber == false
    }
    while let first = words.first, isAssignment(first) { words.removeFirst() }
    if words.first == "sudo", words.count > 1 {
      words.removeFirst()
      while let first = words.first, first.hasPrefix("-") { words.removeFirst() }
    }
    return words.first
  }

  /// Whether a line reads as the start of a command someone types.
  ///
  /// Its first word is a program tutorials run, written as a word (`ls`, not `ls:` of an error
  /// message), at the start of the line, and the line is not laid out as a table.
  static func startsCommand(_ line: String, functions: Set<String> = []) -> Bool {
    guard let first = line.first, first != " " && first != "\t" else { return false }
    if definedFunction(line) != nil { return true }
    if let program = program(of: line), functions.contains(program) { return true }
    let word = String(line.prefix { $0 != " " && $0 != "\t" })
    if word.hasSuffix(":") || word.hasSuffix(",") { return false }
    guard let program = program(of: line), knownCommands.contains(program) else { return false }
    if program == "[" { return line.hasSuffix("]") || line.contains("] ") }
    return !looksLikeTable(line)
  }

  /// The function a line starts to define: `greet() {`, `function greet {`.
  static func definedFunction(_ line: String) -> String? {
    // Both patterns need `()` or a leading `function`: others are not matched against them,
    // which would build them again for every line.
    guard line.contains("()") || line.hasPrefix("function") else { return nil }
    if let match = line.firstMatch(
      of: #/^(?:function\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*\(\)\s*(?:\{.*)?$/#)
    {
      return String(match.output.1)
    }
    if let match = line.firstMatch(of: #/^function\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:\{.*)?$/#) {
      return String(match.output.1)
    }
    return nil
  }

  /// Whether a line looks like a row of a table: two gaps of two or more spaces outside quotes.
  static func looksLikeTable(_ line: String) -> Bool {
    var gaps = 0
    var run = 0
    var quote: Character?
    for character in line {
      if let open = quote {
        if character == open { quote = nil }
        continue
      }
      if character == "'" || character == "\"" {
        quote = character
        run = 0
        continue
      }
      if character == " " {
        run += 1
        if run == 2 { gaps += 1 }
      } else {
        run = 0
      }
    }
    return gaps >= 2 || line.contains("\t")
  }

  /// Whether a line is a usage synopsis (`docker image rm [OPTIONS] IMAGE [IMAGE...]`): a
  /// reference page's notation, not a command.
  static func isSynopsis(_ line: String) -> Bool {
    line.contains("]")
      && line.firstMatch(of: #/\[(?:OPTIONS|[A-Z][A-Z_|-]*(?:\.\.\.)?)\]|\.\.\.\]/#) != nil
  }

  /// Whether a line is a shell comment.
  static func isComment(_ line: String) -> Bool {
    line.trimmingCharacters(in: [" ", "\t"]).hasPrefix("#")
  }

  /// Programs whose output is the text of a file: what follows them is not run.
  static let filePrinters: Set<String> = ["cat", "head", "tail", "more", "less", "type"]

  /// Whether a command prints a file's text to the terminal (`cat Dockerfile`), so that the
  /// lines after it are that text — not `cat > Dockerfile <<EOF`, which writes one.
  static func printsFile(_ command: String) -> Bool {
    guard let program = program(of: command), filePrinters.contains(program) else { return false }
    return !command.contains(">") && !command.contains("<<") && !command.contains("|")
  }

  /// The file a command opens in an editor (`vim Dockerfile`, `sudo nano app.py`), if it does.
  static func editedFile(_ command: String) -> String? {
    let words = command.split(separator: " ").map(String.init).filter { !$0.hasPrefix("-") }
    let start = words.first == "sudo" ? 1 : 0
    guard words.count == start + 2, editors.contains(words[start]) else { return nil }
    return words[start + 1]
  }
}
