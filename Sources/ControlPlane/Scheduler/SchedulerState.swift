import KubeAPI

/// A scheduling decision for the shell to carry out.
public enum SchedulingDecision: Hashable, Sendable {
    /// POST pods/{name}/binding to this node.
    case bind(Pod, node: String)
    /// Record FailedScheduling and set PodScheduled=False (reason Unschedulable) with this message.
    case unschedulable(Pod, message: String)
}

/// The scheduler's whole state as a value: the snapshot fed by pod and node events, the queue of
/// pending pods, the algorithm. The shell feeds watch events in and carries decisions out.
public struct SchedulerState: Sendable {
    public var snapshot = SchedulerSnapshot()
    public var queue = SchedulingQueue<Pod>()
    public var algorithm: ScheduleAlgorithm
    public let schedulerName: String
    /// A pod with required pod affinity failed: the next pod placed may be one it waits for, so
    /// that placement counts as a cluster event (kube moves such pods on a matching pod's add).
    private var awaitingPodAffinity = false

    public init(schedulerName: String = "default-scheduler", seed: UInt64 = 0x5eed, percentageOfNodesToScore: Int = 0) {
        self.schedulerName = schedulerName
        algorithm = ScheduleAlgorithm(seed: seed, percentageOfNodesToScore: percentageOfNodesToScore)
    }

    /// Whether this scheduler should place the pod: not bound, ours, not finished or being deleted.
    public func isPending(_ pod: Pod) -> Bool {
        let phase = pod.status?.phase
        return (pod.spec?.nodeName ?? "").isEmpty && (pod.spec?.schedulerName ?? "default-scheduler") == schedulerName
            && pod.metadata.deletionTimestamp == nil && phase != "Succeeded" && phase != "Failed"
    }

    public mutating func podUpserted(_ pod: Pod, now: Double) {
        let key = SchedulerSnapshot.key(of: pod)
        if isPending(pod) {
            queue.add(key, pod)
            return
        }
        queue.remove(key)
        let wasAccounted = snapshot.isAccounted(key)
        let oldLabels = snapshot.labels(ofPod: key)
        snapshot.upsertPod(pod)
        // A bound pod that finished frees its node: parked pods may fit now.
        if wasAccounted && !snapshot.isAccounted(key) { queue.clusterChanged(now: now) }
        // A placed pod's new labels may now satisfy a parked pod's affinity or stop repelling it
        // (kube moves pods that failed InterPodAffinity on an assigned pod's label change).
        if let oldLabels, snapshot.isAccounted(key), oldLabels != (pod.metadata.labels ?? [:]) { queue.clusterChanged(now: now) }
        if !wasAccounted && snapshot.isAccounted(key) { podPlaced(now: now) }
    }

    public mutating func podDeleted(_ pod: Pod, now: Double) {
        let key = SchedulerSnapshot.key(of: pod)
        queue.remove(key)
        if snapshot.isAccounted(key) {
            snapshot.removePod(key: key)
            queue.clusterChanged(now: now)
        }
    }

    public mutating func nodeUpserted(_ node: Node, now: Double) {
        snapshot.upsertNode(node)
        queue.clusterChanged(now: now)
    }

    /// A namespace's labels decide namespaceSelector terms: a change may unpark pods.
    public mutating func namespaceUpserted(_ ns: Namespace, now: Double) {
        if snapshot.upsertNamespace(ns) { queue.clusterChanged(now: now) }
    }

    public mutating func namespaceDeleted(_ ns: Namespace) {
        if let name = ns.metadata.name { snapshot.removeNamespace(named: name) }
    }

    public mutating func nodeDeleted(_ node: Node) {
        if let name = node.metadata.name { snapshot.removeNode(named: name) }
    }

    /// Schedules the next active pod, if any. A chosen node is assumed at once, so the next pod
    /// sees its resources taken before the binding is confirmed.
    public mutating func next(now: Double) -> SchedulingDecision? {
        queue.flush(now: now)
        guard let (key, pod) = queue.pop() else { return nil }
        let info = PodSchedulingInfo(pod, snapshot: &snapshot)
        let result = algorithm.schedule(info, in: snapshot)
        switch result {
        case .node(let name):
            snapshot.assume(AssignedPod(info, nodeName: name))
            queue.done(key)
            podPlaced(now: now)
            return .bind(pod, node: name)
        case .unschedulable, .noNodes:
            queue.failed(key, now: now)
            if info.affinity.terms?.requiredAffinity.isEmpty == false { awaitingPodAffinity = true }
            return .unschedulable(pod, message: result.message ?? "")
        }
    }

    private mutating func podPlaced(now: Double) {
        guard awaitingPodAffinity else { return }
        awaitingPodAffinity = false
        queue.clusterChanged(now: now)
    }

    /// The binding failed: forget the assumption; retry after back-off unless the pod is gone.
    public mutating func bindFailed(_ pod: Pod, now: Double, podGone: Bool = false) {
        let key = SchedulerSnapshot.key(of: pod)
        snapshot.removePod(key: key)
        if !podGone { queue.addBackoff(key, pod, now: now) }
        queue.clusterChanged(now: now)
    }
}
