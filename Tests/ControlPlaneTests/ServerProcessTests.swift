import Foundation
import Glibc
import Testing

/// `swiftlet server` as a real process: TLS, authentication and authorization as kubectl and curl
/// see them, start/stop/restart behaviour.
@Suite("swiftlet server process", .serialized)
struct ServerProcessTests {
    static let curl = "/usr/bin/curl"

    @Test("TLS and authentication: admin kubeconfig, anonymous, bad token, non-admin token")
    func tlsAndAuth() async throws {
        try await ServerProcess.with { s in
            let health = try await s.kubectl("get", "--raw", "/healthz")
            #expect(health.code == 0 && health.out == "ok", "\(health.err)")

            let anonymous = try await run(Self.curl, ["-sk", "-w", "\n%{http_code}", s.url + "/api"])
            #expect(anonymous.out == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"# + "\n\n401")
            let version = try await run(Self.curl, ["-sk", "-w", "\n%{http_code}", s.url + "/version"])
            #expect(version.out.hasSuffix("\n200") && version.out.contains("\"major\""), "\(version.out)")
            let bad = try await run(Self.curl, ["-sk", "-H", "Authorization: Bearer wrong", "-o", "/dev/null", "-w", "%{http_code}", s.url + "/api"])
            #expect(bad.out == "401")

            let alice = try await run("/usr/bin/kubectl", ["--server", s.url, "--certificate-authority", s.dataDir + "/pki/ca.crt",
                                                           "--token", "alicetoken", "--cache-dir", s.directory.path + "/alice",
                                                           "get", "pods"])
            #expect(alice.code == 1)
            #expect(alice.err == #"Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default""# + "\n", "\(alice.err)")
            let boss = try await run("/usr/bin/kubectl", ["--server", s.url, "--certificate-authority", s.dataDir + "/pki/ca.crt",
                                                          "--token", "admintoken", "--cache-dir", s.directory.path + "/boss",
                                                          "get", "ns", "-o", "name"])
            #expect(boss.out == "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n", "\(boss.err)")

            // The kubeconfig and keys are the admin's alone.
            for file in [s.kubeconfig, s.dataDir + "/pki/ca.key", s.dataDir + "/pki/admin.key"] {
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file)")
            }
        }
    }

    @Test("SIGTERM: watches end cleanly, the process exits 0; a restart reuses the PKI and keeps the data")
    func stopAndRestart() async throws {
        let first = try await ServerProcess.start()
        var stopped = false
        defer { if !stopped { first.stop() } }
        let caBefore = try String(contentsOfFile: first.dataDir + "/pki/ca.crt", encoding: .utf8)
        let made = try await first.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\ndata:\n  a: b\n")
        #expect(made.out == "configmap/keep created\n", "\(made.err)")

        let watcher = try ChildProcess("/usr/bin/kubectl", ["--kubeconfig", first.kubeconfig, "--cache-dir", first.directory.path + "/wcache",
                                                           "get", "configmaps", "-w", "-o", "name"])
        defer { watcher.stop() }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(watcher.stdout == "configmap/keep\n", "\(watcher.stderr)")
        let start = Date()
        first.child.signal(SIGTERM)
        let code = await first.child.wait(timeout: 10)
        #expect(code == 0, "server exit: \(first.child.stderr)")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(first.child.stdout.contains("stopping") || first.child.stderr.contains("stopping"))
        let watchCode = await watcher.wait(timeout: 5)
        #expect(watchCode != nil, "kubectl -w should end when the server stops")
        first.stop(keepData: true)
        stopped = true

        defer { first.directory.remove() }
        let second = try await ServerProcess.start(reuse: first.directory)
        defer { second.stop(keepData: true) }
        #expect(try String(contentsOfFile: second.dataDir + "/pki/ca.crt", encoding: .utf8) == caBefore)
        let kept = try await second.kubectl("get", "configmap", "keep", "-o", "jsonpath={.data.a}")
        #expect(kept.out == "b", "\(kept.err)")
    }

    @Test("bad flags and an unusable token file fail at start with a message")
    func startFailures() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let bad = try dir.write("tokens.csv", "onlytwo,columns\n")
        let r = try await run(ServerProcess.binary, ["server", "--data-dir", dir.path + "/d", "--secure-port", "0", "--token-auth-file", bad])
        #expect(r.code != 0)
        #expect(r.err.contains("token auth file"), "\(r.err)")
        let cidr = try await run(ServerProcess.binary, ["server", "--data-dir", dir.path + "/d", "--service-cluster-ip-range", "10.0.0.0/99"])
        #expect(cidr.code != 0)
        #expect(cidr.err.contains("invalid CIDR address: 10.0.0.0/99"), "\(cidr.err)")
    }

    @Test("--etcd-servers: the API is stored in a real etcd (Debian's etcd 3.4), watches included")
    func externalEtcd() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let client = freeLoopbackPort(), peer = freeLoopbackPort()
        let etcd = try ChildProcess("/usr/bin/etcd", [
            "--name", "t", "--data-dir", dir.path + "/etcd",
            "--listen-client-urls", "http://127.0.0.1:\(client)", "--advertise-client-urls", "http://127.0.0.1:\(client)",
            "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
            "--initial-cluster", "t=http://127.0.0.1:\(peer)"])
        defer { etcd.stop() }
        let server = try await ServerProcess.start(extraArgs: ["--etcd-servers", "http://127.0.0.1:\(client)"])
        defer { server.stop() }
        let made = try await server.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inetcd\ndata:\n  a: b\n")
        #expect(made.out == "configmap/inetcd created\n", "\(made.err)")
        let keys = try await run("/usr/bin/etcdctl", ["--endpoints", "127.0.0.1:\(client)", "get", "--prefix", "/registry/configmaps/", "--keys-only"],
                                 environment: ["ETCDCTL_API": "3"])
        #expect(keys.out.contains("/registry/configmaps/default/inetcd"), "\(keys.out)\(keys.err)")
        let watcher = try ChildProcess("/usr/bin/kubectl", ["--kubeconfig", server.kubeconfig, "--cache-dir", server.directory.path + "/wc",
                                                           "get", "configmaps", "-w", "--output-watch-events", "-o",
                                                           "jsonpath={.type} {.object.metadata.labels.x}{\"\\n\"}"])
        defer { watcher.stop() }
        try await Task.sleep(for: .milliseconds(1000))
        _ = try await server.kubectl("label", "configmap", "inetcd", "x=y")
        for _ in 0..<100 where !watcher.stdout.contains("MODIFIED") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(watcher.stdout == "ADDED \nMODIFIED y\n", "\(watcher.stdout)\(watcher.stderr)")
    }
}

/// A loopback port nobody listens on right now (bound, then released).
func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}
