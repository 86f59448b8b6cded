import KubeAPI
import Testing
@testable import Controllers

@Suite struct NodeLifecycleTests {
    func node(_ name: String = "n1", ready: String = "True", taints: [Taint]? = nil) -> Node {
        var st = NodeStatus()
        st.conditions = [NodeCondition(type: "Ready", status: ready, lastHeartbeatTime: Time(seconds: 0), reason: "KubeletReady")]
        var spec = NodeSpec()
        spec.taints = taints
        return Node(metadata: ObjectMeta(name: name), spec: spec, status: st)
    }

    func lease(renewedAt t: Double) -> Lease {
        Lease(metadata: ObjectMeta(name: "n1", namespace: "kube-node-lease"),
              spec: LeaseSpec(holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: MicroTime(microseconds: Int64(t * 1_000_000))))
    }

    func podOn(_ name: String, tolerations: [Toleration]? = nil, ready: Bool = false) -> Pod {
        var p = Pod(metadata: ObjectMeta(name: name, namespace: "default"), spec: PodSpec(containers: [Container(name: "c")]))
        p.spec?.nodeName = "n1"
        p.spec?.tolerations = tolerations
        var st = PodStatus(phase: "Running")
        st.conditions = [PodCondition(type: "Ready", status: ready ? "True" : "False", lastTransitionTime: Time(seconds: 1))]
        p.status = st
        return p
    }

    @Test func podsOnAnUnreachableNodeAreMarkedNotReady() throws {
        var core = NodeLifecycleCore()
        let pods = [podOn("up", tolerations: defaultTolerations, ready: true), podOn("down", tolerations: defaultTolerations)]
        _ = core.evaluate(nodes: [node()], leases: ["n1": lease(renewedAt: 0)], pods: pods, now: 1000)
        #expect(core.evaluate(nodes: [node()], leases: ["n1": lease(renewedAt: 0)], pods: pods, now: 1040).markNotReady.isEmpty)
        let plan = core.evaluate(nodes: [node()], leases: ["n1": lease(renewedAt: 0)], pods: pods, now: 1041)
        #expect(plan.markNotReady.map { $0.metadata.name } == ["up"])
        let c = try #require(plan.markNotReady.first?.status?.condition("Ready"))
        #expect(c.status == "False")
        #expect(c.lastTransitionTime == Time(seconds: 1041))
        #expect(plan.evictions.isEmpty)
    }

