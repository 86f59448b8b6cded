import FoundationEssentials
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// How `SchedulerLoop` runs.
public struct SchedulerConfig: Sendable {
    public var schedulerName = "default-scheduler"
    /// This process in the leader election (kube: hostname + "_" + a uuid).
    public var identity: String
    /// Campaign for the `kube-scheduler` Lease in kube-system before scheduling (kube's default).
    public var leaderElection = true
    public var leaseNamespace = "kube-system"
    public var leaseName = "kube-scheduler"
    /// --leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period.
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)
    public var percentageOfNodesToScore = 0
    /// Bindings in flight at once. kube-scheduler binds in a goroutine
    /// per pod over one HTTP/2 connection; over HTTP/1.1 each request in flight is a connection, so
    /// the bound is what keeps a burst of pods from opening thousands. The API server's store
    /// commits concurrent writes in one fsync, so this many in flight is what lets them batch.
    public var maxInFlightBindings = 64
    public var seed: UInt64 = UInt64.random(in: 0...UInt64.max)
    public var logger = Logger(label: "swiftlet.scheduler")

    public init(identity: String) { self.identity = identity }
}

/// kube-scheduler as a list+watch loop: pod and node informers feed `SchedulerState`; each decision
/// is carried out through the API — a binding (`pods/{name}/binding`), or a FailedScheduling event
/// plus the PodScheduled=False (Unschedulable) condition. Bindings run concurrently; the chosen
/// node is assumed in the snapshot at once so the next pod sees it taken.
public final class SchedulerLoop: Sendable {
    private let client: KubeAPIClient
    private let config: SchedulerConfig
    private let state: Mutex<SchedulerState>
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>
    private let runTask = Mutex<Task<Void, Never>?>(nil)
    private let events: EventRecorder
    private let inFlight = Mutex(0)
    /// The current term's event writer (a new one each time leadership is gained).
    private let eventQueue = Mutex<EventWriteQueue?>(nil)

