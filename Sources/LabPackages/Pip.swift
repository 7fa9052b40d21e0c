import Foundation
import LabFiles
import LabOutput
import LabUtilities

/// `pip install` over the offline index of PyPI: names, pins and `-r requirements.txt`,
/// dependencies collected first, wheels unpacked into `site-packages` with their
/// `.dist-info`, and the wheels kept in `~/.cache/pip` unless `--no-cache-dir`.
public enum Pip {
  public static func run(_ arguments: [String], in context: inout PackageContext, isRoot: Bool)
    -> CommandOutput
  {
    var words = arguments[...]
    guard let command = words.popFirst() else {
      return .failure("\nUsage:   \n  pip <command> [options]\n", status: 1)
    }
    switch command {
    case "--version", "-V":
      let version = (context.index.base?.first { $0.name == "pip" }?.version) ?? "24.2"
      return CommandOutput(
        stdout:
          "pip \(version) from \(sitePackages(context))/pip (python \(pythonVersion(context)))\n")
    case "install": break
    case "list", "freeze":
      let installed = installed(context).sorted { $0.key.lowercased() < $1.key.lowercased() }
      if command == "freeze" {
        return CommandOutput(
          stdout: installed.filter { $0.key != "pip" }.map { "\($0.key)==\($0.value)\n" }.joined())
      }
      let width = max(7, installed.map(\.key.count).max() ?? 0)
      var text = "Package".padding(toLength: width, withPad: " ", startingAt: 0) + " Version\n"
      text += String(repeating: "-", count: width) + " -------\n"
      for (name, version) in installed {
        text += name.padding(toLength: width, withPad: " ", startingAt: 0) + " \(version)\n"
      }
      return CommandOutput(stdout: text)
    default:
      return .failure("ERROR: unknown command \"\(command)\"", status: 1)
    }
    var noCache = context.variables["PIP_NO_CACHE_DIR"].map { $0 != "0" && $0 != "false" } ?? false
    var quiet = false
    var rootWarning = isRoot
    var versionCheck = context.variables["PIP_DISABLE_PIP_VERSION_CHECK"] == nil
    var specs: [(text: String, from: String?)] = []
    var output = CommandOutput()
    while let word = words.popFirst() {
      switch word {
      case "--no-cache-dir": noCache = true
      case "-q", "--quiet", "-qq": quiet = true
      case "--root-user-action=ignore": rootWarning = false
      case "--root-user-action": if words.popFirst() == "ignore" { rootWarning = false }
      case "--disable-pip-version-check": versionCheck = false
      case "-r", "--requirement":
        guard let file = words.popFirst() else {
          return .failure("ERROR: -r option requires 1 argument.", status: 2)
        }
        guard let text = try? context.fileSystem.read(file, from: context.directory) else {
          return .failure(
            "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '\(file)'",
            status: 1)
        }
        for (number, line) in String(decoding: text, as: UTF8.self).split(
          separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
          let requirement =
            line.split(separator: "#").first.map {
              String($0).trimmingCharacters(in: .whitespaces)
            } ?? ""
          if requirement.isEmpty || requirement.hasPrefix("-") { continue }
          specs.append((requirement, "-r \(file) (line \(number + 1))"))
        }
      case "-i", "--index-url", "--extra-index-url", "-c", "--constraint", "-t", "--target":
        _ = words.popFirst()
      case _ where word.hasPrefix("-"): break
      default: specs.append((word, nil))
      }
    }
    guard !specs.isEmpty else {
      return .failure(
        "ERROR: You must give at least one requirement to install (see \"pip help install\")",
        status: 1)
    }
    let installed = installed(context)
    // Collected breadth first, as pip's resolver goes: each requirement, then theirs.
    var collected: [PackageIndex.Package] = []
    var seen: Set<String> = []
    var log = ""
    var queue: [(spec: String, origin: String?, depth: Int)] = specs.map { ($0.text, $0.from, 0) }
    var depths: [String: Int] = [:]
    while !queue.isEmpty {
      let (spec, origin, depth) = queue.removeFirst()
      let name = requirementName(spec)
      guard seen.insert(context.index.canonical(name)).inserted else { continue }
      if let version = installed.first(where: {
        context.index.canonical($0.key) == context.index.canonical(name)
      })?.value {
        log += "Requirement already satisfied: \(spec) in \(sitePackages(context)) (\(version))\n"
        continue
      }
      guard let package = context.index.package(named: name), accepts(spec, package.version) else {
        if !quiet { output.print(log) }
        output.printError(
          "ERROR: Could not find a version that satisfies the requirement \(spec) (from versions: none)\nERROR: No matching distribution found for \(spec)\n"
        )
        output.status = 1
        return output
      }
      log += "Collecting \(spec)" + (origin.map { " (from \($0))" } ?? "") + "\n"
      // With the index's metadata (PEP 658) pip reads only that while it resolves, and
      // downloads the wheels after; without it, each wheel as it is collected.
      if let metadata = package.metadataSize {
        log += "  Downloading \(wheelName(package)).metadata (\(sizeText(metadata)))\n"
      } else {
        log += "  Downloading \(wheelName(package)) (\(sizeText(package.downloadSize)))\n"
      }
      depths[context.index.canonical(name)] = depth
      // pip names a distribution as it was asked for: `flask` on the command line, `Jinja2`
      // in Flask's requirements.
      var named = package
      named.name = name
      collected.append(named)
      let chain = origin.map { "\(spec)->\($0)" } ?? spec
      for dependency in package.depends ?? [] { queue.append((dependency, chain, depth + 1)) }
    }
    // The wheels, nearest the request first, by name within a level.
    let wheels = collected.filter { $0.metadataSize != nil }.sorted { left, right in
      let (a, b) = (
        depths[context.index.canonical(left.name)] ?? 0,
        depths[context.index.canonical(right.name)] ?? 0
      )
      return a != b ? a < b : wheelName(left).lowercased() < wheelName(right).lowercased()
    }
    for package in wheels {
      log += "Downloading \(wheelName(package)) (\(sizeText(package.downloadSize)))\n"
      if let bar = progressBar(package.downloadSize) { log += bar }
    }
    let order = installOrder(collected, in: context.index)
    if !order.isEmpty {
      log += "Installing collected packages: \(order.map(\.name).joined(separator: ", "))\n"
      log +=
        "Successfully installed \(order.map { "\($0.name)-\($0.version)" }.sorted().joined(separator: " "))\n"
    }
    if !quiet { output.print(log) }
    for package in order {
      install(package, in: &context)
      if !noCache {
        let home = context.variables["HOME"] ?? "/root"
        try? context.install(
          .init(
            path: "\(home)/.cache/pip/http-v2/\(cacheKey(package))", size: package.downloadSize,
            mode: nil))
      }
    }
    if rootWarning && !order.isEmpty {
      output.printError(
        "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager, possibly rendering your system unusable.It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you know what you are doing and want to suppress this warning.\n"
      )
    }
    if versionCheck, let notice = context.index.notice, !order.isEmpty {
      output.printError(notice)
    }
    return output
  }

