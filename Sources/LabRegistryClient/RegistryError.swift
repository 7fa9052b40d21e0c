import Foundation
import LabImage

/// A failure talking to a registry, worded as Docker words it.
///
/// Connection failures name the request (`Get "http://localhost:5000/v2/": …`), registry
/// answers are the registry's own error codes (`manifest unknown: manifest unknown`).
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A host the configuration does not name: it is never contacted, as if it did not resolve.
  case notConfigured(host: String)
  /// A loopback registry the session may not reach: answered as a closed port, never contacted.
  case loopbackNotAllowed(host: String)
  /// The request never got an answer: refused, unresolved, a TLS failure, a timeout.
  case connection(method: String, url: String, reason: String)
  /// The registry asks for basic credentials and there are none for it.
  case noBasicCredentials(method: String, url: String)
  /// The registry's own error: `code` as the API spells it (`MANIFEST_UNKNOWN`).
  case registry(code: String, message: String)
  /// A tag or digest the registry does not have.
  case manifestUnknown(reference: String)
  /// A repository the registry does not have, or may not show.
  case pullAccessDenied(repository: String, cause: String)
  /// `docker login` was refused.
  case loginFailed(url: String, status: Int)
  /// An answer the protocol does not allow.
  case unexpectedStatus(method: String, url: String, status: Int)
  /// Content whose digest is not the one asked for.
  case digestMismatch(expected: Digest, actual: Digest)
  case invalidResponse(String)
  /// A local failure while reading or writing a blob.
  case io(String)

  public var description: String {
    switch self {
    case .notConfigured(let host):
      "Get \"https://\(host)/v2/\": dial tcp: lookup \(Self.hostName(host)): no such host"
    case .loopbackNotAllowed(let host):
      "Get \"http://\(host)/v2/\": dial tcp \(Self.dialAddress(host)): connect: connection refused"
    case .connection(let method, let url, let reason): "\(method) \"\(url)\": \(reason)"
    case .noBasicCredentials(let method, let url): "\(method) \"\(url)\": no basic auth credentials"
    case .registry(let code, let message): "\(Self.codeText(code)): \(message)"
    case .manifestUnknown(let reference):
      "manifest for \(reference) not found: manifest unknown: manifest unknown"
    case .pullAccessDenied(let repository, let cause):
      "pull access denied for \(repository), repository does not exist or may require "
        + "'docker login': \(cause)"
    case .loginFailed(let url, let status):
      "login attempt to \(url) failed with status: \(status) \(Self.statusText(status))"
    case .unexpectedStatus(let method, let url, let status):
      "\(method) \"\(url)\": unexpected status: \(status) \(Self.statusText(status))"
    case .digestMismatch(let expected, let actual):
      "digest verification failed: expected \(expected), got \(actual)"
    case .invalidResponse(let reason): "invalid registry response: \(reason)"
    case .io(let reason): reason
    }
  }

  /// `MANIFEST_UNKNOWN` as Go's errcode prints it: `manifest unknown`.
  static func codeText(_ code: String) -> String {
    code.lowercased().replacingOccurrences(of: "_", with: " ")
  }

  /// The host without its port.
  static func hostName(_ host: String) -> String {
    if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
      return String(host[host.index(after: host.startIndex)..<end])
    }
    return host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
  }

  /// Where Go dials a loopback name: `localhost` resolves to `[::1]` first.
  static func dialAddress(_ host: String) -> String {
    let name = hostName(host)
    var port = "80"
    if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"), name != host {
      port = String(host[host.index(after: colon)...])
    }
    switch name {
    case "localhost", "::1": return "[::1]:\(port)"
    default: return "\(name):\(port)"
    }
  }

  /// Go's `http.StatusText`.
  static func statusText(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 201: "Created"
    case 202: "Accepted"
    case 204: "No Content"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 409: "Conflict"
    case 413: "Request Entity Too Large"
    case 416: "Requested Range Not Satisfiable"
    case 429: "Too Many Requests"
    case 500: "Internal Server Error"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    default: ""
    }
  }
}
