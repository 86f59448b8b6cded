import KubeAPI

/// A Deployment's settings with apps/v1 defaults applied (replicas 1, RollingUpdate 25%/25%,
/// revisionHistoryLimit 10, progressDeadlineSeconds 600), and kube's `deploymentutil` arithmetic.
public struct DeploymentSettings: Sendable {
    public var replicas: Int32
    public var rolling: Bool
    public var maxSurge: Int32
    public var maxUnavailable: Int32
    public var minReadySeconds: Int32
    public var revisionHistoryLimit: Int32?
    public var progressDeadlineSeconds: Int32?
    public var paused: Bool

    public init(_ d: Deployment) {
        let spec = d.spec
        replicas = spec?.replicas ?? 1
        let strategy = spec?.strategy
        rolling = (strategy?.type ?? "RollingUpdate") == "RollingUpdate"
        minReadySeconds = spec?.minReadySeconds ?? 0
        let limit = spec?.revisionHistoryLimit ?? 10
        revisionHistoryLimit = limit == Int32.max ? nil : limit
        let deadline = spec?.progressDeadlineSeconds ?? 600
        progressDeadlineSeconds = deadline == Int32.max ? nil : deadline
        paused = spec?.paused ?? false
        if rolling {
            let (s, u) = Self.resolveFenceposts(surge: strategy?.rollingUpdate?.maxSurge ?? "25%",
                                                unavailable: strategy?.rollingUpdate?.maxUnavailable ?? "25%",
                                                desired: replicas)
            maxSurge = s
            maxUnavailable = u
        } else {
            maxSurge = 0
            maxUnavailable = 0
        }
    }

    /// `ResolveFenceposts`: surge rounds up, unavailable down; both 0 would deadlock, so unavailable 1.
    public static func resolveFenceposts(surge: IntOrString, unavailable: IntOrString, desired: Int32) -> (Int32, Int32) {
        let s = Int32(surge.scaledValue(total: Int(desired), roundUp: true) ?? 0)
        var u = Int32(unavailable.scaledValue(total: Int(desired), roundUp: false) ?? 0)
        if s == 0 && u == 0 { u = 1 }
        return (s, u)
    }

    /// `MaxUnavailable`: 0 for Recreate or no replicas, never more than the replicas.
    public var effectiveMaxUnavailable: Int32 {
        if !rolling || replicas == 0 { return 0 }
        return min(maxUnavailable, replicas)
    }

    /// `MaxSurge`: 0 for Recreate.
    public var effectiveMaxSurge: Int32 { rolling ? maxSurge : 0 }
}
