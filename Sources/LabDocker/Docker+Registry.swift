import Foundation
import LabFiles
import LabImage
import LabOutput
import LabRegistryClient

extension Docker {
  static let pushCommand = DockerCommand(
    paths: [["image", "push"], ["push"]], usageTail: "[OPTIONS] NAME[:TAG]",
    summary: "Upload an image to a registry",
    flags: [
      FlagSpec("all-tags", "a", .bool, "Push all tags of an image to the repository"),
      FlagSpec("disable-content-trust", nil, .bool, "Skip image signing", defaultText: "true"),
      FlagSpec(
        "platform", nil, .string,
        "Push a platform-specific manifest as a single-platform image to the registry"),
      FlagSpec("quiet", "q", .bool, "Suppress verbose output"),
    ],
    arguments: .exactly(1), writesStore: true
  ) { docker, flags in docker.push(flags) }

  static let loginCommand = DockerCommand(
    paths: [["login"]], usageTail: "[OPTIONS] [SERVER]",
    summary: "Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.",
    flags: [
      FlagSpec("password", "p", .string, "Password or Personal Access Token (PAT)"),
      FlagSpec(
        "password-stdin", nil, .bool, "Take the Password or Personal Access Token (PAT) from stdin"
      ),
      FlagSpec("username", "u", .string, "Username"),
    ],
    arguments: .atMost(1), writesStore: true
  ) { docker, flags in docker.login(flags) }

  static let logoutCommand = DockerCommand(
    paths: [["logout"]], usageTail: "[SERVER]",
    summary:
      "Log out from a registry.\nIf no server is specified, the default is defined by the daemon.",
    flags: [], arguments: .atMost(1), writesStore: true
  ) { docker, flags in docker.logout(flags) }

  /// The registry Docker Hub's names push to and log in to; this sandbox has no route to it.
  static let hubHost = "registry-1.docker.io"

  /// Where `docker login` keeps this session's credentials.
  var credentialStore: CredentialStore {
    CredentialStore(path: environment.store.stateDirectory + "/auths.json")
  }

  /// The credentials file as the sandbox shows it, for login's warning.
  var credentialPathInSandbox: String { "/var/lib/docker/.layerlab/auths.json" }

  /// A client for `host`, with the session's credentials for it.
  func registryClient(for host: String) throws(RegistryError) -> RegistryClient {
    try RegistryClient(
      host: host, access: environment.registryAccess,
      credentials: credentialStore.credentials(for: host))
  }

  // MARK: - push

  func push(_ flags: ParsedFlags) -> CommandOutput {
    var reference: ImageReference
    do {
      reference = try ImageReference(parsing: flags.arguments[0])
    } catch {
      return .failure(error.description)
    }
    let allTags = flags.bool("all-tags")
    let quiet = flags.bool("quiet")
    if allTags && !reference.isNameOnly {
      return .failure("tag can't be used with --all-tags/-a")
    }
    if flags.string("platform").map({ !$0.isEmpty }) ?? false {
      return .failure(
        "docker push --platform: not part of the LayerLab image toolkit, whose images have one platform"
      )
    }
    var result = CommandOutput()
    if reference.isNameOnly && !allTags {
      reference.tag = ImageReference.defaultTag
      if !quiet { result.print("Using default tag: \(ImageReference.defaultTag)\n") }
    }
    var progress = PushOutput(isTerminal: environment.isTerminal, quiet: quiet)
    progress.line("The push refers to repository [\(reference.name)]")
    func fail(_ message: String) -> CommandOutput {
      result.append(progress.output)
      result.printError(message + "\n")
      result.status = 1
      return result
    }
    if reference.digest != nil { return fail("cannot push a digest reference") }
    let table: ReferenceTable
    do {
      table = try environment.store.referenceTable()
    } catch {
      return fail("\(error)")
    }
    let associations = table.all.filter { $0.reference.repository == reference.repository }
    guard !associations.isEmpty else {
      return fail("An image does not exist locally with the tag: \(reference.familiarName)")
    }
    guard reference.domain != ImageReference.defaultDomain else {
      return fail(RegistryError.notConfigured(host: Self.hubHost).description)
    }
    let scratch: String
    do {
      scratch = try ScratchDirectory.make("push")
    } catch {
      return fail("cannot make a scratch directory: \(error)")
    }
    defer { ScratchDirectory.remove(scratch) }
    do {
      let client = try registryClient(for: reference.domain)
      let pusher = RegistryPusher(store: environment.store, client: client, scratch: scratch)
      try pusher.connect()
      let tags: [ImageReference] =
        allTags
        ? associations.map(\.reference).filter { $0.tag != nil }.sorted {
          $0.description < $1.description
        } : [reference]
      if tags.isEmpty { return fail("no tags to push for \(reference.familiarName)") }
      for tagged in tags {
        guard let imageID = table.image(for: tagged) else {
          return fail("tag does not exist: \(tagged.familiarString)")
        }
        let image = try environment.store.image(imageID)
        progress.preparing(RegistryPusher.layerOrder(image))
        let report = try pusher.push(imageID, as: tagged) { diffID, status in
          progress.done(diffID, status)
        }
        progress.line(
          "\(tagged.tag ?? ImageReference.defaultTag): digest: \(report.digest) size: \(report.size)"
        )
      }
    } catch {
      return fail("\(error)")
    }
    result.append(progress.output)
    if quiet { result.print("\(reference)\n") }
    return result
  }

