/// Why a pod fits no node, rendered exactly as kube's `FitError.Error()` with the DefaultPreemption
/// post-filter message appended (what `kubectl describe pod` shows under FailedScheduling):
/// `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {k: }. preemption:
/// 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not
/// helpful for scheduling..` — reasons counted per node, rendered "count reason" and sorted as
/// strings; the preemption part ends in its own period before the separator's, hence "..".
/// Preemption itself is not implemented: a node where it could help reports that no victims were
/// found, which is kube's answer when every pod has the same priority.
public struct FitError: Error, Hashable, Sendable, CustomStringConvertible {
    public var numAllNodes: Int
    public var nodeStatuses: [String: FilterStatus]

    public init(numAllNodes: Int, nodeStatuses: [String: FilterStatus]) {
        self.numAllNodes = numAllNodes
        self.nodeStatuses = nodeStatuses
    }

    static func histogram(_ counts: [String: Int]) -> String {
        counts.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", ")
    }

    public var filterMessage: String {
        var counts: [String: Int] = [:]
        for s in nodeStatuses.values { for r in s.reasons { counts[r, default: 0] += 1 } }
        return "0/\(numAllNodes) nodes are available: " + Self.histogram(counts) + "."
    }

    public var preemptionMessage: String {
        var counts: [String: Int] = [:]
        for s in nodeStatuses.values {
            counts[s.resolvable ? "No preemption victims found for incoming pod" : "Preemption is not helpful for scheduling",
                   default: 0] += 1
        }
        return "preemption: 0/\(numAllNodes) nodes are available: " + Self.histogram(counts) + "."
    }

    public var description: String { filterMessage + " " + preemptionMessage + "." }
}
