import Foundation
import LabDocker
import LabImage
import LabOutput
import LabPackages
import LabUtilities

/// The package managers of the images — `apt-get`, `apk`, `pip`, `npm` — run over the offline
/// indexes that travel with the embedded registry.
extension Shell {
  /// The index an image's package manager uses: the distribution release its files name
  /// (`/etc/os-release`, `/etc/alpine-release`), or PyPI and npm.
  func packageRelease(for manager: PackageIndex.Manager) -> String? {
    switch manager {
    case .pip: return "pypi"
    case .npm, .yarn: return "npm"
    case .apk:
      // The repositories apk reads name the release: `…/alpine/v3.20/main`.
      if let bytes = try? fileSystem.read("/etc/apk/repositories", from: "/"),
        let match = String(decoding: bytes, as: UTF8.self).firstMatch(of: #/alpine/(v\d+\.\d+)/#)
      {
        return "alpine-" + match.output.1
      }
      guard let bytes = try? fileSystem.read("/etc/alpine-release", from: "/") else { return nil }
      let version = String(decoding: bytes, as: UTF8.self).split(separator: ".").prefix(2)
      return "alpine-v"
        + version.joined(separator: ".").trimmingCharacters(in: .whitespacesAndNewlines)
    case .apt:
      guard let bytes = try? fileSystem.read("/etc/os-release", from: "/") else { return nil }
      var fields: [String: String] = [:]
      for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { fields[parts[0]] = parts[1].trimmingCharacters(in: ["\""]) }
      }
      guard let id = fields["ID"], let codename = fields["VERSION_CODENAME"] else { return nil }
      return "\(id)-\(codename)"
    }
  }

  /// Runs a package manager of the image (`apt-get install -y curl`).
  mutating func runPackageManager(
    _ manager: PackageIndex.Manager, name: String, arguments: [String]
  ) -> CommandOutput {
    guard let release = packageRelease(for: manager) else {
      return .failure(
        "layerlab: \(name) cannot tell which release this image is (no /etc/os-release or /etc/apk/repositories)",
        status: 100)
    }
    let index: PackageIndex
    do {
      guard let registry = docker.registry else { throw PackageError.noIndex(release) }
      index = try PackageIndex.decoded(json: try registry.packageIndex(release))
    } catch let error as PackageError {
      return .failure(error.description, status: 100)
    } catch {
      return .failure(PackageError.noIndex(release).description, status: 100)
    }
    var context = PackageContext(
      fileSystem: fileSystem, directory: directory, index: index, isTerminal: false,
      variables: variables)
    context.fileSystem.now = docker.now
    switch manager {
    case .apt where name.hasPrefix("dpkg"): return Dpkg.run(arguments, as: name, in: &context)
    case .apt: return Apt.run(arguments, as: name, in: &context)
    case .apk: return Apk.run(arguments, in: &context)
    case .pip: return Pip.run(arguments, in: &context, isRoot: isRoot)
    case .npm: return Npm.run(arguments, in: &context)
    case .yarn: return Yarn.run(arguments, in: &context)
    }
  }

  /// What a program a package installed prints for `--version`: the package whose files hold
  /// `path`, in the index of the image's release (or PyPI's, for a console script).
  func packageProgramVersion(path: String, arguments: [String]) -> String? {
    guard arguments.count == 1,
      ["--version", "-V", "-v", "version", "-version"].contains(arguments[0]),
      let registry = docker.registry
    else { return nil }
    let resolved = (try? fileSystem.resolve(path, from: directory)) ?? path
    let name = (path as NSString).lastPathComponent
    for manager in [PackageIndex.Manager.apt, .apk, .pip] {
      guard let release = packageRelease(for: manager),
        let bytes = try? registry.packageIndex(release),
        let index = try? PackageIndex.decoded(json: bytes)
      else { continue }
      let context = PackageContext(
        fileSystem: fileSystem, directory: directory, index: index, isTerminal: false,
        variables: variables)
      if let text = PackagePrograms.versionText(program: name, path: resolved, in: context) {
        return text
      }
    }
    return nil
  }

  /// The manager a program is, by its name or the script it runs: `apt-get`, `apk`,
  /// `/usr/local/bin/pip3` run by python, npm's `npm-cli.js` run by node.
  static func packageManager(program: String, arguments: [String]) -> (
    PackageIndex.Manager, [String]
  )? {
    switch program {
    case "apt-get", "apt", "dpkg", "dpkg-query": return (.apt, arguments)
    case "apk": return (.apk, arguments)
    case "pip", "pip3": return (.pip, arguments)
    case "npm": return (.npm, arguments)
    default: break
    }
    let script = arguments.first.map { ($0 as NSString).lastPathComponent } ?? ""
    if program.hasPrefix("python") {
      if ["pip", "pip3"].contains(script) || script.hasPrefix("pip3.") {
        return (.pip, Array(arguments.dropFirst()))
      }
      if arguments.first == "-m", arguments.dropFirst().first == "pip" {
        return (.pip, Array(arguments.dropFirst(2)))
      }
    }
    // `/usr/local/bin/npm` links to npm's `npm-cli.js`, which node runs.
    if program == "node", ["npm", "npm-cli.js"].contains(script) {
      return (.npm, Array(arguments.dropFirst()))
    }
    if program == "node", ["yarn", "yarn.js"].contains(script) {
      return (.yarn, Array(arguments.dropFirst()))
    }
    return nil
  }
}
