import KubeAPI

/// A pending pod prepared once for a scheduling cycle: requests summed, selectors parsed, the owner
/// interned, so the per-node loop does no parsing or allocation.
public struct PodSchedulingInfo: Sendable {
    public var pod: Pod
    public var key: String
    public var requests: PodRequests
    public var tolerations: [Toleration]
    public var nodeSelector: [(String, String)]
    public var requiredAffinity: NodeSelector?
    public var preferredAffinity: [PreferredSchedulingTerm]
    public var ownerID: Int32?
    /// Namespace, labels and parsed pod (anti-)affinity terms.
    public var affinity: AffinityPod
    public var requestedNodeName: String?
    /// A toleration with no key, operator Exists and no effect tolerates every taint.
    public var tolerationsCoverEverything: Bool

    public init(_ pod: Pod, snapshot: inout SchedulerSnapshot) {
        self.pod = pod
        key = SchedulerSnapshot.key(of: pod)
        let spec = pod.spec
        requests = PodRequests(spec)
        tolerations = spec?.tolerations ?? []
        nodeSelector = (spec?.nodeSelector ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        requiredAffinity = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        preferredAffinity = spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
        ownerID = pod.metadata.controllerRef.map { snapshot.ownerID($0.uid) }
        affinity = AffinityPod(pod, key: key)
        requestedNodeName = spec?.nodeName.flatMap { $0.isEmpty ? nil : $0 }
        tolerationsCoverEverything = tolerations.contains { ($0.key ?? "").isEmpty && $0.operator == "Exists" && ($0.effect ?? "").isEmpty }
    }

    func tolerates(_ taint: Taint) -> Bool {
        tolerationsCoverEverything || tolerations.contains { $0.tolerates(taint) }
    }
}
