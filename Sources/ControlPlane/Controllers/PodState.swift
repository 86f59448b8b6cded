import KubeAPI

/// Pod predicates the controllers share (`podutil` and `controller.FilterActivePods` in kube).
public enum PodState {
    /// Ready condition True.
    public static func isReady(_ pod: Pod) -> Bool { pod.status?.isReady ?? false }

    /// When the pod last became Ready, if it is Ready.
    public static func readyTime(_ pod: Pod) -> Time? {
        guard let c = pod.status?.condition("Ready"), c.status == "True" else { return nil }
        return c.lastTransitionTime
    }

    /// Ready for at least `minReadySeconds` (strictly longer, as `IsPodAvailable`).
    public static func isAvailable(_ pod: Pod, minReadySeconds: Int32, now: Time) -> Bool {
        guard let c = pod.status?.condition("Ready"), c.status == "True" else { return false }
        if minReadySeconds == 0 { return true }
        guard let t = c.lastTransitionTime else { return false }
        return t.seconds + Int64(minReadySeconds) < now.seconds
    }

    /// Not finished and not being deleted: the pods a ReplicaSet counts.
    public static func isActive(_ pod: Pod) -> Bool {
        let phase = pod.status?.phase
        return phase != "Succeeded" && phase != "Failed" && pod.metadata.deletionTimestamp == nil
    }

    public static func maxRestarts(_ pod: Pod) -> Int32 {
        var m: Int32 = 0
        for s in pod.status?.containerStatuses ?? [] { m = max(m, s.restartCount) }
        return m
    }

    public static func key(_ meta: ObjectMeta) -> String { (meta.namespace ?? "") + "/" + (meta.name ?? "") }
}
