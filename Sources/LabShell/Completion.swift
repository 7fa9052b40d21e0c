import Foundation
import LabDocker
import LabFiles
import LabImage
import LabUtilities

extension Shell {
  /// What Tab completes at the end of `line`: the word being typed, and the words it may
  /// become.
  ///
  /// The first word completes to a command or utility; after `docker`, to its subcommands and
  /// flags; an argument to `docker` to the store's image names and IDs; and any word with a
  /// `/` (or any other argument) to a path in the sandbox's file system, `/var/lib/docker`
  /// included for root, with the 64-hex names that layer walks ask for.
  public func completions(for line: String) -> (word: String, candidates: [String]) {
    let endsInBlank = line.last.map { $0 == " " || $0 == "\t" } ?? true
    var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    let word = endsInBlank ? "" : (words.popLast() ?? "")
    // After `|`, `&&`, `;` or `sudo`, a command starts again.
    while let index = words.lastIndex(where: { ["|", "||", "&&", ";"].contains($0) }) {
      words.removeFirst(index + 1)
    }
    // Only root may look inside /var/lib/docker, completing as listing does.
    let privileged = isRoot || words.first == "sudo"
    while words.first == "sudo" { words.removeFirst() }
    let candidates: [String]
    if words.isEmpty && !word.contains("/") {
      candidates = Array(Set(Self.utilityNames).union(["docker", "dive", "exit", "help"])).sorted()
    } else if words.first == "docker" {
      candidates = dockerCompletions(Array(words.dropFirst()), word: word)
    } else {
      candidates = pathCompletions(word, privileged: privileged)
    }
    return (word, candidates.filter { $0.hasPrefix(word) })
  }

  private func dockerCompletions(_ arguments: [String], word: String) -> [String] {
    let positional = arguments.filter { !$0.hasPrefix("-") }
    if word.hasPrefix("-") {
      return Docker.flagCompletions(for: Array(positional.prefix(2)))
        + Docker.flagCompletions(for: Array(positional.prefix(1)))
    }
    let subcommands = Docker.completions(after: positional)
    if !subcommands.isEmpty { return subcommands }
    if word.contains("/") || word.hasPrefix(".") { return pathCompletions(word, privileged: false) }
    // Image names, tags and IDs from the store; for a pull, what the registry has.
    let store = docker.store
    var names: [String] = []
    if positional.first == "pull", let registry = docker.registry,
      let catalog = try? registry.catalog()
    {
      names += catalog
      names += catalog.map { name in String(name.prefix { $0 != ":" }) }
    }
    if let table = try? store.referenceTable() {
      for (reference, id) in table.all {
        names.append(reference.familiarString)
        names.append(id.shortID)
      }
    }
    return Array(Set(names)).sorted() + pathCompletions(word, privileged: false)
  }

  /// Entries of the directory the word names, with `/` after a directory.
  func pathCompletions(_ word: String, privileged: Bool) -> [String] {
    let slash = word.lastIndex(of: "/")
    let directoryPart = slash.map { String(word[...$0]) } ?? ""
    let directory = directoryPart.isEmpty ? "." : directoryPart
    var fileSystem = fileSystem
    fileSystem.isPrivileged = privileged
    guard let names = try? fileSystem.list(directory, from: self.directory) else { return [] }
    return names.sorted().compactMap { name in
      if name.hasPrefix(".") && !word.dropFirst(directoryPart.count).hasPrefix(".") { return nil }
      let path = directoryPart + name
      let isDirectory = (try? fileSystem.info(path, from: self.directory))?.kind == .directory
      return path + (isDirectory ? "/" : "")
    }
  }
}
