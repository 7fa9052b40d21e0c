import Foundation
import LabFiles
import LabOutput
import LabUtilities

/// `dpkg` and `dpkg-query` of Debian and Ubuntu: the questions Dockerfiles and lessons ask of
/// the package database (`--print-architecture`, `-l`, `-s`, `-L`, `-S`, `-W`,
/// `--get-selections`), answered from the offline index and the file lists apt wrote.
///
/// Installing `.deb` archives by hand is not modelled: the sandbox cannot download one, and a
/// file that is there anyway gets a message that says so.
public enum Dpkg {
  /// A package dpkg knows as installed: its name, version and status record.
  struct Installed {
    var name: String
    var version: String
    /// The record `dpkg -s` prints, `Status:` line included; `nil` when the index does not
    /// describe the package (the Ubuntu images' own packages).
    var record: String?
    /// The files apt unpacked, from `/var/lib/dpkg/info/NAME.list`; `nil` for the image's own.
    var files: [String]?

    var architecture: String { field("Architecture") ?? "amd64" }
    var synopsis: String { field("Description") ?? "" }

    /// The first line of a field of the record.
    func field(_ name: String) -> String? {
      fullField(name)?.split(separator: "\n", omittingEmptySubsequences: false).first.map(
        String.init)
    }

    /// A field with its continuation lines, as `dpkg-query -W -f '${Description}'` prints it.
    func fullField(_ name: String) -> String? {
      guard let record else { return nil }
      var lines = record.split(separator: "\n", omittingEmptySubsequences: false)[...]
      while let line = lines.popFirst() {
        guard line.hasPrefix(name + ":") else { continue }
        var value = [line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)]
        while let next = lines.first, next.hasPrefix(" ") {
          value.append(String(next))
          lines.removeFirst()
        }
        return value.joined(separator: "\n")
      }
      return nil
    }
  }

  /// Runs `dpkg` or `dpkg-query` (`name` says which, for its messages).
  public static func run(_ arguments: [String], as name: String, in context: inout PackageContext)
    -> CommandOutput
  {
    let tool = name == "dpkg-query" ? "dpkg-query" : "dpkg"
    var action: String?
    var format = "${binary:Package}\t${Version}\n"
    var operands: [String] = []
    var words = arguments[...]
    while let word = words.popFirst() {
      switch word {
      case "-l", "--list": action = "list"
      case "-s", "--status": action = "status"
      case "-L", "--listfiles": action = "listfiles"
      case "-S", "--search": action = "search"
      case "-W", "--show": action = "show"
      case "--get-selections": action = "selections"
      case "--print-architecture": action = "architecture"
      case "--version": action = "version"
      case "-f", "--showformat":
        guard let value = words.popFirst() else {
          return usageError(tool, "--showformat needs a value")
        }
        format = value
      case _ where word.hasPrefix("--showformat="):
        format = String(word.dropFirst("--showformat=".count))
      case _ where word.hasPrefix("-f") && word.count > 2:
        // `-f='${Version}'` as well as `-f'${Version}'`.
        let value = word.dropFirst(2)
        format = String(value.hasPrefix("=") ? value.dropFirst() : value)
      case "-i", "--install", "-r", "--remove", "-P", "--purge", "--unpack", "--configure",
        "--set-selections", "-x", "--extract", "-c", "--contents", "-I", "--info":
        action = word
      case "--":
        operands += words
        words = []
      case _ where word.hasPrefix("--no-pager") || word.hasPrefix("--admindir"): break
      case _ where word.hasPrefix("-") && word.count > 1:
        return usageError(tool, "unknown option \(word)")
      default: operands.append(word)
      }
    }
    guard let action else {
      if tool == "dpkg-query" { return usageError(tool, "need an action option") }
      var output = CommandOutput(status: 2)
      output.printError(
        """
        dpkg: error: need an action option

        Type dpkg --help for help about installing and deinstalling packages [*];
        Use 'apt' or 'aptitude' for user-friendly package management;
        Type dpkg -Dhelp for a list of dpkg debug flag values;
        Type dpkg --force-help for a list of forcing options;
        Type dpkg-deb --help for help about manipulating *.deb files;

        Options marked [*] produce a lot of output - pipe it through 'less' or 'more' !

        """)
      return output
    }
    let packages = installed(context)
    switch action {
    case "architecture": return CommandOutput(stdout: "amd64\n")
    case "version":
      let version = packages.first { $0.name == "dpkg" }?.version ?? "1.21.23"
      return CommandOutput(
        stdout: """
          Debian '\(tool)' package management program version \(version) (amd64).
          This is free software; see the GNU General Public License version 2 or
          later for copying conditions. There is NO warranty.

          """)
    case "list": return list(operands, packages, tool: tool, release: context.index.release)
    case "status": return status(operands, packages, tool: tool, release: context.index.release)
    case "listfiles": return listFiles(operands, packages, tool: tool)
    case "search": return search(operands, packages, tool: tool, in: context)
    case "show": return show(operands, packages, format: format, tool: tool)
    case "selections":
      var output = CommandOutput()
      for package in packages where matches(operands, package) {
        let tabs = max(1, 6 - package.name.utf8.count / 8)
        output.print(package.name + String(repeating: "\t", count: tabs) + "install\n")
      }
      return output
    case "-i", "--install", "--unpack":
      guard let archive = operands.first else {
        return usageError(
          "dpkg", "--\(action.drop { $0 == "-" }) needs at least one package archive file argument")
      }
      guard context.fileSystem.exists(archive, from: context.directory) else {
        return .failure(
          "dpkg: error: cannot access archive '\(archive)': No such file or directory", status: 1)
      }
      return .failure(
        "layerlab: dpkg cannot unpack \(archive): the sandbox installs packages from its offline index through apt-get, not from .deb archives",
        status: 2)
    default:
      return .failure(
        "layerlab: \(tool) \(action) is not modelled; apt-get install and apt-get remove change the packages",
        status: 2)
    }
  }

  static func usageError(_ tool: String, _ message: String) -> CommandOutput {
    .failure(
      "\(tool): error: \(message)\n\nUse --help for help about querying packages.", status: 2)
  }

  /// Every installed package, sorted by name as dpkg sorts them.
  static func installed(_ context: PackageContext) -> [Installed] {
    var base: [String: PackageIndex.BasePackage] = [:]
    for package in context.index.base ?? [] { base[package.name] = package }
    return Apt.installed(context).map { name, version in
      let listed = context.text("\(Apt.info)/\(name).list")
      let files = listed.isEmpty ? nil : listed.split(separator: "\n").map(String.init)
      if let package = context.index.package(named: name), base[name] == nil {
        return Installed(
          name: name, version: version, record: package.record ?? composedRecord(package),
          files: files)
      }
      return Installed(name: name, version: version, record: base[name]?.record, files: files)
    }.sorted { $0.name < $1.name }
  }

  /// A record from what the index knows, where it keeps no copy of the real one.
  static func composedRecord(_ package: PackageIndex.Package) -> String? {
    guard let summary = package.summary else { return nil }
    var lines = [
      "Package: \(package.name)", "Status: install ok installed",
      "Installed-Size: \((package.installedSize + 1_023) / 1_024)",
      "Architecture: \(package.arch ?? "amd64")", "Version: \(package.version)",
    ]
    if let depends = package.depends, !depends.isEmpty {
      lines.append("Depends: " + depends.joined(separator: ", "))
    }
    lines.append("Description: \(summary)")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Whether a package matches the patterns (`curl`, `lib*`, `curl:amd64`); no patterns match
  /// everything.
  static func matches(_ patterns: [String], _ package: Installed) -> Bool {
    patterns.isEmpty || patterns.contains { matches($0, package) }
  }

  static func matches(_ pattern: String, _ package: Installed) -> Bool {
    let parts = pattern.split(separator: ":", maxSplits: 1).map(String.init)
    guard let name = parts.first else { return false }
    if parts.count == 2, !Glob.matches(parts[1], package.architecture),
      package.architecture != "all"
    {
      return false
    }
    return Glob.matches(name, package.name)
  }

  /// Fails when a package to describe has no record in the index.
  static func undescribed(_ packages: [Installed], release: String) -> CommandOutput? {
    let missing = packages.filter { $0.record == nil }.map(\.name)
    guard !missing.isEmpty else { return nil }
    let named = missing.prefix(3).joined(separator: ", ") + (missing.count > 3 ? ", …" : "")
    return .failure(
      "layerlab: the offline index for \(release) does not describe the image's own packages (\(named)); dpkg describes the packages apt-get installed",
      status: 2)
  }

  // MARK: - Queries

  /// `dpkg -l`: the table, its columns as wide as the longest entry (dpkg 1.21 on a pipe).
  static func list(_ patterns: [String], _ packages: [Installed], tool: String, release: String)
    -> CommandOutput
  {
    let shown = packages.filter { matches(patterns, $0) }
    if let refusal = undescribed(shown, release: release) { return refusal }
    var output = CommandOutput()
    if !shown.isEmpty {
      let nameWidth = shown.map { $0.name.count }.reduce(14, max)
      let versionWidth = shown.map { $0.version.count }.reduce(12, max)
      let architectureWidth = shown.map { $0.architecture.count }.reduce(12, max)
      let descriptionWidth = shown.map { $0.synopsis.utf8.count }.reduce(33, max)
      func row(_ flags: String, _ name: String, _ version: String, _ arch: String, _ text: String)
        -> String
      {
        "\(flags) \(padded(name, nameWidth)) \(padded(version, versionWidth)) \(padded(arch, architectureWidth)) \(text)\n"
      }
      output.print(
        """
        Desired=Unknown/Install/Remove/Purge/Hold
        | Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend
        |/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)

        """)
      output.print(row("||/", "Name", "Version", "Architecture", "Description"))
      output.print(
        "+++-"
          + [nameWidth, versionWidth, architectureWidth, descriptionWidth].map {
            String(repeating: "=", count: $0)
          }.joined(separator: "-") + "\n")
      for package in shown {
        output.print(
          row("ii ", package.name, package.version, package.architecture, package.synopsis))
      }
    }
    output.take(notFound(patterns, packages, tool: tool))
    return output
  }

  /// `dpkg-query: no packages found matching X` for each pattern nothing matched.
  static func notFound(_ patterns: [String], _ packages: [Installed], tool: String)
    -> CommandOutput
  {
    var output = CommandOutput()
    for pattern in patterns where !packages.contains(where: { matches(pattern, $0) }) {
      output.printError("dpkg-query: no packages found matching \(pattern)\n")
      output.status = 1
    }
    return output
  }

  static func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }

  /// `dpkg -s NAME…`: each package's status record.
  static func status(_ names: [String], _ packages: [Installed], tool: String, release: String)
    -> CommandOutput
  {
    guard !names.isEmpty else {
      return usageError(tool, "--status needs at least one package name argument")
    }
    var output = CommandOutput()
    var failed = false
    for (number, name) in names.enumerated() {
      let bare = String(name.split(separator: ":").first ?? "")
      if let package = packages.first(where: { $0.name == bare }) {
        guard let record = package.record else {
          return undescribed([package], release: release) ?? output
        }
        output.print(record)
      } else {
        output.printError(
          "dpkg-query: package '\(bare)' is not installed and no information is available\n")
        failed = true
      }
      if number < names.count - 1 { output.print("\n") }
    }
    if failed {
      output.printError("Use dpkg --info (= dpkg-deb --info) to examine archive files.\n")
      output.status = 1
    }
    return output
  }

  /// `dpkg -L NAME…`: the files a package put on disk, folders included.
  static func listFiles(_ names: [String], _ packages: [Installed], tool: String)
    -> CommandOutput
  {
    guard !names.isEmpty else {
      return usageError(tool, "--listfiles needs at least one package name argument")
    }
    var output = CommandOutput()
    var failed = false
    for (number, name) in names.enumerated() {
      let bare = String(name.split(separator: ":").first ?? "")
      guard let package = packages.first(where: { $0.name == bare }) else {
        output.printError("dpkg-query: package '\(bare)' is not installed\n")
        failed = true
        continue
      }
      guard let files = package.files else {
        return .failure(
          "layerlab: dpkg knows the files of the packages apt-get installed; \(bare) came with the image, whose file lists the miniature images do not carry",
          status: 2)
      }
      output.print(files.joined(separator: "\n") + "\n")
      if number < names.count - 1 { output.print("\n") }
    }
    if failed {
      output.printError(
        "Use dpkg --contents (= dpkg-deb --contents) to list archive files contents.\n")
      output.status = 1
    }
    return output
  }

  /// `dpkg -S PATTERN…`: which package holds a path.
  ///
  /// A pattern that starts with none of `*`, `[`, `?` and `/`
  /// matches anywhere in a path, as dpkg's does.
  static func search(
    _ patterns: [String], _ packages: [Installed], tool: String, in context: PackageContext
  ) -> CommandOutput {
    guard !patterns.isEmpty else {
      return usageError(tool, "--search needs at least one file name pattern argument")
    }
    var output = CommandOutput()
    for pattern in patterns {
      let glob = pattern.first.map { "*[?/".contains($0) } == true ? pattern : "*\(pattern)*"
      var owners: [String: [String]] = [:]
      var order: [String] = []
      for package in packages {
        for path in package.files ?? [] where Glob.matches(glob, path) {
          if owners[path] == nil { order.append(path) }
          owners[path, default: []].append(package.name)
        }
      }
      if order.isEmpty {
        if pattern.hasPrefix("/"), context.fileSystem.exists(pattern, from: "/") {
          return .failure(
            "layerlab: dpkg knows the files of the packages apt-get installed; \(pattern) came with the image, whose file lists the miniature images do not carry",
            status: 2)
        }
        output.printError("dpkg-query: no path found matching pattern \(pattern)\n")
        output.status = 1
        continue
      }
      for path in order {
        output.print("\(owners[path, default: []].joined(separator: ", ")): \(path)\n")
      }
    }
    return output
  }

  /// `dpkg-query -W [-f FORMAT]`: a line per package in the format's words.
  static func show(_ patterns: [String], _ packages: [Installed], format: String, tool: String)
    -> CommandOutput
  {
    var output = CommandOutput()
    for package in packages where matches(patterns, package) {
      output.print(formatted(format, package))
    }
    output.take(notFound(patterns, packages, tool: tool))
    return output
  }

  /// Expands `${Field}`, `${Field;width}` and the escapes `\n`, `\t`, `\\` of a show format.
  static func formatted(_ format: String, _ package: Installed) -> String {
    var result = ""
    var characters = format[...]
    while let character = characters.popFirst() {
      if character == "\\", let next = characters.popFirst() {
        switch next {
        case "n": result += "\n"
        case "t": result += "\t"
        case "\\": result += "\\"
        default: result += "\\\(next)"
        }
      } else if character == "$", characters.first == "{",
        let close = characters.firstIndex(of: "}")
      {
        let inside = characters[characters.index(after: characters.startIndex)..<close]
        characters = characters[characters.index(after: close)...]
        let parts = inside.split(separator: ";", maxSplits: 1).map(String.init)
        let value = fieldValue(parts.first ?? "", package)
        if parts.count == 2, let width = Int(parts[1]) {
          let count = value.count
          if width < 0 {
            result += value + String(repeating: " ", count: max(0, -width - count))
          } else {
            result += String(repeating: " ", count: max(0, width - count)) + value
          }
        } else {
          result += value
        }
      } else {
        result.append(character)
      }
    }
    return result
  }

  static func fieldValue(_ name: String, _ package: Installed) -> String {
    switch name {
    case "Package": package.name
    case "binary:Package": package.name
    case "Version": package.version
    case "Architecture": package.architecture
    case "Status": "install ok installed"
    case "db:Status-Abbrev": "ii "
    case "db:Status-Want": "install"
    case "db:Status-Eflag": "ok"
    case "db:Status-Status": "installed"
    case "binary:Summary": package.synopsis
    default: package.fullField(name) ?? ""
    }
  }
}
