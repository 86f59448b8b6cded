import KubeAPI
import Testing
@testable import Scheduler

@Suite struct ScheduleAlgorithmTests {
    @Test func fitErrorMessageAsKube() {
        var s = snapshot([node("cp", taints: [controlPlaneTaint]), node("cp2", taints: [controlPlaneTaint]), node("w", cpu: "1")])
        var algo = ScheduleAlgorithm(seed: 1)
        let r = algo.schedule(info(pod("p", [container(cpu: "2")]), &s), in: s)
        #expect(r.message == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..")
    }

    @Test func fitErrorResolvableNodesSayNoVictims() {
        var s = snapshot([node("a", cpu: "1"), node("b", cpu: "1"), node("c", unschedulable: true)],
                         pods: [pod("x", [container(cpu: "800m")], nodeName: "a"), pod("y", [container(cpu: "800m")], nodeName: "b")])
        var algo = ScheduleAlgorithm()
        let r = algo.schedule(info(pod("p", [container(cpu: "500m")]), &s), in: s)
        #expect(r.message == "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..")
    }

    @Test func reasonsSortedAsStringsAndCountedPerReason() {
        let e = FitError(numAllNodes: 12, nodeStatuses: Dictionary(uniqueKeysWithValues: (0..<12).map { i in
            ("n\(i)", i < 10 ? FilterStatus(reasons: ["Insufficient cpu", "Insufficient memory"], resolvable: true) : .unschedulable)
        }))
        // "10 …" sorts before "2 …" as kube's sort.Strings does.
        #expect(e.filterMessage == "0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 node(s) were unschedulable.")
    }

    @Test func noNodes() {
        var s = SchedulerSnapshot()
        var algo = ScheduleAlgorithm()
        #expect(algo.schedule(info(pod("p"), &s), in: s) == .noNodes)
        #expect(ScheduleResult.noNodes.message == "no nodes available to schedule pods")
    }

    @Test func picksTheOnlyFeasibleNode() {
        var s = snapshot([node("a", taints: [controlPlaneTaint]), node("b")])
        var algo = ScheduleAlgorithm()
        #expect(algo.schedule(info(pod("p"), &s), in: s) == .node("b"))
    }

