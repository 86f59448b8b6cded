import FoundationEssentials
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// The ReplicaSet controller's shell: pod and ReplicaSet events queue the owning ReplicaSet's key;
/// a sync runs `ReplicaSetReconciler` on the cached objects and carries out its plan, with
/// expectations so a cache that has not yet seen its own creates never causes more.
final class ReplicaSetController: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let queue = WorkQueue<String>()
    let expectations = Mutex(ControllerExpectations())
    let logger: Logger
    let events: EventRecorder

    init(client: KubeAPIClient, informers: SharedInformers, logger: Logger) {
        self.client = client
        events = EventRecorder(client: client, component: "replicaset-controller", logger: logger)
        self.informers = informers
        self.logger = logger
        informers.replicaSets.addHandler(InformerHandler(
            onAdd: { [queue] rs in queue.add(cacheKey(rs.metadata)) },
            onUpdate: { [queue] _, rs in queue.add(cacheKey(rs.metadata)) },
            onDelete: { [self] d in
                let key = cacheKey(d.object.metadata)
                expectations.withLock { $0.delete(key) }
                queue.add(key)
            }))
        informers.pods.addHandler(InformerHandler(
            onAdd: { [self] p in
                if let key = ownerKey(p) {
                    expectations.withLock { $0.creationObserved(key) }
                    queue.add(key)
                } else {
                    enqueueMatching(p)
                }
            },
            onUpdate: { [self] old, p in
                // A graceful delete first only sets deletionTimestamp; the pod leaves the store when its
                // kubelet has stopped it (up to its grace period later). kube counts the deletion as
                // observed at the first sight of the timestamp, so a scale-down in flight does not
                // hold up the next sync for the whole grace period.
                if p.metadata.deletionTimestamp != nil, old.metadata.deletionTimestamp == nil {
                    for key in Set([ownerKey(p), ownerKey(old)].compactMap { $0 }) {
                        expectations.withLock { $0.deletionObserved(key, podKey: cacheKey(p.metadata)) }
                    }
                }
                if let key = ownerKey(p) { queue.add(key) } else { enqueueMatching(p) }
                if let oldKey = ownerKey(old), oldKey != ownerKey(p) { queue.add(oldKey) }
            },
            onDelete: { [self] d in
                guard let key = ownerKey(d.object) else { return }
                expectations.withLock { $0.deletionObserved(key, podKey: cacheKey(d.object.metadata)) }
                queue.add(key)
            }))
    }

    func ownerKey(_ p: Pod) -> String? {
        guard let ref = p.metadata.controllerRef, ref.kind == ReplicaSet.kind else { return nil }
        return ObjectCache<ReplicaSet>.key(namespace: p.metadata.namespace, name: ref.name)
    }

    /// An orphan: every ReplicaSet whose selector matches may adopt it.
    func enqueueMatching(_ p: Pod) {
        for rs in informers.replicaSets.cache.list(namespace: p.metadata.namespace ?? "") {
            if let sel = try? Selector(rs.spec?.selector), sel.matches(p.metadata.labels) { queue.add(cacheKey(rs.metadata)) }
        }
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    func run(workers: Int) async {
        await runWorkers("replicaset", queue: queue, workers: workers, logger: logger) { [self] key in try await sync(key) }
    }

    func sync(_ key: String) async throws {
        guard let rs = informers.replicaSets.cache.get(key: key) else {
            expectations.withLock { $0.delete(key) }
            return
        }
        let ns = rs.metadata.namespace ?? ""
        let pods = informers.pods.cache.list(namespace: ns)
        let satisfied = expectations.withLock { $0.satisfied(key, now: Self.now()) }
        let plan = ReplicaSetReconciler.reconcile(rs, pods: pods, expectationsSatisfied: satisfied, now: Time.now())
        for p in plan.adopt + plan.release {
            try await attempt({ _ = try await self.client.update(p) }, tolerating: { $0.isNotFound || $0.isConflict })
        }
        if plan.createCount > 0, let template = plan.podTemplate {
            expectations.withLock { $0.expectCreations(key, plan.createCount, now: Self.now()) }
            // Slow start as kube: batches of 1, 2, 4, … so a failing create does not fire hundreds.
            var remaining = plan.createCount
            var batch = 1
            while remaining > 0 {
                let n = min(batch, remaining)
                let failures = await withTaskGroup(of: Bool.self) { g -> Int in
                    for _ in 0..<n {
                        g.addTask {
                            guard let pod = try? await self.client.create(template) else { return false }
                            self.events.event(rs, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(pod.metadata.name ?? "")")
                            return true
                        }
                    }
                    var failed = 0
                    for await ok in g where !ok { failed += 1 }
                    return failed
                }
                remaining -= n
                if failures > 0 {
                    // Creates that failed (and those skipped) will never be observed.
                    expectations.withLock { e in for _ in 0..<(failures + remaining) { e.creationObserved(key) } }
                    throw ControllerError(step: "creating pods for", object: key, underlying: "\(failures) creates failed")
                }
                batch *= 2
            }
        }
        if !plan.delete.isEmpty {
            expectations.withLock { $0.expectDeletions(key, podKeys: plan.delete.map { cacheKey($0.metadata) }, now: Self.now()) }
            for p in plan.delete {
                let deleted = try await attempt({
                    try await self.client.delete(Pod.self, name: p.metadata.name ?? "", namespace: p.metadata.namespace)
                }, tolerating: { $0.isNotFound })
                if deleted {
                    events.event(rs, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(p.metadata.name ?? "")")
                } else {
                    expectations.withLock { $0.deletionObserved(key, podKey: cacheKey(p.metadata)) }
                }
            }
        }
        if rs.status != plan.status {
            var updated = rs
            updated.status = plan.status
            if !(try await attempt({ _ = try await self.client.updateStatus(updated) }, tolerating: { $0.isConflict || $0.isNotFound })) {
                queue.add(key)
            }
        }
        if let after = plan.requeueAfter { queue.addAfter(key, .seconds(Int(after))) }
    }
}