  /// The order pip installs in: the deepest dependencies first; among equals, those that
  /// need nothing before those that do, each in the order they were collected.
  static func installOrder(_ packages: [PackageIndex.Package], in index: PackageIndex)
    -> [PackageIndex.Package]
  {
    var depth: [String: Int] = [:]
    func measure(_ package: PackageIndex.Package, _ level: Int, _ path: Set<String>) {
      guard !path.contains(package.name) else { return }
      if let known = depth[package.name], known >= level { return }
      depth[package.name] = level
      for dependency in package.depends ?? [] {
        if let found = packages.first(where: {
          index.canonical($0.name) == index.canonical(requirementName(dependency))
        }) {
          measure(found, level + 1, path.union([package.name]))
        }
      }
    }
    for package in packages where depth[package.name] == nil { measure(package, 0, []) }
    return packages.enumerated().sorted { left, right in
      let (a, b) = (depth[left.element.name] ?? 0, depth[right.element.name] ?? 0)
      if a != b { return a > b }
      let (leafA, leafB) = (
        left.element.depends?.isEmpty ?? true, right.element.depends?.isEmpty ?? true
      )
      if leafA != leafB { return leafA }
      return left.offset < right.offset
    }.map(\.element)
  }

  /// `flask>=3.0, <4` → `flask`; `requests[socks]` → `requests`.
  static func requirementName(_ spec: String) -> String {
    String(spec.prefix { !"<>=!~;[ (".contains($0) })
  }

  /// Whether a version meets a spec's `==` pin; other operators are taken as met.
  static func accepts(_ spec: String, _ version: String) -> Bool {
    guard let range = spec.range(of: "==") else { return true }
    let wanted = spec[range.upperBound...].prefix { !",; ".contains($0) }
    return wanted == version || (wanted.hasSuffix(".*") && version.hasPrefix(wanted.dropLast()))
  }

