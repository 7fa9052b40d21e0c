import Foundation

/// What a build is asked to do (`docker build` flags).
public struct BuildOptions: Sendable {
  /// The context directory on the host.
  public var contextDirectory: String
  /// The Dockerfile on the host.
  public var dockerfilePath: String
  /// How the Dockerfile is named in messages (`Dockerfile`, or the `-f` value).
  public var dockerfileName: String
  public var tags: [ImageReference] = []
  public var buildArgs: [String: String] = [:]
  public var target: String?
  public var noCache = false
  public var labels: [(String, String)] = []
  /// `DOCKER_BUILDKIT=0`: the legacy builder.
  public var legacy = false
  public var platform: Platform?

  public init(contextDirectory: String, dockerfilePath: String, dockerfileName: String) {
    self.contextDirectory = contextDirectory
    self.dockerfilePath = dockerfilePath
    self.dockerfileName = dockerfileName
  }
}

/// One BuildKit vertex: a line of the progress display with its sub-statuses and logs.
public struct BuildVertex: Equatable, Sendable {
  public var name: String
  public var statuses: [String] = []
  public var logs: [String] = []
  public var isCached = false
  public var error: String?

  public init(name: String) { self.name = name }
}

/// One step of the legacy builder's output.
public struct LegacyStep: Equatable, Sendable {
  /// `FROM python:3.9-slim`, as written.
  public var instruction: String
  /// Lines printed under the step (` ---> Running in …`, pull output, RUN output).
  public var lines: [String] = []
}

/// A record of a build, enough to print what either builder prints.
public struct BuildLog: Sendable {
  public var vertices: [BuildVertex] = []
  public var steps: [LegacyStep] = []
  /// Bytes of the build context sent (legacy `Sending build context`).
  public var contextSize: Int64 = 0
  public var imageID: Digest?
  public var tags: [ImageReference] = []
  /// Set when the build failed.
  public var failure: BuildFailure?
}

/// Why a build failed, with where it failed.
public struct BuildFailure: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable {
    /// Before any step ran: a bad Dockerfile or context (the daemon refused the request).
    case request
    /// While a step ran.
    case step
  }

  public var kind: Kind
  public var message: String
  /// The instruction that failed, for BuildKit's excerpt of the Dockerfile.
  public var line: Int?
  public var endLine: Int?

  public init(_ kind: Kind, _ message: String, line: Int? = nil, endLine: Int? = nil) {
    self.kind = kind
    self.message = message
    self.line = line
    self.endLine = endLine
  }

  public var description: String { message }
}

/// What RUN needs from the sandbox: run a command over an image's files.
public struct RunRequest: Sendable {
  /// The command as the shell receives it: `["/bin/sh", "-c", "apk add curl"]`.
  public var command: [String]
  public var environment: [String: String]
  public var workingDirectory: String
  public var user: String
  /// The image's layer directories, top first, for reading.
  public var lowerDirectories: [String]
  /// An empty directory where the command's changes go; deletions become `.wh.` files.
  public var upperDirectory: String
  /// The virtual clock's time of the build: what `date` prints and files are stamped with, so
  /// a build gives the same image ID on every machine.
  public var now: Date
  /// Where the image's package managers find their offline indexes.
  public var registry: (any RegistrySource)? = nil
}

/// What a RUN command did.
public struct RunOutcome: Sendable {
  public var output: [String]
  public var status: Int32

  public init(output: [String], status: Int32) {
    self.output = output
    self.status = status
  }
}

/// Runs RUN commands; the sandbox shell provides one.
public typealias RunExecutor = @Sendable (RunRequest) -> RunOutcome
