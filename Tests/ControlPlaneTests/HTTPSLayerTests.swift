@testable import ControlPlane
import Foundation
import Testing

/// The HTTPS layer with real kubectl and curl: TLS with the cluster PKI, the admin kubeconfig,
/// authentication, authorization, body limits, streaming and robustness. The API itself is a small
/// echo handler here; `ServerProcessTests` runs the real thing.
@Suite("HTTPS layer")
struct HTTPSLayerTests {
    static let kubectl = "/usr/bin/kubectl"
    static let curl = "/usr/bin/curl"

    @Test("kubectl reads the admin kubeconfig, trusts the CA and authenticates with the client certificate")
    func kubectlWithAdminKubeconfig() async throws {
        try await InProcessServer.with { s in
            let health = try await run(Self.kubectl, ["--kubeconfig", s.kubeconfig, "get", "--raw", "/healthz"])
            #expect(health.code == 0, "\(health.err)")
            #expect(health.out == "ok")
            let who = try await run(Self.kubectl, ["--kubeconfig", s.kubeconfig, "get", "--raw", "/whoami?a=1&b=x%20y"])
            #expect(who.code == 0, "\(who.err)")
            #expect(who.out.contains(#""user":"kubernetes-admin","groups":["system:masters","system:authenticated"]"#))
            #expect(who.out.contains(#""query":"a=1&b=x y""#))
        }
    }

