import Foundation
import LabLimits

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A registry's answer: status, headers (names in lower case) and body.
struct HTTPResponse: Sendable {
  var status: Int
  var headers: [String: String]
  var body: [UInt8]

  func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Synchronous HTTP over Foundation's URLSession: one request at a time, each waited for.
///
/// Authentication is the registry client's: a `401` is answered by it, never by URLSession,
/// whose own handling of a challenge it cannot answer stalls on Linux.
final class HTTPTransport: Sendable {
  private let session: URLSession
  private let challenges = ChallengeCollector()

  init(timeout: Double) {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = 600
    configuration.httpCookieStorage = nil
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    configuration.urlCredentialStorage = nil
    session = URLSession(configuration: configuration, delegate: challenges, delegateQueue: nil)
  }

  deinit { session.finishTasksAndInvalidate() }

  /// Sends `request` with `body`, and returns the answer with its body in memory.
  func send(_ request: URLRequest, body: [UInt8]? = nil) throws(RegistryError) -> HTTPResponse {
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    let completion: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = {
      data, response, error in
      box.set(data: data, response: response, error: error)
      done.signal()
    }
    let task =
      if let body {
        session.uploadTask(with: request, from: Data(body), completionHandler: completion)
      } else {
        session.dataTask(with: request, completionHandler: completion)
      }
    task.resume()
    try wait(for: task, done)
    if let refused = challenges.take(task.taskIdentifier) { return refused }
    return try box.response(for: request)
  }

  /// Waits for `task`, cancelling it when the command's time is up or it was interrupted.
  private func wait(for task: URLSessionTask, _ done: DispatchSemaphore) throws(RegistryError) {
    while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
      if let reason = Budget.shouldStop() {
        task.cancel()
        done.wait()
        throw .io(reason.description)
      }
    }
  }

  /// Sends a GET and writes the body to `path`; the answer's body is left empty unless the
  /// status is an error, when it holds the registry's message.
  func download(_ request: URLRequest, to path: String) throws(RegistryError) -> HTTPResponse {
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    let task = session.downloadTask(with: request) { location, response, error in
      var failure = error
      if let location, failure == nil {
        do {
          try? FileManager.default.removeItem(atPath: path)
          try FileManager.default.moveItem(atPath: location.path, toPath: path)
        } catch {
          failure = error
        }
      }
      box.set(data: nil, response: response, error: failure)
      done.signal()
    }
    task.resume()
    try wait(for: task, done)
    if let refused = challenges.take(task.taskIdentifier) { return refused }
    var response = try box.response(for: request)
    if response.status >= 400, let data = FileManager.default.contents(atPath: path) {
      response.body = Array(data.prefix(64 << 10))
      try? FileManager.default.removeItem(atPath: path)
    }
    return response
  }
}

/// Turns URLSession's authentication challenges back into the `401` answers they came from.
private final class ChallengeCollector: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
  private let lock = NSLock()
  private var refused: [Int: HTTPResponse] = [:]

  func urlSession(
    _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
    completionHandler:
      @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?)
      -> Void
  ) {
    var response = HTTPResponse(status: 401, headers: [:], body: [])
    if let failure = challenge.failureResponse as? HTTPURLResponse {
      response.status = failure.statusCode
      for (name, value) in failure.allHeaderFields {
        if let name = name as? String, let value = value as? String {
          response.headers[name.lowercased()] = value
        }
      }
    }
    lock.withLock { refused[task.taskIdentifier] = response }
    completionHandler(.cancelAuthenticationChallenge, nil)
  }

  /// The `401` a task ended with, if it was challenged.
  func take(_ task: Int) -> HTTPResponse? {
    lock.withLock { refused.removeValue(forKey: task) }
  }
}

/// Carries a request's outcome from URLSession's queue to the waiting caller; the semaphore
/// orders the write before the read.
private final class ResultBox: @unchecked Sendable {
  private var data: Data?
  private var urlResponse: URLResponse?
  private var error: (any Error)?

  func set(data: Data?, response: URLResponse?, error: (any Error)?) {
    self.data = data
    urlResponse = response
    self.error = error
  }

  func response(for request: URLRequest) throws(RegistryError) -> HTTPResponse {
    let method = Self.goMethod(request.httpMethod ?? "GET")
    let url = request.url?.absoluteString ?? ""
    if let error {
      throw .connection(method: method, url: url, reason: Self.reason(error, request))
    }
    guard let http = urlResponse as? HTTPURLResponse else {
      throw .connection(method: method, url: url, reason: "no HTTP response")
    }
    var headers: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
      if let name = name as? String, let value = value as? String {
        headers[name.lowercased()] = value
      }
    }
    return HTTPResponse(
      status: http.statusCode, headers: headers, body: data.map { Array($0) } ?? [])
  }

  /// `GET` as Go's error messages write it: `Get`.
  static func goMethod(_ method: String) -> String {
    method.prefix(1).uppercased() + method.dropFirst().lowercased()
  }

  /// A transport error in Go's words where there are some.
  static func reason(_ error: any Error, _ request: URLRequest) -> String {
    let host = request.url?.host ?? ""
    let port = request.url?.port ?? (request.url?.scheme == "https" ? 443 : 80)
    let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    let dial = host == "localhost" ? "[::1]:\(port)" : address
    let nsError = error as NSError
    switch nsError.code {
    case NSURLErrorCannotConnectToHost:
      return "dial tcp \(dial): connect: connection refused"
    case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
      return "dial tcp: lookup \(host): no such host"
    case NSURLErrorTimedOut:
      return "dial tcp \(dial): i/o timeout"
    case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
      NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateNotYetValid,
      NSURLErrorServerCertificateHasUnknownRoot, NSURLErrorUnknown:
      if let detail = (nsError.userInfo[NSUnderlyingErrorKey] as? NSError)?.userInfo[
        NSLocalizedDescriptionKey] as? String
      {
        return "tls: \(detail)"
      }
      return "tls: handshake failure"
    default:
      let detail =
        (nsError.userInfo[NSUnderlyingErrorKey] as? NSError)?.userInfo[NSLocalizedDescriptionKey]
        as? String ?? nsError.localizedDescription
      return detail
    }
  }
}
