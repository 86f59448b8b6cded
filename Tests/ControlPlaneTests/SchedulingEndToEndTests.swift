import Foundation
import KubeAPI
import Testing

/// The scheduler inside `swiftlet server` placing pods made with kubectl on registered test nodes:
/// each of taints, tolerations, node selectors, node affinity and resource requests decides the
/// node as kube-scheduler's would, and a pod that fits nowhere says why.
@Suite("scheduling end to end (kubectl)", .serialized)
struct SchedulingEndToEndTests {
    /// A bare pod named `name`, with `spec` lines appended under `spec:` (indented 2).
    static func pod(_ name: String, _ spec: String = "", requests: String? = nil) -> String {
        var yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
        spec:
          containers:
          - name: c
            image: localhost:5000/webserver:1

        """
        if let requests {
            yaml += "    resources:\n      requests:\n" + requests.split(separator: ",").map { "        \($0.replacingOccurrences(of: "=", with: ": "))\n" }.joined()
        }
        return yaml + spec
    }

    /// Applies each manifest, then waits until the pods are where `expected` says ("" for a pod that
    /// reports PodScheduled=False); returns where they were last seen (bound node, or "").
    static func place(_ c: ControlPlaneCluster, _ manifests: [String], expected: [String: String]) async throws -> [String: String] {
        for m in manifests {
            let r = try await c.server.kubectl("apply", "-f", "-", stdin: m)
            #expect(r.code == 0, "\(r.err)\n\(m)")
        }
        let s = c.server
        var placed: [String: String] = [:]
        _ = try await s.poll { () async throws -> Bool? in
            let r = try await s.kubectl("get", "pods", "-o",
                                        #"jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}={.status.conditions[?(@.type=="PodScheduled")].status}{"\n"}{end}"#)
            placed = [:]
            for line in r.out.split(separator: "\n") {
                let parts = line.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3 else { continue }
                if parts[2] == "True" { placed[parts[0]] = parts[1] } else if parts[2] == "False" { placed[parts[0]] = "" }
            }
            return placed == expected ? true : nil
        }
        return placed
    }

    @Test("taints repel pods without a toleration; a toleration (with a selector) admits one; an impossible pod says why")
    func taintsAndTolerations() async throws {
        try await ControlPlaneCluster.with(nodes: []) { c in
            try await c.kubelet.register(node: "gpu", labels: ["hw": "gpu"], taints: [Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")])
            try await c.kubelet.register(node: "plain")
            try await c.settle(["gpu", "plain"])
            let tolerate = """
              tolerations:
              - key: dedicated
                operator: Equal
                value: gpu
                effect: NoSchedule
              nodeSelector:
                hw: gpu

            """
            let expected = ["free-1": "plain", "free-2": "plain", "free-3": "plain", "free-4": "plain", "tolerant": "gpu", "selector-only": ""]
            let placed = try await Self.place(c, (1...4).map { Self.pod("free-\($0)") } + [Self.pod("tolerant", tolerate),
                                                   Self.pod("selector-only", "  nodeSelector:\n    hw: gpu\n")], expected: expected)
            #expect(placed == expected)
            let why = try await c.server.kubectl("get", "pod", "selector-only", "-o",
                                                 #"jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}: {.status.conditions[?(@.type=="PodScheduled")].message}"#)
            #expect(why.out == "Unschedulable: 0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..", "\(why.out)\(why.err)")
            let described = try await c.server.eventually { try await c.server.kubectl("describe", "pod", "selector-only") }
                until: { $0.out.contains("FailedScheduling") }
            #expect(described.out.contains("Warning  FailedScheduling") && described.out.contains("0/2 nodes are available"), "\(described.out)")
            // kubectl taint … - removes the taint: the waiting pod goes to the node its selector names.
            let untaint = try await c.server.kubectl("taint", "nodes", "gpu", "dedicated=gpu:NoSchedule-")
            #expect(untaint.out == "node/gpu untainted\n", "\(untaint.err)")
            let bound = try await c.server.eventually { try await c.server.kubectl("get", "pod", "selector-only", "-o", "jsonpath={.spec.nodeName}") }
                until: { !$0.out.isEmpty }
            #expect(bound.out == "gpu", "\(bound.out)\(bound.err)")
        }
    }

    @Test("node selectors, required and preferred node affinity pick the matching node")
    func selectorsAndAffinity() async throws {
        try await ControlPlaneCluster.with(nodes: []) { c in
            try await c.kubelet.register(node: "zone-a", labels: ["topology.kubernetes.io/zone": "a", "disk": "hdd"])
            try await c.kubelet.register(node: "zone-b", labels: ["topology.kubernetes.io/zone": "b", "disk": "ssd"])
            try await c.kubelet.register(node: "zone-c", labels: ["topology.kubernetes.io/zone": "c", "disk": "ssd"])
            try await c.settle(["zone-a", "zone-b", "zone-c"])
            let required = """
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                    - matchExpressions:
                      - key: topology.kubernetes.io/zone
                        operator: In
                        values: [a, c]
                      - key: disk
                        operator: NotIn
                        values: [hdd]

            """
            let preferred = """
              affinity:
                nodeAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    preference:
                      matchExpressions:
                      - key: topology.kubernetes.io/zone
                        operator: In
                        values: [b]

            """
            let expected = ["by-selector": "zone-a", "by-required": "zone-c", "by-preferred": "zone-b", "by-hostname": "zone-b", "nowhere": ""]
            let placed = try await Self.place(c, [
                Self.pod("by-selector", "  nodeSelector:\n    topology.kubernetes.io/zone: a\n"),
                Self.pod("by-required", required),
                Self.pod("by-preferred", preferred),
                Self.pod("by-hostname", "  nodeSelector:\n    kubernetes.io/hostname: zone-b\n"),
                Self.pod("nowhere", "  nodeSelector:\n    topology.kubernetes.io/zone: d\n"),
            ], expected: expected)
            #expect(placed == expected)
            let why = try await c.server.kubectl("get", "pod", "nowhere", "-o", #"jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}"#)
            #expect(why.out == "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..", "\(why.out)")
            // A node that matches appears: the waiting pod is retried and bound to it.
            try await c.kubelet.register(node: "zone-d", labels: ["topology.kubernetes.io/zone": "d"])
            let bound = try await c.server.eventually { try await c.server.kubectl("get", "pod", "nowhere", "-o", "jsonpath={.spec.nodeName}") }
                until: { !$0.out.isEmpty }
            #expect(bound.out == "zone-d", "\(bound.out)\(bound.err)")
        }
    }

    @Test("resource requests: a pod goes where it fits, capacity fills up, a pod too big for any node says why")
    func resources() async throws {
        try await ControlPlaneCluster.with(nodes: []) { c in
            try await c.kubelet.register(node: "small", cpu: "1", memory: "1Gi")
            try await c.kubelet.register(node: "big", cpu: "4", memory: "8Gi")
            try await c.settle(["small", "big"])
            let pods = [Self.pod("needs-2cpu", requests: "cpu=2,memory=256Mi"), Self.pod("needs-1500m", requests: "cpu=1500m"),
                        Self.pod("needs-800m", requests: "cpu=800m"), Self.pod("needs-memory", requests: "memory=2Gi"),
                        Self.pod("needs-8cpu", requests: "cpu=8"), Self.pod("needs-3cpu", requests: "cpu=3")]
            // One at a time, each decision depending on what the earlier ones took.
            var expected = ["needs-2cpu": "big"]
            var placed = try await Self.place(c, Array(pods.prefix(1)), expected: expected)
            #expect(placed == expected)
            // big has 2 CPUs left, small 1: 1.5 CPUs fit only big, which then has 500m, so 800m fits only small.
            expected["needs-1500m"] = "big"
            placed = try await Self.place(c, Array(pods.prefix(2)), expected: expected)
            #expect(placed == expected)
            expected["needs-800m"] = "small"
            placed = try await Self.place(c, Array(pods.prefix(3)), expected: expected)
            #expect(placed == expected)
            // small has 1Gi of memory, big 8Gi less 256Mi: 2Gi fits only big. 8 CPUs exceed every node,
            // 3 CPUs only what big has left.
            expected["needs-memory"] = "big"
            expected["needs-8cpu"] = ""
            expected["needs-3cpu"] = ""
            placed = try await Self.place(c, pods, expected: expected)
            #expect(placed == expected)
            let why = try await c.server.kubectl("get", "pod", "needs-8cpu", "-o", #"jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}"#)
            // Preemption cannot help where the request exceeds the node's whole allocatable (kube's
            // Unresolvable InsufficientResource); where it could, no lower-priority pod is there to evict.
            #expect(why.out == "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..", "\(why.out)")
            let why3 = try await c.server.kubectl("get", "pod", "needs-3cpu", "-o", #"jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}"#)
            #expect(why3.out == "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling..", "\(why3.out)")
        }
    }

    @Test("required pod anti-affinity keeps one pod per node; the pod that fits nowhere says why")
    func podAntiAffinity() async throws {
        try await ControlPlaneCluster.with(nodes: ["n1", "n2"]) { c in
            let spread = """
              affinity:
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector:
                      matchLabels:
                        app: solo
                    topologyKey: kubernetes.io/hostname

            """
            let labeled = { (name: String) in Self.pod(name, spread).replacingOccurrences(of: "  name: \(name)\n", with: "  name: \(name)\n  labels:\n    app: solo\n") }
            let near = """
              affinity:
                podAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector:
                      matchLabels:
                        app: solo
                    topologyKey: kubernetes.io/hostname
                    matchLabelKeys: [pod-template-hash]

            """
            let nodeOf = { (name: String) in
                try await c.server.poll { () async throws -> String? in
                    let n = try await c.server.kubectl("get", "pod", name, "-o", "jsonpath={.spec.nodeName}").out
                    return n.isEmpty ? nil : n
                }
            }
            // One at a time, so each sees the ones before it placed. The buddy (required affinity to
            // app=solo, not labelled solo itself) must join solo-1; solo-2 must avoid solo-1.
            var r = try await c.server.kubectl("apply", "-f", "-", stdin: labeled("solo-1"))
            #expect(r.code == 0, "\(r.err)")
            let first = try await nodeOf("solo-1")
            r = try await c.server.kubectl("apply", "-f", "-", stdin: Self.pod("buddy", near))
            #expect(r.code == 0, "\(r.err)")
            #expect(try await nodeOf("buddy") == first)
            // matchLabelKeys is a field kube serves (a key the pod lacks adds nothing to the selector).
            let keys = try await c.server.kubectl("get", "pod", "buddy", "-o",
                                                  "jsonpath={.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys}")
            #expect(keys.out == #"["pod-template-hash"]"#, "\(keys.out) \(keys.err)")
            r = try await c.server.kubectl("apply", "-f", "-", stdin: labeled("solo-2"))
            #expect(r.code == 0, "\(r.err)")
            let second = try await nodeOf("solo-2")
            #expect(Set([first, second]) == ["n1", "n2"], "\(first) \(second)")
            // No node is left without a solo pod: the third says why, as kube-scheduler does.
            r = try await c.server.kubectl("apply", "-f", "-", stdin: labeled("solo-3"))
            #expect(r.code == 0, "\(r.err)")
            let why = try await c.server.eventually {
                try await c.server.kubectl("get", "pod", "solo-3", "-o", #"jsonpath={.spec.nodeName}|{.status.conditions[?(@.type=="PodScheduled")].message}"#)
            } until: { $0.out != "|" }
            #expect(why.out == "|0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..", "\(why.out)")
        }
    }
}
