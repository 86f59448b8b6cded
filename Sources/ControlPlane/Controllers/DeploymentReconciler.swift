import KubeAPI

/// One write the Deployment controller asks for.
public enum DeploymentAction: Hashable, Sendable {
    case createReplicaSet(ReplicaSet)
    /// The ReplicaSet as it should be (replicas, annotations, owner references, minReadySeconds).
    case updateReplicaSet(ReplicaSet)
    case deleteReplicaSet(ReplicaSet)
    /// The Deployment's annotations as they should be (its revision).
    case updateDeploymentAnnotations([String: String])
    case updateStatus(DeploymentStatus)
}

public struct DeploymentPlan: Sendable {
    public var actions: [DeploymentAction] = []
    /// Sync again after this many seconds (to notice a progress deadline passing).
    public var requeueAfter: Int64?

    /// The actions with repeated writes of one ReplicaSet folded into one: each update carries the
    /// ReplicaSet as it should end up, so only the last counts, and a ReplicaSet created in this plan
    /// is created in its final form (two PUTs from one cached resourceVersion would conflict).
    public var coalesced: [DeploymentAction] {
        var out: [DeploymentAction] = []
        var index: [String: Int] = [:]
        for a in actions {
            switch a {
            case .createReplicaSet(let rs):
                index[rs.metadata.name ?? ""] = out.count
                out.append(a)
            case .updateReplicaSet(let rs):
                let name = rs.metadata.name ?? ""
                if let i = index[name] {
                    if case .createReplicaSet = out[i] { out[i] = .createReplicaSet(rs) } else { out[i] = .updateReplicaSet(rs) }
                } else {
                    index[name] = out.count
                    out.append(a)
                }
            default:
                out.append(a)
            }
        }
        return out
    }
}

/// The Deployment controller's sync as a pure function of the Deployment, the ReplicaSets and pods
/// of its namespace and the time (kube's `syncDeployment`, `rolloutRolling`, `rolloutRecreate`,
/// `sync`/`scale`, `syncRolloutStatus`, `cleanupDeployment`). Like kube it takes one step per sync and
/// relies on being called again as ReplicaSets and pods change.
public struct DeploymentReconciler {
    public static let progressingType = "Progressing"
    public static let availableType = "Available"

    var d: Deployment
    let settings: DeploymentSettings
    /// The Deployment's ReplicaSets, kept current as the plan updates them.
    var rss: [ReplicaSet]
    let allInNamespace: [ReplicaSet]
    let pods: [Pod]
    let now: Time
    var plan = DeploymentPlan()
    var originalStatus: DeploymentStatus

    public static func reconcile(_ d: Deployment, replicaSets: [ReplicaSet], pods: [Pod], now: Time) -> DeploymentPlan {
        var r = DeploymentReconciler(d, replicaSets: replicaSets, pods: pods, now: now)
        r.run()
        return r.plan
    }

    init(_ d: Deployment, replicaSets: [ReplicaSet], pods: [Pod], now: Time) {
        self.d = d
        settings = DeploymentSettings(d)
        allInNamespace = replicaSets.filter { $0.metadata.namespace == d.metadata.namespace }
        self.pods = pods
        self.now = now
        originalStatus = d.status ?? DeploymentStatus()
        rss = []
    }

    var status: DeploymentStatus {
        get { d.status ?? DeploymentStatus() }
        set { d.status = newValue }
    }

    // MARK: Flow

    mutating func run() {
        let selector = (try? Selector(d.spec?.selector)) ?? .nothing
        if selector.isEverything || selector.matchesNothing {
            // kube refuses to act on a selector that selects everything; it only records the generation.
            var s = status
            if s.observedGeneration != d.metadata.generation {
                s.observedGeneration = d.metadata.generation
                plan.actions.append(.updateStatus(s))
            }
            return
        }
        claimReplicaSets(selector)
        if d.metadata.deletionTimestamp != nil {
            syncStatusOnly()
            return
        }
        checkPausedConditions()
        if settings.paused {
            syncScaleAndStatus()
            return
        }
        if isScalingEvent() {
            syncScaleAndStatus()
            return
        }
        if settings.rolling { rolloutRolling() } else { rolloutRecreate() }
    }

