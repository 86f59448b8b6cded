import FoundationEssentials
import KubeAPI

/// A synthetic throughput run of the scheduling core: `nodes` nodes (4 cpu, 16Gi, 110 pods; a tenth
/// tainted, zones a/b/c), `pods` pending pods from 100 owners with small requests, each scheduled and
/// assumed into the snapshot as the loop does. No API server: this measures filter/score/select.
public enum SchedulerBench {
    public struct Result: Sendable, CustomStringConvertible {
        public var nodes: Int
        public var pods: Int
        public var scheduled: Int
        public var unschedulable: Int
        public var seconds: Double
        public var podsPerSecond: Double { Double(pods) / max(seconds, 1e-9) }
        public var description: String {
            "\(nodes) nodes × \(pods) pods: \(scheduled) scheduled, \(unschedulable) unschedulable in "
                + "\((seconds * 1000).rounded() / 1000) s = \(Int(podsPerSecond)) pods/s"
        }
    }

    public static func makeNode(_ i: Int) -> Node {
        var n = Node(metadata: ObjectMeta(name: "node-\(i)", labels: [
            "kubernetes.io/hostname": "node-\(i)", NodeEntry.zoneLabel: ["a", "b", "c"][i % 3],
        ]))
        var spec = NodeSpec()
        if i % 10 == 0 { spec.taints = [Taint(key: "dedicated", value: "infra", effect: "NoSchedule")] }
        n.spec = spec
        var st = NodeStatus()
        st.allocatable = ["cpu": Quantity(4), "memory": Quantity(16 * 1024 * 1024 * 1024), "pods": Quantity(110)]
        st.conditions = [NodeCondition(type: "Ready", status: "True")]
        n.status = st
        return n
    }

    /// `antiAffinityEvery` > 0: every so many pods carry required hostname anti-affinity to their
    /// owner's pods (the spread-one-per-node pattern), to measure inter-pod affinity under load.
    public static func makePod(_ i: Int, owners: Int = 100, antiAffinityEvery: Int = 0) -> Pod {
        var meta = ObjectMeta(name: "pod-\(i)", namespace: "bench", labels: ["app": "a\(i % owners)"])
        meta.uid = "pod-uid-\(i)"
        meta.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs-\(i % owners)",
                                               uid: "rs-uid-\(i % owners)", controller: true)]
        var c = Container(name: "c", image: "busybox")
        c.resources = ResourceRequirements(requests: ["cpu": Quantity(milli: 100), "memory": Quantity(64 * 1024 * 1024)])
        var spec = PodSpec(containers: [c])
        if antiAffinityEvery > 0, i % antiAffinityEvery == 0 {
            var anti = PodAffinity()
            anti.requiredDuringSchedulingIgnoredDuringExecution = [PodAffinityTerm(
                topologyKey: "kubernetes.io/hostname", labelSelector: LabelSelector(matchLabels: ["app": "a\(i % owners)"]))]
            var a = Affinity()
            a.podAntiAffinity = anti
            spec.affinity = a
        }
        return Pod(metadata: meta, spec: spec)
    }

    public static func run(nodes: Int = 5000, pods: Int = 10000, seed: UInt64 = 1, antiAffinityEvery: Int = 0) -> Result {
        var snapshot = SchedulerSnapshot()
        for i in 0..<nodes { snapshot.upsertNode(makeNode(i)) }
        var prepared: [PodSchedulingInfo] = []
        prepared.reserveCapacity(pods)
        for i in 0..<pods {
            prepared.append(PodSchedulingInfo(makePod(i, antiAffinityEvery: antiAffinityEvery), snapshot: &snapshot))
        }
        var algo = ScheduleAlgorithm(seed: seed)
        var scheduled = 0
        var failed = 0
        let start = ContinuousClock.now
        for p in prepared {
            switch algo.schedule(p, in: snapshot) {
            case .node(let name):
                snapshot.assume(AssignedPod(p, nodeName: name))
                scheduled += 1
            default: failed += 1
            }
        }
        let d = ContinuousClock.now - start
        let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return Result(nodes: nodes, pods: pods, scheduled: scheduled, unschedulable: failed, seconds: secs)
    }
}
