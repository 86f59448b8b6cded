import Foundation
import KubeAPI
import KubeClient
import Synchronization
import Testing

/// A real `swiftlet server` process on an ephemeral port in a temp dir, reached through the admin
/// kubeconfig it writes; killed and removed afterwards, pass or fail.
struct LiveServer {
    static let binary: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/.build/debug/swiftlet"
    }()

    let kubeconfig: String

    static func with(tokenCSV: String? = nil, _ body: (LiveServer) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // API only: a scheduler with no nodes would mark the bound-by-hand pod unschedulable
        // concurrently with the test's own status update (a 409 on a busy machine).
        var args = ["server", "--data-dir", dir.path, "--secure-port", "0", "--disable-control-loops"]
        if let tokenCSV { args += ["--token-auth-file", try dir.write("tokens.csv", tokenCSV)] }
        let child = try ChildProcess(binary, args)
        defer { child.stop() }
        let server = LiveServer(kubeconfig: dir.path + "/admin.kubeconfig")
        // Ready when the kubeconfig exists and the API answers through it.
        let deadline = Date().addingTimeInterval(20)
        var lastError = "no kubeconfig yet"
        var ready = false
        while !ready, Date() < deadline {
            if let code = child.poll() {
                throw ProcessError(description: "swiftlet server exited \(code): \(child.stderr)")
            }
            if FileManager.default.fileExists(atPath: server.kubeconfig) {
                do {
                    _ = try await KubeAPIClient(kubeconfigPath: server.kubeconfig).get(Namespace.self, name: "default")
                    ready = true
                } catch {
                    lastError = "\(error)"
                }
            }
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else { throw ProcessError(description: "server not ready: \(lastError); stderr: \(child.stderr)") }
        try await body(server)
    }

    func client() throws -> KubeAPIClient { try KubeAPIClient(kubeconfigPath: kubeconfig) }
}

func configMap(_ name: String, _ data: [String: String], labels: [String: String]? = nil) -> ConfigMap {
    var cm = ConfigMap(metadata: ObjectMeta(name: name, namespace: "default", labels: labels))
    cm.data = data
    return cm
}