    @Test("no credentials: 401 Status JSON except health and version")
    func anonymous() async throws {
        try await InProcessServer.with { s in
            let api = try await run(Self.curl, ["-sk", "-w", "\n%{http_code}", s.url + "/api"])
            #expect(api.out == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"# + "\n\n401")
            for path in ["/version", "/healthz", "/livez", "/readyz", "/healthz/ping"] {
                let r = try await run(Self.curl, ["-sk", "-o", "/dev/null", "-w", "%{http_code}", s.url + path])
                #expect(r.out == (path == "/healthz/ping" ? "404" : "200"), "\(path)")
            }
            let post = try await run(Self.curl, ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", s.url + "/version"])
            #expect(post.out == "401")
        }
    }

    @Test("a bad bearer token is 401 even on paths anonymous may read")
    func badToken() async throws {
        try await InProcessServer.with { s in
            for path in ["/api", "/healthz"] {
                let r = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer nope", "-w", "\n%{http_code}", s.url + path])
                #expect(r.out.hasSuffix("\"reason\":\"Unauthorized\",\"code\":401}\n\n401"), "\(path): \(r.out)")
            }
            let kubectl = try await run(Self.kubectl, ["--server", s.url, "--insecure-skip-tls-verify", "--token", "nope",
                                                       "get", "--raw", "/api"])
            #expect(kubectl.code == 1)
            #expect(kubectl.err.contains("error: You must be logged in to the server (Unauthorized)"), "\(kubectl.err)")
        }
    }

    @Test("a token user outside system:masters: discovery yes, resources 403 in Kubernetes' words")
    func forbidden() async throws {
        try await InProcessServer.with { s in
            let who = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer alicetoken", s.url + "/api"])
            #expect(who.out.contains("\"code\":404"))  // allowed through to the handler (which has no /api)
            let pods = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer alicetoken", "-w", "\n%{http_code}",
                                                 s.url + "/api/v1/namespaces/default/pods"])
            #expect(pods.out == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}"# + "\n\n403")
            let kubectl = try await run(Self.kubectl, ["--server", s.url, "--certificate-authority", s.directory.path + "/pki/ca.crt",
                                                       "--token", "alicetoken", "get", "--raw", "/apis/apps/v1/deployments"])
            #expect(kubectl.code == 1)
            #expect(kubectl.err.contains(#"Error from server (Forbidden): deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" at the cluster scope"#), "\(kubectl.err)")
            let admin = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer admintoken", s.url + "/whoami"])
            #expect(admin.out.contains(#""user":"boss","groups":["system:masters","system:authenticated"]"#))
            #expect(admin.out.contains(#""authorization":false"#))
        }
    }

    @Test("a client certificate from another CA fails the handshake; one from ours without system:masters is forbidden")
    func clientCertificates() async throws {
        try await InProcessServer.with { s in
            let bob = try s.pki.issueClientCertificate(commonName: "bob", organizations: ["team-a", "team-b"])
            let cert = try s.directory.write("bob.crt", bob.certificatePEM)
            let key = try s.directory.write("bob.key", bob.keyPEM)
            let r = try await run(Self.curl, ["-sk", "--cert", cert, "--key", key, "-w", "\n%{http_code}",
                                              s.url + "/api/v1/nodes/n1"])
            #expect(r.out.contains(#"nodes \"n1\" is forbidden: User \"bob\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"#), "\(r.out)")
            let discovery = try await run(Self.curl, ["-sk", "--cert", cert, "--key", key, s.url + "/whoami"])
            #expect(discovery.out.contains(#""message":"forbidden: User \"bob\" cannot get path \"/whoami\"","reason":"Forbidden","details":{},"code":403"#), "\(discovery.out)")

            let other = try TemporaryDirectory()
            defer { other.remove() }
            let foreign = try ClusterPKI.loadOrCreate(directory: other.path, names: ClusterPKI.servingNames(
                bindAddress: "127.0.0.1", hostName: "", firstServiceIP: IPAddress("10.96.0.1")!))
            let fcert = try other.write("f.crt", foreign.admin.certificatePEM)
            let fkey = try other.write("f.key", foreign.admin.keyPEM)
            let rejected = try await run(Self.curl, ["-sk", "--cert", fcert, "--key", fkey, s.url + "/healthz"])
            #expect(rejected.code != 0)
        }
    }

    @Test("a body over the limit is 413 Status; garbage is 400; the server stays up")
    func limitsAndGarbage() async throws {
        try await InProcessServer.with(maxBodyBytes: 1024 * 1024) { s in
            let big = try s.directory.write("big", String(repeating: "x", count: 1024 * 1024 + 1))
            let r = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer admintoken", "-X", "POST",
                                              "--data-binary", "@" + big, "-w", "\n%{http_code}", s.url + "/whoami"])
            #expect(r.out == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit is 1048576","reason":"RequestEntityTooLarge","code":413}"# + "\n\n413")
            // Chunked: no Content-Length up front, so the limit trips while reading.
            let chunked = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer admintoken", "-H", "Transfer-Encoding: chunked",
                                                    "-X", "POST", "--data-binary", "@" + big, "-o", "/dev/null", "-w", "%{http_code}",
                                                    s.url + "/whoami"])
            #expect(chunked.out == "413")
            let fits = try s.directory.write("fits", String(repeating: "y", count: 1024 * 1024))
            let ok = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer admintoken", "-X", "PUT",
                                               "--data-binary", "@" + fits, s.url + "/whoami"])
            #expect(ok.out.contains(#""bodyBytes":1048576"#), "\(ok.out)")

            let garbage = try s.directory.write("garbage", "\u{01}\u{02}NOT HTTP AT ALL\r\n\r\n")
            let g = try await run("/usr/bin/openssl", ["s_client", "-quiet", "-connect", "127.0.0.1:\(s.port)"], stdinPath: garbage, timeout: 10)
            #expect(g.out.hasPrefix("HTTP/1.1 400 Bad Request"), "\(g.out)")

            let health = try await run(Self.curl, ["-sk", s.url + "/healthz"])
            #expect(health.out == "ok")
        }
    }

    @Test("a client that never finishes its request holds up nobody else")
    func slowLoris() async throws {
        try await InProcessServer.with { s in
            var lorises: [ChildProcess] = []
            defer { lorises.forEach { $0.stop() } }
            for _ in 0..<4 {
                lorises.append(try ChildProcess("/bin/sh", ["-c",
                    "(printf 'GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: '; sleep 30) | openssl s_client -quiet -connect 127.0.0.1:\(s.port)"]))
            }
            try await Task.sleep(for: .milliseconds(500))
            let start = Date()
            for _ in 0..<5 {
                let r = try await run(Self.curl, ["-sk", s.url + "/healthz"], timeout: 5)
                #expect(r.out == "ok")
            }
            #expect(Date().timeIntervalSince(start) < 5)
        }
    }

    @Test("streamed responses arrive as they are sent, pending chunks in one; a client hanging up ends the handler's stream")
    func streaming() async throws {
        try await InProcessServer.with { s in
            // All three chunks were sent before the response was written: they go out as one HTTP chunk,
            // and the empty one does not end the body early.
            let finite = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer admintoken", "--raw", s.url + "/finite-stream"])
            #expect(finite.out == "8\r\none\ntwo\n\r\n0\r\n\r\n", "\(finite.out.debugDescription)")

            let before = s.handler.endedStreams.current
            let watcher = try ChildProcess(Self.curl, ["-skN", "-H", "Authorization: Bearer admintoken", s.url + "/stream"])
            defer { watcher.stop() }
            for _ in 0..<250 where !watcher.stdout.hasPrefix("tick 0\ntick 1\n") {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(watcher.stdout.hasPrefix("tick 0\ntick 1\n"), "\(watcher.stdout)")
            #expect(s.handler.endedStreams.current == before)
            watcher.signal(SIGKILL)
            var ended = false
            for _ in 0..<100 where !ended {
                try await Task.sleep(for: .milliseconds(20))
                ended = s.handler.endedStreams.current == before + 1
            }
            #expect(ended, "the stream should end when its client disconnects")
        }
    }

    @Test("keep-alive: one connection serves several requests")
    func keepAlive() async throws {
        try await InProcessServer.with { s in
            let r = try await run(Self.curl, ["-skv", "-H", "Authorization: Bearer admintoken", s.url + "/whoami", s.url + "/healthz", s.url + "/version"])
            #expect(r.err.components(separatedBy: "Re-using existing connection").count == 3, "\(r.err)")
            #expect(r.out.hasSuffix(#"ok{"major":"1","minor":"32","gitVersion":"v1.32.0-test"}"#))
        }
    }

    @Test("a client that stops reading stops the stream being read: no unbounded buffering")
    func backpressure() async throws {
        try await InProcessServer.with { s in
            // openssl writes into a pipe nobody reads, so it stops reading the socket once the pipe is full.
            let stalled = try ChildProcess("/bin/sh", ["-c",
                "(printf 'GET /flood HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer admintoken\\r\\n\\r\\n'; sleep 30) | openssl s_client -quiet -connect 127.0.0.1:\(s.port) 2>/dev/null | sleep 30"])
            defer { stalled.stop() }
            var last = -1
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(200))
                let now = s.handler.floodChunks.current
                if now > 0 && now == last { break }
                last = now
            }
            let settled = s.handler.floodChunks.current
            #expect(settled > 0, "the stream should have started")
            try await Task.sleep(for: .milliseconds(500))
            #expect(s.handler.floodChunks.current == settled, "still pulling from the stream with nobody reading")
            // What is in flight is about the sockets' buffers (measured: ~64 chunks of 64 KiB on loopback).
            #expect(settled < 256, "\(settled) chunks pulled ahead of a stalled client")
            let health = try await run(Self.curl, ["-sk", s.url + "/healthz"], timeout: 5)
            #expect(health.out == "ok")
        }
    }

    @Test("a connection with no request in progress is closed after the idle timeout; a long stream is not")
    func idleTimeout() async throws {
        try await InProcessServer.with(idleTimeout: .seconds(1)) { s in
            let partial = try ChildProcess("/bin/sh", ["-c",
                "{ printf 'GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n'; sleep 30; } | { openssl s_client -quiet -connect 127.0.0.1:\(s.port) >/dev/null 2>&1; echo closed; }"])
            defer { partial.stop() }
            let start = Date()
            let stream = try await run(Self.curl, ["-skN", "-H", "Authorization: Bearer admintoken", "--max-time", "2.5", s.url + "/stream"])
            #expect(stream.code == 28, "curl should stop the stream itself (timeout), not see it cut: \(stream.code)")
            #expect(stream.out.components(separatedBy: "\n").count > 20)
            for _ in 0..<100 where !partial.stdout.contains("closed") { try await Task.sleep(for: .milliseconds(50)) }
            #expect(partial.stdout == "closed\n")
            #expect(Date().timeIntervalSince(start) >= 1)
        }
    }
}