  static func wheelName(_ package: PackageIndex.Package) -> String {
    package.filename
      ?? "\(package.name.lowercased().replacingOccurrences(of: "-", with: "_"))-\(package.version)-py3-none-any.whl"
  }

  /// The bar pip leaves for a download of more than 50 kB, even in a build log.
  static func progressBar(_ bytes: Int64) -> String? {
    guard bytes > 50_000 else { return nil }
    let done =
      bytes > 1_000_000
      ? String(format: "%.1f/%.1f MB", Double(bytes) / 1e6, Double(bytes) / 1e6)
      : String(format: "%.1f/%.1f kB", Double(bytes) / 1e3, Double(bytes) / 1e3)
    return "   " + String(repeating: "━", count: 40) + " \(done) 10.0 MB/s eta 0:00:00\n"
  }

  /// pip's `format_size`: `101 kB`, `3.2 kB`, `12.8 MB`, `512 bytes`.
  static func sizeText(_ bytes: Int64) -> String {
    let size = Double(bytes)
    if size > 1_000_000 { return String(format: "%.1f MB", size / 1_000_000) }
    if size > 10_000 { return "\(Int(size / 1_000)) kB" }
    if size > 1_000 { return String(format: "%.1f kB", size / 1_000) }
    return "\(bytes) bytes"
  }

  static func pythonVersion(_ context: PackageContext) -> String {
    let full = context.variables["PYTHON_VERSION"] ?? "3.12.5"
    return full.split(separator: ".").prefix(2).joined(separator: ".")
  }

  static func sitePackages(_ context: PackageContext) -> String {
    "/usr/local/lib/python\(pythonVersion(context))/site-packages"
  }

  static func cacheKey(_ package: PackageIndex.Package) -> String {
    let key = PackageContext.shortHash(package.name + package.version)
    return "\(key.prefix(1))/\(key.dropFirst(1).prefix(1))/\(key.dropFirst(2))\(key).body"
  }

  /// The distributions installed: each `NAME-VERSION.dist-info` folder in site-packages.
  static func installed(_ context: PackageContext) -> [String: String] {
    var result: [String: String] = [:]
    for name in (try? context.fileSystem.list(sitePackages(context), from: "/")) ?? []
    where name.hasSuffix(".dist-info") {
      let stem = name.dropLast(".dist-info".count)
      guard let dash = stem.lastIndex(of: "-") else { continue }
      result[String(stem[..<dash])] = String(stem[stem.index(after: dash)...])
    }
    if result["pip"] == nil, let pip = context.index.base?.first(where: { $0.name == "pip" }) {
      result["pip"] = pip.version
    }
    return result
  }

  /// Unpacks a wheel: the package's files (or one stand-in module of its installed size),
  /// its `.dist-info`, and its console scripts.
  static func install(_ package: PackageIndex.Package, in context: inout PackageContext) {
    let site = sitePackages(context)
    let module = package.name.lowercased().replacingOccurrences(of: "-", with: "_")
    var files =
      package.files ?? [
        .init(path: "\(site)/\(module)/__init__.py", size: package.installedSize, mode: nil)
      ]
    files = files.map { file in
      var placed = file
      if !file.path.hasPrefix("/") { placed.path = "\(site)/\(file.path)" }
      return placed
    }
    for file in PackageContext.files(
      of: .init(
        name: package.name, version: package.version, downloadSize: package.downloadSize,
        installedSize: package.installedSize, files: files), docRoot: nil)
    {
      try? context.install(file)
    }
    let info =
      "\(site)/\(package.name.replacingOccurrences(of: "-", with: "_"))-\(package.version).dist-info"
    try? context.write(
      "Metadata-Version: 2.1\nName: \(package.name)\nVersion: \(package.version)\nSummary: \(package.summary ?? "")\n",
      to: "\(info)/METADATA")
    try? context.write("pip\n", to: "\(info)/INSTALLER")
    try? context.write(
      "Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
      to: "\(info)/WHEEL")
    try? context.write(
      files.map { "\($0.path.replacingOccurrences(of: site + "/", with: "")),,\n" }.joined(),
      to: "\(info)/RECORD")
    for program in (package.programs ?? [:]).keys.sorted() {
      try? context.write(
        "#!/usr/local/bin/python\(pythonVersion(context))\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom \(module) import main\nif __name__ == '__main__':\n    sys.exit(main())\n",
        to: "/usr/local/bin/\(program)")
      try? context.fileSystem.setMode(0o755, of: "/usr/local/bin/\(program)", from: "/")
    }
  }
}
