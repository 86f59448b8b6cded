import KubeAPI

/// The annotations a Deployment and its ReplicaSets carry (kube's `deploymentutil`), and the
/// ReplicaSet orderings the controller relies on.
public enum DeploymentAnnotations {
    public static let revision = "deployment.kubernetes.io/revision"
    public static let revisionHistory = "deployment.kubernetes.io/revision-history"
    public static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    public static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    /// Never copied from the Deployment to its ReplicaSets.
    static let notCopied: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revision, revisionHistory, desiredReplicas, maxReplicas,
        "deprecated.deployment.rollback.to",
    ]

    public static func revision(of rs: ReplicaSet) -> Int64 {
        rs.metadata.annotations?[revision].flatMap { Int64($0) } ?? 0
    }

    public static func maxRevision(_ rss: [ReplicaSet]) -> Int64 { rss.map(revision(of:)).max() ?? 0 }

    /// Copies the Deployment's annotations to the new ReplicaSet and raises its revision to
    /// `newRevision` when lower, remembering the old one in revision-history (so `kubectl rollout
    /// undo` of an old template finds it under its new number). Returns whether anything changed.
    static func setNewReplicaSetAnnotations(_ d: Deployment, _ rs: inout ReplicaSet, newRevision: Int64, exists: Bool,
                                            settings: DeploymentSettings) -> Bool {
        var ann = rs.metadata.annotations ?? [:]
        var changed = false
        for (k, v) in d.metadata.annotations ?? [:] where !notCopied.contains(k) && ann[k] != v {
            ann[k] = v
            changed = true
        }
        let old = ann[revision]
        let oldInt = old.flatMap { Int64($0) } ?? 0
        if old != nil && Int64(old!) == nil { return false }
        if oldInt < newRevision {
            ann[revision] = String(newRevision)
            changed = true
            if let old, !old.isEmpty {
                ann[revisionHistory] = ann[revisionHistory].map { $0 + "," + old } ?? old
            }
        }
        if !exists {
            ann[desiredReplicas] = String(settings.replicas)
            ann[maxReplicas] = String(settings.replicas + settings.effectiveMaxSurge)
            changed = true
        }
        rs.metadata.annotations = ann
        return changed
    }

    static func replicasAnnotationsNeedUpdate(_ rs: ReplicaSet, desired: Int32, max: Int32) -> Bool {
        let a = rs.metadata.annotations ?? [:]
        return a[desiredReplicas] != String(desired) || a[maxReplicas] != String(max)
    }

    static func setReplicasAnnotations(_ rs: inout ReplicaSet, desired: Int32, max: Int32) {
        var a = rs.metadata.annotations ?? [:]
        a[desiredReplicas] = String(desired)
        a[maxReplicas] = String(max)
        rs.metadata.annotations = a
    }

    static func desired(_ rs: ReplicaSet) -> Int32? { rs.metadata.annotations?[desiredReplicas].flatMap { Int32($0) } }
    static func max(_ rs: ReplicaSet) -> Int32? { rs.metadata.annotations?[maxReplicas].flatMap { Int32($0) } }
}

extension ReplicaSet {
    var specReplicas: Int32 { spec?.replicas ?? 1 }
    var statusReplicas: Int32 { status?.replicas ?? 0 }
    var availableReplicas: Int32 { status?.availableReplicas ?? 0 }
    var readyReplicas: Int32 { status?.readyReplicas ?? 0 }

    /// Older first, then by name (`ReplicaSetsByCreationTimestamp`).
    static func olderFirst(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        let ta = a.metadata.creationTimestamp?.seconds ?? 0, tb = b.metadata.creationTimestamp?.seconds ?? 0
        if ta != tb { return ta < tb }
        return (a.metadata.name ?? "") < (b.metadata.name ?? "")
    }
}

/// Templates equal once the pod-template-hash label is removed (`EqualIgnoreHash`); nil and empty
/// label maps are the same, as kube's semantic equality treats them.
public func templatesEqualIgnoringHash(_ a: PodTemplateSpec?, _ b: PodTemplateSpec?) -> Bool {
    func strip(_ t: PodTemplateSpec?) -> PodTemplateSpec {
        var t = t ?? PodTemplateSpec()
        var meta = t.metadata ?? ObjectMeta()
        meta.labels?[PodTemplateHash.label] = nil
        if meta.labels?.isEmpty == true { meta.labels = nil }
        if meta.annotations?.isEmpty == true { meta.annotations = nil }
        t.metadata = meta == ObjectMeta() ? nil : meta
        return t
    }
    return strip(a) == strip(b)
}
