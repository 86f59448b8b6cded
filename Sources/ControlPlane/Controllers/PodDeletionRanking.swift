import Glibc
import KubeAPI

/// Which pods a controller deletes first when it scales down: kube's `ActivePodsWithRanks.Less` with
/// LogarithmicScaleDown (on by default):
/// 1. not yet scheduled < scheduled; 2. Pending < Unknown < Running; 3. not ready < ready;
/// 4. lower `controller.kubernetes.io/pod-deletion-cost` first; 5. more pods of the same owner
/// on its node first; 6. ready more recently first (by power-of-two age buckets); 7. more restarts
/// first; 8. created more recently first (same buckets); then by uid when buckets tie.
public struct PodDeletionRanking {
    public var now: Time
    /// For each pod key: how many related active pods share its node.
    public var rank: [String: Int]

    public static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

    public init(now: Time, pods: [Pod], related: [Pod]) {
        self.now = now
        var perNode: [String: Int] = [:]
        for p in related where PodState.isActive(p) {
            if let n = p.spec?.nodeName, !n.isEmpty { perNode[n, default: 0] += 1 }
        }
        var r: [String: Int] = [:]
        for p in pods {
            r[PodState.key(p.metadata)] = (p.spec?.nodeName).flatMap { perNode[$0] } ?? 0
        }
        rank = r
    }

    /// The `count` pods to delete from `pods`, most deletable first.
    public func podsToDelete(_ pods: [Pod], count: Int) -> [Pod] {
        Array(pods.sorted(by: deleteBefore).prefix(count))
    }

    static func phaseOrder(_ p: Pod) -> Int {
        switch p.status?.phase ?? "Pending" {
        case "Pending": 0
        case "Unknown": 1
        case "Running": 2
        default: 0
        }
    }

    static func cost(_ p: Pod) -> Int32 {
        p.metadata.annotations?[deletionCostAnnotation].flatMap { Int32($0) } ?? 0
    }

    /// Power-of-two bucket of how long ago `t` was, in nanoseconds (kube's `logarithmicRankDiff`).
    func bucket(_ t: Time) -> Int64 {
        let d = (now.seconds - t.seconds) * 1_000_000_000
        if d <= 0 { return -1 }
        return Int64(floor(log2(Double(d))))
    }

    public func deleteBefore(_ a: Pod, _ b: Pod) -> Bool {
        let aNode = a.spec?.nodeName ?? "", bNode = b.spec?.nodeName ?? ""
        if aNode.isEmpty != bNode.isEmpty { return aNode.isEmpty }
        let pa = Self.phaseOrder(a), pb = Self.phaseOrder(b)
        if pa != pb { return pa < pb }
        let ra = PodState.isReady(a), rb = PodState.isReady(b)
        if ra != rb { return !ra }
        let ca = Self.cost(a), cb = Self.cost(b)
        if ca != cb { return ca < cb }
        let ka = rank[PodState.key(a.metadata)] ?? 0, kb = rank[PodState.key(b.metadata)] ?? 0
        if ka != kb { return ka > kb }
        let uidOrder = (a.metadata.uid ?? "") < (b.metadata.uid ?? "")
        if ra && rb {
            let ta = PodState.readyTime(a), tb = PodState.readyTime(b)
            if ta != tb {
                guard let ta, let tb else { return ta == nil }
                let diff = bucket(ta) - bucket(tb)
                if diff != 0 { return diff < 0 }
                return uidOrder
            }
        }
        let xa = PodState.maxRestarts(a), xb = PodState.maxRestarts(b)
        if xa != xb { return xa > xb }
        let ta = a.metadata.creationTimestamp, tb = b.metadata.creationTimestamp
        if ta != tb {
            guard let ta, let tb else { return ta == nil }
            let diff = bucket(ta) - bucket(tb)
            if diff != 0 { return diff < 0 }
            return uidOrder
        }
        return false
    }
}
