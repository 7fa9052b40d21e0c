import LabImage
import Testing

@Suite("Image references, as Docker parses them")
struct ReferenceTests {
  @Test(arguments: [
    ("nginx", "docker.io/library/nginx", "nginx"),
    ("nginx:1.27.1", "docker.io/library/nginx:1.27.1", "nginx:1.27.1"),
    ("library/nginx", "docker.io/library/nginx", "nginx"),
    ("docker.io/nginx", "docker.io/library/nginx", "nginx"),
    ("index.docker.io/library/nginx:latest", "docker.io/library/nginx:latest", "nginx:latest"),
    ("bitnami/redis:7", "docker.io/bitnami/redis:7", "bitnami/redis:7"),
    ("localhost:5000/app", "localhost:5000/app", "localhost:5000/app"),
    ("localhost/app:v1", "localhost/app:v1", "localhost/app:v1"),
    ("ghcr.io/a/b/c:v1", "ghcr.io/a/b/c:v1", "ghcr.io/a/b/c:v1"),
    // An upper-case first component can only be a registry host.
    ("MyOrg/app", "MyOrg/app", "MyOrg/app"),
    (
      "my-app__x.y:tag_1.0-rc", "docker.io/library/my-app__x.y:tag_1.0-rc", "my-app__x.y:tag_1.0-rc"
    ),
    (
      "nginx@sha256:447a8665cc1dab95b1ca778e162215839ccbb9189104c79d7ec3a81e14577add",
      "docker.io/library/nginx@sha256:447a8665cc1dab95b1ca778e162215839ccbb9189104c79d7ec3a81e14577add",
      "nginx@sha256:447a8665cc1dab95b1ca778e162215839ccbb9189104c79d7ec3a81e14577add"
    ),
  ])
  func normalises(input: String, full: String, familiar: String) throws {
    let reference = try ImageReference(parsing: input)
    #expect(reference.description == full)
    #expect(reference.familiarString == familiar)
  }

  @Test(arguments: [
    ("Nginx", "invalid reference format: repository name (library/Nginx) must be lowercase"),
    ("nginx:", "invalid reference format"),
    (":latest", "invalid reference format"),
    ("", "invalid reference format"),
    ("nginx:-bad", "invalid reference format"),
    ("a//b", "invalid reference format"),
    ("nginx@sha256:abc", "invalid reference format"),
    (
      "5ef79149e0ecf2fb4d3a3d2ed87a3b07dc8ba0dc1ebbf59dd6cbcd1fb2cc26f1",
      "invalid repository name (5ef79149e0ecf2fb4d3a3d2ed87a3b07dc8ba0dc1ebbf59dd6cbcd1fb2cc26f1), cannot specify 64-byte hexadecimal strings"
    ),
    (
      "docker.io/MyApp",
      "invalid reference format: repository name (library/MyApp) must be lowercase"
    ),
  ])
  func rejectsWithDockersMessage(input: String, message: String) {
    #expect {
      _ = try ImageReference(parsing: input)
    } throws: { error in
      (error as? ReferenceError)?.description == message
    }
  }

  @Test func defaultTagOnlyWhenNeitherTagNorDigest() throws {
    #expect(try ImageReference(parsing: "nginx").withDefaultTag.familiarString == "nginx:latest")
    #expect(try ImageReference(parsing: "nginx:1.27").withDefaultTag.familiarString == "nginx:1.27")
    let pinned = try ImageReference(
      parsing: "nginx@sha256:447a8665cc1dab95b1ca778e162215839ccbb9189104c79d7ec3a81e14577add")
    #expect(pinned.withDefaultTag.tag == nil)
  }

  @Test func anyReferenceAcceptsIDs() throws {
    let hex = String(repeating: "ab", count: 32)
    #expect(try ImageLookup.parse(hex).0 == .digest(try Digest(hex: hex)))
    #expect(try ImageLookup.parse("sha256:\(hex)").0 == .digest(try Digest(hex: hex)))
    #expect(try ImageLookup.parse("abc123").0 == .named(try ImageReference(parsing: "abc123")))
  }
}

@Suite("Digests and chain IDs")
struct DigestTests {
  @Test func digestOfKnownText() {
    // printf 'hello' | sha256sum
    #expect(
      Digest.of("hello").hex == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
  }

  @Test func chainIDFollowsDocker() throws {
    let first = try Digest(hex: String(repeating: "a", count: 64))
    let second = try Digest(hex: String(repeating: "b", count: 64))
    let chains = chainIDs(of: [first, second])
    #expect(chains[0] == first)
    // printf 'sha256:aaa…a sha256:bbb…b' | sha256sum
    #expect(chains[1] == Digest.of("sha256:\(first.hex) sha256:\(second.hex)"))
  }

  @Test(arguments: ["sha256:xyz", "md5:abc", String(repeating: "a", count: 64)])
  func rejectsMalformedDigests(text: String) {
    #expect(throws: ImageError.self) { _ = try Digest(text) }
  }
}
