import Channels
import FoundationEssentials
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// How `SchedulerLoop` runs.
public struct SchedulerConfig: LeaderElectedComponent {
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
    /// The current term's wake-ups: informer handlers, finished bindings and the tick wake the
    /// loop; wake-ups that arrive while it is busy collapse into one.
    private let wakeups = Mutex<BufferedChannel<Void, Never>?>(nil)
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
        events = EventRecorder(client: client, component: config.schedulerName, logger: config.logger)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Runs until `stop()` or the calling task is cancelled. As kube-scheduler does, the informers
    /// run (and stay synced) whether or not this process leads, so a new leader schedules at once
    /// instead of listing every pod and node first.
    public func run() async {
        let task = Task { [self] in
            let pods = Informer(APIListerWatcher(client: client, Pod.self))
            let nodes = Informer(APIListerWatcher(client: client, Node.self))
            pods.addHandler(InformerHandler(
                onAdd: { [self] p in state.withLock { $0.podUpserted(p, now: Self.now()) }; wake() },
                onUpdate: { [self] _, p in state.withLock { $0.podUpserted(p, now: Self.now()) }; wake() },
                onDelete: { [self] d in state.withLock { $0.podDeleted(d.object, now: Self.now()) }; wake() }))
            nodes.addHandler(InformerHandler(
                onAdd: { [self] n in state.withLock { $0.nodeUpserted(n, now: Self.now()) }; wake() },
                onUpdate: { [self] old, n in
                    // Heartbeat-only updates change nothing the scheduler reads.
                    if old.spec != n.spec || old.metadata.labels != n.metadata.labels || old.status?.allocatable != n.status?.allocatable
                        || old.status?.condition("Ready")?.status != n.status?.condition("Ready")?.status
                    {
                        state.withLock { $0.nodeUpserted(n, now: Self.now()) }
                        wake()
                    }
                },
                onDelete: { [self] d in state.withLock { $0.nodeDeleted(d.object) } }))
            // Namespace labels, for inter-pod affinity terms with a namespaceSelector.
            let namespaces = Informer(APIListerWatcher(client: client, Namespace.self))
            namespaces.addHandler(InformerHandler(
                onAdd: { [self] ns in state.withLock { $0.namespaceUpserted(ns, now: Self.now()) }; wake() },
                onUpdate: { [self] _, ns in state.withLock { $0.namespaceUpserted(ns, now: Self.now()) }; wake() },
                onDelete: { [self] d in state.withLock { $0.namespaceDeleted(d.object) } }))
            await withDiscardingTaskGroup { group in
                group.addTask { await pods.run() }
                group.addTask { await nodes.run() }
                group.addTask { await namespaces.run() }
                guard await pods.waitForSync(), await nodes.waitForSync(), await namespaces.waitForSync() else { return }
                config.logger.info("scheduler synced", metadata: ["nodes": "\(nodes.cache.count)", "pods": "\(pods.cache.count)"])
                await config.lead(client: client) { await self.lead() }
                group.cancelAll()
            }
        }
        runTask.withLock { $0 = task }
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    public func stop() {
        runTask.withLock { $0?.cancel() }
    }

    /// Wakes the current term's loop (nothing to wake while not leading: the state still follows
    /// the informers, and the next term starts from it).
    private func wake() {
        wakeups.withLock { $0 }?.send(())
    }

    /// Schedules while leading: decisions as they become possible, bindings concurrently.
    func lead() async {
        // A term's own channel: cancelling the last term's wait ended that one.
        let wakeups = BufferedChannel<Void, Never>(limit: .dropOldest(1))
        self.wakeups.withLock { $0 = wakeups }
        let queue = EventWriteQueue()
        eventQueue.withLock { $0 = queue }
        defer {
            self.wakeups.withLock { $0 = nil }
            queue.finish()
            if queue.dropped > 0 { config.logger.info("events dropped: queue full", metadata: ["count": "\(queue.dropped)"]) }
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await queue.run() }
            // Back-off expiries and the periodic flush of parked pods are noticed on this tick
            // (kube-scheduler flushes its back-off queue every second).
            group.addTask {
                while (try? await Task.sleep(for: Self.tick)) != nil { wakeups.send(()) }
            }
            while !Task.isCancelled {
                // Pods stay queued (and see the newest cluster state) until a binding slot is free.
                if inFlight.withLock({ $0 }) >= config.maxInFlightBindings {
                    _ = await wakeups.next()
                    continue
                }
                guard let decision = state.withLock({ $0.next(now: Self.now()) }) else {
                    // Nothing active: wait for an event or the next tick.
                    _ = await wakeups.next()
                    continue
                }
                inFlight.withLock { $0 += 1 }
                group.addTask {
                    switch decision {
                    case .bind(let pod, let node): await self.bind(pod, to: node)
                    case .unschedulable(let pod, let message): await self.recordUnschedulable(pod, message: message)
                    }
                    self.inFlight.withLock { $0 -= 1 }
                    wakeups.send(())
                }
            }
            group.cancelAll()
        }
    }

    static let tick = Duration.milliseconds(200)

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
            wake()
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
