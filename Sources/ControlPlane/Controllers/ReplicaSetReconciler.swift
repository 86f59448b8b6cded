import KubeAPI

/// What the ReplicaSet controller should do for one ReplicaSet.
public struct ReplicaSetPlan: Sendable {
    /// How many pods to create from `podTemplate`.
    public var createCount = 0
    public var podTemplate: Pod?
    public var delete: [Pod] = []
    public var adopt: [Pod] = []
    public var release: [Pod] = []
    public var status: ReplicaSetStatus
    /// Sync again after this many seconds (ready pods waiting out minReadySeconds).
    public var requeueAfter: Int32?
}

/// The ReplicaSet controller's sync as a pure function (kube's `syncReplicaSet`/`manageReplicas`/
/// `calculateStatus`): claim pods, create or delete towards `spec.replicas` when expectations allow,
/// and compute the status it should write.
public enum ReplicaSetReconciler {
    /// kube's burstReplicas: at most this many creates or deletes per sync.
    public static let burstReplicas = 500

    public static func reconcile(_ rs: ReplicaSet, pods: [Pod], relatedPods: [Pod]? = nil,
                                 expectationsSatisfied: Bool, now: Time) -> ReplicaSetPlan {
        let spec = rs.spec
        let selector = (try? Selector(spec?.selector)) ?? .nothing
        let ref = OwnerReference.controller(apiVersion: ReplicaSet.apiVersion, kind: ReplicaSet.kind, rs.metadata)
        let ns = rs.metadata.namespace
        let active = pods.filter { PodState.isActive($0) && $0.metadata.namespace == ns }
        let claims = PodClaims(owner: rs.metadata, ownerRef: ref, selector: selector, pods: active)
        var plan = ReplicaSetPlan(status: ReplicaSetStatus())
        plan.adopt = claims.adopt
        plan.release = claims.release
        let owned = claims.owned
        let desired = Int(spec?.replicas ?? 1)

        if expectationsSatisfied && rs.metadata.deletionTimestamp == nil {
            let diff = owned.count - desired
            if diff < 0 {
                plan.createCount = min(-diff, burstReplicas)
                plan.podTemplate = podFromTemplate(spec?.template, owner: rs.metadata, ref: ref)
            } else if diff > 0 {
                let ranking = PodDeletionRanking(now: now, pods: owned, related: relatedPods ?? owned)
                plan.delete = ranking.podsToDelete(owned, count: min(diff, burstReplicas))
            }
        }

        plan.status = status(rs, owned: owned, now: now)
        let minReady = spec?.minReadySeconds ?? 0
        if minReady > 0, plan.status.readyReplicas ?? 0 == Int32(desired), plan.status.availableReplicas ?? 0 != Int32(desired) {
            plan.requeueAfter = minReady
        }
        return plan
    }

    public static func status(_ rs: ReplicaSet, owned: [Pod], now: Time) -> ReplicaSetStatus {
        let templateLabels = rs.spec?.template?.metadata?.labels ?? [:]
        let minReady = rs.spec?.minReadySeconds ?? 0
        var s = ReplicaSetStatus(replicas: Int32(owned.count))
        var labeled: Int32 = 0, ready: Int32 = 0, available: Int32 = 0
        for p in owned {
            let l = p.metadata.labels ?? [:]
            if templateLabels.allSatisfy({ l[$0.key] == $0.value }) { labeled += 1 }
            if PodState.isReady(p) {
                ready += 1
                if PodState.isAvailable(p, minReadySeconds: minReady, now: now) { available += 1 }
            }
        }
        s.fullyLabeledReplicas = labeled
        s.readyReplicas = ready
        s.availableReplicas = available
        s.observedGeneration = rs.metadata.generation
        s.conditions = rs.status?.conditions
        return s
    }

    /// kube's `GetPodFromTemplate`: template labels/annotations/finalizers, `generateName` "<owner>-",
    /// the controller reference.
    public static func podFromTemplate(_ template: PodTemplateSpec?, owner: ObjectMeta, ref: OwnerReference) -> Pod {
        var meta = ObjectMeta(namespace: owner.namespace, labels: template?.metadata?.labels,
                              annotations: template?.metadata?.annotations)
        var prefix = (owner.name ?? "") + "-"
        // Leave room for the 5 random characters the API server appends (63-character names).
        if prefix.count > 58 { prefix = String(prefix.prefix(58)) }
        meta.generateName = prefix
        meta.finalizers = template?.metadata?.finalizers
        meta.ownerReferences = [ref]
        return Pod(metadata: meta, spec: template?.spec ?? PodSpec())
    }
}
