import Foundation
import KubeAPI
import Testing

/// A node whose kubelet stops renewing its Lease: NotReady (Unknown), the unreachable taints,
/// its pods evicted after their toleration and replaced on another node. Short periods through
/// kube-controller-manager's flags keep it to seconds.
@Suite("node lifecycle end to end (kubectl)", .serialized)
struct NodeLifecycleEndToEndTests {
    /// Tolerates the unreachable NoExecute taint for 2 s instead of the admission default of 300 s.
    static let manifest = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          tolerations:
          - key: node.kubernetes.io/unreachable
            operator: Exists
            effect: NoExecute
            tolerationSeconds: 2
          containers:
          - name: web
            image: localhost:5000/webserver:1

    """

    @Test("stop renewing a node's Lease: NotReady, unreachable taints, eviction, replacement on another node")
    func silentNode() async throws {
        try await ControlPlaneCluster.with(nodes: ["doomed"], serverArgs: ["--node-monitor-grace-period=3s", "--node-monitor-period=500ms"]) { c in
            let s = c.server
            var r = try await s.kubectl("apply", "-f", "-", stdin: Self.manifest)
            #expect(r.code == 0, "\(r.err)")
            let first = try await c.waitForPods("app=web") { $0.count == 2 && $0.allSatisfy { $0.nodeName == "doomed" && $0.isReady } }
            #expect(first.count == 2 && first.allSatisfy { $0.nodeName == "doomed" })
            try await c.kubelet.register(node: "survivor")
            r = try await s.kubectl("get", "nodes", "--no-headers")
            let statuses = r.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
            #expect(statuses == ["doomed Ready", "survivor Ready"], "\(r.out)")
            // Healthy nodes stay healthy past the grace period while their Leases are renewed.
            try await Task.sleep(for: .seconds(4))
            r = try await s.kubectl("get", "node", "doomed", "-o", "jsonpath={.spec.taints}")
            #expect(r.out.isEmpty, "a renewing node got taints: \(r.out)")

            c.kubelet.withheld.withLock { _ = $0.silentNodes.insert("doomed") }
            r = try await s.eventually { try await s.kubectl("get", "node", "doomed", "--no-headers") }
                until: { $0.out.contains(" NotReady ") }
            #expect(r.out.contains(" NotReady "), "\(r.out)")
            r = try await s.kubectl("get", "node", "doomed", "-o",
                                    #"jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].reason}"#)
            #expect(r.out == "Unknown NodeStatusUnknown", "\(r.out)")
            r = try await s.eventually { try await s.kubectl("get", "node", "doomed", "-o", #"jsonpath={range .spec.taints[*]}{.key}:{.effect}{" "}{end}"#) }
                until: { $0.out.contains("NoExecute") }
            #expect(r.out == "node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute ", "\(r.out)")
            // Its pods are marked not ready (kube's MarkPodsNotReady) before any eviction, so Services
            // stop using them; they keep that while terminating, as their kubelet is gone.
            let marked = try await s.eventually {
                try await s.kubectl("get", "pods", "-l", "app=web", "--field-selector", "spec.nodeName=doomed", "-o",
                                    #"jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{" "}{end}"#)
            } until: { $0.out.components(separatedBy: "=False").count - 1 == 2 }
            let expectedMarks = first.compactMap(\.metadata.name).sorted().map { "\($0)=False" }
            #expect(marked.out.split(separator: " ").map(String.init).sorted() == expectedMarks, "\(marked.out)\(marked.err)")
            let describe = try await s.kubectl("describe", "node", "doomed")
            #expect(describe.out.contains("Kubelet stopped posting node status."), "\(describe.out)")

            // Past their 2 s toleration the pods are evicted (left terminating, as the kubelet that
            // would finish them is gone) and replaced on the node still alive.
            let replaced = try await c.waitForPods("app=web") { $0.count == 2 && $0.allSatisfy { $0.nodeName == "survivor" && $0.isReady } }
            #expect(replaced.count == 2 && replaced.allSatisfy { $0.nodeName == "survivor" }, "\(replaced.map(\.nodeName))")
            let evicted = try await c.client.list(Pod.self, namespace: "default").items.filter { $0.nodeName == "doomed" }
            #expect(evicted.count == 2 && evicted.allSatisfy { $0.metadata.deletionTimestamp != nil }, "\(evicted.map(\.metadata))")

            // The kubelet comes back: Ready again, taints gone.
            c.kubelet.withheld.withLock { _ = $0.silentNodes.remove("doomed") }
            r = try await s.eventually { try await s.kubectl("get", "node", "doomed", "-o", "jsonpath={.spec.taints}") } until: { $0.out.isEmpty }
            #expect(r.out.isEmpty, "taints stay after the node is back: \(r.out)")
        }
    }
}
