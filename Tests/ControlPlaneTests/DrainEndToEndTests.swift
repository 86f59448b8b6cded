import Foundation
import KubeAPI
import Testing

/// `kubectl cordon` and `kubectl drain` against the scheduler and the controllers: a cordoned node
/// gets no new pods, a drained one loses its pods (through the eviction API) to the other nodes.
@Suite("cordon and drain end to end (kubectl)", .serialized)
struct DrainEndToEndTests {
    @Test("cordon keeps new pods off a node; drain evicts its pods, which the Deployment replaces elsewhere; uncordon")
    func cordonDrainUncordon() async throws {
        try await ControlPlaneCluster.with(nodes: ["n1", "n2"]) { c in
            let s = c.server
            var r = try await s.kubectl("cordon", "n1")
            #expect(r.out == "node/n1 cordoned\n", "\(r.err)")
            r = try await s.kubectl("get", "node", "n1", "--no-headers")
            #expect(r.out.contains(" Ready,SchedulingDisabled "), "\(r.out)")
            r = try await s.kubectl("create", "deployment", "web", "--image=localhost:5000/webserver:1", "--replicas=4")
            #expect(r.code == 0, "\(r.err)")
            var pods = try await c.waitForPods("app=web") { $0.count == 4 && $0.allSatisfy { $0.nodeName != nil && $0.isReady } }
            #expect(pods.count == 4 && pods.allSatisfy { $0.nodeName == "n2" }, "\(pods.map(\.nodeName))")

            r = try await s.kubectl("uncordon", "n1")
            #expect(r.out == "node/n1 uncordoned\n", "\(r.err)")
            r = try await s.kubectl("drain", "n2", "--ignore-daemonsets", "--timeout=20s")
            #expect(r.code == 0, "\(r.out)\(r.err)")
            #expect(r.out.hasPrefix("node/n2 cordoned\n") && r.out.hasSuffix("node/n2 drained\n"), "\(r.out)")
            #expect(r.out.components(separatedBy: "evicted\n").count - 1 == 4, "\(r.out)")
            pods = try await c.waitForPods("app=web") { $0.count == 4 && $0.allSatisfy { $0.nodeName == "n1" && $0.isReady } }
            #expect(pods.count == 4 && pods.allSatisfy { $0.nodeName == "n1" }, "\(pods.map(\.nodeName))")
            // The node lifecycle controller marks the cordon with kube's unschedulable taint.
            r = try await s.eventually { try await s.kubectl("get", "node", "n2", "-o", "jsonpath={.spec.unschedulable} {.spec.taints[*].key}") }
                until: { $0.out == "true node.kubernetes.io/unschedulable" }
            #expect(r.out == "true node.kubernetes.io/unschedulable", "\(r.out)")
        }
    }
}
