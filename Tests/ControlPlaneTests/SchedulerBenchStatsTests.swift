import ControlPlane
import KubeAPI
import Testing

@Suite("Scheduler benchmark's pure parts")
struct SchedulerBenchStatsTests {
    @Test("throughput spans first to last bind; latency from ready to bound, never negative")
    func stats() throws {
        let ready = ["a": 0.0, "b": 0.0, "c": 1.0, "d": 5.0]
        let bound = ["a": 1.0, "b": 2.0, "c": 3.0, "d": 4.5]
        let s = try #require(BindStats.compute(readyAt: ready, boundAt: bound))
        #expect(s.bound == 4)
        #expect(s.firstBind == 1.0 && s.lastBind == 4.5)
        #expect(abs(s.podsPerSecond - 3 / 3.5) < 1e-9)
        // Latencies 1, 2, 2, 0 (d seen bound before its create was answered).
        #expect(s.p50 == 1.0)
        #expect(s.p99 == 2.0)
        #expect(s.max == 2.0)
        #expect(BindStats.compute(readyAt: ready, boundAt: [:]) == nil)
    }

    @Test("nearest-rank percentile")
    func percentile() {
        let v = (1...100).map(Double.init)
        #expect(LatencySummary.percentile(v, 0.99) == 99)
        #expect(LatencySummary.percentile(v, 0.50) == 50)
        #expect(LatencySummary.percentile([7], 0.99) == 7)
        #expect(LatencySummary.percentile([], 0.5) == 0)
    }

    @Test("a node is overcommitted when its pods' requests exceed allocatable cpu, memory or pods")
    func overcommit() {
        let node = SchedulerBenchObjects.node(0, heartbeat: Time(seconds: 0))
        let name = SchedulerBenchObjects.nodeName(0)
        func pods(_ n: Int, on node: String) -> [Pod] {
            (0..<n).map { i in
                var p = SchedulerBenchObjects.pod(i, namespace: "ns")
                p.spec?.nodeName = node
                return p
            }
        }
        // 4 cpu / 100m = 40 pods fit; the 41st overflows cpu.
        #expect(NodeFit.overcommitted(nodes: [node], pods: pods(40, on: name)).isEmpty)
        let over = NodeFit.overcommitted(nodes: [node], pods: pods(41, on: name))
        #expect(over.count == 1 && over[0].hasPrefix(name + ": cpu 4100m"))
        #expect(NodeFit.overcommitted(nodes: [node], pods: pods(1, on: "ghost")) == ["ghost: no such node"])
        // Unbound pods count for no node.
        #expect(NodeFit.overcommitted(nodes: [], pods: pods(3, on: "")).isEmpty)
    }

    @Test("hollow nodes get distinct podCIDRs outside the cluster CIDR and varied labels")
    func nodes() {
        let a = SchedulerBenchObjects.node(0, heartbeat: Time(seconds: 0))
        let b = SchedulerBenchObjects.node(4999, heartbeat: Time(seconds: 0))
        #expect(a.spec?.podCIDR == "100.64.0.0/24")
        #expect(b.spec?.podCIDR == "100.83.135.0/24")
        #expect(a.metadata.labels?["topology.kubernetes.io/zone"] != SchedulerBenchObjects.node(1, heartbeat: Time(seconds: 0)).metadata.labels?["topology.kubernetes.io/zone"])
        #expect(b.status?.isReady == true)
    }
}