func waitUntil(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// KubeClient against the real API server: CRUD and its errors, watch, informer, leader election.
@Suite(.serialized) struct KubeClientLiveTests {
    @Test func crudConflictsAndErrors() async throws {
        try await LiveServer.with { server in
            let client = try server.client()
            let created = try await client.create(configMap("one", ["a": "1"], labels: ["app": "x"]))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.resourceVersion != nil)
            do {
                _ = try await client.create(configMap("one", ["a": "1"]))
                Issue.record("created twice")
            } catch let error as KubeClientError {
                #expect(error.isAlreadyExists)
            }
            _ = try await client.create(configMap("two", ["b": "2"], labels: ["app": "y"]))

            let got = try await client.get(ConfigMap.self, name: "one", namespace: "default")
            #expect(got.data?["a"] == "1")
            let selected = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: "app=x"))
            #expect(selected.items.map { $0.metadata.name } == ["one"])

            var update = got
            update.data = ["a": "2"]
            let updated = try await client.update(update)
            #expect(updated.data?["a"] == "2")
            // The same stale resourceVersion again: a conflict.
            do {
                _ = try await client.update(update)
                Issue.record("stale update accepted")
            } catch let error as KubeClientError {
                guard case .conflict = error else { Issue.record("not .conflict: \(error)"); return }
            }
            let patched = try await client.patch(ConfigMap.self, name: "one", namespace: "default", patchType: .merge,
                                                 body: Array(#"{"data":{"c":"3"}}"#.utf8))
            #expect(patched.data == ["a": "2", "c": "3"])

            try await client.delete(ConfigMap.self, name: "one", namespace: "default")
            do {
                _ = try await client.get(ConfigMap.self, name: "one", namespace: "default")
                Issue.record("still there")
            } catch let error as KubeClientError {
                #expect(error.isNotFound)
            }
            do {
                try await client.delete(ConfigMap.self, name: "one", namespace: "default")
            } catch let error as KubeClientError {
                #expect(error.isNotFound)
            }
        }
    }

    @Test func paging() async throws {
        try await LiveServer.with { server in
            let client = try server.client()
            for i in 0..<7 { _ = try await client.create(configMap("p\(i)", [:])) }
            let first = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(limit: 3))
            #expect(first.items.count == 3)
            #expect(first.metadata.continue?.isEmpty == false)
            let all = try await client.listAll(ConfigMap.self, namespace: "default", options: ListOptions(limit: 3))
            #expect(Set(all.items.compactMap { $0.metadata.name }).isSuperset(of: (0..<7).map { "p\($0)" }))
        }
    }

    @Test func watchSeesChanges() async throws {
        try await LiveServer.with { server in
            let client = try server.client()
            let list = try await client.list(ConfigMap.self, namespace: "default")
            let events = try await client.watch(ConfigMap.self, namespace: "default",
                                                options: WatchOptions(resourceVersion: list.metadata.resourceVersion))
            var it = events.makeAsyncIterator()
            let cm = try await client.create(configMap("w", ["a": "1"]))
            var changed = cm
            changed.data = ["a": "2"]
            _ = try await client.update(changed)
            try await client.delete(ConfigMap.self, name: "w", namespace: "default")
            var seen: [String] = []
            while seen.count < 3, let e = try await it.next() {
                switch e {
                case .added(let o): seen.append("ADDED \(o.metadata.name ?? "")")
                case .modified(let o): seen.append("MODIFIED \(o.data?["a"] ?? "")")
                case .deleted(let o): seen.append("DELETED \(o.metadata.name ?? "")")
                case .bookmark: break
                }
            }
            #expect(seen == ["ADDED w", "MODIFIED 2", "DELETED w"])
        }
    }

    @Test func podBindingAndStatus() async throws {
        try await LiveServer.with { server in
            let client = try server.client()
            var pod = Pod(metadata: ObjectMeta(name: "web", namespace: "default"))
            pod.spec = PodSpec(containers: [Container(name: "c", image: "busybox")])
            let created = try await client.create(pod)
            try await client.bind(Binding(pod: created.metadata, nodeName: "node-1"))
            let bound = try await client.get(Pod.self, name: "web", namespace: "default")
            #expect(bound.spec?.nodeName == "node-1")
            var withStatus = bound
            var status = bound.status ?? PodStatus()
            status.phase = "Running"
            withStatus.status = status
            let updated = try await client.updateStatus(withStatus)
            #expect(updated.status?.phase == "Running")
        }
    }

    @Test func informerSyncsAndFollows() async throws {
        try await LiveServer.with { server in
            let client = try server.client()
            for i in 0..<3 { _ = try await client.create(configMap("i\(i)", ["n": "\(i)"])) }
            let informer = Informer(APIListerWatcher(client: client, ConfigMap.self, namespace: "default"))
            let log = Mutex<[String]>([])
            informer.addHandler(InformerHandler(
                onAdd: { o in log.withLock { $0.append("add \(o.metadata.name ?? "")") } },
                onUpdate: { _, n in log.withLock { $0.append("update \(n.metadata.name ?? "")") } },
                onDelete: { d in log.withLock { $0.append("delete \(d.object.metadata.name ?? "")") } }))
            let run = Task { await informer.run() }
            defer { run.cancel() }
            #expect(await informer.waitForSync())
            #expect(Set(informer.cache.keys).isSuperset(of: ["default/i0", "default/i1", "default/i2"]))
            _ = try await client.create(configMap("i3", [:]))
            try await client.delete(ConfigMap.self, name: "i0", namespace: "default")
            #expect(await waitUntil { log.withLock { $0.contains("add i3") && $0.contains("delete i0") } })
            #expect(informer.cache.get(namespace: "default", name: "i0") == nil)
            #expect(informer.cache.get(namespace: "default", name: "i3") != nil)
        }
    }

    @Test func bearerTokenFromAKubeconfig() async throws {
        try await LiveServer.with(tokenCSV: "robot-token,robot,9,\"system:masters\"\n") { server in
            let admin = try KubeconfigFile(path: server.kubeconfig).clientConfig()
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let tokenConfig = try dir.write("token.kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: live
              cluster:
                server: \(admin.server)
                certificate-authority: \(try dir.write("ca.crt", String(decoding: admin.certificateAuthorityPEM ?? [], as: UTF8.self)))
            users:
            - name: robot
              user:
                tokenFile: robot.token
            contexts:
            - name: robot
              context: {cluster: live, user: robot}
            current-context: robot
            """)
            _ = try dir.write("robot.token", "robot-token\n")
            let client = try KubeAPIClient(kubeconfigPath: tokenConfig)
            #expect(try await client.get(Namespace.self, name: "kube-system").metadata.name == "kube-system")
            _ = try dir.write("robot.token", "wrong-token\n")
            do {
                _ = try await client.get(Namespace.self, name: "kube-system")
                Issue.record("a wrong token was accepted")
            } catch let error as KubeClientError {
                #expect(error.code == 401)
            }
        }
    }

    @Test func eventsAggregate() async throws {
        try await LiveServer.with { server in
            let client = try server.client()
            let cm = try await client.create(configMap("evented", [:]))
            let recorder = EventRecorder(client: client, component: "live-test")
            for _ in 0..<3 { try await recorder.record(cm, type: .warning, reason: "Tested", message: "again") }
            let events = try await client.list(Event.self, namespace: "default")
            let mine = events.items.filter { $0.involvedObject.name == "evented" }
            #expect(mine.count == 1)
            #expect(mine.first?.count == 3)
            #expect(mine.first?.reason == "Tested")
        }
    }

    @Test func leaderElectionBetweenTwoElectors() async throws {
        try await LiveServer.with { server in
            func elector(_ id: String) throws -> LeaderElector {
                LeaderElector(store: try server.client(), config: LeaderElector.Config(
                    namespace: "kube-system", name: "live-test", identity: id, leaseDuration: .seconds(2),
                    renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(200)))
            }
            let a = try elector("a")
            let b = try elector("b")
            let runA = Task { await a.run(onStartedLeading: { try? await Task.sleep(for: .seconds(60)) }) }
            #expect(await waitUntil { a.isLeader })
            let runB = Task { await b.run(onStartedLeading: { try? await Task.sleep(for: .seconds(60)) }) }
            defer { runB.cancel() }
            try await Task.sleep(for: .seconds(1))
            #expect(a.isLeader && !b.isLeader)
            let lease = try await server.client().get(Lease.self, name: "live-test", namespace: "kube-system")
            #expect(lease.spec?.holderIdentity == "a")
            runA.cancel()
            await runA.value
            #expect(await waitUntil(.seconds(3)) { b.isLeader })
            let after = try await server.client().get(Lease.self, name: "live-test", namespace: "kube-system")
            #expect(after.spec?.holderIdentity == "b")
            #expect(after.spec?.leaseTransitions == 1)
        }
    }
}
