import KubeAPI
import KubeClient
import Logging

/// The Deployment controller's shell: Deployment, ReplicaSet and pod events queue the Deployment;
/// a sync runs `DeploymentReconciler` on the cache and writes its actions in order.
final class DeploymentController: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let queue = WorkQueue<String>()
    let logger: Logger
    let events: EventRecorder

    init(client: KubeAPIClient, informers: SharedInformers, logger: Logger) {
        self.client = client
        events = EventRecorder(client: client, component: "deployment-controller", logger: logger)
        self.informers = informers
        self.logger = logger
        informers.deployments.addHandler(InformerHandler(
            onAdd: { [queue] d in queue.add(cacheKey(d.metadata)) },
            onUpdate: { [queue] _, d in queue.add(cacheKey(d.metadata)) },
            onDelete: { [queue] d in queue.add(cacheKey(d.object.metadata)) }))
        informers.replicaSets.addHandler(InformerHandler(
            onAdd: { [self] rs in enqueueOwner(rs) },
            onUpdate: { [self] old, rs in
                enqueueOwner(rs)
                if old.metadata.controllerRef?.uid != rs.metadata.controllerRef?.uid { enqueueOwner(old) }
            },
            onDelete: { [self] d in enqueueOwner(d.object) }))
        // Recreate waits for old pods to go: their deletion must wake the Deployment.
        informers.pods.addHandler(InformerHandler(onDelete: { [self] d in
            guard let ref = d.object.metadata.controllerRef, ref.kind == ReplicaSet.kind,
                  let rs = informers.replicaSets.cache.get(namespace: d.object.metadata.namespace, name: ref.name)
            else { return }
            enqueueOwner(rs)
        }))
    }

    func enqueueOwner(_ rs: ReplicaSet) {
        if let ref = rs.metadata.controllerRef, ref.kind == Deployment.kind {
            queue.add(ObjectCache<Deployment>.key(namespace: rs.metadata.namespace, name: ref.name))
            return
        }
        // An orphan ReplicaSet: Deployments whose selector matches may adopt it.
        for d in informers.deployments.cache.list(namespace: rs.metadata.namespace ?? "") {
            if let sel = try? Selector(d.spec?.selector), sel.matches(rs.metadata.labels) { queue.add(cacheKey(d.metadata)) }
        }
    }

    /// kube's ScalingReplicaSet event ("Scaled up replica set web-5d8f9 from 0 to 3").
    func scaled(_ d: Deployment, _ rs: ReplicaSet, from old: Int32) {
        let new = rs.spec?.replicas ?? 0
        guard new != old else { return }
        events.event(d, type: .normal, reason: "ScalingReplicaSet",
                     message: "Scaled \(new > old ? "up" : "down") replica set \(rs.metadata.name ?? "") from \(old) to \(new)")
    }

    func run(workers: Int) async {
        await runWorkers("deployment", queue: queue, workers: workers, logger: logger) { [self] key in try await sync(key) }
    }

    func sync(_ key: String) async throws {
        guard let d = informers.deployments.cache.get(key: key) else { return }
        let ns = d.metadata.namespace ?? ""
        let plan = DeploymentReconciler.reconcile(d, replicaSets: informers.replicaSets.cache.list(namespace: ns),
                                                  pods: informers.pods.cache.list(namespace: ns), now: Time.now())
        var lastStatus: DeploymentStatus?
        var annotations: [String: String]?
        for action in plan.coalesced {
            switch action {
            case .createReplicaSet(let rs):
                if try await attempt({ _ = try await self.client.create(rs) }, tolerating: { $0.isAlreadyExists }) {
                    scaled(d, rs, from: 0)
                } else {
                    queue.add(key)
                }
            case .updateReplicaSet(let rs):
                let before = informers.replicaSets.cache.get(namespace: rs.metadata.namespace, name: rs.metadata.name ?? "")
                if !(try await attempt({ _ = try await self.client.update(rs) }, tolerating: { $0.isConflict })) {
                    queue.add(key)
                    return
                }
                scaled(d, rs, from: before?.spec?.replicas ?? 0)
            case .deleteReplicaSet(let rs):
                try await attempt({
                    try await self.client.delete(ReplicaSet.self, name: rs.metadata.name ?? "", namespace: rs.metadata.namespace,
                                                 options: DeleteOptions(preconditions: Preconditions(uid: rs.metadata.uid)))
                }, tolerating: { $0.isNotFound })
            case .updateDeploymentAnnotations(let a): annotations = a
            case .updateStatus(let s): lastStatus = s
            }
        }
        if let annotations {
            var fresh = try await client.get(Deployment.self, name: d.metadata.name ?? "", namespace: d.metadata.namespace)
            fresh.metadata.annotations = (fresh.metadata.annotations ?? [:]).merging(annotations) { $1 }
            if !(try await attempt({ _ = try await self.client.update(fresh) }, tolerating: { $0.isConflict })) { queue.add(key) }
        }
        if let lastStatus {
            var fresh = try await client.get(Deployment.self, name: d.metadata.name ?? "", namespace: d.metadata.namespace)
            fresh.status = lastStatus
            if !(try await attempt({ _ = try await self.client.updateStatus(fresh) }, tolerating: { $0.isConflict })) { queue.add(key) }
        }
        if let after = plan.requeueAfter { queue.addAfter(key, .seconds(Int(after))) }
    }
}
