import Foundation
import LabFiles
import LabOutput
import LabUtilities

/// `apt-get` and `apt` of Debian and Ubuntu over the offline index: `update` fills
/// `/var/lib/apt/lists`, `install` resolves dependencies (recommends too, unless
/// `--no-install-recommends`), prints apt's transcript and unpacks each package's files.
///
/// The lists stay in the layer until a `rm -rf /var/lib/apt/lists/*` removes them, and the
/// images' `docker-clean` setting removes the downloaded `.deb` files after each install, so a
/// layer grows by what real apt leaves behind.
public enum Apt {
  static let lists = "/var/lib/apt/lists"
  static let info = "/var/lib/dpkg/info"

  /// Runs `apt-get` (or `apt`, which warns on a pipe that its interface is not stable).
  public static func run(_ arguments: [String], as name: String, in context: inout PackageContext)
    -> CommandOutput
  {
    var output = CommandOutput()
    if name == "apt" && !context.isTerminal {
      output.printError(
        "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
    }
    var options = Options()
    var operands: [String] = []
    var words = arguments[...]
    while let word = words.popFirst() {
      switch word {
      case "-y", "--yes", "--assume-yes", "-qy", "-yq":
        options.yes = true
        if word.contains("q") { options.quiet = max(options.quiet, 1) }
      case "-q", "--quiet": options.quiet = max(options.quiet, 1)
      case "-qq": options.quiet = 2
      case "--no-install-recommends": options.recommends = false
      case "--install-recommends": options.recommends = true
      case "-o", "-c", "-t", "--target-release": _ = words.popFirst()
      case _ where word.hasPrefix("-o") || word.hasPrefix("--option"): break
      case _ where word.hasPrefix("-"):
        // Flags that change nothing here: --fix-missing, --no-upgrade, -f…
        break
      default: operands.append(word)
      }
    }
    guard let command = operands.first else {
      // apt-get alone prints its whole usage; the one line that matters suffices.
      output.printError("E: No command given\n")
      output.status = 100
      return output
    }
    let names = Array(operands.dropFirst())
    switch command {
    case "update": output.take(update(options, in: &context))
    case "install": output.take(install(names, options, in: &context))
    case "remove", "purge", "autoremove": output.take(remove(names, options, in: &context))
    case "clean", "autoclean":
      try? context.fileSystem.remove("/var/cache/apt/archives/partial", from: "/", recursive: true)
    case "upgrade", "dist-upgrade", "full-upgrade":
      output.append(readingLists(options))
      output.print(
        options.quiet >= 2
          ? ""
          : "Calculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
      )
    default:
      output.printError("E: Invalid operation \(command)\n")
      output.status = 100
    }
    return output
  }

  struct Options {
    var yes = false
    var quiet = 0
    var recommends = true
  }

  // MARK: - update

  static func update(_ options: Options, in context: inout PackageContext) -> CommandOutput {
    var output = CommandOutput()
    var total: Int64 = 0
    for (number, list) in (context.index.lists ?? []).enumerated() {
      let file = list.file ?? listFileName(list.url)
      try? context.install(.init(path: "\(lists)/\(file)", size: list.size, mode: nil))
      total += list.size
      if options.quiet == 0 {
        output.print("Get:\(number + 1) \(list.url) [\(sizeText(list.size))B]\n")
      }
    }
    try? context.fileSystem.makeDirectory("\(lists)/partial", from: "/", parents: true)
    if options.quiet == 0 {
      output.print("Fetched \(sizeText(total))B in 1s (\(sizeText(total))B/s)\n")
    }
    if options.quiet < 2 { output.print("Reading package lists...\n") }
    return output
  }

  /// `http://deb.debian.org/debian bookworm/main amd64 Packages` →
  /// `deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4`.
  static func listFileName(_ line: String) -> String {
    let words = line.split(separator: " ").map(String.init)
    guard words.count >= 2 else { return line.replacingOccurrences(of: "/", with: "_") }
    let archive = words[0].replacingOccurrences(of: "http://", with: "")
      .replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "/", with: "_")
    let suite = words[1].replacingOccurrences(of: "/", with: "_")
    if words.count == 3 { return "\(archive)_dists_\(suite)_\(words[2])" }
    return "\(archive)_dists_\(suite)_binary-\(words[2])_\(words[3]).lz4"
  }