    mutating func claimReplicaSets(_ selector: Selector) {
        let uid = d.metadata.uid ?? ""
        let ref = OwnerReference.controller(apiVersion: Deployment.apiVersion, kind: Deployment.kind, d.metadata)
        for var rs in allInNamespace {
            let matches = selector.matches(rs.metadata.labels)
            if let c = rs.metadata.controllerRef {
                guard c.uid == uid else { continue }
                if matches {
                    rss.append(rs)
                } else if d.metadata.deletionTimestamp == nil {
                    rs.metadata.ownerReferences = rs.metadata.ownerReferences?.filter { $0.uid != uid }
                    plan.actions.append(.updateReplicaSet(rs))
                }
            } else if matches, d.metadata.deletionTimestamp == nil, rs.metadata.deletionTimestamp == nil {
                rs.metadata.ownerReferences = (rs.metadata.ownerReferences ?? []) + [ref]
                plan.actions.append(.updateReplicaSet(rs))
                rss.append(rs)
            }
        }
    }

    // MARK: New and old ReplicaSets

    func findNew() -> ReplicaSet? {
        rss.sorted(by: ReplicaSet.olderFirst).first { templatesEqualIgnoringHash($0.spec?.template, d.spec?.template) }
    }

    func olds(excluding new: ReplicaSet?) -> [ReplicaSet] {
        rss.filter { $0.metadata.uid != new?.metadata.uid || new == nil }
    }

    mutating func replace(_ rs: ReplicaSet) {
        if let i = rss.firstIndex(where: { $0.metadata.name == rs.metadata.name }) { rss[i] = rs } else { rss.append(rs) }
    }

