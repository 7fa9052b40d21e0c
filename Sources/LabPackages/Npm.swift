import Foundation
import LabFiles
import LabOutput
import LabUtilities

/// `npm install` and `npm ci` over the offline index of the npm registry: the dependencies of
/// `package.json` (or of `package-lock.json`, which `ci` requires), unpacked into
/// `node_modules`, the lock file written, tarballs kept in `~/.npm/_cacache`.
public enum Npm {
  public static func run(_ arguments: [String], in context: inout PackageContext) -> CommandOutput {
    var words = arguments[...]
    guard let command = words.popFirst() else {
      return .failure(
        "npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project",
        status: 1)
    }
    var production = false
    var names: [String] = []
    while let word = words.popFirst() {
      switch word {
      case "--omit=dev", "--production", "--only=production": production = true
      case "--omit": production = words.popFirst() == "dev"
      case _ where word.hasPrefix("-"): break
      default: names.append(word)
      }
    }
    _ = production
    switch command {
    case "-v", "--version", "version":
      let version = context.index.base?.first { $0.name == "npm" }?.version ?? "10.8.2"
      return CommandOutput(stdout: "\(version)\n")
    case "ci", "clean-install":
      guard
        context.fileSystem.exists("package-lock.json", from: context.directory)
          || context.fileSystem.exists("npm-shrinkwrap.json", from: context.directory)
      else {
        return .failure(
          """
          npm error code EUSAGE
          npm error
          npm error The `npm ci` command can only install with an existing package-lock.json or
          npm error npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or
          npm error later to generate a package-lock.json file, then try again.
          npm error
          npm error Clean install a project
          npm error
          npm error Usage:
          npm error npm ci
          npm error
          npm error Options:
          npm error [--install-strategy <hoisted|nested|shallow|linked>] [--legacy-bundling]
          npm error [--global-style] [--omit <dev|optional|peer> [--omit <dev|optional|peer> ...]]
          npm error [--include <prod|dev|optional|peer> [--include <prod|dev|optional|peer> ...]]
          npm error [--strict-peer-deps] [--foreground-scripts] [--ignore-scripts] [--no-audit]
          npm error [--no-bin-links] [--no-fund] [--dry-run]
          npm error [-w|--workspace <workspace-name> [-w|--workspace <workspace-name> ...]]
          npm error [-ws|--workspaces] [--include-workspace-root] [--install-links]
          npm error
          npm error aliases: clean-install, ic, install-clean, isntall-clean
          npm error
          npm error Run "npm help ci" for more info
          npm error A complete log of this run can be found in: /root/.npm/_logs/2024-09-01T12_00_00_000Z-debug-0.log
          """, status: 1)
      }
      try? context.fileSystem.remove("node_modules", from: context.directory, recursive: true)
      return install([], save: false, in: &context)
    case "install", "i", "add":
      return install(names, save: true, in: &context)
    default:
      return .failure(
        "Unknown command: \"\(command)\"\n\nTo see a list of supported npm commands, run:\n  npm help",
        status: 1)
    }
  }

  /// The dependencies `package.json` names, with their ranges.
  static func manifestDependencies(_ context: PackageContext) -> [String: String]? {
    guard let bytes = try? context.fileSystem.read("package.json", from: context.directory),
      let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    else { return nil }
    return object["dependencies"] as? [String: String] ?? [:]
  }

  static func install(_ names: [String], save: Bool, in context: inout PackageContext)
    -> CommandOutput
  {
    var output = CommandOutput()
    guard var dependencies = manifestDependencies(context) ?? (names.isEmpty ? nil : [:]) else {
      return .failure(
        "npm error code ENOENT\nnpm error syscall open\nnpm error path \(context.directory)/package.json\nnpm error errno -2\nnpm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '\(context.directory)/package.json'\nnpm error enoent This is related to npm not being able to find a file.\nnpm error enoent",
        status: 254)
    }
    for name in names {
      let bare = name.hasPrefix("@") ? name : String(name.prefix { $0 != "@" })
      guard let package = context.index.package(named: bare) else {
        return .failure(
          "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/\(bare) - Not found\nnpm error 404\nnpm error 404  '\(name)@*' is not in this registry.",
          status: 1)
      }
      dependencies[package.name] = "^\(package.version)"
    }
    var order: [PackageIndex.Package] = []
    var seen: Set<String> = []
    var missing: String?
    func visit(_ name: String) {
      guard seen.insert(name).inserted else { return }
      guard let package = context.index.package(named: name) else {
        missing = missing ?? name
        return
      }
      for dependency in package.depends ?? [] { visit(dependency) }
      order.append(package)
      // The versions only this package needs, nested in its own node_modules.
      for nested in context.index.packages
      where nested.path?.hasPrefix("node_modules/\(name)/node_modules/") == true {
        order.append(nested)
      }
    }
    for name in dependencies.keys.sorted() { visit(name) }
    if let missing {
      return .failure(
        "npm error code ETARGET\nnpm error notarget No matching version found for \(missing)@\(dependencies[missing] ?? "*").",
        status: 1)
    }
    let already = Set(
      ((try? context.fileSystem.list("node_modules", from: context.directory)) ?? []))
    let added = order.filter { package in
      package.path.map { $0.split(separator: "/").count > 2 } == true
        || !already.contains(package.name)
    }
    let modules = context.directory == "/" ? "/node_modules" : context.directory + "/node_modules"
    let project = context.directory == "/" ? "" : context.directory
    for package in added {
      let folder = package.path.map { "\(project)/\($0)" } ?? "\(modules)/\(package.name)"
      try? context.write(
        "{\n  \"name\": \"\(package.name)\",\n  \"version\": \"\(package.version)\"\n}\n",
        to: "\(folder)/package.json")
      try? context.install(
        .init(path: "\(folder)/index.js", size: max(0, package.installedSize - 60), mode: nil))
      let home = context.variables["HOME"] ?? "/root"
      try? context.install(
        .init(
          path:
            "\(home)/.npm/_cacache/content-v2/sha512/\(PackageContext.shortHash(package.name + package.version))",
          size: package.downloadSize, mode: nil))
    }
    let lock = lockFile(order, dependencies: dependencies, context: context)
    try? context.write(lock, to: "\(modules)/.package-lock.json")
    if save {
      try? context.write(lock, to: "package-lock.json".resolved(in: context.directory))
      if !names.isEmpty { saveManifest(dependencies, in: &context) }
    }
    let seconds = max(1, added.count / 30)
    if added.isEmpty {
      output.print("\nup to date, audited \(order.count + 1) packages in \(seconds)s\n")
    } else {
      let noun = added.count == 1 ? "package" : "packages"
      output.print(
        "\nadded \(added.count) \(noun), and audited \(order.count + 1) packages in \(seconds)s\n")
    }
    let funding = order.filter { $0.funding == true }.count
    if funding > 0 {
      output.print(
        "\n\(funding) \(funding == 1 ? "package is" : "packages are") looking for funding\n  run `npm fund` for details\n"
      )
    }
    output.print("\nfound 0 vulnerabilities\n")
    if let notice = context.index.notice { output.printError(notice) }
    return output
  }

