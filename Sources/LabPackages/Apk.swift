import Foundation
import LabFiles
import LabOutput
import LabUtilities

/// Alpine's `apk` over the offline index: `add` fetches the indexes (and keeps them in
/// `/var/cache/apk` unless `--no-cache`), installs dependencies first, runs the triggers and
/// reports the total; `del` purges; `update` refreshes the cached indexes.
public enum Apk {
  static let cache = "/var/cache/apk"
  static let database = "/lib/apk/db/installed"
  static let world = "/etc/apk/world"

  public static func run(_ arguments: [String], in context: inout PackageContext) -> CommandOutput {
    var noCache = false
    var update = false
    var quiet = false
    var virtual: String?
    var operands: [String] = []
    var words = arguments[...]
    while let word = words.popFirst() {
      switch word {
      case "--no-cache": noCache = true
      case "-U", "--update", "--update-cache": update = true
      case "-q", "--quiet": quiet = true
      case "-t", "--virtual": virtual = words.popFirst()
      case "--repository", "-X", "--root", "-p", "--arch": _ = words.popFirst()
      case _ where word.hasPrefix("-"): break
      default: operands.append(word)
      }
    }
    guard let command = operands.first else {
      return .failure(
        "apk-tools 2.14.4, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]",
        status: 1)
    }
    let names = Array(operands.dropFirst())
    var output = CommandOutput()
    switch command {
    case "update":
      output.take(fetchIndexes(in: &context, keep: true, quiet: quiet))
      for list in context.index.lists ?? [] {
        if let revision = list.revision {
          let repository = list.url.components(separatedBy: "/x86_64/").first ?? list.url
          output.print("\(revision) [\(repository)]\n")
        }
      }
      let count = context.index.available ?? context.index.packages.count
      output.print("OK: \(count) distinct packages available\n")
    case "add":
      if update || noCache || !hasCachedIndexes(context) {
        output.take(fetchIndexes(in: &context, keep: !noCache, quiet: quiet))
      }
      output.take(add(names, virtual: virtual, quiet: quiet, in: &context))
    case "del", "delete":
      output.take(delete(names, quiet: quiet, in: &context))
    case "info":
      output.print(installed(context).keys.sorted().joined(separator: "\n") + "\n")
    default:
      output.printError("apk: unknown command '\(command)'\n")
      output.status = 1
    }
    return output
  }

  static func hasCachedIndexes(_ context: PackageContext) -> Bool {
    let names = (try? context.fileSystem.list(cache, from: "/")) ?? []
    return names.contains { $0.hasPrefix("APKINDEX.") }
  }

  /// `fetch https://…/APKINDEX.tar.gz` for each repository; kept in the cache unless asked not.
  static func fetchIndexes(in context: inout PackageContext, keep: Bool, quiet: Bool)
    -> CommandOutput
  {
    var output = CommandOutput()
    for list in context.index.lists ?? [] {
      if !quiet { output.print("fetch \(list.url)\n") }
      if keep {
        let name = list.file ?? "APKINDEX.\(PackageContext.shortHash(list.url)).tar.gz"
        try? context.install(.init(path: "\(cache)/\(name)", size: list.size, mode: nil))
      }
    }
    return output
  }

  /// The packages installed: the base image's, and those in apk's database.
  static func installed(_ context: PackageContext) -> [String: String] {
    var result: [String: String] = [:]
    for package in context.index.base ?? [] { result[package.name] = package.version }
    var name: String?
    for line in context.text(database).split(separator: "\n") {
      if line.hasPrefix("P:") { name = String(line.dropFirst(2)) }
      if line.hasPrefix("V:"), let current = name { result[current] = String(line.dropFirst(2)) }
    }
    return result
  }