    /// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (created when asked and missing) and the
    /// old ones; the new one's revision is raised above every old one, and the Deployment's follows.
    mutating func newAndOld(create: Bool) -> (ReplicaSet?, [ReplicaSet])? {
        let existing = findNew()
        let old = olds(excluding: existing)
        let newRevision = DeploymentAnnotations.maxRevision(old) + 1
        if var rs = existing {
            let before = rs
            let changed = DeploymentAnnotations.setNewReplicaSetAnnotations(d, &rs, newRevision: newRevision, exists: true,
                                                                             settings: settings)
            if changed || rs.spec?.minReadySeconds != d.spec?.minReadySeconds {
                rs.spec?.minReadySeconds = d.spec?.minReadySeconds
                if rs != before {
                    plan.actions.append(.updateReplicaSet(rs))
                    replace(rs)
                }
            }
            var needsStatus = false
            setDeploymentRevision(rs.metadata.annotations?[DeploymentAnnotations.revision] ?? "")
            if settings.progressDeadlineSeconds != nil, status.condition(Self.progressingType) == nil {
                setCondition(Self.progressingType, "True", "FoundNewReplicaSet", "Found new replica set \"\(rs.metadata.name ?? "")\"")
                needsStatus = true
            }
            if needsStatus { plan.actions.append(.updateStatus(status)) }
            return (rs, olds(excluding: rs))
        }
        guard create else { return (nil, old) }

        var template = d.spec?.template ?? PodTemplateSpec()
        let hash = PodTemplateHash.compute(template, collisionCount: status.collisionCount)
        var tmeta = template.metadata ?? ObjectMeta()
        tmeta.labels = (tmeta.labels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        template.metadata = tmeta
        let name = (d.metadata.name ?? "") + "-" + hash
        if let clash = allInNamespace.first(where: { $0.metadata.name == name }) {
            // Same name, other template: kube bumps collisionCount so the next hash differs.
            if !(clash.metadata.controllerRef?.uid == d.metadata.uid && templatesEqualIgnoringHash(clash.spec?.template, d.spec?.template)) {
                var s = status
                s.collisionCount = (s.collisionCount ?? 0) + 1
                status = s
                plan.actions.append(.updateStatus(s))
                return nil
            }
        }
        var selector = d.spec?.selector ?? LabelSelector()
        selector.matchLabels = (selector.matchLabels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        var meta = ObjectMeta(name: name, namespace: d.metadata.namespace, labels: tmeta.labels)
        meta.ownerReferences = [OwnerReference.controller(apiVersion: Deployment.apiVersion, kind: Deployment.kind, d.metadata)]
        var spec = ReplicaSetSpec(replicas: 0, selector: selector, template: template)
        spec.minReadySeconds = d.spec?.minReadySeconds
        var rs = ReplicaSet(metadata: meta, spec: spec, status: ReplicaSetStatus(replicas: 0))
        let initial = newReplicaCount(all: old + [rs], new: rs)
        rs.spec?.replicas = initial
        _ = DeploymentAnnotations.setNewReplicaSetAnnotations(d, &rs, newRevision: newRevision, exists: false, settings: settings)
        rs.metadata.creationTimestamp = now
        plan.actions.append(.createReplicaSet(rs))
        rss.append(rs)
        setCondition(Self.progressingType, "True", "NewReplicaSetCreated", "Created new replica set \"\(name)\"")
        setDeploymentRevision(String(newRevision))
        plan.actions.append(.updateStatus(status))
        return (rs, old)
    }

    mutating func setDeploymentRevision(_ revision: String) {
        var ann = d.metadata.annotations ?? [:]
        guard ann[DeploymentAnnotations.revision] != revision else { return }
        ann[DeploymentAnnotations.revision] = revision
        d.metadata.annotations = ann
        plan.actions.append(.updateDeploymentAnnotations(ann))
    }

    /// `NewRSNewReplicas`: Recreate goes straight to the desired count; RollingUpdate grows the new
    /// ReplicaSet only as far as maxSurge allows over all ReplicaSets' desired pods.
    func newReplicaCount(all: [ReplicaSet], new: ReplicaSet) -> Int32 {
        guard settings.rolling else { return settings.replicas }
        let current = all.reduce(Int32(0)) { $0 + $1.specReplicas }
        let maxTotal = settings.replicas + settings.maxSurge
        if current >= maxTotal { return new.specReplicas }
        let up = min(maxTotal - current, settings.replicas - new.specReplicas)
        return new.specReplicas + up
    }

    // MARK: Scaling

    @discardableResult
    mutating func scale(_ rs: ReplicaSet, to n: Int32) -> Bool {
        let sizeChange = rs.specReplicas != n
        let maxR = settings.replicas + settings.effectiveMaxSurge
        let annChange = DeploymentAnnotations.replicasAnnotationsNeedUpdate(rs, desired: settings.replicas, max: maxR)
        guard sizeChange || annChange else { return false }
        var copy = rs
        copy.spec?.replicas = n
        DeploymentAnnotations.setReplicasAnnotations(&copy, desired: settings.replicas, max: maxR)
        plan.actions.append(.updateReplicaSet(copy))
        replace(copy)
        return sizeChange
    }

    func current(_ rs: ReplicaSet) -> ReplicaSet { rss.first { $0.metadata.name == rs.metadata.name } ?? rs }

    mutating func isScalingEvent() -> Bool {
        guard let (new, old) = newAndOld(create: false) else { return false }
        for rs in (old + (new.map { [$0] } ?? [])) where rs.specReplicas > 0 {
            if let want = DeploymentAnnotations.desired(rs), want != settings.replicas { return true }
        }
        return false
    }

    /// `sync`: scale (proportionally when a rollout is under way), clean up when paused, write status.
    mutating func syncScaleAndStatus() {
        guard let (new, old) = newAndOld(create: false) else { return }
        scaleAll(new: new, old: old)
        let newNow = new.map(current)
        let oldNow = old.map(current)
        if settings.paused { cleanup(oldNow) }
        writeStatus(all: oldNow + (newNow.map { [$0] } ?? []), new: newNow, rollout: false)
    }

    mutating func scaleAll(new: ReplicaSet?, old: [ReplicaSet]) {
        let all = old + (new.map { [$0] } ?? [])
        let active = all.filter { $0.specReplicas > 0 }
        if active.count <= 1 {
            let target: ReplicaSet?
            if let a = active.first { target = a } else { target = new ?? old.sorted(by: ReplicaSet.olderFirst).last }
            if let t = target, t.specReplicas != settings.replicas { scale(t, to: settings.replicas) }
            return
        }
        if let new, DeploymentAnnotations.desired(new) == settings.replicas, new.availableReplicas == settings.replicas,
           new.specReplicas == settings.replicas
        {
            for rs in old where rs.specReplicas > 0 { scale(rs, to: 0) }
            return
        }
        guard settings.rolling else { return }
        let total = active.reduce(Int32(0)) { $0 + $1.specReplicas }
        let allowed = settings.replicas > 0 ? settings.replicas + settings.maxSurge : 0
        let toAdd = allowed - total
        var ordered = active
        if toAdd > 0 {
            ordered.sort { $0.specReplicas != $1.specReplicas ? $0.specReplicas > $1.specReplicas : !ReplicaSet.olderFirst($0, $1) }
        } else if toAdd < 0 {
            ordered.sort { $0.specReplicas != $1.specReplicas ? $0.specReplicas > $1.specReplicas : ReplicaSet.olderFirst($0, $1) }
        }
        var added: Int32 = 0
        var sizes: [Int32] = []
        for rs in ordered {
            if toAdd != 0 {
                let p = proportion(rs, toAdd: toAdd, added: added)
                sizes.append(rs.specReplicas + p)
                added += p
            } else {
                sizes.append(rs.specReplicas)
            }
        }
        for (i, rs) in ordered.enumerated() {
            var size = sizes[i]
            if i == 0 && toAdd != 0 { size = max(0, size + toAdd - added) }
            scale(rs, to: size)
        }
    }

    /// `GetProportion`: the share of a scale change a ReplicaSet takes, from its size relative to the
    /// max-replicas it was sized for.
    func proportion(_ rs: ReplicaSet, toAdd: Int32, added: Int32) -> Int32 {
        if rs.specReplicas == 0 || toAdd == 0 || toAdd == added { return 0 }
        let fraction: Int32
        if settings.replicas == 0 {
            fraction = -rs.specReplicas
        } else {
            let full = settings.replicas + settings.maxSurge
            let annotated = DeploymentAnnotations.max(rs) ?? (originalStatus.replicas ?? 0)
            let size = annotated == 0 ? 0 : (Double(rs.specReplicas) * Double(full) / Double(annotated)).rounded()
            fraction = Int32(size) - rs.specReplicas
        }
        let allowed = toAdd - added
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }

    // MARK: Rollouts

    mutating func rolloutRolling() {
        guard let (newOpt, old) = newAndOld(create: true), let new = newOpt else { return }
        if reconcileNew(new) {
            syncRolloutStatus()
            return
        }
        if reconcileOld(old.map(current), new: current(new)) {
            syncRolloutStatus()
            return
        }
        if isComplete(originalStatus) { cleanup(old.map(current)) }
        syncRolloutStatus()
    }

    mutating func reconcileNew(_ new: ReplicaSet) -> Bool {
        if new.specReplicas == settings.replicas { return false }
        if new.specReplicas > settings.replicas { return scale(new, to: settings.replicas) }
        return scale(new, to: newReplicaCount(all: rss, new: new))
    }

    mutating func reconcileOld(_ old: [ReplicaSet], new: ReplicaSet) -> Bool {
        let oldPods = old.reduce(Int32(0)) { $0 + $1.specReplicas }
        if oldPods == 0 { return false }
        let allPods = rss.reduce(Int32(0)) { $0 + $1.specReplicas }
        let minAvailable = settings.replicas - settings.effectiveMaxUnavailable
        let newUnavailable = new.specReplicas - new.availableReplicas
        let maxScaledDown = allPods - minAvailable - newUnavailable
        if maxScaledDown <= 0 { return false }
        // First the unhealthy: old pods that are not available cost no availability to remove.
        var cleaned: Int32 = 0
        for rs in old.sorted(by: ReplicaSet.olderFirst) {
            if cleaned >= maxScaledDown { break }
            let cur = current(rs)
            if cur.specReplicas == 0 || cur.availableReplicas == cur.specReplicas { continue }
            let n = min(maxScaledDown - cleaned, cur.specReplicas - cur.availableReplicas)
            scale(cur, to: cur.specReplicas - n)
            cleaned += n
        }
        // Then healthy old pods, down to minAvailable across all ReplicaSets.
        var scaled: Int32 = 0
        let available = rss.reduce(Int32(0)) { $0 + $1.availableReplicas }
        if available > minAvailable {
            let total = available - minAvailable
            for rs in old.sorted(by: ReplicaSet.olderFirst) {
                if scaled >= total { break }
                let cur = current(rs)
                if cur.specReplicas == 0 { continue }
                let n = min(cur.specReplicas, total - scaled)
                scale(cur, to: cur.specReplicas - n)
                scaled += n
            }
        }
        return cleaned + scaled > 0
    }

    mutating func rolloutRecreate() {
        guard let (newOpt, old) = newAndOld(create: false) else { return }
        var scaledDown = false
        for rs in old where rs.specReplicas > 0 {
            scale(rs, to: 0)
            scaledDown = true
        }
        if scaledDown {
            syncRolloutStatus()
            return
        }
        if oldPodsRunning(old) {
            syncRolloutStatus()
            return
        }
        var new = newOpt
        if new == nil {
            guard let (created, _) = newAndOld(create: true) else { return }
            new = created
        }
        if let new { scale(current(new), to: settings.replicas) }
        if isComplete(originalStatus) { cleanup(old.map(current)) }
        syncRolloutStatus()
    }

    /// Recreate waits until no pod of an old ReplicaSet may still be running.
    func oldPodsRunning(_ old: [ReplicaSet]) -> Bool {
        if old.reduce(Int32(0), { $0 + $1.statusReplicas }) > 0 { return true }
        let uids = Set(old.compactMap(\.metadata.uid))
        for p in pods where p.metadata.controllerRef.map({ uids.contains($0.uid) }) == true {
            switch p.status?.phase {
            case "Failed", "Succeeded": continue
            default: return true
            }
        }
        return false
    }

    /// `cleanupDeployment`: delete the oldest revisions beyond revisionHistoryLimit, never one
    /// with pods or whose status is behind.
    mutating func cleanup(_ old: [ReplicaSet]) {
        guard let limit = settings.revisionHistoryLimit else { return }
        let alive = old.filter { $0.metadata.deletionTimestamp == nil }
        let diff = alive.count - Int(limit)
        if diff <= 0 { return }
        let byRevision = alive.sorted {
            let ra = DeploymentAnnotations.revision(of: $0), rb = DeploymentAnnotations.revision(of: $1)
            return ra != rb ? ra < rb : ReplicaSet.olderFirst($0, $1)
        }
        for rs in byRevision.prefix(diff) {
            if rs.statusReplicas != 0 || rs.specReplicas != 0 { continue }
            if (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) { continue }
            plan.actions.append(.deleteReplicaSet(rs))
            rss.removeAll { $0.metadata.name == rs.metadata.name }
        }
    }

    // MARK: Status

    mutating func syncStatusOnly() {
        guard let (new, old) = newAndOld(create: false) else { return }
        writeStatus(all: old + (new.map { [$0] } ?? []), new: new, rollout: false)
    }

    func isComplete(_ s: DeploymentStatus) -> Bool {
        let r = settings.replicas
        return (s.updatedReplicas ?? 0) == r && (s.replicas ?? 0) == r && (s.availableReplicas ?? 0) == r
            && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
    }

    func calculateStatus(all: [ReplicaSet], new: ReplicaSet?) -> DeploymentStatus {
        let available = all.reduce(Int32(0)) { $0 + $1.availableReplicas }
        let total = all.reduce(Int32(0)) { $0 + $1.specReplicas }
        var s = DeploymentStatus()
        s.observedGeneration = d.metadata.generation
        s.replicas = all.reduce(Int32(0)) { $0 + $1.statusReplicas }
        s.updatedReplicas = new?.statusReplicas ?? 0
        s.readyReplicas = all.reduce(Int32(0)) { $0 + $1.readyReplicas }
        s.availableReplicas = available
        s.unavailableReplicas = max(0, total - available)
        s.collisionCount = status.collisionCount
        s.conditions = status.conditions
        if available >= settings.replicas - settings.effectiveMaxUnavailable {
            Self.setCondition(&s, type: Self.availableType, status: "True", reason: "MinimumReplicasAvailable",
                              message: "Deployment has minimum availability.", now: now)
        } else {
            Self.setCondition(&s, type: Self.availableType, status: "False", reason: "MinimumReplicasUnavailable",
                              message: "Deployment does not have minimum availability.", now: now)
        }
        return s
    }

    mutating func writeStatus(all: [ReplicaSet], new: ReplicaSet?, rollout: Bool) {
        let s = calculateStatus(all: all, new: new)
        if s != status {
            status = s
            plan.actions.append(.updateStatus(s))
        }
    }

    /// `syncRolloutStatus`: the status plus the Progressing condition (progress, completion,
    /// deadline) that `kubectl rollout status` reads.
    mutating func syncRolloutStatus() {
        let new = findNew().map(current)
        let all = rss
        var s = calculateStatus(all: all, new: new)
        if let deadline = settings.progressDeadlineSeconds {
            let cond = s.condition(Self.progressingType)
            let complete = s.replicas == s.updatedReplicas && cond?.reason == "NewReplicaSetAvailable"
            if !complete {
                let rsName = new?.metadata.name ?? ""
                if isComplete(s) {
                    Self.setCondition(&s, type: Self.progressingType, status: "True", reason: "NewReplicaSetAvailable",
                                      message: "ReplicaSet \"\(rsName)\" has successfully progressed.", now: now)
                } else if isProgressing(s) {
                    let msg = new != nil ? "ReplicaSet \"\(rsName)\" is progressing." : "Deployment \"\(d.metadata.name ?? "")\" is progressing."
                    var c = DeploymentCondition(type: Self.progressingType, status: "True", lastUpdateTime: now,
                                                lastTransitionTime: now, reason: "ReplicaSetUpdated", message: msg)
                    if let cond, cond.status == "True" { c.lastTransitionTime = cond.lastTransitionTime }
                    s.conditions = (s.conditions ?? []).filter { $0.type != Self.progressingType } + [c]
                } else if cond?.reason == "NewReplicaSetAvailable" {
                    // The condition still praises a finished rollout while a new one is under way: the write
                    // of NewReplicaSetCreated was lost to a conflict and a stale status written back. Left
                    // alone it never times out (NewReplicaSetAvailable never does), so the clock starts now.
                    let msg = "ReplicaSet \"\(rsName)\" is progressing."
                    s.conditions = (s.conditions ?? []).filter { $0.type != Self.progressingType }
                        + [DeploymentCondition(type: Self.progressingType, status: "True", lastUpdateTime: now,
                                               lastTransitionTime: cond?.lastTransitionTime ?? now, reason: "ReplicaSetUpdated",
                                               message: msg)]
                } else if timedOut(s, deadline: deadline) {
                    Self.setCondition(&s, type: Self.progressingType, status: "False", reason: "ProgressDeadlineExceeded",
                                      message: "ReplicaSet \"\(rsName)\" has timed out progressing.", now: now)
                }
            }
        } else {
            s.conditions = s.conditions?.filter { $0.type != Self.progressingType }
        }
        if s != status {
            status = s
            plan.actions.append(.updateStatus(s))
        }
        // Wake up when the deadline would pass without progress.
        if let deadline = settings.progressDeadlineSeconds, let c = s.condition(Self.progressingType),
           c.reason != "NewReplicaSetAvailable", c.reason != "ProgressDeadlineExceeded", !isComplete(s),
           let from = c.lastUpdateTime
        {
            plan.requeueAfter = max(1, from.seconds + Int64(deadline) - now.seconds + 1)
        }
    }

    func isProgressing(_ s: DeploymentStatus) -> Bool {
        let old = originalStatus
        let oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
        let newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0)
        return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
            || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    }

    func timedOut(_ s: DeploymentStatus, deadline: Int32) -> Bool {
        guard let c = s.condition(Self.progressingType) else { return false }
        if c.reason == "NewReplicaSetAvailable" { return false }
        if c.reason == "ProgressDeadlineExceeded" { return true }
        guard let from = c.lastUpdateTime else { return false }
        return from.seconds + Int64(deadline) < now.seconds
    }

    mutating func checkPausedConditions() {
        guard settings.progressDeadlineSeconds != nil else { return }
        let cond = status.condition(Self.progressingType)
        if cond?.reason == "ProgressDeadlineExceeded" { return }
        let pausedExists = cond?.reason == "DeploymentPaused"
        if settings.paused && !pausedExists {
            setCondition(Self.progressingType, "Unknown", "DeploymentPaused", "Deployment is paused")
            plan.actions.append(.updateStatus(status))
        } else if !settings.paused && pausedExists {
            setCondition(Self.progressingType, "Unknown", "DeploymentResumed", "Deployment is resumed")
            plan.actions.append(.updateStatus(status))
        }
    }

    mutating func setCondition(_ type: String, _ st: String, _ reason: String, _ message: String) {
        var s = status
        Self.setCondition(&s, type: type, status: st, reason: reason, message: message, now: now)
        status = s
    }

    /// `SetDeploymentCondition`: same status and reason → unchanged; same status → keep the
    /// transition time; otherwise replace.
    static func setCondition(_ s: inout DeploymentStatus, type: String, status st: String, reason: String, message: String,
                             now: Time) {
        var c = DeploymentCondition(type: type, status: st, lastUpdateTime: now, lastTransitionTime: now, reason: reason,
                                    message: message)
        if let cur = s.condition(type) {
            if cur.status == st && cur.reason == reason { return }
            if cur.status == st { c.lastTransitionTime = cur.lastTransitionTime }
        }
        s.conditions = (s.conditions ?? []).filter { $0.type != type } + [c]
    }
}
