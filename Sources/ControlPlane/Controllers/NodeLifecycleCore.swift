import KubeAPI

/// What the node lifecycle controller should write after one pass.
public struct NodeLifecyclePlan: Sendable {
    /// Node name → the conditions to write to its status.
    public var conditionUpdates: [String: [NodeCondition]] = [:]
    /// Node name → the taints its spec should carry.
    public var taintUpdates: [String: [Taint]] = [:]
    /// Pods to delete: on a NoExecute-tainted node past their toleration.
    public var evictions: [Pod] = []
    /// Pods on a node that is not Ready whose Ready condition should become False (kube's
    /// MarkPodsNotReady), so Services stop sending them traffic before any eviction.
    public var markNotReady: [Pod] = []
    /// When (controller clock, seconds) something will next be due, if anything.
    public var nextCheck: Double?
}

/// kube's node lifecycle controller and NoExecute taint manager, with time passed in: a node whose
/// Lease (or Ready heartbeat) has not moved for `gracePeriod` (node-monitor-grace-period, 40 s)
/// gets its conditions set to Unknown ("Kubelet stopped posting node status."); Ready False or
/// Unknown becomes the not-ready / unreachable taints (NoSchedule and NoExecute), removed again
/// when Ready is True. Pods on a node with NoExecute taints are evicted at once when they do not
/// tolerate one, else after the smallest tolerationSeconds of their matching tolerations (counted
/// from the taint's timeAdded); no tolerationSeconds means they stay.
public struct NodeLifecycleCore: Sendable {
    public var gracePeriod: Double = 40
    struct Health: Sendable {
        var lastSeen: Int64
        var probeTime: Double
    }
    private var health: [String: Health] = [:]

    public static let notReadyKey = "node.kubernetes.io/not-ready"
    public static let unreachableKey = "node.kubernetes.io/unreachable"
    public static let unschedulableKey = "node.kubernetes.io/unschedulable"
    static let unknownConditionTypes = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]

    public init(gracePeriod: Double = 40) { self.gracePeriod = gracePeriod }

    public mutating func forget(node: String) { health[node] = nil }

    /// `now` is the controller's clock in seconds since the epoch (also used for condition times).
    public mutating func evaluate(nodes: [Node], leases: [String: Lease], pods: [Pod], now: Double) -> NodeLifecyclePlan {
        var plan = NodeLifecyclePlan()
        let nowTime = Time(seconds: Int64(now))
        var podsByNode: [String: [Pod]] = [:]
        for p in pods { if let n = p.spec?.nodeName, !n.isEmpty { podsByNode[n, default: []].append(p) } }
        func due(_ t: Double) { plan.nextCheck = min(plan.nextCheck ?? t, t) }

        for node in nodes {
            guard let name = node.metadata.name else { continue }
            // The newest sign of life: the Lease's renewTime or the Ready heartbeat (micro-seconds).
            let renew = leases[name]?.spec?.renewTime?.microseconds ?? Int64.min
            let beat = node.status?.condition("Ready")?.lastHeartbeatTime.map { $0.seconds * 1_000_000 } ?? Int64.min
            let seen = max(renew, beat)
            if var h = health[name] {
                if seen != h.lastSeen {
                    h.lastSeen = seen
                    h.probeTime = now
                    health[name] = h
                }
            } else {
                health[name] = Health(lastSeen: seen, probeTime: now)
            }
            let probe = health[name]?.probeTime ?? now

            var conditions = node.status?.conditions ?? []
            if now - probe > gracePeriod {
                var changed = false
                for type in Self.unknownConditionTypes {
                    if let i = conditions.firstIndex(where: { $0.type == type }) {
                        if conditions[i].status != "Unknown" {
                            conditions[i].status = "Unknown"
                            conditions[i].reason = "NodeStatusUnknown"
                            conditions[i].message = "Kubelet stopped posting node status."
                            conditions[i].lastTransitionTime = nowTime
                            changed = true
                        }
                    } else {
                        conditions.append(NodeCondition(type: type, status: "Unknown", lastHeartbeatTime: nil,
                                                        lastTransitionTime: nowTime, reason: "NodeStatusNeverUpdated",
                                                        message: "Kubelet never posted node status."))
                        changed = true
                    }
                }
                if changed { plan.conditionUpdates[name] = conditions }
            } else {
                due(probe + gracePeriod + 1)
            }

            // Taints follow the (possibly just changed) Ready condition.
            let ready = conditions.first { $0.type == "Ready" }?.status ?? "Unknown"
            let current = node.spec?.taints ?? []
            var taints = current.filter { $0.key != Self.notReadyKey && $0.key != Self.unreachableKey && $0.key != Self.unschedulableKey }
            // kube's doNoScheduleTaintingPass: a cordoned node (spec.unschedulable) carries this taint.
            if node.spec?.unschedulable == true {
                taints.append(current.first { $0.key == Self.unschedulableKey && $0.effect == "NoSchedule" }
                              ?? Taint(key: Self.unschedulableKey, effect: "NoSchedule"))
            }
            let key: String? = ready == "True" ? nil : (ready == "False" ? Self.notReadyKey : Self.unreachableKey)
            if let key {
                for effect in ["NoSchedule", "NoExecute"] {
                    if let existing = current.first(where: { $0.key == key && $0.effect == effect }) {
                        taints.append(existing)
                    } else {
                        taints.append(Taint(key: key, effect: effect, timeAdded: effect == "NoExecute" ? nowTime : nil))
                    }
                }
            }
            if taints != current { plan.taintUpdates[name] = taints }
            if ready != "True" {
                for pod in podsByNode[name] ?? [] where pod.status?.condition("Ready")?.status == "True" {
                    var p = pod
                    p.status?.conditions = (pod.status?.conditions ?? []).map { c in
                        guard c.type == "Ready" else { return c }
                        var c = c
                        c.status = "False"
                        c.lastTransitionTime = nowTime
                        return c
                    }
                    plan.markNotReady.append(p)
                }
            }

            // Eviction under NoExecute taints.
            let noExecute = taints.filter { $0.effect == "NoExecute" }
            guard !noExecute.isEmpty else { continue }
            for pod in podsByNode[name] ?? [] where pod.metadata.deletionTimestamp == nil {
                let phase = pod.status?.phase
                if phase == "Succeeded" || phase == "Failed" { continue }
                let tols = pod.spec?.tolerations ?? []
                var evictAt: Double?
                for t in noExecute {
                    let matching = tols.filter { $0.tolerates(t) }
                    if matching.isEmpty {
                        evictAt = now
                        break
                    }
                    // Tolerations without seconds tolerate forever (kube's getMinTolerationTime).
                    guard let secs = matching.compactMap(\.tolerationSeconds).min() else { continue }
                    let at = Double(t.timeAdded?.seconds ?? Int64(now)) + Double(max(0, secs))
                    evictAt = min(evictAt ?? at, at)
                }
                if let at = evictAt {
                    if at <= now { plan.evictions.append(pod) } else { due(at) }
                }
            }
        }
        let live = Set(nodes.compactMap(\.metadata.name))
        for name in health.keys where !live.contains(name) { health[name] = nil }
        return plan
    }
}
