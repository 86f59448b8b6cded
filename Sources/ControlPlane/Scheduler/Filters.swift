import KubeAPI

/// Why a node was filtered out, with kube's reason text and whether preemption could help
/// (`Unschedulable`) or not (`UnschedulableAndUnresolvable`).
public struct FilterStatus: Hashable, Sendable {
    public var reasons: [String]
    public var resolvable: Bool
    public init(reasons: [String], resolvable: Bool) {
        self.reasons = reasons
        self.resolvable = resolvable
    }

    public static let unschedulable = FilterStatus(reasons: ["node(s) were unschedulable"], resolvable: false)
    public static let nodeName = FilterStatus(reasons: ["node(s) didn't match the requested node name"], resolvable: false)
    public static let affinity = FilterStatus(reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false)
    public static let ports = FilterStatus(reasons: ["node(s) didn't have free ports for the requested pod ports"], resolvable: true)
    public static func taint(_ t: Taint) -> FilterStatus {
        FilterStatus(reasons: ["node(s) had untolerated taint {\(t.key): \(t.value ?? "")}"], resolvable: false)
    }
}

/// The default profile's filter plugins, in kube's order (NodeUnschedulable, NodeName, TaintToleration,
/// NodeAffinity, NodePorts, NodeResourcesFit, InterPodAffinity); the first failing plugin decides, as
/// kube does. `interPodAffinity` is the pod's PreFilter result, nil when that plugin has nothing to check.
public enum Filters {
    public static func check(_ pod: PodSchedulingInfo, _ node: NodeEntry,
                             _ interPodAffinity: InterPodAffinity.FilterState? = nil) -> FilterStatus? {
        if let s = nodeUnschedulable(pod, node) { return s }
        if let want = pod.requestedNodeName, want != node.name { return .nodeName }
        if let s = taintToleration(pod, node) { return s }
        if !nodeAffinity(pod, node) { return .affinity }
        if !pod.requests.hostPorts.isEmpty, !portsFree(pod, node) { return .ports }
        if let s = resourcesFit(pod.requests, node) { return s }
        if let state = interPodAffinity { return InterPodAffinity.filter(state, node) }
        return nil
    }

    /// NodeUnschedulable: `spec.unschedulable` unless the pod tolerates node.kubernetes.io/unschedulable.
    public static func nodeUnschedulable(_ pod: PodSchedulingInfo, _ node: NodeEntry) -> FilterStatus? {
        guard node.unschedulable else { return nil }
        let t = Taint(key: NodeEntry.unschedulableTaint, effect: "NoSchedule")
        return pod.tolerates(t) ? nil : .unschedulable
    }

    /// TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate.
    public static func taintToleration(_ pod: PodSchedulingInfo, _ node: NodeEntry) -> FilterStatus? {
        for t in node.hardTaints where !pod.tolerates(t) { return .taint(t) }
        return nil
    }

    /// NodeAffinity: nodeSelector (all pairs) and the required node affinity (terms ORed).
    public static func nodeAffinity(_ pod: PodSchedulingInfo, _ node: NodeEntry) -> Bool {
        for (k, v) in pod.nodeSelector where node.labels[k] != v { return false }
        if let req = pod.requiredAffinity {
            return req.nodeSelectorTerms.contains { $0.matches(labels: node.labels, nodeName: node.name) }
        }
        return true
    }

    /// NodePorts: every requested host port is free (same protocol and port; 0.0.0.0 overlaps all).
    public static func portsFree(_ pod: PodSchedulingInfo, _ node: NodeEntry) -> Bool {
        for want in pod.requests.hostPorts {
            for used in node.hostPorts.keys where want.conflicts(with: used) { return false }
        }
        return true
    }

    /// NodeResourcesFit (`fitsRequest`): pod count first, then cpu and memory, each reason kept.
    /// A request larger than the node's whole allocatable cannot be helped by preemption.
    public static func resourcesFit(_ r: PodRequests, _ node: NodeEntry) -> FilterStatus? {
        var reasons: [String] = []
        var resolvable = true
        if node.podCount + 1 > node.allocatablePods { reasons.append("Too many pods") }
        if r.cpuMilli > 0, r.cpuMilli > node.allocatableCPUMilli - node.requestedCPUMilli {
            reasons.append("Insufficient cpu")
            if r.cpuMilli > node.allocatableCPUMilli { resolvable = false }
        }
        if r.memory > 0, r.memory > node.allocatableMemory - node.requestedMemory {
            reasons.append("Insufficient memory")
            if r.memory > node.allocatableMemory { resolvable = false }
        }
        return reasons.isEmpty ? nil : FilterStatus(reasons: reasons, resolvable: resolvable)
    }
}