    @Test func leastAllocatedPrefersTheEmptierNode() {
        var s = snapshot([node("busy"), node("idle")], pods: [pod("x", [container(cpu: "3", memory: "6Gi")], nodeName: "busy")])
        var algo = ScheduleAlgorithm()
        for i in 0..<5 { #expect(algo.schedule(info(pod("p\(i)", [container(cpu: "100m")]), &s), in: s) == .node("idle")) }
    }

    @Test func leastAllocatedAndBalancedScores() {
        var s = snapshot([node("n", cpu: "4", memory: "8Gi")], pods: [pod("x", [container(cpu: "1", memory: "4Gi")], nodeName: "n")])
        let n = s.numbers(named: "n")!
        let r = info(pod("p", [container(cpu: "1", memory: "0")]), &s).requests
        // cpu (4000-2000)*100/4000 = 50; memory (8Gi-4Gi)*100/8Gi = 50.
        #expect(Scores.leastAllocated(r, n) == 50)
        #expect(Scores.balanced(r, n) == 100)
        let r2 = info(pod("q", [container(cpu: "3", memory: "0")]), &s).requests
        // cpu 4000/4000 = 1.0, memory 0.5 → 100 × (1 − 0.25) = 75; least: cpu 0, mem 50 → 25.
        #expect(Scores.balanced(r2, n) == 75)
        #expect(Scores.leastAllocated(r2, n) == 25)
    }

    @Test func bestEffortPodsUseDefaultRequestsForScoring() {
        var s = snapshot([node("a"), node("b")], pods: (0..<5).map { pod("x\($0)", nodeName: "a") })
        var algo = ScheduleAlgorithm()
        #expect(algo.schedule(info(pod("p"), &s), in: s) == .node("b"))
    }

    @Test func spreadsOneOwnersReplicas() {
        var s = snapshot([node("a"), node("b"), node("c")])
        var algo = ScheduleAlgorithm(seed: 7)
        var per: [String: Int] = [:]
        for i in 0..<9 {
            let p = info(pod("p\(i)", owner: "rs"), &s)
            guard case .node(let n) = algo.schedule(p, in: s) else { Issue.record("unschedulable"); return }
            per[n, default: 0] += 1
            s.assume(AssignedPod(p, nodeName: n))
        }
        #expect(per == ["a": 3, "b": 3, "c": 3])
    }

    @Test func spreadScoreFavoursNodesWithFewerReplicasAndZones() {
        var s = snapshot([node("a", labels: [NodeEntry.zoneLabel: "z1"]), node("b", labels: [NodeEntry.zoneLabel: "z1"]),
                          node("c", labels: [NodeEntry.zoneLabel: "z2"])],
                         pods: [pod("x", nodeName: "a", owner: "rs"), pod("y", nodeName: "a", owner: "rs")])
        let owner = s.existingOwnerID("uid-rs")
        var scores = [Int64](repeating: 0, count: 3)
        Scores.spread(owner, s, [0, 1, 2], into: &scores)
        // a: node 0 → 0; zone z1 has 2 of max 2 → 0. b: node 100, zone 0 → 33. c: 100, 100 → 100.
        #expect(scores == [0, 33, 100])
    }

    @Test func tieBreakIsSeededAndFair() {
        let nodes = (0..<4).map { node("n\($0)") }
        func picks(seed: UInt64) -> [String] {
            var s = snapshot(nodes)
            var algo = ScheduleAlgorithm(seed: seed)
            return (0..<40).map { i -> String in
                if case .node(let n) = algo.schedule(info(pod("p\(i)", [container(cpu: "0", memory: "0")]), &s), in: s) { return n }
                return ""
            }
        }
        #expect(picks(seed: 3) == picks(seed: 3))
        #expect(Set(picks(seed: 3)).count == 4)
    }

    @Test func preferNoScheduleTaintAndPreferredAffinityScore() {
        var s = snapshot([node("soft", taints: [Taint(key: "k", effect: "PreferNoSchedule")]), node("plain")])
        var algo = ScheduleAlgorithm()
        for i in 0..<5 { #expect(algo.schedule(info(pod("p\(i)"), &s), in: s) == .node("plain")) }
        var s2 = snapshot([node("a", labels: ["disk": "ssd"]), node("b")])
        var p = pod("q")
        var a = Affinity()
        var na = NodeAffinity()
        na.preferredDuringSchedulingIgnoredDuringExecution = [PreferredSchedulingTerm(weight: 50, preference:
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "disk", operator: "In", values: ["ssd"])]))]
        a.nodeAffinity = na
        p.spec?.affinity = a
        for _ in 0..<5 { #expect(algo.schedule(info(p, &s2), in: s2) == .node("a")) }
    }

    @Test func adaptiveNodeSampling() {
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(50) == 50)
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(100) == 100)
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(200) == 100)  // 49% of 200 = 98 → at least 100
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(1000) == 420)  // 42%
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(5000) == 500)  // 10%
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(10000) == 500)  // 5% floor
        #expect(ScheduleAlgorithm.numFeasibleNodesToFind(5000, percentage: 100) == 5000)
    }

    @Test func samplingRotatesTheStartNode() {
        var s = snapshot((0..<1000).map { node("n\($0)") })
        var algo = ScheduleAlgorithm()
        _ = algo.schedule(info(pod("p"), &s), in: s)
        #expect(algo.nextStartNodeIndex == 420)
        _ = algo.schedule(info(pod("q"), &s), in: s)
        #expect(algo.nextStartNodeIndex == 840)
    }
}