  // MARK: - login and logout

  func login(_ flags: ParsedFlags) -> CommandOutput {
    let server = Self.registryHost(flags.arguments.first)
    var username = flags.string("username") ?? ""
    var password = flags.string("password") ?? ""
    var result = CommandOutput()
    if flags.string("password") != nil && flags.bool("password-stdin") {
      return .failure("--password and --password-stdin are mutually exclusive")
    }
    if flags.bool("password-stdin") {
      if username.isEmpty { return .failure("Must provide --username with --password-stdin") }
      var text = environment.standardInput() ?? ""
      while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
      password = text
    } else if !password.isEmpty {
      result.printError(
        "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n")
    }
    username = username.trimmingCharacters(in: .whitespaces)
    if username.isEmpty || password.isEmpty {
      result.printError("Error: Cannot perform an interactive login from a non TTY device\n")
      result.status = 1
      return result
    }
    guard let server else {
      result.append(daemonError(RegistryError.notConfigured(host: Self.hubHost)))
      result.status = 1
      return result
    }
    let credentials = RegistryCredentials(username: username, password: password)
    do {
      let client = try RegistryClient(
        host: server, access: environment.registryAccess, credentials: credentials)
      try client.login()
      try credentialStore.store(credentials, for: server)
    } catch {
      result.append(daemonError(error))
      result.status = 1
      return result
    }
    result.printError(
      "\nWARNING! Your credentials are stored unencrypted in '\(credentialPathInSandbox)'.\n"
        + "Configure a credential helper to remove this warning. See\n"
        + "https://docs.docker.com/go/credential-store/\n\n")
    result.print("Login Succeeded\n")
    return result
  }

  func logout(_ flags: ParsedFlags) -> CommandOutput {
    guard let server = Self.registryHost(flags.arguments.first) else {
      return CommandOutput(stdout: "Removing login credentials for https://index.docker.io/v1/\n")
    }
    do {
      _ = try credentialStore.remove(server)
    } catch {
      return .failure("WARNING: could not erase credentials:\n\(server): \(error)")
    }
    return CommandOutput(stdout: "Removing login credentials for \(server)\n")
  }

  /// The registry host a login names (`http://localhost:5000/` → `localhost:5000`), or `nil`
  /// for Docker Hub.
  static func registryHost(_ server: String?) -> String? {
    guard var host = server, !host.isEmpty else { return nil }
    for prefix in ["https://", "http://"] where host.hasPrefix(prefix) {
      host.removeFirst(prefix.count)
    }
    host = String(host.split(separator: "/", maxSplits: 1).first ?? "")
    if ["docker.io", "index.docker.io", "registry-1.docker.io", ""].contains(host) { return nil }
    return host
  }
}

/// `docker push`'s progress: each layer's line, as a captured run prints them or as a terminal
/// shows them redrawn in place.
struct PushOutput {
  let isTerminal: Bool
  let quiet: Bool
  private(set) var output = CommandOutput()
  private var ids: [String] = []

  init(isTerminal: Bool, quiet: Bool) {
    self.isTerminal = isTerminal
    self.quiet = quiet
  }

  mutating func line(_ text: String) {
    guard !quiet else { return }
    output.print(text + "\n")
    ids = []
  }

  /// Every layer is `Preparing`; past the daemon's five uploads at a time, `Waiting` too.
  mutating func preparing(_ layers: [Digest]) {
    guard !quiet else { return }
    ids = layers.map(\.shortID)
    for (index, id) in ids.enumerated() {
      output.print("\(id): Preparing\n")
      if index >= 5 && !isTerminal { output.print("\(id): Waiting\n") }
    }
  }

  mutating func done(_ diffID: Digest, _ status: PushedLayerStatus) {
    guard !quiet else { return }
    let id = diffID.shortID
    guard isTerminal, let index = ids.firstIndex(of: id) else {
      output.print("\(id): \(status.text)\n")
      return
    }
    let up = ids.count - index
    output.print("\u{1B}[\(up)A\u{1B}[2K\r\(id): \(status.text)\r\u{1B}[\(up)B")
  }
}
