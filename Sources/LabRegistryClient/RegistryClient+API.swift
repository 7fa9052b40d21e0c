import Foundation
import LabImage
import LabJSON

/// The distribution API's requests, each with the answers the specification allows.
extension RegistryClient {
  /// The manifest types a pull accepts, as Docker's daemon lists them.
  static let manifestTypes = [
    MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest,
    MediaType.dockerManifest,
  ]

  static func pullScope(_ repository: String) -> String { "repository:\(repository):pull" }
  static func pushScope(_ repository: String) -> String { "repository:\(repository):pull,push" }

  /// `GET /v2/<name>/manifests/<reference>`: the manifest's bytes and media type.
  func manifest(_ repository: String, _ reference: String) throws(RegistryError) -> (
    bytes: [UInt8], mediaType: String, digestHeader: String?
  ) {
    let url = "/v2/\(repository)/manifests/\(reference)"
    let response = try send(
      "GET", url, headers: ["Accept": Self.manifestTypes.joined(separator: ", ")],
      scope: Self.pullScope(repository))
    guard response.status == 200 else { throw failure(response, "GET", url) }
    var mediaType = (response.header("Content-Type") ?? "").split(separator: ";").first.map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    if mediaType == nil || mediaType == "" || mediaType == "application/json" {
      mediaType = (try? JSONValue(parsing: response.body))?["mediaType"]?.stringValue
    }
    return (
      response.body, mediaType ?? MediaType.ociManifest, response.header("Docker-Content-Digest")
    )
  }

  /// `GET /v2/<name>/blobs/<digest>` into the file at `path`.
  func downloadBlob(_ repository: String, _ digest: Digest, to path: String) throws(RegistryError) {
    let url = "/v2/\(repository)/blobs/\(digest)"
    let response = try send("GET", url, scope: Self.pullScope(repository), download: path)
    guard response.status == 200 else { throw failure(response, "GET", url) }
  }

  /// `HEAD /v2/<name>/blobs/<digest>`: the blob's size if the repository has it.
  func blobSize(_ repository: String, _ digest: Digest) throws(RegistryError) -> Int64? {
    let url = "/v2/\(repository)/blobs/\(digest)"
    let response = try send("HEAD", url, scope: Self.pushScope(repository))
    switch response.status {
    case 200: return response.header("Content-Length").flatMap { Int64($0) } ?? 0
    case 404: return nil
    default: throw failure(response, "HEAD", url)
    }
  }

  /// What a mount request gave: the blob, or an upload session to send it through.
  enum MountResult: Equatable {
    case mounted
    case upload(location: String)
  }

  /// `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repository>`.
  func mount(_ repository: String, _ digest: Digest, from source: String) throws(RegistryError)
    -> MountResult
  {
    let url = "/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(source)"
    let response = try send(
      "POST", url, scope: Self.pushScope(repository) + " " + Self.pullScope(source))
    switch response.status {
    case 201: return .mounted
    case 202: return .upload(location: try location(response))
    default: throw failure(response, "POST", url)
    }
  }

  /// `POST /v2/<name>/blobs/uploads/`: a new upload session's location.
  func startUpload(_ repository: String) throws(RegistryError) -> String {
    let url = "/v2/\(repository)/blobs/uploads/"
    let response = try send("POST", url, scope: Self.pushScope(repository))
    guard response.status == 202 else { throw failure(response, "POST", url) }
    return try location(response)
  }

  /// Sends the file at `path` through the upload session at `location`: in one `PUT` when it
  /// fits in a chunk, else in `PATCH` chunks closed by an empty `PUT`.
  ///
  /// - Returns: The number of requests that carried content.
  @discardableResult
  func upload(
    _ repository: String, fileAt path: String, digest: Digest, location start: String
  ) throws(RegistryError) -> Int {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw .io("\(path): cannot open the blob to upload")
    }
    defer { try? handle.close() }
    let scope = Self.pushScope(repository)
    var location = start
    var offset = 0
    var requests = 0
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    if size > chunkSize {
      while true {
        let chunk: Data
        do {
          chunk = try handle.read(upToCount: chunkSize) ?? Data()
        } catch {
          throw .io("\(path): \(error)")
        }
        if chunk.isEmpty { break }
        let response = try send(
          "PATCH", location,
          headers: [
            "Content-Type": "application/octet-stream",
            "Content-Range": "\(offset)-\(offset + chunk.count - 1)",
          ], body: Array(chunk), scope: scope)
        guard response.status == 202 else { throw failure(response, "PATCH", location) }
        location = try self.location(response)
        offset += chunk.count
        requests += 1
      }
      let url = Self.adding("digest=\(digest)", to: location)
      let response = try send("PUT", url, scope: scope)
      guard response.status == 201 else { throw failure(response, "PUT", url) }
      return requests
    }
    let content: Data
    do {
      content = try handle.readToEnd() ?? Data()
    } catch {
      throw .io("\(path): \(error)")
    }
    let url = Self.adding("digest=\(digest)", to: location)
    let response = try send(
      "PUT", url, headers: ["Content-Type": "application/octet-stream"], body: Array(content),
      scope: scope)
    guard response.status == 201 else { throw failure(response, "PUT", url) }
    return 1
  }

  /// `PUT /v2/<name>/manifests/<tag>`; returns the digest the registry computed.
  func putManifest(_ repository: String, _ tag: String, _ bytes: [UInt8], mediaType: String)
    throws(RegistryError) -> String?
  {
    let url = "/v2/\(repository)/manifests/\(tag)"
    let response = try send(
      "PUT", url, headers: ["Content-Type": mediaType], body: bytes,
      scope: Self.pushScope(repository))
    guard response.status == 201 else { throw failure(response, "PUT", url) }
    return response.header("Docker-Content-Digest")
  }

  private func location(_ response: HTTPResponse) throws(RegistryError) -> String {
    guard let location = response.header("Location"), !location.isEmpty else {
      throw .invalidResponse("an upload answer without a Location")
    }
    return location
  }

  static func adding(_ query: String, to url: String) -> String {
    url + (url.contains("?") ? "&" : "?") + query
  }
}
