import ArgumentParser
import Foundation

/// The answer to a mistyped subcommand, as git and Docker give it: the closest commands.
enum CommandSuggestion {
  /// The error for `word` in the first place of the command line when it names no
  /// subcommand, or `nil` when it does (or is an option, or there is none).
  static func error(for arguments: [String]) -> String? {
    guard let word = arguments.first, !word.hasPrefix("-"), !word.isEmpty else { return nil }
    var names = ["help"]
    var visible: [String] = []
    for command in LayerLab.configuration.subcommands {
      let configuration = command.configuration
      names.append(command._commandName)
      names += configuration.aliases
      if configuration.shouldDisplay { visible.append(command._commandName) }
    }
    guard !names.contains(word) else { return nil }
    var out = "layerlab: '\(word)' is not a layerlab command.\nSee 'layerlab --help'.\n"
    var suggestions = visible.filter { name in
      distance(word.lowercased(), name) <= 2 || (word.count >= 2 && name.hasPrefix(word))
    }
    // A lesson file where a command was expected: `layerlab run` takes it.
    if word.hasSuffix(".md") || FileManager.default.fileExists(atPath: word) {
      suggestions = ["run \(word)"]
    }
    if !suggestions.isEmpty {
      out += "\nDid you mean \(suggestions.count == 1 ? "this" : "one of these")?\n"
      out += suggestions.map { "\t\($0)\n" }.joined()
    }
    return out
  }

  /// The Levenshtein distance: how many characters to insert, delete or change.
  static func distance(_ first: String, _ second: String) -> Int {
    let a = Array(first.unicodeScalars)
    let b = Array(second.unicodeScalars)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
}
