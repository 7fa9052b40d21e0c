import Foundation

/// A declarative description of one miniature image in the embedded registry.
///
/// Recipes live in `sandbox/recipes/*.json`; the generator turns them into OCI layouts.
/// A recipe names the repository and tags, the platforms its index lists, its config, and its
/// history; each history entry that adds a layer lists the layer's files. A recipe may start
/// `from` another, inheriting its layers and history as a Dockerfile `FROM` does.
public struct Recipe: Codable, Sendable {
  /// `library/nginx`.
  public var repository: String
  public var tags: [String]
  /// Another recipe's `repository:tag`, whose layers and history come first.
  public var from: String?
  /// The config's `created`, RFC 3339.
  public var created: String
  /// `buildkit` (comments and ArgsEscaped as BuildKit writes them) or `classic`.
  public var builder: String
  /// `os/arch[/variant]` of each index entry; the first is the default platform.
  public var platforms: [String]
  /// Whether the index adds an attestation manifest per platform, as BuildKit does.
  public var attestations: Bool?
  /// The Docker version a classic builder recorded.
  public var dockerVersion: String?
  /// The `config` object of the image config, in Docker's field order.
  public var config: ConfigFields
  public var history: [HistoryStep]

  /// The fields of the image config's `config` object, named in recipes as in the config.
  public struct ConfigFields: Codable, Sendable {
    public var user: String?
    public var exposedPorts: [String]?
    public var env: [String]?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var volumes: [String]?
    public var workingDir: String?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var argsEscaped: Bool?

    enum CodingKeys: String, CodingKey {
      case user = "User"
      case exposedPorts = "ExposedPorts"
      case env = "Env"
      case entrypoint = "Entrypoint"
      case cmd = "Cmd"
      case volumes = "Volumes"
      case workingDir = "WorkingDir"
      case labels = "Labels"
      case stopSignal = "StopSignal"
      case argsEscaped = "ArgsEscaped"
    }
  }

  public struct HistoryStep: Codable, Sendable {
    public var createdBy: String
    /// Overrides the recipe's `created` for this entry.
    public var created: String?
    public var comment: String?
    /// The files of the layer this step adds; absent for an empty layer.
    public var layer: LayerSpec?

    enum CodingKeys: String, CodingKey {
      case createdBy = "created_by"
      case created, comment, layer
    }
  }

  public struct LayerSpec: Codable, Sendable {
    /// The layer's exact size once extracted; a `fill` file takes the remainder.
    public var size: Int64?
    public var files: [FileSpec]
  }

  public struct FileSpec: Codable, Sendable {
    public var path: String
    /// Octal permission bits as text, `"0755"`.
    public var mode: String?
    public var text: String?
    /// A file under `sandbox/recipes/files/` whose bytes are the content.
    public var source: String?
    /// A directory.
    public var dir: Bool?
    public var symlink: String?
    public var hardlink: String?
    /// A file of this many bytes that reads as zeros; stored sparse.
    public var zeros: Int64?
    /// This file takes whatever size the layer still lacks.
    public var fill: Bool?
    /// Directory names to create under `path`, as a shorthand for a skeleton.
    public var dirs: [String]?
    public var uid: Int64?
    public var gid: Int64?
  }

  /// The name by which other recipes refer to this one's first tag.
  public var name: String {
    let short = repository.hasPrefix("library/") ? String(repository.dropFirst(8)) : repository
    return "\(short):\(tags.first ?? "latest")"
  }
}
