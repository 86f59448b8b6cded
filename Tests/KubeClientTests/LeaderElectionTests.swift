import KubeAPI
import KubeClient
import Synchronization
import Testing

/// A Lease store with the API server's optimistic concurrency: every write bumps the
/// resourceVersion, and an update with a stale one is a conflict.
final class MemoryLeaseStore: LeaseStore {
    private let state = Mutex<(lease: Lease?, rv: Int)>((nil, 0))
    var lease: Lease? { state.withLock { $0.lease } }

    func getLease(namespace: String, name: String) async throws(KubeClientError) -> Lease? { lease }

    func createLease(_ lease: Lease) async throws(KubeClientError) -> Lease {
        try state.withLock { (s) throws(KubeClientError) -> Lease in
            guard s.lease == nil else { throw .status(code: 409, reason: "AlreadyExists", message: "exists") }
            s.rv += 1
            var l = lease
            l.metadata.resourceVersion = String(s.rv)
            s.lease = l
            return l
        }
    }

    func updateLease(_ lease: Lease) async throws(KubeClientError) -> Lease {
        try state.withLock { (s) throws(KubeClientError) -> Lease in
            guard let current = s.lease else { throw .status(code: 404, reason: "NotFound", message: "gone") }
            guard lease.metadata.resourceVersion == current.metadata.resourceVersion else {
                throw .conflict(message: "the object has been modified")
            }
            s.rv += 1
            var l = lease
            l.metadata.resourceVersion = String(s.rv)
            s.lease = l
            return l
        }
    }
}

@Suite struct LeaseRulesTests {
    let t0 = MicroTime(microseconds: 1_000_000_000)

    @Test func createWhenAbsent() {
        var obs = LeaseObservation()
        let d = LeaseRules.decide(current: nil, exists: false, identity: "a", leaseDuration: .seconds(15), now: t0,
                                  monotonicNow: .seconds(1), observation: &obs)
        #expect(d == .create(LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: t0, renewTime: t0,
                                       leaseTransitions: 0)))
    }

    @Test func othersLeaseExpiresOnOurClockNotTheirs() {
        var obs = LeaseObservation()
        // The holder's renewTime is far in the past (skewed clock): irrelevant, we observe it now.
        let held = LeaseSpec(holderIdentity: "b", leaseDurationSeconds: 10, acquireTime: MicroTime(microseconds: 0),
                             renewTime: MicroTime(microseconds: 0), leaseTransitions: 3)
        func decide(at s: Int64) -> LeaseDecision {
            LeaseRules.decide(current: held, exists: true, identity: "a", leaseDuration: .seconds(15), now: t0,
                              monotonicNow: .seconds(s), observation: &obs)
        }
        #expect(decide(at: 100) == .heldByOther("b"))
        #expect(decide(at: 109) == .heldByOther("b"))
        guard case .update(let spec) = decide(at: 110) else { Issue.record("not taken over"); return }
        #expect(spec.holderIdentity == "a")
        #expect(spec.leaseTransitions == 4)
        #expect(spec.acquireTime == t0)
        #expect(spec.leaseDurationSeconds == 15)
    }

    @Test func aRenewalResetsTheObservedTime() {
        var obs = LeaseObservation()
        var spec = LeaseSpec(holderIdentity: "b", leaseDurationSeconds: 10, renewTime: MicroTime(microseconds: 1))
        _ = LeaseRules.decide(current: spec, exists: true, identity: "a", leaseDuration: .seconds(10), now: t0,
                              monotonicNow: .seconds(0), observation: &obs)
        spec.renewTime = MicroTime(microseconds: 2)
        #expect(LeaseRules.decide(current: spec, exists: true, identity: "a", leaseDuration: .seconds(10), now: t0,
                                  monotonicNow: .seconds(8), observation: &obs) == .heldByOther("b"))
        #expect(LeaseRules.decide(current: spec, exists: true, identity: "a", leaseDuration: .seconds(10), now: t0,
                                  monotonicNow: .seconds(15), observation: &obs) == .heldByOther("b"))
    }

    @Test func renewKeepsAcquireTimeAndTransitions() {
        var obs = LeaseObservation()
        let mine = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: MicroTime(microseconds: 5),
                             renewTime: MicroTime(microseconds: 5), leaseTransitions: 2)
        guard case .update(let spec) = LeaseRules.decide(current: mine, exists: true, identity: "a",
                                                         leaseDuration: .seconds(15), now: t0, monotonicNow: .seconds(1),
                                                         observation: &obs)
        else { Issue.record("no renew"); return }
        #expect(spec.acquireTime == MicroTime(microseconds: 5))
        #expect(spec.renewTime == t0)
        #expect(spec.leaseTransitions == 2)
    }

    @Test func aReleasedLeaseIsFreeAtOnce() {
        var obs = LeaseObservation()
        let released = LeaseRules.released(LeaseSpec(holderIdentity: "b", leaseTransitions: 1), now: t0)
        #expect(released.holderIdentity == nil)
        guard case .update(let spec) = LeaseRules.decide(current: released, exists: true, identity: "a",
                                                         leaseDuration: .seconds(15), now: t0, monotonicNow: .seconds(1),
                                                         observation: &obs)
        else { Issue.record("not acquired"); return }
        #expect(spec.leaseTransitions == 2)
    }
}

