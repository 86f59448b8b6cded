import KubeAPI

/// The outcome of one scheduling cycle for one pod.
public enum ScheduleResult: Hashable, Sendable {
    case node(String)
    case unschedulable(FitError)
    /// No nodes at all: kube's `ErrNoNodesAvailable`.
    case noNodes

    public var message: String? {
        switch self {
        case .node: nil
        case .unschedulable(let e): e.description
        case .noNodes: "no nodes available to schedule pods"
        }
    }
}

/// Filter → score → select over a `SchedulerSnapshot`, as kube's `schedulePod`: walk the nodes from a
/// rotating start and stop once enough feasible nodes are found (`percentageOfNodesToScore`), score
/// only those, pick the best with a seeded random tie-break.
public struct ScheduleAlgorithm: Sendable {
    /// 0 = adaptive (kube's default); otherwise a fixed percentage.
    public var percentageOfNodesToScore: Int
    public private(set) var nextStartNodeIndex = 0
    private var rng: SplitMix64
    // Reused across cycles so the hot loop does not allocate.
    private var feasible: [Int] = []
    private var totals: [Int64] = []
    private var scratch: [Int64] = []

    public init(seed: UInt64 = 0x5eed, percentageOfNodesToScore: Int = 0) {
        rng = SplitMix64(seed: seed)
        self.percentageOfNodesToScore = percentageOfNodesToScore
    }

    /// `numFeasibleNodesToFind`: all nodes below 100; else the adaptive percentage
    /// 50 − nodes/125 (at least 5%), and never fewer than 100 nodes.
    public static func numFeasibleNodesToFind(_ numAllNodes: Int, percentage: Int = 0) -> Int {
        let minFeasible = 100
        if numAllNodes < minFeasible || percentage >= 100 { return numAllNodes }
        var p = percentage
        if p <= 0 {
            p = 50 - numAllNodes / 125
            if p < 5 { p = 5 }
        }
        let n = numAllNodes * p / 100
        return n < minFeasible ? minFeasible : n
    }

    public mutating func schedule(_ pod: PodSchedulingInfo, in snapshot: SchedulerSnapshot) -> ScheduleResult {
        let live = snapshot.live
        let all = live.count
        if all == 0 { return .noNodes }
        let slots = snapshot.slots
        let numbers = snapshot.numbers
        let toFind = Self.numFeasibleNodesToFind(all, percentage: percentageOfNodesToScore)
        feasible.removeAll(keepingCapacity: true)
        // Only a pod with node constraints needs the full filters on every node; otherwise a node
        // without taints or cordon is decided by its numbers alone.
        // Inter-pod affinity's PreFilter: nil (nothing to check) unless the pod has required terms or
        // some existing pod's required anti-affinity matches it.
        let interPodAffinity = InterPodAffinity.preFilter(pod, snapshot)
        let podNeedsFullFilter = pod.requestedNodeName != nil || !pod.nodeSelector.isEmpty || pod.requiredAffinity != nil
            || !pod.requests.hostPorts.isEmpty || interPodAffinity != nil
        let r = pod.requests
        var processed = 0
        var failedAny = false
        let start = nextStartNodeIndex % all
        while processed < all, feasible.count < toFind {
            let slot = live[(start + processed) % all]
            processed += 1
            let n = numbers[slot]
            let fits: Bool
            if podNeedsFullFilter || n.unschedulable || n.hasHardTaints {
                fits = slots[slot].map { Filters.check(pod, $0, interPodAffinity) == nil } ?? false
            } else {
                fits = n.podCount + 1 <= n.allocatablePods
                    && (r.cpuMilli == 0 || r.cpuMilli <= n.allocatableCPUMilli - n.requestedCPUMilli)
                    && (r.memory == 0 || r.memory <= n.allocatableMemory - n.requestedMemory)
            }
            if fits { feasible.append(slot) } else { failedAny = true }
        }
        nextStartNodeIndex = (start + processed) % all
        if feasible.isEmpty {
            // Every node was looked at and failed: only now build kube's reasons for each.
            var failures: [String: FilterStatus] = [:]
            if failedAny {
                for slot in live {
                    if let node = slots[slot], let status = Filters.check(pod, node, interPodAffinity) { failures[node.name] = status }
                }
            }
            return .unschedulable(FitError(numAllNodes: all, nodeStatuses: failures))
        }
        if feasible.count == 1, let n = slots[feasible[0]] { return .node(n.name) }
        score(pod, snapshot)
        // Reservoir sampling among the best: each tied node is picked with equal probability.
        var best = 0
        var ties: UInt64 = 0
        for i in feasible.indices {
            if totals[i] > totals[best] {
                best = i
                ties = 1
            } else if totals[i] == totals[best] {
                ties += 1
                if i != best, rng.next() % ties == 0 { best = i }
            }
        }
        return .node(slots[feasible[best]]?.name ?? "")
    }

    /// Fills `totals` with the weighted sum of every score plugin for each feasible node.
    private mutating func score(_ pod: PodSchedulingInfo, _ snapshot: SchedulerSnapshot) {
        let n = feasible.count
        let slots = snapshot.slots
        let numbers = snapshot.numbers
        totals.removeAll(keepingCapacity: true)
        totals.append(contentsOf: repeatElement(0, count: n))
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: repeatElement(0, count: n))
        let r = pod.requests
        var anyPreferNoSchedule = false
        for (i, slot) in feasible.enumerated() {
            let num = numbers[slot]
            totals[i] = Scores.leastAllocatedWeight * Scores.leastAllocated(r, num)
                + Scores.balancedWeight * Scores.balanced(r, num)
            if num.hasPreferNoSchedule { anyPreferNoSchedule = true }
        }
        // TaintToleration: every node scores 100 when no node has an intolerable PreferNoSchedule taint.
        if anyPreferNoSchedule {
            for (i, slot) in feasible.enumerated() {
                if let node = slots[slot] { scratch[i] = Scores.intolerablePreferNoSchedule(pod, node) }
            }
            Scores.normalize(&scratch, reverse: true)
            for i in 0..<n { totals[i] += Scores.taintWeight * scratch[i] }
        } else {
            for i in 0..<n { totals[i] += Scores.taintWeight * Scores.maxNodeScore }
        }
        if !pod.preferredAffinity.isEmpty {
            for (i, slot) in feasible.enumerated() {
                if let node = slots[slot] { scratch[i] = Scores.preferredAffinity(pod, node) }
            }
            Scores.normalize(&scratch, reverse: false)
            for i in 0..<n { totals[i] += Scores.affinityWeight * scratch[i] }
        }
        Scores.spread(pod.ownerID, snapshot, feasible, into: &scratch)
        for i in 0..<n { totals[i] += Scores.spreadWeight * scratch[i] }
        // InterPodAffinity: a skipped plugin adds nothing to any node.
        if let state = InterPodAffinity.preScore(pod, snapshot) {
            for (i, slot) in feasible.enumerated() {
                scratch[i] = slots[slot].map { InterPodAffinity.score(state, $0) } ?? 0
            }
            InterPodAffinity.normalize(&scratch)
            for i in 0..<n { totals[i] += Scores.interPodAffinityWeight * scratch[i] }
        }
    }
}