  static func add(
    _ names: [String], virtual: String?, quiet: Bool, in context: inout PackageContext
  ) -> CommandOutput {
    var output = CommandOutput()
    let installed = installed(context)
    var missing: [String] = []
    var requested: [PackageIndex.Package] = []
    for spec in names {
      let name = String(spec.prefix { $0 != "=" && $0 != ">" && $0 != "<" && $0 != "~" })
      if let package = context.index.package(named: name) {
        requested.append(package)
      } else {
        missing.append(name)
      }
    }
    guard missing.isEmpty else {
      var text = "ERROR: unable to select packages:\n"
      for name in missing {
        text += "  \(name) (no such package):\n    required by: world[\(name)]\n"
      }
      output.printError(text)
      output.status = Int32(missing.count)
      return output
    }
    var order: [PackageIndex.Package] = []
    var seen = Set(installed.keys)
    func visit(_ package: PackageIndex.Package) {
      guard seen.insert(package.name).inserted else { return }
      for dependency in package.depends ?? [] {
        if let found = context.index.package(named: dependency) { visit(found) }
      }
      order.append(package)
    }
    for package in requested { visit(package) }
    let steps = order.count + (virtual == nil ? 0 : 1)
    var number = 0
    var databaseText = ""
    for package in order {
      number += 1
      if !quiet {
        output.print("(\(number)/\(steps)) Installing \(package.name) (\(package.version))\n")
      }
      for file in PackageContext.files(of: package, docRoot: nil) { try? context.install(file) }
      databaseText +=
        "P:\(package.name)\nV:\(package.version)\nA:x86_64\nS:\(package.downloadSize)\nI:\(package.installedSize)\nT:\(package.summary ?? package.name)\n\n"
    }
    if let virtual {
      number += 1
      let version = "20240901.120000"
      if !quiet { output.print("(\(number)/\(steps)) Installing \(virtual) (\(version))\n") }
      databaseText += "P:\(virtual)\nV:\(version)\nA:noarch\nS:0\nI:0\nT:virtual meta package\n\n"
    }
    try? context.write(databaseText, to: database, appending: true)
    var worldNames = Set(context.text(world).split(separator: "\n").map(String.init))
    if let virtual {
      worldNames.insert(virtual)
    } else {
      worldNames.formUnion(requested.map(\.name))
    }
    try? context.write(worldNames.sorted().joined(separator: "\n") + "\n", to: world)
    if !order.isEmpty && !quiet {
      if let busybox = context.index.base?.first(where: { $0.name == "busybox" }) {
        output.print("Executing busybox-\(busybox.version).trigger\n")
      }
      if let certificates = order.first(where: { $0.name == "ca-certificates" }) {
        output.print("Executing ca-certificates-\(certificates.version).trigger\n")
      }
    }
    output.print(summary(in: context))
    return output
  }

  static func delete(_ names: [String], quiet: Bool, in context: inout PackageContext)
    -> CommandOutput
  {
    var output = CommandOutput()
    let installed = installed(context)
    var text = context.text(database)
    let removing = names.compactMap { name -> PackageIndex.Package? in
      installed[name] == nil ? nil : context.index.package(named: name)
    }
    for (number, package) in removing.enumerated() {
      if !quiet {
        output.print(
          "(\(number + 1)/\(removing.count)) Purging \(package.name) (\(package.version))\n")
      }
      for file in PackageContext.files(of: package, docRoot: nil) {
        try? context.fileSystem.remove(file.path, from: "/", recursive: false)
      }
      var stanzas = text.components(separatedBy: "\n\n")
      stanzas.removeAll { $0.hasPrefix("P:\(package.name)\n") }
      text = stanzas.joined(separator: "\n\n")
    }
    try? context.fileSystem.write(Array(text.utf8), to: database, from: "/")
    let worldNames = context.text(world).split(separator: "\n").map(String.init).filter {
      !names.contains($0)
    }
    try? context.write(worldNames.joined(separator: "\n") + "\n", to: world)
    output.print(summary(in: context))
    return output
  }

  /// `OK: 12 MiB in 24 packages`: everything installed, in whole mebibytes.
  static func summary(in context: PackageContext) -> String {
    let installed = installed(context)
    var bytes: Int64 = 0
    for (name, _) in installed {
      if let base = context.index.base?.first(where: { $0.name == name }) {
        bytes += base.installedSize ?? 0
      } else if let package = context.index.package(named: name) {
        bytes += package.installedSize
      }
    }
    let mebibytes = (bytes + 524_288) / 1_048_576
    return "OK: \(mebibytes) MiB in \(installed.count) packages\n"
  }
}
