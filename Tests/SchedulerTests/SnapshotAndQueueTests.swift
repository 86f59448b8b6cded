import KubeAPI
import Testing
@testable import Scheduler

@Suite struct SnapshotTests {
    @Test func podsAccountedIncrementally() {
        var s = snapshot([node("a")])
        s.upsertPod(pod("x", [container(cpu: "500m", memory: "1Gi", hostPort: 80)], nodeName: "a", owner: "rs"))
        var n = s.node(named: "a")!
        #expect(n.requestedCPUMilli == 500)
        #expect(n.requestedMemory == 1024 * 1024 * 1024)
        #expect(n.podCount == 1)
        #expect(n.hostPorts.count == 1)
        #expect(n.ownerCounts[s.existingOwnerID("uid-rs")!] == 1)
        // An update replaces the old accounting.
        s.upsertPod(pod("x", [container(cpu: "1")], nodeName: "a", owner: "rs"))
        n = s.node(named: "a")!
        #expect(n.requestedCPUMilli == 1000)
        #expect(n.podCount == 1)
        #expect(n.hostPorts.isEmpty)
        #expect(s.numbers(named: "a")?.requestedCPUMilli == 1000)
        #expect(s.ownerSlots[s.existingOwnerID("uid-rs")!] == [0: 1])
        s.removePod(key: "default/x")
        #expect(s.ownerSlots[s.existingOwnerID("uid-rs")!] == [:])
        #expect(s.numbers(named: "a")?.podCount == 0)
        n = s.node(named: "a")!
        #expect(n.requestedCPUMilli == 0)
        #expect(n.podCount == 0)
        #expect(n.ownerCounts.isEmpty)
    }

    @Test func pendingPodsAreNotAccounted() {
        var s = snapshot([node("a")])
        s.upsertPod(pod("x", [container(cpu: "1")]))
        #expect(s.node(named: "a")!.requestedCPUMilli == 0)
        #expect(!s.isAccounted("default/x"))
    }

    @Test func nodeUpdateKeepsUsageAndDeletedNodeComesBackWithItsPods() {
        var s = snapshot([node("a"), node("b")])
        s.upsertPod(pod("x", [container(cpu: "1")], nodeName: "a"))
        s.upsertNode(node("a", cpu: "8"))
        #expect(s.node(named: "a")!.requestedCPUMilli == 1000)
        #expect(s.node(named: "a")!.allocatableCPUMilli == 8000)
        s.removeNode(named: "a")
        #expect(s.nodeCount == 1)
        #expect(s.node(named: "a") == nil)
        s.upsertNode(node("c"))  // reuses a's slot
        #expect(s.numbers[s.slot(named: "c")!].requestedCPUMilli == 0)
        s.upsertNode(node("a"))
        #expect(s.nodeCount == 3)
        #expect(s.numbers(named: "a")?.requestedCPUMilli == 1000)
        #expect(s.node(named: "a")!.requestedCPUMilli == 1000)
        #expect(s.node(named: "c")!.requestedCPUMilli == 0)
    }

    @Test func podBoundBeforeItsNodeIsCountedWhenTheNodeArrives() {
        var s = SchedulerSnapshot()
        s.upsertPod(pod("x", [container(cpu: "1")], nodeName: "late"))
        s.upsertNode(node("late"))
        #expect(s.node(named: "late")!.requestedCPUMilli == 1000)
    }
}

@Suite struct SchedulingQueueTests {
    @Test func backoffDoublesFromOneToTenSeconds() {
        let q = SchedulingQueue<Int>()
        #expect((1...6).map { q.backoffDuration(attempts: $0) } == [1, 2, 4, 8, 10, 10])
    }

    @Test func activeInOrderAndInFlightNotReturnedTwice() {
        var q = SchedulingQueue<Int>()
        q.add("a", 1)
        q.add("b", 2)
        q.add("a", 3)  // refresh keeps the place
        #expect(q.pop()?.item == 3)
        #expect(q.pop()?.key == "b")
        #expect(q.pop() == nil)
        q.done("a")
        #expect(!q.contains("a"))
    }

    @Test func unschedulableWaitsForAnEventThenBacksOff() {
        var q = SchedulingQueue<Int>()
        q.add("p", 1)
        _ = q.pop()
        q.failed("p", now: 100)
        #expect(q.unschedulableCount == 1)
        q.flush(now: 150)
        #expect(q.pop() == nil)
        // A node appears half a second after the failure: back-off (1 s) not yet over.
        q.clusterChanged(now: 100.5)
        #expect(q.backoffCount == 1)
        #expect(q.pop() == nil)
        #expect(q.nextBackoffExpiry() == 101)
        q.flush(now: 101)
        #expect(q.pop()?.key == "p")
        // Second failure: 2 s.
        q.failed("p", now: 200)
        q.clusterChanged(now: 201)
        #expect(q.pop() == nil)
        q.flush(now: 202)
        #expect(q.pop()?.key == "p")
    }

    @Test func parkedPodsRetriedAfterFiveMinutes() {
        var q = SchedulingQueue<Int>()
        q.add("p", 1)
        _ = q.pop()
        q.failed("p", now: 0)
        q.flush(now: 299)
        #expect(q.pop() == nil)
        q.flush(now: 300)
        #expect(q.pop()?.key == "p")
    }

    @Test func removedPodIsNotPopped() {
        var q = SchedulingQueue<Int>()
        q.add("p", 1)
        q.remove("p")
        #expect(q.pop() == nil)
        #expect(q.count == 0)
    }
}