  static func haveLists(_ context: PackageContext) -> Bool {
    let names = (try? context.fileSystem.list(lists, from: "/")) ?? []
    return names.contains { $0 != "partial" && $0 != "lock" && $0 != "auxfiles" }
  }

  // MARK: - install

  static func readingLists(_ options: Options) -> CommandOutput {
    options.quiet >= 2
      ? CommandOutput()
      : CommandOutput(
        stdout:
          "Reading package lists...\nBuilding dependency tree...\nReading state information...\n")
  }

  /// The packages installed: the base image's, and each one apt added, which has its file
  /// list in `/var/lib/dpkg/info`.
  ///
  /// The status file is left alone: in the miniature images it stands in for the rest of the
  /// base layer, and rewriting it would copy all of that into the new layer.
  static func installed(_ context: PackageContext) -> [String: String] {
    var result: [String: String] = [:]
    for package in context.index.base ?? [] { result[package.name] = package.version }
    // What the image's own Dockerfile installed on top of the release's base.
    for extra in context.index.imageExtras ?? []
    where context.fileSystem.exists(extra.marker, from: "/") {
      var pending = extra.packages
      while let name = pending.popLast() {
        guard result[name] == nil, let package = context.index.package(named: name) else {
          continue
        }
        result[name] = package.version
        pending += package.depends ?? []
      }
    }
    for name in (try? context.fileSystem.list(info, from: "/")) ?? [] where name.hasSuffix(".list")
    {
      let package = String(name.dropLast(5))
      if let found = context.index.package(named: package) { result[package] = found.version }
    }
    return result
  }

