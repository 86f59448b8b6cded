import KubeAPI

/// One node as the scheduler sees it: what was read from the Node, precomputed once per node
/// update, plus what the pods bound to it use (kept current as pods come and go).
public struct NodeEntry: Sendable {
    public var name: String
    public var labels: [String: String]
    public var allocatableCPUMilli: Int64
    public var allocatableMemory: Int64
    public var allocatablePods: Int64
    public var unschedulable: Bool
    /// NoSchedule and NoExecute taints, in the node's order, plus the not-ready/unreachable taint the
    /// node lifecycle controller would add when Ready is not True and the node does not carry it yet.
    public var hardTaints: [Taint]
    public var preferNoScheduleTaints: [Taint]
    public var zone: String?

    // What bound pods use.
    public var requestedCPUMilli: Int64 = 0
    public var requestedMemory: Int64 = 0
    public var nonZeroCPUMilli: Int64 = 0
    public var nonZeroMemory: Int64 = 0
    public var podCount: Int64 = 0
    public var hostPorts: [HostPortKey: Int] = [:]
    /// Pods per controller owner (owner ids interned by the snapshot).
    public var ownerCounts: [Int32: Int32] = [:]
    /// The pods on the node as inter-pod affinity reads them (namespace, labels, own terms).
    public var pods: [AffinityPod] = []

    public static let zoneLabel = "topology.kubernetes.io/zone"
    public static let notReadyTaint = "node.kubernetes.io/not-ready"
    public static let unreachableTaint = "node.kubernetes.io/unreachable"
    public static let unschedulableTaint = "node.kubernetes.io/unschedulable"

    public init(_ node: Node) {
        name = node.metadata.name ?? ""
        labels = node.metadata.labels ?? [:]
        let alloc = node.status?.allocatable ?? node.status?.capacity ?? [:]
        allocatableCPUMilli = alloc.cpu?.milliValue ?? 0
        allocatableMemory = alloc.memory?.value ?? 0
        // kube's default max-pods when a node does not say.
        allocatablePods = alloc.pods?.value ?? 110
        unschedulable = node.spec?.unschedulable ?? false
        let taints = node.spec?.taints ?? []
        var hard = taints.filter { $0.effect == "NoSchedule" || $0.effect == "NoExecute" }
        let ready = node.status?.condition("Ready")
        if ready?.status != "True",
           !taints.contains(where: { $0.key == NodeEntry.notReadyTaint || $0.key == NodeEntry.unreachableTaint })
        {
            let key = ready?.status == "Unknown" ? NodeEntry.unreachableTaint : NodeEntry.notReadyTaint
            hard.append(Taint(key: key, effect: "NoSchedule"))
        }
        hardTaints = hard
        preferNoScheduleTaints = taints.filter { $0.effect == "PreferNoSchedule" }
        zone = labels[NodeEntry.zoneLabel]
    }

    mutating func add(_ pod: AssignedPod, sign: Int64) {
        let r = pod.requests
        requestedCPUMilli += sign * r.cpuMilli
        requestedMemory += sign * r.memory
        nonZeroCPUMilli += sign * r.nonZeroCPUMilli
        nonZeroMemory += sign * r.nonZeroMemory
        podCount += sign
        for p in r.hostPorts {
            let n = (hostPorts[p] ?? 0) + Int(sign)
            hostPorts[p] = n > 0 ? n : nil
        }
        if let o = pod.ownerID {
            let n = (ownerCounts[o] ?? 0) + Int32(sign)
            ownerCounts[o] = n > 0 ? n : nil
        }
        // Order does not matter (affinity counts are sums), so removal swaps with the last.
        if sign > 0 {
            pods.append(pod.affinity)
        } else if let i = pods.lastIndex(where: { $0.key == pod.key }) {
            pods.swapAt(i, pods.count - 1)
            pods.removeLast()
        }
    }

    /// Keeps the usage of `old` when the Node object itself changes.
    mutating func takeUsage(from old: NodeEntry) {
        requestedCPUMilli = old.requestedCPUMilli
        requestedMemory = old.requestedMemory
        nonZeroCPUMilli = old.nonZeroCPUMilli
        nonZeroMemory = old.nonZeroMemory
        podCount = old.podCount
        hostPorts = old.hostPorts
        ownerCounts = old.ownerCounts
        pods = old.pods
    }
}

/// A pod bound (or assumed) to a node, as accounted in the snapshot.
public struct AssignedPod: Sendable {
    public var key: String
    public var nodeName: String
    public var requests: PodRequests
    public var ownerID: Int32?
    /// Namespace, labels and terms: an assumed pod counts for inter-pod affinity at once.
    public var affinity: AffinityPod

    public init(key: String, nodeName: String, requests: PodRequests, ownerID: Int32?, affinity: AffinityPod) {
        self.key = key
        self.nodeName = nodeName
        self.requests = requests
        self.ownerID = ownerID
        self.affinity = affinity
    }

    /// The pod being scheduled, placed on `nodeName` (what the scheduler assumes before binding).
    public init(_ pod: PodSchedulingInfo, nodeName: String) {
        self.init(key: pod.key, nodeName: nodeName, requests: pod.requests, ownerID: pod.ownerID, affinity: pod.affinity)
    }
}

/// The numbers of one node the hot loop reads, kept beside `NodeEntry` as a plain value (no
/// references, so reading it costs no retain/release): usage, allocatable, and flags saying
/// whether the slow filters (taints, unschedulable) have anything to look at.
public struct NodeNumbers: Sendable {
    public var allocatableCPUMilli: Int64 = 0
    public var allocatableMemory: Int64 = 0
    public var allocatablePods: Int64 = 0
    public var requestedCPUMilli: Int64 = 0
    public var requestedMemory: Int64 = 0
    public var nonZeroCPUMilli: Int64 = 0
    public var nonZeroMemory: Int64 = 0
    public var podCount: Int64 = 0
    public var unschedulable = false
    public var hasHardTaints = false
    public var hasPreferNoSchedule = false
    public var hasHostPorts = false
    /// Interned zone, -1 when the node has none.
    public var zoneID: Int32 = -1

    public init() {}

    init(_ e: NodeEntry, zoneID: Int32) {
        allocatableCPUMilli = e.allocatableCPUMilli
        allocatableMemory = e.allocatableMemory
        allocatablePods = e.allocatablePods
        requestedCPUMilli = e.requestedCPUMilli
        requestedMemory = e.requestedMemory
        nonZeroCPUMilli = e.nonZeroCPUMilli
        nonZeroMemory = e.nonZeroMemory
        podCount = e.podCount
        unschedulable = e.unschedulable
        hasHardTaints = !e.hardTaints.isEmpty
        hasPreferNoSchedule = !e.preferNoScheduleTaints.isEmpty
        hasHostPorts = !e.hostPorts.isEmpty
        self.zoneID = zoneID
    }
}
