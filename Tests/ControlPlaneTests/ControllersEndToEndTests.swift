import Foundation
import KubeAPI
import KubeClient
import Synchronization
import Testing

/// The seed's Deployment through real kubectl against `swiftlet server` with its scheduler and
/// controllers, on registered nodes whose kubelet the test plays.
@Suite("controllers end to end (kubectl)", .serialized,
       .enabled(if: seedDeploymentManifest() != nil, "the seed's shared/scenarios/mydeployment.yaml is not beside the repository"))
struct ControllersEndToEndTests {
    static let name = "nginx-deployment"
    static let selector = "app=nginx"

    @Test("apply the seed's deployment: 3 pods bound to nodes; a deleted pod is replaced; kubectl scale up and down")
    func applyReplaceScale() async throws {
        let manifest = try #require(seedDeploymentManifest())
        try await ControlPlaneCluster.with { c in
            let s = c.server
            var r = try await s.kubectl("apply", "-f", manifest)
            #expect(r.out == "deployment.apps/nginx-deployment created\n", "\(r.err)")
            var pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy { $0.nodeName != nil && $0.isReady } }
            #expect(pods.count == 3 && pods.allSatisfy { $0.nodeName?.hasPrefix("node-") == true }, "\(pods.map(\.nodeName))")
            // Spread over the three nodes, as kube's default topology spreading does for one owner.
            #expect(Set(pods.compactMap(\.nodeName)).count == 3, "\(pods.map(\.nodeName))")
            r = try await s.eventually { try await s.kubectl("get", "deployment", Self.name, "-o", "jsonpath={.status.readyReplicas}/{.status.availableReplicas}") }
                until: { $0.out == "3/3" }
            #expect(r.out == "3/3", "\(r.err)")

            let victim = try #require(pods.first?.metadata.name)
            r = try await s.kubectl("delete", "pod", victim)
            #expect(r.out == "pod \"\(victim)\" deleted\n", "\(r.err)")
            pods = try await c.waitForPods(Self.selector) { ps in
                ps.count == 3 && !ps.contains { $0.metadata.name == victim } && ps.allSatisfy { $0.nodeName != nil && $0.isReady }
            }
            #expect(pods.count == 3 && !pods.contains { $0.metadata.name == victim }, "no replacement for \(victim): \(pods.map(\.metadata.name))")

            r = try await s.kubectl("scale", "deployment", Self.name, "--replicas=5")
            #expect(r.out == "deployment.apps/nginx-deployment scaled\n", "\(r.err)")
            pods = try await c.waitForPods(Self.selector) { $0.count == 5 && $0.allSatisfy { $0.nodeName != nil } }
            #expect(pods.count == 5)
            r = try await s.kubectl("scale", "deployment", Self.name, "--replicas=2")
            #expect(r.out == "deployment.apps/nginx-deployment scaled\n", "\(r.err)")
            pods = try await c.waitForPods(Self.selector) { $0.count == 2 }
            #expect(pods.count == 2)
            r = try await s.eventually { try await s.kubectl("get", "deployment", Self.name, "--no-headers") }
                until: { $0.out.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["nginx-deployment", "2/2", "2", "2"] }
            #expect(r.out.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["nginx-deployment", "2/2", "2", "2"], "\(r.out)")
        }
    }

    @Test("a new image rolls out within maxSurge/maxUnavailable at every watched step; rollout status completes; rollout undo returns")
    func rollingUpdateAndUndo() async throws {
        let manifest = try #require(seedDeploymentManifest())
        try await ControlPlaneCluster.with { c in
            let s = c.server
            _ = try await s.kubectl("apply", "-f", manifest)
            var r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=20s")
            #expect(r.code == 0 && r.out.hasSuffix("deployment \"nginx-deployment\" successfully rolled out\n"), "\(r.out)\(r.err)")
            // Defaults for 3 replicas: maxSurge 25% rounds up to 1, maxUnavailable 25% down to 0.
            r = try await s.kubectl("get", "deployment", Self.name, "-o",
                                    "jsonpath={.spec.strategy.rollingUpdate.maxSurge} {.spec.strategy.rollingUpdate.maxUnavailable}")
            #expect(r.out == "25% 25%")

            let violations = try await RolloutObserver.watching(c.client, selector: Self.selector, replicas: 3, maxSurge: 1, maxUnavailable: 0) {
                r = try await s.kubectl("set", "image", "deployment/" + Self.name, "nginx=localhost:5000/webserver:2")
                #expect(r.out == "deployment.apps/nginx-deployment image updated\n", "\(r.err)")
                r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=25s")
                #expect(r.code == 0 && r.out.hasSuffix("deployment \"nginx-deployment\" successfully rolled out\n"), "\(r.out)\(r.err)")
            }
            #expect(violations.isEmpty, "\(violations)")
            var pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy { $0.image == "localhost:5000/webserver:2" } }
            #expect(pods.count == 3 && pods.allSatisfy { $0.image == "localhost:5000/webserver:2" }, "\(pods.map(\.image))")
            r = try await s.kubectl("get", "rs", "-l", Self.selector, "-o", "jsonpath={range .items[*]}{.spec.replicas}{\" \"}{end}")
            #expect(r.out.split(separator: " ").sorted() == ["0", "3"], "\(r.out)")

            let undoViolations = try await RolloutObserver.watching(c.client, selector: Self.selector, replicas: 3, maxSurge: 1, maxUnavailable: 0) {
                r = try await s.kubectl("rollout", "undo", "deployment/" + Self.name)
                #expect(r.out == "deployment.apps/nginx-deployment rolled back\n", "\(r.err)")
                r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=25s")
                #expect(r.code == 0, "\(r.out)\(r.err)")
            }
            #expect(undoViolations.isEmpty, "\(undoViolations)")
            pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy { $0.image == "localhost:5000/webserver:1" } }
            #expect(pods.count == 3 && pods.allSatisfy { $0.image == "localhost:5000/webserver:1" }, "\(pods.map(\.image))")
            // Undo brings back the first ReplicaSet (as revision 3), not a third one.
            r = try await s.kubectl("get", "rs", "-l", Self.selector, "-o", "name")
            #expect(r.out.split(separator: "\n").count == 2, "\(r.out)")
            r = try await s.kubectl("rollout", "history", "deployment/" + Self.name)
            let revisions = r.out.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: " ").first }
            #expect(revisions == ["2", "3"], "\(r.out)\(r.err)")
        }
    }

    @Test("kubectl delete deployment removes its ReplicaSets and pods; --cascade=orphan leaves the pods")
    func deleteAndOrphan() async throws {
        let manifest = try #require(seedDeploymentManifest())
        try await ControlPlaneCluster.with { c in
            let s = c.server
            _ = try await s.kubectl("apply", "-f", manifest)
            var pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy(\.isReady) }
            #expect(pods.count == 3)
            var r = try await s.kubectl("delete", "deployment", Self.name)
            #expect(r.out == "deployment.apps \"nginx-deployment\" deleted\n", "\(r.err)")
            r = try await s.eventually { try await s.kubectl("get", "rs,pods", "-l", Self.selector, "-o", "name") } until: { $0.out.isEmpty }
            #expect(r.out.isEmpty, "left behind: \(r.out)")

            _ = try await s.kubectl("apply", "-f", manifest)
            pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy(\.isReady) }
            let names = Set(pods.compactMap(\.metadata.name))
            #expect(names.count == 3)
            r = try await s.kubectl("delete", "deployment", Self.name, "--cascade=orphan")
            #expect(r.out == "deployment.apps \"nginx-deployment\" deleted\n", "\(r.err)")
            r = try await s.kubectl("get", "rs", "-l", Self.selector, "-o", "name")
            #expect(r.out.split(separator: "\n").count == 1, "the ReplicaSet should stay: \(r.out)")
            // Give the garbage collector a few of its periods: nothing may go.
            try await Task.sleep(for: .seconds(3))
            let kept = Set(try await c.livePods(Self.selector).compactMap(\.metadata.name))
            #expect(kept == names, "orphaned pods changed: \(names) → \(kept)")
            r = try await s.kubectl("get", "rs", "-l", Self.selector, "-o", "jsonpath={.items[*].metadata.ownerReferences}")
            #expect(r.out.isEmpty, "orphaned ReplicaSet still owned: \(r.out)")
        }
    }
}

