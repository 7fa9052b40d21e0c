import Foundation
import Synchronization

/// The indexes read so far, with the JSON they were read from.
private let decodedIndexes = Mutex<[(json: [UInt8], index: PackageIndex)]>([])

/// A distribution's (or a language registry's) packages, as the offline index holds them:
/// versions, dependencies, sizes and the files that matter, copied from the real release.
///
/// One index per release (`debian-bookworm`, `alpine-v3.20`, `pypi`, `npm`) lives beside the
/// embedded registry, generated from the recipes in `sandbox/recipes/packages`, so installs
/// work offline and print the same thing on every machine.
public struct PackageIndex: Codable, Equatable, Sendable {
  public enum Manager: String, Codable, Sendable {
    case apt, apk, pip, npm, yarn
  }

  /// A file the index fetches on `apt-get update` or `apk add`: its URL and size.
  public struct ListFile: Codable, Equatable, Sendable {
    public var url: String
    public var size: Int64
    /// Where it is kept after an update, relative to the lists folder (apt only).
    public var file: String?
    /// The repository's revision, which `apk update` prints (`v3.20.3-116-g6ae3d7a3b7d`).
    public var revision: String?
  }

  /// What an image adds to the release's base, and the file that tells the image.
  public struct ImageExtra: Codable, Equatable, Sendable {
    public var marker: String
    /// The packages it asked for; their dependencies come with them.
    public var packages: [String]
  }

  /// A package the base image already has.
  public struct BasePackage: Codable, Equatable, Sendable {
    public var name: String
    public var version: String
    public var installedSize: Int64?
    /// What `dpkg -s` prints for it, `Status:` line included.
    public var record: String?
  }

  public struct File: Codable, Equatable, Sendable {
    public var path: String
    public var size: Int64
    /// Octal, as in the recipes (`0755`); regular files are 0644.
    public var mode: String?
  }

  public struct Package: Codable, Equatable, Sendable {
    public var name: String
    public var version: String
    public var arch: String?
    public var summary: String?
    public var depends: [String]?
    public var recommends: [String]?
    /// apt's "Suggested packages", as it lists them (`| alternative` included).
    public var suggests: [String]?
    /// Where apt fetches it from: `http://deb.debian.org/debian-security bookworm-security/main`.
    public var source: String?
    /// Bytes of the archive (`.deb`, `.apk`, wheel, tarball).
    public var downloadSize: Int64
    /// Bytes on disk once installed.
    public var installedSize: Int64
    public var files: [File]?
    /// What each program the package provides prints for `--version`.
    public var programs: [String: String]?
    /// The wheel or tarball file name, for pip and npm (`flask-3.0.3-py3-none-any.whl`).
    public var filename: String?
    /// Bytes of the wheel's metadata, which pip 24 downloads first.
    public var metadataSize: Int64?
    /// Whether the package asks for funding (npm's "looking for funding").
    public var funding: Bool?
    /// Where npm puts it: `node_modules/send/node_modules/ms` for a second version that only
    /// one package needs.
    public var path: String?
    /// What `dpkg -s` prints once it is installed, copied from the release's package
    /// database; without one, dpkg composes a shorter record from the fields above.
    public var record: String?
  }

  public var manager: Manager
  public var release: String
  public var mirror: String
  public var lists: [ListFile]?
  public var base: [BasePackage]?
  /// Packages an image built on the release's base adds in its own Dockerfile, known by a file
  /// only that image has: the Python images install `ca-certificates` and `netbase`.
  public var imageExtras: [ImageExtra]?
  /// How many files and directories the base image's package database lists (apt's
  /// "Reading database ..." line).
  public var databaseFiles: Int?
  /// How many packages the real release offers (`apk update`'s "distinct packages").
  public var available: Int?
  /// What the tool adds after an install when a newer version of itself exists (pip's and
  /// npm's notices), as it prints it.
  public var notice: String?
  public var packages: [Package]

  /// Reads an index from its JSON.
  public init(json: [UInt8]) throws(PackageError) {
    do {
      self = try JSONDecoder().decode(PackageIndex.self, from: Data(json))
    } catch {
      throw .badIndex(String(describing: error))
    }
  }

  /// Reads an index once per process: a build runs apt in step after step, and the Debian
  /// index is a few hundred kilobytes of JSON.
  public static func decoded(json: [UInt8]) throws(PackageError) -> PackageIndex {
    if let known = decodedIndexes.withLock({ $0.first { $0.json == json } }) {
      return known.index
    }
    let index = try PackageIndex(json: json)
    decodedIndexes.withLock { $0.append((json, index)) }
    return index
  }

  /// The package called `name`; pip and npm names compare as those tools do (`Flask` is
  /// `flask`, `typing_extensions` is `typing-extensions`).
  public func package(named name: String) -> Package? {
    let wanted = canonical(name)
    return packages.first { canonical($0.name) == wanted }
  }

  func canonical(_ name: String) -> String {
    switch manager {
    case .pip:
      name.lowercased().replacingOccurrences(of: "_", with: "-").replacingOccurrences(
        of: ".", with: "-")
    default: name
    }
  }

  /// The JSON the generator writes: keys sorted, so a regeneration is byte-identical.
  public func json() throws(PackageError) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      return Array(try encoder.encode(self)) + [10]
    } catch {
      throw .badIndex(String(describing: error))
    }
  }
}

/// Why a package operation could not run.
public enum PackageError: Error, Equatable, Sendable, CustomStringConvertible {
  case badIndex(String)
  case noIndex(String)

  public var description: String {
    switch self {
    case .badIndex(let reason): "the package index cannot be read: \(reason)"
    case .noIndex(let release):
      "layerlab: no offline package index for \(release); the sandbox has indexes for Debian 12, Ubuntu 22.04 and 24.04, Alpine 3.20, PyPI and npm"
    }
  }
}
