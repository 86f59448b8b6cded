import Foundation
import Glibc
import KubeAPI
import Testing

/// Two `swiftlet server`s sharing one store (a `swiftlet store` member), both running the scheduler
/// and the controllers: only the holder of each kube-system Lease acts; killed with SIGKILL, its
/// Leases go unrenewed and the other server takes over within the lease duration.
@Suite("control loop failover (two servers)", .serialized)
struct ControlLoopFailoverTests {
    static let leaseFlags = ["--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms"]

    static func holder(_ s: ServerProcess, _ lease: String) async throws -> String {
        try await s.kubectl("get", "lease", "-n", "kube-system", lease, "-o", "jsonpath={.spec.holderIdentity}").out
    }

    /// A `swiftlet store` member on loopback ports; returns it and its client URL.
    static func startStore(in dir: TemporaryDirectory) async throws -> (ChildProcess, String) {
        let client = freeLoopbackPort(), peer = freeLoopbackPort()
        let store = try ChildProcess(ServerProcess.binary, [
            "store", "--name", "shared", "--data-dir", dir.path + "/store",
            "--listen-client-urls", "http://127.0.0.1:\(client)", "--advertise-client-urls", "http://127.0.0.1:\(client)",
            "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
            "--initial-cluster", "shared=http://127.0.0.1:\(peer)"])
        let health = try await run("/usr/bin/etcdctl", ["--endpoints", "127.0.0.1:\(client)", "--command-timeout=2s", "endpoint", "health"],
                                   environment: ["ETCDCTL_API": "3"])
        if health.code != 0 {
            // The member may still be electing itself; the servers retry their bootstrap anyway.
            try await Task.sleep(for: .seconds(1))
        }
        return (store, "http://127.0.0.1:\(client)")
    }

    @Test("only the Lease holder runs the loops; kill -9 it and the other takes over")
    func failover() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, clientURL) = try await Self.startStore(in: dir)
        defer { store.stop() }
        let args = ["--etcd-servers", clientURL] + Self.leaseFlags
        let first = try await ServerProcess.start(extraArgs: args)
        defer { first.stop() }
        let second = try await ServerProcess.start(extraArgs: args)
        defer { second.stop() }
        let identities = [first.child.pid: first, second.child.pid: second]
        func server(holding identity: String) -> ServerProcess? {
            guard let pid = identity.split(separator: "_").last.flatMap({ pid_t($0) }) else { return nil }
            return identities[pid]
        }

        // Both Leases get one holder among the two servers.
        var leader: ServerProcess?
        let leases = ["kube-controller-manager", "kube-scheduler"]
        for lease in leases {
            let held = try await first.eventually { RunResult(code: 0, out: try await Self.holder(first, lease), err: "") }
                until: { server(holding: $0.out) != nil }
            #expect(server(holding: held.out) != nil, "\(lease) held by \(held.out)")
            if lease == "kube-controller-manager" { leader = server(holding: held.out) }
        }
        let active = try #require(leader)
        let standby = active === first ? second : first
        // The one holding it runs the controllers; the other only campaigns.
        _ = try await active.poll { active.log.contains("controller caches synced") ? true : nil }
        #expect(active.log.contains("controller caches synced"), "\(active.log.suffix(2000))")
        #expect(!standby.log.contains("controller caches synced"), "the standby runs controllers too: \(standby.log.suffix(2000))")

        // The loops act: a node (through the standby's API, the same store) and a Deployment get pods bound.
        let kubelet = try PlayedKubelet(kubeconfig: standby.kubeconfig)
        try await kubelet.register(node: "node-1")
        kubelet.start()
        defer { kubelet.stop() }
        var r = try await standby.kubectl("create", "deployment", "before", "--image=localhost:5000/webserver:1", "--replicas=2")
        #expect(r.out == "deployment.apps/before created\n", "\(r.err)")
        r = try await standby.eventually { try await standby.kubectl("get", "deployment", "before", "-o", "jsonpath={.status.readyReplicas}") }
            until: { $0.out == "2" }
        #expect(r.out == "2", "\(r.err)")

        let killedAt = ContinuousClock.now
        active.child.stop()
        let standbyIdentity = "_\(standby.child.pid)"
        for lease in leases {
            let held = try await standby.eventually { RunResult(code: 0, out: try await Self.holder(standby, lease), err: "") }
                until: { $0.out.hasSuffix(standbyIdentity) }
            #expect(held.out.hasSuffix(standbyIdentity), "\(lease) still held by \(held.out)")
        }
        let takeover = ContinuousClock.now - killedAt
        // Lease duration 4 s, plus retry periods, store round trips and kubectl's polling on a busy
        // machine; well under the 15 s default, so the flags took effect.
        #expect(takeover < .seconds(12), "takeover took \(takeover)")

        r = try await standby.kubectl("create", "deployment", "after", "--image=localhost:5000/webserver:1", "--replicas=2")
        #expect(r.out == "deployment.apps/after created\n", "\(r.err)")
        r = try await standby.eventually { try await standby.kubectl("get", "deployment", "after", "-o", "jsonpath={.status.readyReplicas}") }
            until: { $0.out == "2" }
        #expect(r.out == "2", "the new leader does not act: \(r.out)\(r.err) \(standby.log.suffix(2000))")
        r = try await standby.kubectl("get", "pods", "-l", "app=after", "-o", "jsonpath={.items[*].spec.nodeName}")
        #expect(r.out == "node-1 node-1", "\(r.out)")
    }
}

extension ControlLoopFailoverTests {
    @Test("a leader stopped gracefully (SIGTERM) hands its Leases back: the other takes over before they would expire")
    func gracefulHandOver() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, clientURL) = try await Self.startStore(in: dir)
        defer { store.stop() }
        // A long lease: only a release explains a quick takeover.
        let args = ["--etcd-servers", clientURL, "--leader-elect-lease-duration=30s", "--leader-elect-renew-deadline=20s",
                    "--leader-elect-retry-period=500ms"]
        let first = try await ServerProcess.start(extraArgs: args)
        defer { first.stop() }
        let held = try await first.eventually { RunResult(code: 0, out: try await Self.holder(first, "kube-controller-manager"), err: "") }
            until: { $0.out.hasSuffix("_\(first.child.pid)") }
        #expect(held.out.hasSuffix("_\(first.child.pid)"), "\(held.out)")
        let second = try await ServerProcess.start(extraArgs: args)
        defer { second.stop() }
        let stoppedAt = ContinuousClock.now
        first.child.signal(SIGTERM)
        let code = await first.child.wait(timeout: 15)
        #expect(code == 0, "server exit on SIGTERM: \(String(describing: code)) \(first.log.suffix(2000))")
        for lease in ["kube-controller-manager", "kube-scheduler"] {
            let next = try await second.eventually { RunResult(code: 0, out: try await Self.holder(second, lease), err: "") }
                until: { $0.out.hasSuffix("_\(second.child.pid)") }
            #expect(next.out.hasSuffix("_\(second.child.pid)"), "\(lease): \(next.out)")
        }
        let handOver = ContinuousClock.now - stoppedAt
        #expect(handOver < .seconds(15), "hand-over took \(handOver), as long as an expiry")
    }
}

extension ServerProcess {
    /// Everything the server printed so far.
    var log: String { child.stdout + child.stderr }
}
