import Foundation
import LabFiles
import LabOutput
import LabUtilities

/// What a package manager may touch: the image's files (a build step's or a container's),
/// its working directory, the offline index, and how its output is shown.
public struct PackageContext: Sendable {
  public var fileSystem: VirtualFileSystem
  public var directory: String
  public var index: PackageIndex
  /// Whether output goes to a terminal (progress bars) or to a log (`docker build`).
  public var isTerminal: Bool
  /// The environment of the process: `HOME` for pip's and npm's caches, and the like.
  public var variables: [String: String]

  public init(
    fileSystem: VirtualFileSystem, directory: String, index: PackageIndex, isTerminal: Bool,
    variables: [String: String]
  ) {
    self.fileSystem = fileSystem
    self.directory = directory
    self.index = index
    self.isTerminal = isTerminal
    self.variables = variables
  }

  /// Writes a package's file: a stand-in of its real size, sparse on disk.
  func install(_ file: PackageIndex.File) throws(FileSystemError) {
    try fileSystem.makeDirectory(PathText.parent(file.path), from: "/", parents: true)
    let mode = file.mode.flatMap { UInt32($0, radix: 8) } ?? 0o644
    try fileSystem.writeSparse(size: file.size, mode: mode, to: file.path, from: "/")
  }

  /// Writes a small text file, making its folder.
  func write(_ text: String, to path: String, appending: Bool = false) throws(FileSystemError) {
    try fileSystem.makeDirectory(PathText.parent(path), from: "/", parents: true)
    try fileSystem.write(Array(text.utf8), to: path, from: "/", append: appending)
  }

  /// A text file's content, or empty when it does not exist; zero bytes (of a stand-in) are
  /// left out.
  func text(_ path: String) -> String {
    guard let bytes = try? fileSystem.read(path, from: "/") else { return "" }
    return String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self)
  }

  /// Eight hex digits derived from `text`, the same on every machine: the names of cached
  /// indexes and downloads, which the real tools derive from URLs and hashes.
  static func shortHash(_ text: String) -> String {
    var hash: UInt32 = 2_166_136_261
    for byte in text.utf8 {
      hash ^= UInt32(byte)
      hash = hash &* 16_777_619
    }
    return String(format: "%08x", hash)
  }

  /// The files a package puts on disk: its index entries, with the largest grown so that
  /// they add up to the package's installed size, and its copyright notice.
  static func files(of package: PackageIndex.Package, docRoot: String?) -> [PackageIndex.File] {
    var files = package.files ?? []
    // A package the index knows no files of still takes its size on disk.
    if files.isEmpty && docRoot == nil {
      files.append(.init(path: "/usr/lib/\(package.name)", size: package.installedSize, mode: nil))
    }
    if let docRoot, !files.contains(where: { $0.path.hasPrefix("\(docRoot)/\(package.name)/") }) {
      files.append(.init(path: "\(docRoot)/\(package.name)/copyright", size: 1_024, mode: nil))
    }
    let total = files.reduce(Int64(0)) { $0 + $1.size }
    if total < package.installedSize,
      let largest = files.indices.max(by: { files[$0].size < files[$1].size })
    {
      files[largest].size += package.installedSize - total
    }
    return files
  }
}

extension CommandOutput {
  /// Appends what a part of the command wrote, and takes its status: the last part's is the
  /// command's, a failure stops it.
  mutating func take(_ part: CommandOutput) {
    append(part)
    status = part.status
  }
}

/// The programs packages installed, as they answer `--version`.
public enum PackagePrograms {
  /// What the program at `path` prints for `--version`, when a package the manager installed
  /// (not the image's own build of it) holds that file.
  public static func versionText(program: String, path: String, in context: PackageContext)
    -> String?
  {
    let installed: [String: String]
    switch context.index.manager {
    case .apt: installed = Apt.installed(context)
    case .apk: installed = Apk.installed(context)
    case .pip: installed = Pip.installed(context)
    case .npm, .yarn: return nil
    }
    let index = context.index
    let base = Set((index.base ?? []).map { index.canonical($0.name) })
    let names = Set(installed.keys.map(index.canonical)).subtracting(base)
    for package in index.packages where names.contains(index.canonical(package.name)) {
      guard let text = package.programs?[program] else { continue }
      if context.index.manager == .pip
        || package.files?.contains(where: { $0.path == path }) == true
      {
        return text
      }
    }
    return nil
  }
}
