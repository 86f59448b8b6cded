import KubeAPI

/// The default profile's score plugins and weights (kube 1.32): TaintToleration 3, NodeAffinity 2,
/// PodTopologySpread 2 (here: spreading one owner's pods over nodes and zones, as the system default
/// constraints and the older SelectorSpread do), NodeResourcesFit LeastAllocated 1,
/// NodeResourcesBalancedAllocation 1, InterPodAffinity 2 (InterPodAffinity.swift). ImageLocality is not scored.
public enum Scores {
    public static let maxNodeScore: Int64 = 100
    public static let taintWeight: Int64 = 3
    public static let affinityWeight: Int64 = 2
    public static let spreadWeight: Int64 = 2
    public static let leastAllocatedWeight: Int64 = 1
    public static let balancedWeight: Int64 = 1
    public static let interPodAffinityWeight: Int64 = 2

    /// LeastAllocated over cpu and memory (weights 1 and 1), with the pod's non-zero requests added.
    @inline(__always)
    public static func leastAllocated(_ r: PodRequests, _ n: NodeNumbers) -> Int64 {
        func score(_ requested: Int64, _ capacity: Int64) -> Int64 {
            if capacity == 0 || requested > capacity { return 0 }
            return (capacity - requested) * maxNodeScore / capacity
        }
        let cpu = score(n.nonZeroCPUMilli + r.nonZeroCPUMilli, n.allocatableCPUMilli)
        let mem = score(n.nonZeroMemory + r.nonZeroMemory, n.allocatableMemory)
        return (cpu + mem) / 2
    }

    /// BalancedAllocation: 100 × (1 − |cpuFraction − memoryFraction| / 2), fractions capped at 1.
    @inline(__always)
    public static func balanced(_ r: PodRequests, _ n: NodeNumbers) -> Int64 {
        func fraction(_ requested: Int64, _ capacity: Int64) -> Double {
            if capacity == 0 { return 1 }
            return min(1, Double(requested) / Double(capacity))
        }
        let cpu = fraction(n.nonZeroCPUMilli + r.nonZeroCPUMilli, n.allocatableCPUMilli)
        let mem = fraction(n.nonZeroMemory + r.nonZeroMemory, n.allocatableMemory)
        let std = abs(cpu - mem) / 2
        return Int64((1 - std) * Double(maxNodeScore))
    }

    /// Count of PreferNoSchedule taints the pod does not tolerate (normalized later, reversed).
    @inline(__always)
    public static func intolerablePreferNoSchedule(_ pod: PodSchedulingInfo, _ n: NodeEntry) -> Int64 {
        var c: Int64 = 0
        for t in n.preferNoScheduleTaints where !pod.tolerates(t) { c += 1 }
        return c
    }

    /// Sum of the weights of the preferred node affinity terms that match (normalized later).
    @inline(__always)
    public static func preferredAffinity(_ pod: PodSchedulingInfo, _ n: NodeEntry) -> Int64 {
        var s: Int64 = 0
        for t in pod.preferredAffinity where t.preference.matches(labels: n.labels, nodeName: n.name) {
            s += Int64(t.weight)
        }
        return s
    }

    /// `helper.DefaultNormalizeScore`: scale to 0…100 by the max; `reverse` flips (fewer is better).
    public static func normalize(_ scores: inout [Int64], reverse: Bool) {
        var maxCount: Int64 = 0
        for s in scores where s > maxCount { maxCount = s }
        if maxCount == 0 {
            if reverse { for i in scores.indices { scores[i] = maxNodeScore } }
            return
        }
        for i in scores.indices {
            var s = maxNodeScore * scores[i] / maxCount
            if reverse { s = maxNodeScore - s }
            scores[i] = s
        }
    }

    /// Spreading of one owner's pods: fewer of them on a node (and in its zone, weighted 2/3 when the
    /// nodes have zones) scores higher, relative to the most loaded feasible node.
    public static func spread(_ ownerID: Int32?, _ snapshot: SchedulerSnapshot, _ feasible: [Int], into scores: inout [Int64]) {
        guard let ownerID, let perSlot = snapshot.ownerSlots[ownerID], !perSlot.isEmpty else {
            for i in scores.indices { scores[i] = maxNodeScore }
            return
        }
        let numbers = snapshot.numbers
        var maxNode: Int64 = 0
        var zoneCounts = [Int64](repeating: 0, count: snapshot.zoneCount)
        var anyZone = false
        for (i, slot) in feasible.enumerated() {
            let c = Int64(perSlot[Int32(slot)] ?? 0)
            scores[i] = c
            maxNode = max(maxNode, c)
            let z = numbers[slot].zoneID
            if z >= 0 {
                anyZone = true
                zoneCounts[Int(z)] += c
            }
        }
        let maxZone = zoneCounts.max() ?? 0
        for (i, slot) in feasible.enumerated() {
            var f = maxNodeScore
            if maxNode > 0 { f = maxNodeScore * (maxNode - scores[i]) / maxNode }
            let z = numbers[slot].zoneID
            if anyZone, z >= 0 {
                var zs = maxNodeScore
                if maxZone > 0 { zs = maxNodeScore * (maxZone - zoneCounts[Int(z)]) / maxZone }
                f = (f + 2 * zs) / 3
            }
            scores[i] = f
        }
    }
}
