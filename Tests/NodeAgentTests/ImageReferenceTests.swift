import Testing
@testable import NodeAgent

@Suite("ImageReference")
struct ImageReferenceTests {
    static let hex = String(repeating: "ab", count: 32)

    /// input → canonical form, domain, path, tag, digest hex.
    static let valid: [(String, String, String, String, String?, String?)] = [
        ("busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", nil),
        ("busybox:1.36", "docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", nil),
        ("user/repo", "docker.io/user/repo:latest", "docker.io", "user/repo", "latest", nil),
        ("user/repo:v1", "docker.io/user/repo:v1", "docker.io", "user/repo", "v1", nil),
        ("docker.io/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", nil),
        ("index.docker.io/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", nil),
        ("docker.io/library/busybox:1", "docker.io/library/busybox:1", "docker.io", "library/busybox", "1", nil),
        ("localhost/x", "localhost/x:latest", "localhost", "x", "latest", nil),
        ("localhost:5000/x:y", "localhost:5000/x:y", "localhost:5000", "x", "y", nil),
        ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", nil),
        ("quay.io/a/b/c:t", "quay.io/a/b/c:t", "quay.io", "a/b/c", "t", nil),
        ("host:5000/repo", "host:5000/repo:latest", "host:5000", "repo", "latest", nil),
        ("10.0.0.1:5000/ns/repo:tag", "10.0.0.1:5000/ns/repo:tag", "10.0.0.1:5000", "ns/repo", "tag", nil),
        ("[::1]:5000/repo", "[::1]:5000/repo:latest", "[::1]:5000", "repo", "latest", nil),
        ("[fe80::1]/repo", "[fe80::1]/repo:latest", "[fe80::1]", "repo", "latest", nil),
        ("my-registry.example.com/a_b/c.d/e__f/g-h--i:T_1.x-y",
         "my-registry.example.com/a_b/c.d/e__f/g-h--i:T_1.x-y", "my-registry.example.com", "a_b/c.d/e__f/g-h--i", "T_1.x-y", nil),
        ("busybox@sha256:\(hex)", "docker.io/library/busybox@sha256:\(hex)", "docker.io", "library/busybox", nil, hex),
        ("busybox:1.36@sha256:\(hex)", "docker.io/library/busybox:1.36@sha256:\(hex)", "docker.io", "library/busybox", "1.36", hex),
        ("ghcr.io/o/r@sha256:\(hex)", "ghcr.io/o/r@sha256:\(hex)", "ghcr.io", "o/r", nil, hex),
        ("Foo/bar", "Foo/bar:latest", "Foo", "bar", "latest", nil),  // uppercase first part: a domain, as in Docker
        ("busybox:_x", "docker.io/library/busybox:_x", "docker.io", "library/busybox", "_x", nil),
    ]

    @Test(arguments: 0..<valid.count)
    func parses(_ i: Int) throws {
        let (input, canonical, domain, path, tag, digest) = Self.valid[i]
        let r = try ImageReference(input)
        #expect(r.description == canonical, "\(input)")
        #expect(r.domain == domain)
        #expect(r.path == path)
        #expect(r.tag == tag)
        #expect(r.digest?.hex == digest)
        #expect(r.name == domain + "/" + path)
        // The canonical form parses to itself.
        #expect(try ImageReference(canonical) == r)
    }

    /// input → the problem.
    static let invalid: [(String, ImageReferenceError.Problem)] = [
        ("", .empty),
        (":tag", .empty),
        ("Busybox", .uppercase("library/Busybox")),
        ("user/Repo", .uppercase("user/Repo")),
        ("example.com/Repo", .uppercase("Repo")),
        ("busybox:", .tag("")),
        ("busybox:-x", .tag("-x")),
        ("busybox:.x", .tag(".x")),
        ("busybox:a+b", .tag("a+b")),
        ("busybox:" + String(repeating: "t", count: 129), .tag(String(repeating: "t", count: 129))),
        ("busybox@sha256:abc", .digest(.badLength(algorithm: "sha256", expected: 64, actual: 3))),
        ("busybox@sha256:" + String(repeating: "A", count: 64), .digest(.notLowercaseHex(String(repeating: "A", count: 64)))),
        ("busybox@md5:" + String(repeating: "a", count: 32), .digest(.unsupportedAlgorithm("md5"))),
        ("busybox@" + hex, .digest(.missingAlgorithm(hex))),
        (hex, .hexOnly),
        ("a//b", .path("a//b")),
        ("user/", .path("user/")),
        ("-a/b", .path("-a/b")),
        ("_x/y", .path("_x/y")),
        ("a..b/c", .domain("a..b")),
        ("x/a..b", .path("x/a..b")),
        ("a___b/c", .path("a___b/c")),
        ("a/b_", .path("a/b_")),
        ("ex ample/x", .path("ex ample/x")),
        ("-bad.com/x", .domain("-bad.com")),
        ("bad_.com/x", .domain("bad_.com")),
        ("host:port/x", .domain("host:port")),
        ("host:/x", .domain("host:")),
        ("[::1/x", .domain("[::1")),
        ("example.com/" + String(repeating: "a", count: 250), .nameTooLong(262)),
    ]

    @Test(arguments: 0..<invalid.count)
    func rejects(_ i: Int) {
        let (input, problem) = Self.invalid[i]
        do {
            let r = try ImageReference(input)
            Issue.record("\(input) parsed as \(r)")
        } catch {
            #expect(error.problem == problem, "\(input)")
            #expect(error.description.hasPrefix("invalid image reference \"\(input)\": "))
        }
    }

    @Test func errorsNameTheProblem() {
        func message(_ s: String) -> String {
            do { _ = try ImageReference(s); return "" } catch { return error.description }
        }
        #expect(message("Busybox").contains("must be lowercase"))
        #expect(message("busybox:-x").contains("invalid tag \"-x\""))
        #expect(message("busybox@sha256:abc").contains("3 hex digits, expected 64"))
        #expect(message("busybox@md5:aa").contains("unsupported digest algorithm \"md5\""))
    }

    @Test func familiarAndManifestForms() throws {
        #expect(try ImageReference("busybox").familiarDescription == "busybox:latest")
        #expect(try ImageReference("docker.io/user/repo:v1").familiarDescription == "user/repo:v1")
        #expect(try ImageReference("localhost:5000/x").familiarDescription == "localhost:5000/x:latest")
        #expect(try ImageReference("busybox:1").manifestReference == "1")
        #expect(try ImageReference("busybox:1@sha256:\(Self.hex)").manifestReference == "sha256:\(Self.hex)")
    }

    @Test func tableIsLargeEnough() { #expect(Self.valid.count + Self.invalid.count >= 30) }
}