@Suite struct LeaderElectorTests {
    func config(_ id: String) -> LeaderElector.Config {
        LeaderElector.Config(namespace: "kube-system", name: "test", identity: id, leaseDuration: .seconds(1),
                             renewDeadline: .milliseconds(700), retryPeriod: .milliseconds(100))
    }

    final class Events: Sendable {
        let log = Mutex<[String]>([])
        func add(_ s: String) { log.withLock { $0.append(s) } }
        var all: [String] { log.withLock { $0 } }
    }

    @Test func oneLeadsAndAGracefulStopHandsOver() async throws {
        let store = MemoryLeaseStore()
        let events = Events()
        let a = LeaderElector(store: store, config: config("a"))
        let b = LeaderElector(store: store, config: config("b"))
        let runA = Task {
            await a.run(onStartedLeading: { events.add("a leads"); try? await Task.sleep(for: .seconds(60)) },
                        onStoppedLeading: { events.add("a stopped") })
        }
        #expect(await eventually { a.isLeader })
        let runB = Task {
            await b.run(onStartedLeading: { events.add("b leads"); try? await Task.sleep(for: .seconds(60)) },
                        onStoppedLeading: { events.add("b stopped") })
        }
        defer { runB.cancel() }
        // B keeps trying but a renews: only a leads.
        try await Task.sleep(for: .milliseconds(600))
        #expect(a.isLeader && !b.isLeader)
        #expect(b.observedLeader == "a")
        #expect(store.lease?.spec?.holderIdentity == "a")
        let renewedAt = store.lease?.spec?.renewTime
        try await Task.sleep(for: .milliseconds(250))
        #expect(store.lease?.spec?.renewTime != renewedAt)

        let handoverStart = ContinuousClock.now
        runA.cancel()
        await runA.value
        #expect(events.all.contains("a stopped"))
        #expect(await eventually { b.isLeader })
        // Released, so b did not wait out the 1 s lease.
        #expect(ContinuousClock.now - handoverStart < .milliseconds(950))
        #expect(store.lease?.spec?.holderIdentity == "b")
        #expect(store.lease?.spec?.leaseTransitions == 1)
        #expect(await eventually { events.all.filter { $0.hasSuffix("leads") } == ["a leads", "b leads"] })
    }

    @Test func aCrashedLeaderIsReplacedAfterTheLeaseExpires() async throws {
        let store = MemoryLeaseStore()
        var cfg = config("a")
        cfg.releaseOnCancel = false   // as if the process died: nothing handed back
        let a = LeaderElector(store: store, config: cfg)
        let runA = Task { await a.run(onStartedLeading: { try? await Task.sleep(for: .seconds(60)) }) }
        #expect(await eventually { a.isLeader })
        runA.cancel()
        await runA.value
        let b = LeaderElector(store: store, config: config("b"))
        let start = ContinuousClock.now
        let runB = Task { await b.run(onStartedLeading: { try? await Task.sleep(for: .seconds(60)) }) }
        defer { runB.cancel() }
        #expect(await eventually(.seconds(5)) { b.isLeader })
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(900))
    }
}
