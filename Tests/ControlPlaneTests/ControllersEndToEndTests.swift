import Foundation
import KubeAPI
import KubeClient
import Synchronization
import Testing

/// The seed's Deployment through real kubectl against `swiftlet server` with its scheduler and
/// controllers, on registered nodes whose kubelet the test plays.
@Suite("controllers end to end (kubectl)", .serialized)
struct ControllersEndToEndTests {
    static let name = "nginx-deployment"
    static let selector = "app=nginx"

    @Test("apply the seed's deployment: 3 pods bound to nodes; a deleted pod is replaced; kubectl scale up and down")
    func applyReplaceScale() async throws {
        let manifest = seedDeploymentManifest()
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
        let manifest = seedDeploymentManifest()
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

    static let wide = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: wide
    spec:
      replicas: 8
      strategy:
        rollingUpdate:
          maxSurge: 2
          maxUnavailable: 3
      selector:
        matchLabels:
          app: wide
      template:
        metadata:
          labels:
            app: wide
        spec:
          containers:
          - name: web
            image: localhost:5000/webserver:1

    """

    /// Containers take a second to stop here, as real ones do after SIGTERM: a ReplicaSet controller
    /// that waited for terminating pods to be gone before deleting the next ones (rather than counting
    /// a deletionTimestamp as the deletion, as kube does) left more pods than maxSurge allows.
    @Test("8 replicas, maxSurge 2, maxUnavailable 3, pods stopping in 1 s: every watched step of two rollouts stays within both")
    func wideRollingUpdate() async throws {
        try await ControlPlaneCluster.with { c in
            let s = c.server
            c.kubelet.withheld.withLock { $0.stopTime = .seconds(1) }
            _ = try await s.kubectl("apply", "-f", "-", stdin: Self.wide)
            var r = try await s.kubectl("rollout", "status", "deployment/wide", "--timeout=20s")
            #expect(r.code == 0, "\(r.out)\(r.err)")
            for image in ["localhost:5000/webserver:2", "localhost:5000/webserver:3"] {
                let violations = try await RolloutObserver.watching(c.client, selector: "app=wide", replicas: 8, maxSurge: 2, maxUnavailable: 3) {
                    r = try await s.kubectl("set", "image", "deployment/wide", "web=" + image)
                    #expect(r.out == "deployment.apps/wide image updated\n", "\(r.err)")
                    r = try await s.kubectl("rollout", "status", "deployment/wide", "--timeout=25s")
                    #expect(r.code == 0 && r.out.hasSuffix("deployment \"wide\" successfully rolled out\n"), "\(r.out)\(r.err)")
                }
                #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
                let pods = try await c.waitForPods("app=wide") { $0.count == 8 && $0.allSatisfy { $0.image == image && $0.isReady } }
                #expect(pods.count == 8 && pods.allSatisfy { $0.image == image }, "\(pods.map(\.image))")
            }
            r = try await s.kubectl("get", "deployment", "wide", "-o",
                                    "jsonpath={.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}")
            #expect(r.out == "8 8 8 8 3", "\(r.out)\(r.err)")
        }
    }

    @Test("scaling down removes the unready pod first; kubectl rollout restart replaces every pod")
    func scaleDownRankingAndRestart() async throws {
        let manifest = seedDeploymentManifest()
        try await ControlPlaneCluster.with { c in
            let s = c.server
            _ = try await s.kubectl("apply", "-f", manifest)
            let pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy(\.isReady) }
            let sick = try #require(pods.last?.metadata.name)
            c.kubelet.withheld.withLock { _ = $0.unreadyPods.insert(sick) }
            _ = try await c.waitForPods(Self.selector) { ps in ps.contains { $0.metadata.name == sick && !$0.isReady } }
            var r = try await s.kubectl("scale", "deployment", Self.name, "--replicas=2")
            #expect(r.code == 0, "\(r.err)")
            let left = try await c.waitForPods(Self.selector) { $0.count == 2 }
            #expect(left.count == 2 && !left.contains { $0.metadata.name == sick }, "kept the unready pod: \(left.map(\.metadata.name))")

            let before = Set(left.compactMap(\.metadata.name))
            r = try await s.kubectl("rollout", "restart", "deployment/" + Self.name)
            #expect(r.out == "deployment.apps/nginx-deployment restarted\n", "\(r.err)")
            r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=25s")
            #expect(r.code == 0, "\(r.out)\(r.err)")
            let after = try await c.waitForPods(Self.selector) { ps in ps.count == 2 && ps.allSatisfy(\.isReady) && before.isDisjoint(with: ps.compactMap(\.metadata.name)) }
            #expect(after.count == 2 && before.isDisjoint(with: after.compactMap(\.metadata.name)), "\(before) → \(after.map(\.metadata.name))")
            #expect(after.allSatisfy { $0.metadata.annotations?["kubectl.kubernetes.io/restartedAt"] != nil })
        }
    }

    @Test("a paused rollout waits for resume; undo --to-revision; a rollout that never becomes ready exceeds its progress deadline")
    func pauseResumeDeadline() async throws {
        let manifest = seedDeploymentManifest()
        try await ControlPlaneCluster.with { c in
            let s = c.server
            _ = try await s.kubectl("apply", "-f", manifest)
            var r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=20s")
            #expect(r.code == 0, "\(r.out)\(r.err)")
            r = try await s.kubectl("rollout", "pause", "deployment/" + Self.name)
            #expect(r.out == "deployment.apps/nginx-deployment paused\n", "\(r.err)")
            _ = try await s.kubectl("set", "image", "deployment/" + Self.name, "nginx=localhost:5000/webserver:2")
            try await Task.sleep(for: .seconds(2))
            r = try await s.kubectl("get", "rs", "-l", Self.selector, "-o", "name")
            #expect(r.out.split(separator: "\n").count == 1, "a paused Deployment rolled out: \(r.out)")
            r = try await s.kubectl("rollout", "resume", "deployment/" + Self.name)
            #expect(r.out == "deployment.apps/nginx-deployment resumed\n", "\(r.err)")
            r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=25s")
            #expect(r.code == 0, "\(r.out)\(r.err)")
            var pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy { $0.image == "localhost:5000/webserver:2" } }
            #expect(pods.count == 3 && pods.allSatisfy { $0.image == "localhost:5000/webserver:2" }, "\(pods.map(\.image))")

            r = try await s.kubectl("rollout", "undo", "deployment/" + Self.name, "--to-revision=1")
            #expect(r.out == "deployment.apps/nginx-deployment rolled back\n", "\(r.err)")
            pods = try await c.waitForPods(Self.selector) { $0.count == 3 && $0.allSatisfy { $0.image == "localhost:5000/webserver:1" && $0.isReady } }
            #expect(pods.count == 3 && pods.allSatisfy { $0.image == "localhost:5000/webserver:1" }, "\(pods.map(\.image))")

            // An image whose pods never become ready: the rollout stalls (maxUnavailable 0 keeps the
            // old pods) and after progressDeadlineSeconds the Deployment says so; rollout status fails.
            c.kubelet.withheld.withLock { _ = $0.unreadyImages.insert("localhost:5000/webserver:broken") }
            _ = try await s.kubectl("patch", "deployment", Self.name, "-p", #"{"spec":{"progressDeadlineSeconds":3}}"#)
            _ = try await s.kubectl("set", "image", "deployment/" + Self.name, "nginx=localhost:5000/webserver:broken")
            r = try await s.kubectl("rollout", "status", "deployment/" + Self.name, "--timeout=25s")
            #expect(r.code == 1 && r.err == "error: deployment \"nginx-deployment\" exceeded its progress deadline\n", "\(r.out)\(r.err)")
            r = try await s.kubectl("get", "deployment", Self.name, "-o",
                                    #"jsonpath={.status.conditions[?(@.type=="Progressing")].status} {.status.conditions[?(@.type=="Progressing")].reason} {.status.availableReplicas}"#)
            #expect(r.out == "False ProgressDeadlineExceeded 3", "\(r.out)")
        }
    }

    @Test("kubectl delete deployment removes its ReplicaSets and pods; --cascade=orphan leaves the pods")
    func deleteAndOrphan() async throws {
        let manifest = seedDeploymentManifest()
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

/// Watches a Deployment's pods and ReplicaSets while `body` runs and checks, at every state a watch
/// shows, what a RollingUpdate promises: live pods ≤ replicas + maxSurge and ready pods ≥ replicas −
/// maxUnavailable (terminating pods count for neither, as the controllers count them), and the
/// ReplicaSets' desired replicas together ≤ replicas + maxSurge. Returns the violations.
enum RolloutObserver {
    static func watching(_ client: KubeAPIClient, selector: String, replicas: Int, maxSurge: Int, maxUnavailable: Int,
                         _ body: () async throws -> Void) async throws -> [String] {
        let log = ViolationLog()
        let podList = try await client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: selector))
        let podStream = try await client.watch(Pod.self, namespace: "default",
                                               options: WatchOptions(labelSelector: selector, resourceVersion: podList.metadata.resourceVersion))
        let rsList = try await client.list(ReplicaSet.self, namespace: "default", options: ListOptions(labelSelector: selector))
        let rsStream = try await client.watch(ReplicaSet.self, namespace: "default",
                                              options: WatchOptions(labelSelector: selector, resourceVersion: rsList.metadata.resourceVersion))
        var initialPods: [String: Pod] = [:]
        for p in podList.items { if let uid = p.metadata.uid { initialPods[uid] = p } }
        var initialSets: [String: ReplicaSet] = [:]
        for r in rsList.items { if let uid = r.metadata.uid { initialSets[uid] = r } }
        let podWatcher = Task { [initialPods] in
            var pods = initialPods
            do {
                for try await change in podStream {
                    guard let pod = change.object, let uid = pod.metadata.uid else { continue }
                    if case .deleted = change { pods[uid] = nil } else { pods[uid] = pod }
                    let live = pods.values.filter { $0.metadata.deletionTimestamp == nil }
                    let ready = live.filter(\.isReady).count
                    log.steps.withLock { $0 += 1 }
                    if live.count > replicas + maxSurge || ready < replicas - maxUnavailable {
                        let state = live.map { "\($0.metadata.name ?? "") \($0.image ?? "") ready=\($0.isReady)" }.sorted()
                        let sets = log.sets.withLock { $0 }
                        log.violations.withLock { $0.append("pods at rv \(pod.metadata.resourceVersion ?? ""): \(live.count) live, \(ready) ready (ReplicaSets desired/have: \(sets)): \(state)") }
                    }
                }
            } catch {}
        }
        let rsWatcher = Task { [initialSets] in
            var sets = initialSets
            do {
                for try await change in rsStream {
                    guard let rs = change.object, let uid = rs.metadata.uid else { continue }
                    if case .deleted = change { sets[uid] = nil } else { sets[uid] = rs }
                    let desired = sets.values.reduce(0) { $0 + Int($1.spec?.replicas ?? 0) }
                    log.sets.withLock { $0 = sets.values.map { "\($0.metadata.name ?? "")=\($0.spec?.replicas ?? 0)/\($0.status?.replicas ?? 0)" }.sorted().joined(separator: ",") }
                    if desired > replicas + maxSurge {
                        let state = sets.values.map { "\($0.metadata.name ?? "")=\($0.spec?.replicas ?? 0)" }.sorted()
                        log.violations.withLock { $0.append("ReplicaSets at rv \(rs.metadata.resourceVersion ?? ""): \(desired) desired: \(state)") }
                    }
                }
            } catch {}
        }
        defer {
            podWatcher.cancel()
            rsWatcher.cancel()
        }
        try await body()
        // The last events (old pods' removal) may still be in flight.
        try await Task.sleep(for: .milliseconds(500))
        #expect(log.steps.withLock { $0 } > 0, "the watch saw no rollout step")
        return log.violations.withLock { $0 }
    }
}

/// What the rollout watches saw, shared by their two tasks.
final class ViolationLog: Sendable {
    let violations = Mutex<[String]>([])
    let steps = Mutex(0)
    let sets = Mutex("")
}