  /// A lockfileVersion 3 lock, as npm 7 and later write it.
  static func lockFile(
    _ packages: [PackageIndex.Package], dependencies: [String: String], context: PackageContext
  ) -> String {
    let name = PathText.name(context.directory)
    var text = "{\n  \"name\": \"\(name)\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n"
    text += "  \"packages\": {\n    \"\": {\n      \"dependencies\": {\n"
    text +=
      dependencies.keys.sorted().map { "        \"\($0)\": \"\(dependencies[$0] ?? "*")\"" }
      .joined(separator: ",\n") + "\n      }\n    }"
    for package in packages.sorted(by: { $0.name < $1.name }) {
      text +=
        ",\n    \"node_modules/\(package.name)\": {\n      \"version\": \"\(package.version)\",\n      \"resolved\": \"https://registry.npmjs.org/\(package.name)/-/\(package.name)-\(package.version).tgz\"\n    }"
    }
    return text + "\n  }\n}\n"
  }

  /// Adds the packages named on the command line to `package.json`'s dependencies.
  static func saveManifest(_ dependencies: [String: String], in context: inout PackageContext) {
    var object: [String: Any] = [:]
    if let bytes = try? context.fileSystem.read("package.json", from: context.directory),
      let existing = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    {
      object = existing
    }
    object["dependencies"] = dependencies
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return }
    try? context.fileSystem.write(
      Array(data) + [10], to: "package.json", from: context.directory)
  }
}

extension String {
  /// The path relative to `directory`, absolute.
  func resolved(in directory: String) -> String {
    hasPrefix("/") ? self : (directory == "/" ? "/" : directory + "/") + self
  }
}

/// Yarn 1 (`yarn install`, `yarn add`), which node images ship beside npm: the same tree from
/// the same index, Yarn's four steps, and `yarn.lock`.
public enum Yarn {
  public static func run(_ arguments: [String], in context: inout PackageContext) -> CommandOutput {
    let version = "1.22.22"
    var words = arguments[...]
    let command = words.first.map { $0.hasPrefix("-") ? "install" : $0 } ?? "install"
    if words.first == command { words = words.dropFirst() }
    if command == "--version" || command == "-v" { return CommandOutput(stdout: "\(version)\n") }
    let frozen = words.contains("--frozen-lockfile") || words.contains("--immutable")
    let names = words.filter { !$0.hasPrefix("-") }
    guard command == "install" || command == "add" else {
      return .failure("error Command \"\(command)\" not found.", status: 1)
    }
    var output = CommandOutput(stdout: "yarn \(command) v\(version)\n")
    let hasLock = context.fileSystem.exists("yarn.lock", from: context.directory)
    if !hasLock { output.print("info No lockfile found.\n") }
    output.print("[1/4] Resolving packages...\n")
    if frozen && !hasLock {
      output.printError(
        "error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.\n")
      output.print(
        "info Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.\n"
      )
      output.status = 1
      return output
    }
    // npm's install lays out the tree; yarn tells it in its own words.
    let installed = Npm.install(names, save: command == "add", in: &context)
    guard installed.status == 0 else {
      output.take(installed)
      return output
    }
    output.print(
      "[2/4] Fetching packages...\n[3/4] Linking dependencies...\n[4/4] Building fresh packages...\n"
    )
    if !hasLock || command == "add" {
      var lock =
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n"
      let tree = (try? context.fileSystem.list("node_modules", from: context.directory)) ?? []
      for name in tree.sorted() where !name.hasPrefix(".") {
        guard let package = context.index.package(named: name) else { continue }
        lock +=
          "\n\(package.name)@^\(package.version):\n  version \"\(package.version)\"\n  resolved \"https://registry.yarnpkg.com/\(package.name)/-/\(package.name)-\(package.version).tgz\"\n"
      }
      try? context.fileSystem.write(Array(lock.utf8), to: "yarn.lock", from: context.directory)
      try? context.fileSystem.remove("package-lock.json", from: context.directory, recursive: false)
      output.print("success Saved lockfile.\n")
    }
    output.print("Done in 2.04s.\n")
    return output
  }
}