    /// kube's DefaultTolerationSeconds admission adds these.
    let defaultTolerations = [
        Toleration(key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300),
        Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300),
    ]

    @Test func timeline() throws {
        var core = NodeLifecycleCore()
        var n = node()
        let pods = [podOn("defaults", tolerations: defaultTolerations), podOn("bare"),
                    podOn("forever", tolerations: [Toleration(operator: "Exists")])]
        // t=0..30: the kubelet renews its lease; nothing happens.
        for t in stride(from: 0.0, through: 30, by: 10) {
            let plan = core.evaluate(nodes: [n], leases: ["n1": lease(renewedAt: t)], pods: pods, now: 1000 + t)
            #expect(plan.conditionUpdates.isEmpty && plan.taintUpdates.isEmpty && plan.evictions.isEmpty)
        }
        // The lease stops at t=30. At t=70 (40 s) still within grace; at t=71 the node goes Unknown.
        let stale = ["n1": lease(renewedAt: 30)]
        var plan = core.evaluate(nodes: [n], leases: stale, pods: pods, now: 1070)
        #expect(plan.conditionUpdates.isEmpty)
        #expect(plan.nextCheck == 1071)
        plan = core.evaluate(nodes: [n], leases: stale, pods: pods, now: 1071)
        let conds = try #require(plan.conditionUpdates["n1"])
        let ready = try #require(conds.first { $0.type == "Ready" })
        #expect(ready.status == "Unknown")
        #expect(ready.reason == "NodeStatusUnknown")
        #expect(ready.message == "Kubelet stopped posting node status.")
        #expect(ready.lastTransitionTime == Time(seconds: 1071))
        #expect(conds.first { $0.type == "MemoryPressure" }?.reason == "NodeStatusNeverUpdated")
        let taints = try #require(plan.taintUpdates["n1"])
        #expect(taints.map { "\($0.key):\($0.effect)" } == ["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"])
        #expect(taints[1].timeAdded == Time(seconds: 1071))
        #expect(taints[0].timeAdded == nil)
        // The pod without tolerations goes at once; the others stay for now.
        #expect(plan.evictions.map { $0.metadata.name } == ["bare"])
        #expect(plan.nextCheck == 1371)
        // Apply the writes; at t=1370 still tolerated, at 1371 the default-toleration pod is evicted.
        n.status?.conditions = conds
        n.spec?.taints = taints
        let remaining = [pods[0], pods[2]]
        plan = core.evaluate(nodes: [n], leases: stale, pods: remaining, now: 1370)
        #expect(plan.evictions.isEmpty)
        #expect(plan.conditionUpdates.isEmpty && plan.taintUpdates.isEmpty)
        plan = core.evaluate(nodes: [n], leases: stale, pods: remaining, now: 1371)
        #expect(plan.evictions.map { $0.metadata.name } == ["defaults"])
        // The kubelet comes back: Ready True again → taints removed.
        n.status?.conditions = [NodeCondition(type: "Ready", status: "True", lastHeartbeatTime: Time(seconds: 1400))]
        plan = core.evaluate(nodes: [n], leases: ["n1": lease(renewedAt: 1400)], pods: [pods[2]], now: 1400)
        #expect(plan.taintUpdates["n1"] == [])
        #expect(plan.evictions.isEmpty)
    }

    @Test func notReadyReportedByKubeletTaintsNotReady() throws {
        var core = NodeLifecycleCore()
        let user = Taint(key: "dedicated", value: "x", effect: "NoSchedule")
        let plan = core.evaluate(nodes: [node(ready: "False", taints: [user])], leases: ["n1": lease(renewedAt: 1000)], pods: [], now: 1000)
        #expect(plan.conditionUpdates.isEmpty)
        #expect(plan.taintUpdates["n1"]?.map { "\($0.key):\($0.effect)" }
            == ["dedicated:NoSchedule", "node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute"])
    }

    @Test func userNoExecuteTaintEvictsIntolerantPods() {
        var core = NodeLifecycleCore()
        let t = Taint(key: "maintenance", effect: "NoExecute", timeAdded: Time(seconds: 1000))
        let pods = [podOn("a"), podOn("b", tolerations: [Toleration(key: "maintenance", operator: "Exists", tolerationSeconds: 60)]),
                    podOn("c", tolerations: [Toleration(key: "maintenance", operator: "Exists", tolerationSeconds: -5)])]
        let plan = core.evaluate(nodes: [node(taints: [t])], leases: ["n1": lease(renewedAt: 1000)], pods: pods, now: 1010)
        #expect(plan.evictions.map { $0.metadata.name } == ["a", "c"])
        // The earliest of: the grace check (first seen at 1010 → 1051) and b's eviction (1060).
        #expect(plan.nextCheck == 1051)
        let later = core.evaluate(nodes: [node(taints: [t])], leases: ["n1": lease(renewedAt: 1000)], pods: [pods[1]], now: 1060)
        #expect(later.evictions.map { $0.metadata.name } == ["b"])
    }

    @Test func aCordonedNodeCarriesTheUnschedulableTaintUntilUncordoned() {
        var core = NodeLifecycleCore()
        var cordoned = node()
        cordoned.spec?.unschedulable = true
        let plan = core.evaluate(nodes: [cordoned], leases: ["n1": lease(renewedAt: 1000)], pods: [], now: 1000)
        #expect(plan.taintUpdates["n1"] == [Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule")])
        cordoned.spec?.taints = plan.taintUpdates["n1"]
        #expect(core.evaluate(nodes: [cordoned], leases: ["n1": lease(renewedAt: 1001)], pods: [], now: 1001).taintUpdates.isEmpty)
        cordoned.spec?.unschedulable = nil
        #expect(core.evaluate(nodes: [cordoned], leases: ["n1": lease(renewedAt: 1002)], pods: [], now: 1002).taintUpdates["n1"] == [])
    }

    @Test func newNodeGetsAGracePeriodFromFirstSight() {
        var core = NodeLifecycleCore()
        // No lease at all: counted from when the controller first saw the node.
        #expect(core.evaluate(nodes: [node()], leases: [:], pods: [], now: 500).conditionUpdates.isEmpty)
        #expect(core.evaluate(nodes: [node()], leases: [:], pods: [], now: 540).conditionUpdates.isEmpty)
        #expect(!core.evaluate(nodes: [node()], leases: [:], pods: [], now: 541).conditionUpdates.isEmpty)
    }
}