/// Watches a Deployment's pods while `body` runs and checks, at every state the watch shows, what a
/// RollingUpdate promises: live pods ≤ replicas + maxSurge and ready pods ≥ replicas − maxUnavailable
/// (terminating pods count for neither, as the controllers count them). Returns the violations.
enum RolloutObserver {
    static func watching(_ client: KubeAPIClient, selector: String, replicas: Int, maxSurge: Int, maxUnavailable: Int,
                         _ body: () async throws -> Void) async throws -> [String] {
        let list = try await client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: selector))
        var pods: [String: Pod] = [:]
        for p in list.items { if let uid = p.metadata.uid { pods[uid] = p } }
        let stream = try await client.watch(Pod.self, namespace: "default",
                                            options: WatchOptions(labelSelector: selector, resourceVersion: list.metadata.resourceVersion))
        let seen = Mutex<[String]>([])
        let steps = Mutex(0)
        let watcher = Task { [pods] in
            var pods = pods
            do {
                for try await change in stream {
                    guard let pod = change.object, let uid = pod.metadata.uid else { continue }
                    if case .deleted = change { pods[uid] = nil } else { pods[uid] = pod }
                    let live = pods.values.filter { $0.metadata.deletionTimestamp == nil }
                    let ready = live.filter(\.isReady).count
                    steps.withLock { $0 += 1 }
                    if live.count > replicas + maxSurge || ready < replicas - maxUnavailable {
                        let state = live.map { "\($0.metadata.name ?? "") \($0.image ?? "") ready=\($0.isReady)" }.sorted()
                        seen.withLock { $0.append("at rv \(pod.metadata.resourceVersion ?? ""): \(live.count) live, \(ready) ready: \(state)") }
                    }
                }
            } catch {}
        }
        defer { watcher.cancel() }
        try await body()
        // The last events (old pods' removal) may still be in flight.
        try await Task.sleep(for: .milliseconds(500))
        #expect(steps.withLock { $0 } > 0, "the watch saw no rollout step")
        return seen.withLock { $0 }
    }
}
