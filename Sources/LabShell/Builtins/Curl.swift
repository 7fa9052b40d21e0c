import Foundation
import LabDocker
import LabFiles
import LabImage
import LabJSON
import LabOutput
import LabUtilities

extension Shell {
  /// `curl`, which reaches only the sandbox's own servers.
  ///
  /// A running container that publishes the port answers (nginx serving files from its file
  /// system). Every other host is unreachable, as it is for a sandbox with no network.
  static let networkUtilities: [String: Builtin] = [
    "curl": { shell, invocation in shell.curl(invocation) }
  ]

  mutating func curl(_ invocation: Invocation) -> CommandOutput {
    var silent = false
    var showErrors = false
    var includeHeaders = false
    var headOnly = false
    var failOnError = false
    var outputFile: String?
    var url: String?
    var arguments = invocation.arguments[...]
    while let argument = arguments.popFirst() {
      switch argument {
      case "-s", "--silent": silent = true
      case "-S", "--show-error": showErrors = true
      case "-sS", "-Ss": (silent, showErrors) = (true, true)
      case "-i", "--include": includeHeaders = true
      case "-I", "--head": headOnly = true
      case "-f", "--fail": failOnError = true
      case "-fsSL", "-sSL", "-fsS", "-sL", "-fL", "-L", "--location", "-v":
        silent = silent || argument.contains("s")
        showErrors = showErrors || argument.contains("S")
        failOnError = failOnError || argument.contains("f")
      case "-o", "--output": outputFile = arguments.popFirst()
      default:
        if argument.hasPrefix("-") {
          return .failure(
            "curl: option \(argument): is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information",
            status: 2)
        }
        url = argument
      }
    }
    guard let url else {
      return .failure(
        "curl: try 'curl --help' or 'curl --manual' for more information", status: 2)
    }
    let target = CurlTarget(url)
    func failure(_ code: Int32, _ message: String) -> CommandOutput {
      silent && !showErrors
        ? CommandOutput(status: code) : .failure("curl: (\(code)) \(message)", status: code)
    }
    guard ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"].contains(target.host) else {
      return failure(6, "Could not resolve host: \(target.host)")
    }
    let store = docker.store
    guard
      let server = store.containers().first(where: { container in
        container.isRunning && Docker.publishedPorts(container).contains(target.port)
      })
    else {
      return failure(
        7,
        "Failed to connect to \(target.host) port \(target.port) after 0 ms: Couldn't connect to server"
      )
    }
    let response = nginxResponse(server, path: target.path, head: headOnly)
    if failOnError, response.status >= 400 {
      return failure(22, "The requested URL returned error: \(response.status)")
    }
    var text = ""
    if includeHeaders || headOnly { text += response.headers }
    if !headOnly { text += response.body }
    if let outputFile {
      do {
        try fileSystem.write(Array(text.utf8), to: outputFile, from: directory)
      } catch {
        return failure(23, "Failure writing output to destination")
      }
      return CommandOutput()
    }
    return CommandOutput(stdout: text)
  }

  /// What the modelled nginx answers: a file under its root, the index for a folder, or 404.
  func nginxResponse(_ container: Container, path: String, head: Bool) -> (
    status: Int, headers: String, body: String
  ) {
    let files = containerFileSystem(container)
    let version =
      (container.config["Env"]?.arrayValue ?? []).compactMap(\.stringValue)
      .first { $0.hasPrefix("NGINX_VERSION=") }.map { String($0.dropFirst(14)) } ?? "1.27.1"
    let date = Self.httpDate(docker.now)
    var relative = "/usr/share/nginx/html" + (path.hasPrefix("/") ? path : "/" + path)
    if relative.hasSuffix("/") { relative += "index.html" }
    if let entry = try? files?.info(relative, from: "/"), entry.kind == .directory {
      relative += "/index.html"
    }
    guard let entry = try? files?.info(relative, from: "/"), entry.kind == .file,
      let bytes = try? files?.read(relative, from: "/")
    else {
      let body = """
        <html>
        <head><title>404 Not Found</title></head>
        <body>
        <center><h1>404 Not Found</h1></center>
        <hr><center>nginx/\(version)</center>
        </body>
        </html>

        """
      let headers =
        "HTTP/1.1 404 Not Found\r\nServer: nginx/\(version)\r\nDate: \(date)\r\n"
        + "Content-Type: text/html\r\nContent-Length: \(body.utf8.count)\r\n"
        + "Connection: keep-alive\r\n\r\n"
      return (404, headers, body)
    }
    let modified = entry.modified
    let type =
      relative.hasSuffix(".html") || relative.hasSuffix(".htm")
      ? "text/html"
      : relative.hasSuffix(".css")
        ? "text/css"
        : relative.hasSuffix(".js")
          ? "application/javascript"
          : relative.hasSuffix(".json")
            ? "application/json"
            : relative.hasSuffix(".txt") ? "text/plain" : "application/octet-stream"
    let etag =
      String(Int(modified.timeIntervalSince1970), radix: 16) + "-"
      + String(bytes.count, radix: 16)
    let headers =
      "HTTP/1.1 200 OK\r\nServer: nginx/\(version)\r\nDate: \(date)\r\n"
      + "Content-Type: \(type)\r\nContent-Length: \(bytes.count)\r\n"
      + "Last-Modified: \(Self.httpDate(modified))\r\nConnection: keep-alive\r\n"
      + "ETag: \"\(etag)\"\r\nAccept-Ranges: bytes\r\n\r\n"
    return (200, headers, String(decoding: bytes, as: UTF8.self))
  }

  /// `Sun, 01 Sep 2024 12:00:00 GMT`.
  static func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
  }
}

/// The host, port and path of a URL, as far as the sandbox needs them.
struct CurlTarget {
  var host: String
  var port: Int
  var path: String

  init(_ url: String) {
    var rest = Substring(url)
    var defaultPort = 80
    if let scheme = rest.range(of: "://") {
      if rest[..<scheme.lowerBound].lowercased() == "https" { defaultPort = 443 }
      rest = rest[scheme.upperBound...]
    }
    let authority = rest.prefix { $0 != "/" && $0 != "?" }
    path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
    if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
    if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
      host = String(authority[...close])
      port = Int(authority[authority.index(after: close)...].dropFirst()) ?? defaultPort
    } else if let colon = authority.lastIndex(of: ":") {
      host = String(authority[..<colon])
      port = Int(authority[authority.index(after: colon)...]) ?? defaultPort
    } else {
      host = String(authority)
      port = defaultPort
    }
  }
}