@Suite struct SchedulerBenchTests {
    @Test func smallBenchSchedulesEverything() {
        let r = SchedulerBench.run(nodes: 200, pods: 400)
        #expect(r.scheduled == 400)
    }

    /// The anti-affinity variant the benchmark also runs (its figure is in `make bench`).
    @Test func smallBenchWithAntiAffinitySchedulesEverything() {
        let r = SchedulerBench.run(nodes: 200, pods: 400, antiAffinityEvery: 10)
        #expect(r.scheduled == 400)
    }
}

@Suite struct SchedulerStateTests {
    @Test func pendingPodIsBoundAndAssumed() {
        var st = SchedulerState()
        st.nodeUpserted(node("a", cpu: "1"), now: 0)
        st.podUpserted(pod("p", [container(cpu: "800m")]), now: 0)
        st.podUpserted(pod("q", [container(cpu: "800m")]), now: 0)
        guard case .bind(let p, let n) = st.next(now: 0) else { Issue.record("no bind"); return }
        #expect(p.metadata.name == "p")
        #expect(n == "a")
        // q sees p's cpu taken although the binding is not confirmed yet.
        guard case .unschedulable(let q, let msg) = st.next(now: 0) else { Issue.record("q scheduled"); return }
        #expect(q.metadata.name == "q")
        #expect(msg.hasPrefix("0/1 nodes are available: 1 Insufficient cpu."))
        #expect(st.next(now: 0) == nil)
        // A new node: q comes back after its back-off.
        st.nodeUpserted(node("b", cpu: "1"), now: 0.5)
        #expect(st.next(now: 0.5) == nil)
        guard case .bind(_, let n2) = st.next(now: 1) else { Issue.record("q not retried"); return }
        #expect(n2 == "b")
    }

    @Test func otherSchedulersAndBoundPodsAreNotQueued() {
        var st = SchedulerState()
        st.nodeUpserted(node("a"), now: 0)
        var mine = pod("other")
        mine.spec?.schedulerName = "custom"
        st.podUpserted(mine, now: 0)
        st.podUpserted(pod("bound", nodeName: "a"), now: 0)
        #expect(st.next(now: 0) == nil)
        #expect(st.snapshot.node(named: "a")?.podCount == 1)
    }

    @Test func deletingABoundPodFreesRoomForParkedPods() {
        var st = SchedulerState()
        st.nodeUpserted(node("a", cpu: "1"), now: 0)
        let big = pod("big", [container(cpu: "1")], nodeName: "a")
        st.podUpserted(big, now: 0)
        st.podUpserted(pod("p", [container(cpu: "1")]), now: 0)
        guard case .unschedulable = st.next(now: 0) else { Issue.record("expected unschedulable"); return }
        st.podDeleted(big, now: 5)
        guard case .bind(_, "a") = st.next(now: 5) else { Issue.record("not retried"); return }
    }

    @Test func bindFailureForgetsTheAssumption() {
        var st = SchedulerState()
        st.nodeUpserted(node("a", cpu: "1"), now: 0)
        st.podUpserted(pod("p", [container(cpu: "1")]), now: 0)
        guard case .bind(let p, _) = st.next(now: 0) else { Issue.record("no bind"); return }
        st.bindFailed(p, now: 0)
        #expect(st.snapshot.node(named: "a")?.requestedCPUMilli == 0)
        #expect(st.next(now: 0.5) == nil)
        guard case .bind = st.next(now: 1) else { Issue.record("not retried"); return }
    }
}

@Suite struct BindFailureTests {
    @Test func aDeletedPodIsNotRetried() {
        var st = SchedulerState()
        st.nodeUpserted(node("a"), now: 0)
        st.podUpserted(pod("p"), now: 0)
        guard case .bind(let p, _) = st.next(now: 0) else { Issue.record("no bind"); return }
        st.bindFailed(p, now: 0, podGone: true)
        #expect(st.queue.count == 0)
        #expect(st.snapshot.node(named: "a")?.podCount == 0)
        #expect(st.next(now: 100) == nil)
    }
}

@Suite struct QueueFlushThrottleTests {
    @Test func flushRunsAtMostEveryIntervalUnlessForced() {
        var q = SchedulingQueue<Int>()
        q.add("p", 1)
        _ = q.pop()
        q.failed("p", now: 0)
        q.clusterChanged(now: 0)  // forced flush at 0: still backing off (1 s)
        q.flush(now: 1.05)
        #expect(q.pop()?.key == "p")  // 1.05 − 0 ≥ interval: flushed, back-off over
        q.failed("p", now: 1.05)
        q.clusterChanged(now: 1.06)
        q.flush(now: 3.1)  // back-off of 2 s over at 3.05, last flush at 1.06: runs
        #expect(q.pop()?.key == "p")
        q.failed("p", now: 10)
        q.clusterChanged(now: 14.5)  // forced: back-off (4 s) over at 14
        #expect(q.pop()?.key == "p")
    }

    @Test func tenThousandPendingPodsPopInOnePass() {
        var st = SchedulerState()
        st.nodeUpserted(node("a", cpu: "1000", memory: "1000Gi", pods: 20000), now: 0)
        for i in 0..<10000 { st.podUpserted(pod("p\(i)", [container(cpu: "10m")]), now: 0) }
        var bound = 0
        while case .bind = st.next(now: 1) { bound += 1 }
        #expect(bound == 10000)
    }
}