  static func install(_ names: [String], _ options: Options, in context: inout PackageContext)
    -> CommandOutput
  {
    var output = readingLists(options)
    guard !names.isEmpty else {
      output.print("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
      return output
    }
    let installed = installed(context)
    let available = haveLists(context)
    if !available {
      // With empty lists apt stops before it reads the state.
      output = CommandOutput(
        stdout: options.quiet >= 2 ? "" : "Reading package lists...\nBuilding dependency tree...\n")
    }
    // `curl=7.88.1-10+deb12u7` asks for a version.
    var requested: [PackageIndex.Package] = []
    for spec in names {
      let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
      guard available, let package = context.index.package(named: parts[0]) else {
        output.printError("E: Unable to locate package \(parts[0])\n")
        output.status = 100
        return output
      }
      if parts.count == 2, parts[1] != package.version {
        output.printError("E: Version '\(parts[1])' for '\(parts[0])' was not found\n")
        output.status = 100
        return output
      }
      requested.append(package)
    }
    var already = requested.filter { installed[$0.name] != nil }
    // The closure of what is missing, dependencies before the packages that need them.
    var order: [PackageIndex.Package] = []
    var seen = Set(installed.keys)
    var suggestedRecommends: Set<String> = []
    func visit(_ package: PackageIndex.Package) {
      guard seen.insert(package.name).inserted else { return }
      for dependency in package.depends ?? [] {
        if let found = context.index.package(named: dependency) { visit(found) }
      }
      for recommended in package.recommends ?? [] {
        guard let found = context.index.package(named: recommended) else { continue }
        if options.recommends {
          visit(found)
        } else if installed[recommended] == nil {
          suggestedRecommends.insert(recommended)
        }
      }
      order.append(package)
    }
    for package in requested { visit(package) }
    already = already.filter { package in !order.contains { $0.name == package.name } }
    for package in already where options.quiet < 2 {
      output.print("\(package.name) is already the newest version (\(package.version)).\n")
    }
    let newNames = order.map(\.name).sorted()
    let requestedNames = Set(requested.map(\.name))
    let additional = newNames.filter { !requestedNames.contains($0) }
    if options.quiet < 2 {
      if !additional.isEmpty {
        output.print("The following additional packages will be installed:\n" + wrapped(additional))
      }
      let suggested = order.flatMap { $0.suggests ?? [] }
      if !suggested.isEmpty {
        output.print("Suggested packages:\n" + wrapped(suggested))
      }
      let recommended = suggestedRecommends.subtracting(newNames).sorted()
      if !recommended.isEmpty {
        output.print("Recommended packages:\n" + wrapped(recommended))
      }
      if !newNames.isEmpty {
        output.print("The following NEW packages will be installed:\n" + wrapped(newNames))
      }
      output.print(
        "0 upgraded, \(newNames.count) newly installed, 0 to remove and 0 not upgraded.\n")
    }
    guard !order.isEmpty else { return output }
    let download = order.reduce(Int64(0)) { $0 + $1.downloadSize }
    let disk = order.reduce(Int64(0)) { $0 + $1.installedSize }
    if options.quiet < 2 {
      output.print("Need to get \(sizeText(download))B of archives.\n")
      output.print(
        "After this operation, \(sizeText(disk))B of additional disk space will be used.\n")
    }
    // Without -y apt asks, unless it installs just what was named; on a pipe the answer is
    // the end of input, which aborts.
    if !options.yes && !additional.isEmpty {
      output.print("Do you want to continue? [Y/n] Abort.\n")
      output.status = 1
      return output
    }
    let release = context.index.release
    if options.quiet == 0 {
      for (number, package) in order.enumerated() {
        let source = package.source ?? "\(context.index.mirror) \(release)/main"
        output.print(
          "Get:\(number + 1) \(source) amd64 \(package.name) \(package.arch ?? "amd64") \(package.version) [\(sizeText(package.downloadSize))B]\n"
        )
      }
    }
    if installed["apt-utils"] == nil && interactiveFrontend(context) {
      output.printError(
        "debconf: delaying package configuration, since apt-utils is not installed\n")
    }
    if options.quiet == 0 {
      output.print("Fetched \(sizeText(download))B in 0s (\(sizeText(download * 5))B/s)\n")
    }
    // The base image's files, and those of the packages apt installed before.
    var database = context.index.databaseFiles ?? 6_089
    for name in installed.keys
    where context.index.base?.contains(where: { $0.name == name }) != true {
      database += context.text("\(info)/\(name).list").split(separator: "\n").count
    }
    var log = ""
    let interactive = context.variables["DEBIAN_FRONTEND"] != "noninteractive"
    for (number, package) in order.enumerated() {
      let qualified = qualifiedName(package)
      log += "Selecting previously unselected package \(qualified).\n"
      if number == 0 {
        // dpkg's progress, a line per step where no terminal takes the carriage returns.
        log += "(Reading database ... \n"
        for percent in stride(from: 5, through: 100, by: 5) {
          log += "(Reading database ... \(percent)%\n"
        }
        log += "(Reading database ... \(database) files and directories currently installed.)\n"
      }
      let archive =
        order.count > 1
        ? String(format: "%02d-", number) + debName(package) : debName(package)
      log += "Preparing to unpack .../\(archive) ...\n"
      log += "Unpacking \(qualified) (\(package.version)) ...\n"
      let files = PackageContext.files(of: package, docRoot: "/usr/share/doc")
      for file in files { try? context.install(file) }
      database += files.count
      try? context.write(
        fileList(files.map(\.path)).joined(separator: "\n") + "\n",
        to: "\(info)/\(package.name).list")
    }
    for package in order {
      log += "Setting up \(qualifiedName(package)) (\(package.version)) ...\n"
      if package.name == "ca-certificates" {
        // Its setup asks debconf, which finds no terminal to ask on.
        if interactive {
          log += debconfFallback
        }
        log += "Updating certificates in /etc/ssl/certs...\n148 added, 0 removed; done.\n"
      }
    }
    if let libc = context.index.base?.first(where: { $0.name == "libc-bin" }),
      order.contains(where: { $0.name.hasPrefix("lib") })
    {
      log += "Processing triggers for libc-bin (\(libc.version)) ...\n"
    }
    if let certificates = order.first(where: { $0.name == "ca-certificates" }) {
      log +=
        "Processing triggers for ca-certificates (\(certificates.version)) ...\nUpdating certificates in /etc/ssl/certs...\n0 added, 0 removed; done.\nRunning hooks in /etc/ca-certificates/update.d...\ndone.\n"
    }
    if options.quiet < 2 { output.print(log) }
    return output
  }

  /// A package's file list as dpkg keeps it: `/.`, then each folder before what it holds,
  /// in the archive's sorted order.
  static func fileList(_ paths: [String]) -> [String] {
    var list = ["/."]
    var folders: Set<String> = []
    for path in paths.sorted() {
      var parents: [String] = []
      var parent = PathText.parent(path)
      while parent != "/" && !parent.isEmpty && folders.insert(parent).inserted {
        parents.append(parent)
        parent = PathText.parent(parent)
      }
      list += parents.reversed()
      list.append(path)
    }
    return list
  }

  static func remove(_ names: [String], _ options: Options, in context: inout PackageContext)
    -> CommandOutput
  {
    var output = readingLists(options)
    let installed = installed(context)
    var removing: [PackageIndex.Package] = []
    for name in names {
      guard installed[name] != nil else {
        if context.index.package(named: name) == nil {
          output.printError("E: Unable to locate package \(name)\n")
          output.status = 100
          return output
        }
        output.print("Package '\(name)' is not installed, so not removed\n")
        continue
      }
      guard let package = context.index.package(named: name) else {
        output.printError(
          "E: \(name) came with the image, and LayerLab removes only packages it installed\n")
        output.status = 100
        return output
      }
      removing.append(package)
    }
    guard !removing.isEmpty else {
      output.print("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
      return output
    }
    output.print(
      "The following packages will be REMOVED:\n" + wrapped(removing.map(\.name).sorted()))
    output.print("0 upgraded, 0 newly installed, \(removing.count) to remove and 0 not upgraded.\n")
    let freed = removing.reduce(Int64(0)) { $0 + $1.installedSize }
    output.print("After this operation, \(sizeText(freed))B disk space will be freed.\n")
    for package in removing {
      output.print("Removing \(qualifiedName(package)) (\(package.version)) ...\n")
      for file in PackageContext.files(of: package, docRoot: "/usr/share/doc") {
        try? context.fileSystem.remove(file.path, from: "/", recursive: false)
      }
      try? context.fileSystem.remove("\(info)/\(package.name).list", from: "/", recursive: false)
    }
    return output
  }

  // MARK: - Text

  static func interactiveFrontend(_ context: PackageContext) -> Bool {
    context.variables["DEBIAN_FRONTEND"] != "noninteractive"
  }

  /// What debconf says in a build, where it finds neither a dialog nor a terminal.
  static let debconfFallback = """
    debconf: unable to initialize frontend: Dialog
    debconf: (TERM is not set, so the dialog frontend is not usable.)
    debconf: falling back to frontend: Readline
    debconf: unable to initialize frontend: Readline
    debconf: (Can't locate Term/ReadLine.pm in @INC (you may need to install the Term::ReadLine module) (@INC contains: /etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0 /usr/local/share/perl/5.36.0 /usr/lib/x86_64-linux-gnu/perl5/5.36 /usr/share/perl5 /usr/lib/x86_64-linux-gnu/perl-base /usr/lib/x86_64-linux-gnu/perl/5.36 /usr/share/perl/5.36 /usr/local/lib/site_perl) at /usr/share/perl5/Debconf/FrontEnd/Readline.pm line 7.)
    debconf: falling back to frontend: Teletype

    """

  /// `libssl3:amd64` for a library several architectures may share, else the name.
  static func qualifiedName(_ package: PackageIndex.Package) -> String {
    package.name.hasPrefix("lib") && package.arch != "all"
      ? "\(package.name):\(package.arch ?? "amd64")" : package.name
  }

  static func debName(_ package: PackageIndex.Package) -> String {
    let version = package.version.replacingOccurrences(of: ":", with: "%3a")
    return "\(package.name)_\(version)_\(package.arch ?? "amd64").deb"
  }

  /// A list as apt prints it: two spaces in, words wrapped before 80 columns.
  static func wrapped(_ names: [String]) -> String {
    var lines: [String] = []
    var line = " "
    for name in names {
      if line.count + 1 + name.count > 79, line != " " {
        lines.append(line)
        line = " "
      }
      line += " " + name
    }
    lines.append(line)
    return lines.joined(separator: "\n") + "\n"
  }

  /// apt's `SizeToStr`: `512 `, `55.4 k`, `8788 k`, `14.3 M` (the caller adds `B`).
  static func sizeText(_ bytes: Int64) -> String {
    var size = Double(bytes)
    let units = ["", "k", "M", "G", "T"]
    for (number, unit) in units.enumerated() {
      if size < 100 && number != 0 { return String(format: "%.1f", size) + " " + unit }
      if size < 10_000 { return String(format: "%.0f", size) + " " + unit }
      size /= 1_000
    }
    return String(format: "%.0f P", size)
  }
}