    public init(client: KubeAPIClient, config: SchedulerConfig) {
        self.client = client
        self.config = config
        state = Mutex(SchedulerState(schedulerName: config.schedulerName, seed: config.seed,
                                     percentageOfNodesToScore: config.percentageOfNodesToScore))
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        events = EventRecorder(client: client, component: config.schedulerName, logger: config.logger)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Runs until `stop()` or the calling task is cancelled.
    public func run() async {
        let task = Task { [self] in
            if config.leaderElection {
                let elector = LeaderElector(store: client, config: LeaderElector.Config(
                    namespace: config.leaseNamespace, name: config.leaseName, identity: config.identity,
                    leaseDuration: config.leaseDuration, renewDeadline: config.renewDeadline, retryPeriod: config.retryPeriod),
                    logger: config.logger)
                await elector.campaign { await self.lead() }
            } else {
                await lead()
            }
        }
        runTask.withLock { $0 = task }
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    public func stop() {
        runTask.withLock { $0?.cancel() }
        wake.yield()
    }

    /// Schedules while leading: informers, then decisions as they become possible.
    func lead() async {
        state.withLock { $0 = SchedulerState(schedulerName: config.schedulerName, seed: config.seed,
                                             percentageOfNodesToScore: config.percentageOfNodesToScore) }
        let pods = Informer(APIListerWatcher(client: client, Pod.self))
        let nodes = Informer(APIListerWatcher(client: client, Node.self))
        pods.addHandler(InformerHandler(
            onAdd: { [self] p in state.withLock { $0.podUpserted(p, now: Self.now()) }; wake.yield() },
            onUpdate: { [self] _, p in state.withLock { $0.podUpserted(p, now: Self.now()) }; wake.yield() },
            onDelete: { [self] d in state.withLock { $0.podDeleted(d.object, now: Self.now()) }; wake.yield() }))
        nodes.addHandler(InformerHandler(
            onAdd: { [self] n in state.withLock { $0.nodeUpserted(n, now: Self.now()) }; wake.yield() },
            onUpdate: { [self] old, n in
                // Heartbeat-only updates change nothing the scheduler reads.
                if old.spec != n.spec || old.metadata.labels != n.metadata.labels || old.status?.allocatable != n.status?.allocatable
                    || old.status?.condition("Ready")?.status != n.status?.condition("Ready")?.status
                {
                    state.withLock { $0.nodeUpserted(n, now: Self.now()) }
                    wake.yield()
                }
            },
            onDelete: { [self] d in state.withLock { $0.nodeDeleted(d.object) } }))
        let queue = EventWriteQueue()
        eventQueue.withLock { $0 = queue }
        defer {
            queue.finish()
            if queue.dropped > 0 { config.logger.info("events dropped: queue full", metadata: ["count": "\(queue.dropped)"]) }
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await queue.run() }
            group.addTask { await pods.run() }
            group.addTask { await nodes.run() }
            guard await pods.waitForSync(), await nodes.waitForSync() else { return }
            config.logger.info("scheduler synced", metadata: ["nodes": "\(nodes.cache.count)", "pods": "\(pods.cache.count)"])
            var iterator = wakeups.makeAsyncIterator()
            while !Task.isCancelled {
                // Pods stay queued (and see the newest cluster state) until a binding slot is free.
                if inFlight.withLock({ $0 }) >= config.maxInFlightBindings {
                    _ = await iterator.next()
                    continue
                }
                let decision = state.withLock { $0.next(now: Self.now()) }
                guard let decision else {
                    // Nothing active: wait for an event or the next back-off expiry.
                    let wait = state.withLock { s in s.queue.nextBackoffExpiry().map { max(0.05, $0 - Self.now()) } } ?? 1
                    // A cancelled sleeper must not wake the loop: with `try?` it did, the wake made the
                    // next pass start and cancel another sleeper, and the loop spun a core whenever the
                    // queue was empty (starving the API server it binds through).
                    let sleeper = Task {
                        do {
                            try await Task.sleep(for: .seconds(min(wait, 1)))
                            self.wake.yield()
                        } catch {}
                    }
                    _ = await iterator.next()
                    sleeper.cancel()
                    continue
                }
                inFlight.withLock { $0 += 1 }
                group.addTask {
                    switch decision {
                    case .bind(let pod, let node): await self.bind(pod, to: node)
                    case .unschedulable(let pod, let message): await self.recordUnschedulable(pod, message: message)
                    }
                    self.inFlight.withLock { $0 -= 1 }
                    self.wake.yield()
                }
            }
            group.cancelAll()
        }
    }

    func bind(_ pod: Pod, to node: String) async {
        do {
            try await client.bind(Binding(pod: pod.metadata, nodeName: node))
            record(pod, type: .normal, reason: "Scheduled",
                   message: "Successfully assigned \(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "") to \(node)")
        } catch {
            config.logger.warning("binding failed", metadata: ["pod": "\(SchedulerSnapshot.key(of: pod))", "node": "\(node)",
                                                               "error": "\(error)"])
            let gone = error.isNotFound
            state.withLock { $0.bindFailed(pod, now: Self.now(), podGone: gone) }
            wake.yield()
        }
    }

    /// An event, queued for the background writers (dropped when they are too far behind).
    private func record(_ pod: Pod, type: EventRecorder.EventType, reason: String, message: String) {
        let events = self.events
        eventQueue.withLock { $0 }?.submit { _ = try? await events.record(pod, type: type, reason: reason, message: message) }
    }

    /// FailedScheduling and PodScheduled=False/Unschedulable, as kube-scheduler writes them.
    func recordUnschedulable(_ pod: Pod, message: String) async {
        record(pod, type: .warning, reason: "FailedScheduling", message: message)
        let current = pod.status?.condition("PodScheduled")
        guard current?.status != "False" || current?.message != message || current?.reason != "Unschedulable" else { return }
        var conditions = (pod.status?.conditions ?? []).filter { $0.type != "PodScheduled" }
        var c = PodCondition(type: "PodScheduled", status: "False", lastTransitionTime: Time.now(), reason: "Unschedulable",
                             message: message)
        if current?.status == "False" { c.lastTransitionTime = current?.lastTransitionTime }
        conditions.append(c)
        struct Patch: Encodable {
            struct S: Encodable { var conditions: [PodCondition] }
            var status: S
        }
        guard let body = try? JSONEncoder().encode(Patch(status: .init(conditions: conditions))), let name = pod.metadata.name else { return }
        do {
            _ = try await client.patch(Pod.self, name: name, namespace: pod.metadata.namespace, patchType: .merge,
                                       body: Array(body), subresource: "status")
        } catch {
            config.logger.debug("pod condition update failed", metadata: ["pod": "\(name)", "error": "\(error)"])
        }
    }
}
