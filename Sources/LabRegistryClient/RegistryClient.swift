import Foundation
import LabImage
import LabJSON

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A user name and password for one registry, as `docker login` stores them.
public struct RegistryCredentials: Equatable, Sendable {
  public var username: String
  public var password: String

  public init(username: String, password: String) {
    self.username = username
    self.password = password
  }

  /// `user:password` in base64: the `auth` field of Docker's config and the Basic header.
  public var encoded: String { Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// Speaks the OCI distribution API to one registry host, as Docker's daemon does: it finds
/// the scheme that answers (`GET /v2/`), then answers Basic and Bearer challenges with the
/// stored credentials.
///
/// One client serves one command; it is used from one thread at a time, its lock only
/// guarding the answers it remembers.
public final class RegistryClient: @unchecked Sendable {
  public let host: String
  let schemes: [String]
  let credentials: RegistryCredentials?
  let chunkSize: Int
  let transport: HTTPTransport
  private let lock = NSLock()
  private var base: String?
  private var challenge: Challenge?
  private var authorizations: [String: String] = [:]

  /// - Throws: ``RegistryError`` when `access` does not let the session reach `host`.
  public init(
    host: String, access: RegistryAccess, credentials: RegistryCredentials?
  ) throws(RegistryError) {
    self.host = host
    schemes = try access.schemes(for: host)
    self.credentials = credentials
    chunkSize = access.chunkSize
    transport = HTTPTransport(timeout: access.requestTimeout)
  }

  // MARK: - Connection and authentication

  /// `GET /v2/` on each scheme in turn until one answers; remembers the challenge.
  @discardableResult
  func ping() throws(RegistryError) -> String {
    if let base = lock.withLock({ base }) { return base }
    var lastError = RegistryError.notConfigured(host: host)
    // An HTTPS port refuses the plain-HTTP retry with 400; the TLS failure says more.
    var tlsFailure: RegistryError?
    for scheme in schemes {
      let candidate = "\(scheme)://\(host)"
      guard let url = URL(string: candidate + "/v2/") else { continue }
      do throws(RegistryError) {
        let request = URLRequest(url: url)
        let response = try transport.send(request)
        guard response.status == 200 || response.status == 401 else {
          throw RegistryError.unexpectedStatus(
            method: "Get", url: candidate + "/v2/", status: response.status)
        }
        lock.withLock {
          base = candidate
          if response.status == 401 {
            challenge = Challenge(header: response.header("WWW-Authenticate"))
          }
        }
        return candidate
      } catch {
        if case .connection(_, _, let reason) = error, reason.hasPrefix("tls: ") {
          tlsFailure = error
        }
        lastError = error
      }
    }
    if let tlsFailure, case .unexpectedStatus(_, _, 400) = lastError { throw tlsFailure }
    throw lastError
  }

  /// Checks the credentials as `docker login` does: `GET /v2/` must answer 200 with them.
  public func login() throws(RegistryError) {
    let base = try ping()
    let response = try send("GET", base + "/v2/", scope: nil)
    guard response.status == 200 else {
      throw .loginFailed(url: base + "/v2/", status: response.status)
    }
  }

  /// Sends a request to the registry, answering one authentication challenge.
  ///
  /// - Parameters:
  ///   - method: The HTTP method.
  ///   - url: An absolute URL, or a path under the registry (`/v2/…`).
  ///   - headers: Extra headers.
  ///   - body: The request body, if any.
  ///   - scope: The repository and actions a token must grant: `repository:name:pull`.
  ///   - download: Where to write the body, for blobs.
  /// - Returns: The answer; a `401` only when the credentials were refused.
  /// - Throws: ``RegistryError`` when no answer came or a challenge cannot be met.
  func send(
    _ method: String, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil,
    scope: String?, download: String? = nil
  ) throws(RegistryError) -> HTTPResponse {
    let base = try ping()
    let absolute = url.hasPrefix("http://") || url.hasPrefix("https://") ? url : base + url
    guard let target = URL(string: absolute) else {
      throw .invalidResponse("not a URL: \(absolute)")
    }
    func attempt(_ authorization: String?) throws(RegistryError) -> HTTPResponse {
      var request = URLRequest(url: target)
      request.httpMethod = method
      for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
      if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
      if body == nil && ["PUT", "POST", "PATCH"].contains(method) {
        request.setValue("0", forHTTPHeaderField: "Content-Length")
      }
      if let download { return try transport.download(request, to: download) }
      return try transport.send(
        request, body: body ?? (method == "GET" || method == "HEAD" ? nil : []))
    }
    let known = lock.withLock { authorizations[scope ?? ""] ?? authorizations["basic"] }
    var response = try attempt(known)
    guard response.status == 401 else { return response }
    let offered =
      Challenge(header: response.header("WWW-Authenticate")) ?? lock.withLock { challenge }
    guard let offered else { return response }
    let authorization = try authorize(offered, scope: scope, method: method, url: absolute)
    response = try attempt(authorization)
    return response
  }

  /// The `Authorization` header answering `challenge`: the stored credentials for Basic, a
  /// token from the realm for Bearer.
  private func authorize(
    _ challenge: Challenge, scope: String?, method: String, url: String
  ) throws(RegistryError) -> String {
    let goMethod = method.prefix(1) + method.dropFirst().lowercased()
    switch challenge.scheme {
    case "basic":
      guard let credentials else {
        throw .noBasicCredentials(method: String(goMethod), url: url)
      }
      let header = "Basic \(credentials.encoded)"
      lock.withLock { authorizations["basic"] = header }
      return header
    case "bearer":
      guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm)
      else { throw .invalidResponse("a Bearer challenge without a realm") }
      var items = components.queryItems ?? []
      if let service = challenge.parameters["service"] {
        items.append(URLQueryItem(name: "service", value: service))
      }
      // One `scope` parameter per repository, as Docker asks for a mount's two.
      for wanted in (scope ?? challenge.parameters["scope"] ?? "").split(separator: " ") {
        items.append(URLQueryItem(name: "scope", value: String(wanted)))
      }
      if credentials != nil {
        items.append(URLQueryItem(name: "account", value: credentials?.username))
      }
      components.queryItems = items.isEmpty ? nil : items
      guard let tokenURL = components.url else {
        throw .invalidResponse("a Bearer realm that is not a URL: \(realm)")
      }
      var request = URLRequest(url: tokenURL)
      if let credentials {
        request.setValue("Basic \(credentials.encoded)", forHTTPHeaderField: "Authorization")
      }
      let answer = try transport.send(request)
      guard answer.status == 200 else {
        throw Self.registryError(answer)
          ?? .registry(code: "UNAUTHORIZED", message: "authentication required")
      }
      guard let json = try? JSONValue(parsing: answer.body),
        let token = json["token"]?.stringValue ?? json["access_token"]?.stringValue
      else { throw .invalidResponse("the token service answered without a token") }
      let header = "Bearer \(token)"
      lock.withLock { authorizations[scope ?? ""] = header }
      return header
    default:
      throw .invalidResponse("an authentication scheme Docker does not speak: \(challenge.scheme)")
    }
  }

  /// The registry's error from a response body: `{"errors":[{"code":…,"message":…}]}`.
  static func registryError(_ response: HTTPResponse) -> RegistryError? {
    guard let json = try? JSONValue(parsing: response.body),
      let first = json["errors"]?.arrayValue?.first,
      let code = first["code"]?.stringValue
    else { return nil }
    return .registry(code: code, message: first["message"]?.stringValue ?? "")
  }

  /// The registry's error for a failed request, or the status when it gave none.
  func failure(_ response: HTTPResponse, _ method: String, _ url: String) -> RegistryError {
    if let error = Self.registryError(response) { return error }
    if response.status == 401 {
      return .registry(code: "UNAUTHORIZED", message: "authentication required")
    }
    let goMethod = String(method.prefix(1) + method.dropFirst().lowercased())
    return .unexpectedStatus(method: goMethod, url: url, status: response.status)
  }
}

/// A `WWW-Authenticate` challenge: `Basic realm="…"` or `Bearer realm="…",service="…"`.
struct Challenge: Equatable, Sendable {
  var scheme: String
  var parameters: [String: String]

  init?(header: String?) {
    guard let header, !header.isEmpty else { return nil }
    let trimmed = header.trimmingCharacters(in: .whitespaces)
    let schemeEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
    scheme = trimmed[..<schemeEnd].lowercased()
    parameters = [:]
    var rest = trimmed[schemeEnd...].drop { $0 == " " }
    while !rest.isEmpty {
      guard let equals = rest.firstIndex(of: "=") else { break }
      let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      rest = rest[rest.index(after: equals)...]
      var value = ""
      if rest.first == "\"" {
        rest = rest.dropFirst()
        while let character = rest.first, character != "\"" {
          if character == "\\" { rest = rest.dropFirst() }
          if let next = rest.first { value.append(next) }
          rest = rest.dropFirst()
        }
        rest = rest.dropFirst()
      } else {
        let end = rest.firstIndex(of: ",") ?? rest.endIndex
        value = rest[..<end].trimmingCharacters(in: .whitespaces)
        rest = rest[end...]
      }
      parameters[key] = value
      rest = rest.drop { $0 == "," || $0 == " " }
    }
  }
}
