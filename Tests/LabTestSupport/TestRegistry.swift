import Foundation

/// A real distribution registry (Debian's `docker-registry`) started for a test on
/// 127.0.0.1, on a free port, with a temporary configuration and storage; ``stop()`` ends it.
public final class TestRegistry: @unchecked Sendable {
  /// The registry program, when it is installed.
  public static var executable: String? { TestSupport.tool("docker-registry") }
  public static var isAvailable: Bool { executable != nil }

  /// A user the registry's htpasswd file knows: `learner` / `layerlab-secret`.
  public static let username = "learner"
  public static let password = "layerlab-secret"
  /// bcrypt (cost 4) of ``password``, made once offline: the registry accepts only bcrypt.
  static let passwordHash = "$2b$04$dWPq.nF8vT27f..pGtargOFZ43JVWeppzHjjfGLBzI5wkmPUZG.Lm"

  /// `127.0.0.1:PORT`.
  public let host: String
  /// The registry's log, one line per request it served.
  public let logPath: String
  private let process: Process

  /// Starts a registry and waits until it accepts connections.
  ///
  /// - Parameters:
  ///   - basicAuth: Whether it asks for the htpasswd user's credentials.
  ///   - tls: Whether it speaks HTTPS only, with a self-signed certificate made by `openssl`.
  /// - Throws: ``Failure`` when the registry is not installed or does not start.
  public init(basicAuth: Bool = false, tls: Bool = false) throws {
    guard let executable = Self.executable else {
      throw Failure("docker-registry is not installed")
    }
    let directory = try TestSupport.scratchDirectory("registry")
    let port = try Self.freePort()
    host = "127.0.0.1:\(port)"
    var config = """
      version: 0.1
      log:
        level: info
        accesslog:
          disabled: false
      storage:
        filesystem:
          rootdirectory: \(directory)/data
        delete:
          enabled: true
      http:
        addr: \(host)

      """
    if tls {
      guard let openssl = TestSupport.tool("openssl") else {
        throw Failure("openssl is not installed")
      }
      let made = try TestSupport.run(
        openssl,
        [
          "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
          "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
          "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem",
        ])
      guard made.status == 0 else { throw Failure("openssl made no certificate: \(made.stderr)") }
      config += """
          tls:
            certificate: \(directory)/cert.pem
            key: \(directory)/key.pem

        """
    }
    if basicAuth {
      try Data("\(Self.username):\(Self.passwordHash)\n".utf8).write(
        to: URL(fileURLWithPath: "\(directory)/htpasswd"))
      config += """
        auth:
          htpasswd:
            realm: layerlab-test
            path: \(directory)/htpasswd

        """
    }
    try Data(config.utf8).write(to: URL(fileURLWithPath: "\(directory)/config.yml"))
    logPath = "\(directory)/registry.log"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["serve", "\(directory)/config.yml"]
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Wait for the port to open: at most ten seconds, then give up with the log.
    for _ in 0..<200 {
      if Self.accepts(port: port) { return }
      if !process.isRunning { break }
      usleep(50_000)
    }
    stop()
    throw Failure("the registry did not start: \(log)")
  }

  deinit { stop() }

  /// Ends the registry and waits for it.
  public func stop() {
    guard process.isRunning else { return }
    // SIGKILL: the test runner's threads block SIGTERM, and a child inherits that mask.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// The requests the registry has answered so far, from its log.
  public func requestCount() -> Int {
    let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").filter { $0.contains("msg=\"response completed") }.count
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
  }

  /// A TCP port nobody listens on now: bound to port 0, read back, released.
  public static func freePort() throws -> Int {
    let (socketFD, port) = try boundLoopbackSocket()
    close(socketFD)
    return port
  }

  /// A socket bound to 127.0.0.1 on a port the system picks, and that port.
  static func boundLoopbackSocket() throws -> (socket: Int32, port: Int) {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw Failure("no socket") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0 else {
      close(socketFD)
      throw Failure("cannot bind a port")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(socketFD, $0, &length)
      }
    }
    return (socketFD, Int(UInt16(bigEndian: address.sin_port)))
  }

  static func accepts(port: Int) -> Bool {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { return false }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}

/// A TCP port that listens but never answers: whether anything connected to it shows that a
/// host was contacted.
public final class TestListener: @unchecked Sendable {
  public let port: Int
  private let socketFD: Int32

  public init() throws {
    let (socketFD, port) = try TestRegistry.boundLoopbackSocket()
    guard listen(socketFD, 16) == 0 else {
      close(socketFD)
      throw TestRegistry.Failure("cannot listen")
    }
    self.port = port
    self.socketFD = socketFD
    _ = fcntl(socketFD, F_SETFL, fcntl(socketFD, F_GETFL) | O_NONBLOCK)
  }

  deinit { close(socketFD) }

  /// Whether a connection is waiting to be accepted.
  public func wasContacted() -> Bool {
    let connection = accept(socketFD, nil, nil)
    guard connection >= 0 else { return false }
    close(connection)
    return true
  }
}
