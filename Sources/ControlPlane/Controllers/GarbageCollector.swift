import FoundationEssentials
import KubeAPI
import KubeClient
import Logging

/// The garbage collector's shell: every few seconds (and soon after any delete) it builds the
/// object graph from the shared caches of the kinds it watches and carries out
/// `GarbageCollectorCore`'s actions: deletes (uid precondition, propagation policy), owner
/// reference and finalizer removals (merge patches carrying the resourceVersion they were computed
/// from, so a concurrent change makes them fail and retry).
final class GarbageCollector: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let logger: Logger
    let period: Duration
    let kick = WorkQueue<String>()

    static let watchedKinds: Set<String> = ["Pod", "ReplicaSet", "Deployment", "Service", "EndpointSlice", "Node"]

    init(client: KubeAPIClient, informers: SharedInformers, period: Duration, logger: Logger) {
        self.client = client
        self.informers = informers
        self.period = period
        self.logger = logger
        let onDelete: @Sendable () -> Void = { [kick] in kick.add("gc") }
        informers.deployments.addHandler(InformerHandler(onUpdate: { [kick] _, d in if d.metadata.deletionTimestamp != nil { kick.add("gc") } },
                                                         onDelete: { _ in onDelete() }))
        informers.replicaSets.addHandler(InformerHandler(onUpdate: { [kick] _, r in if r.metadata.deletionTimestamp != nil { kick.add("gc") } },
                                                         onDelete: { _ in onDelete() }))
        informers.services.addHandler(InformerHandler(onDelete: { _ in onDelete() }))
        informers.pods.addHandler(InformerHandler(onDelete: { _ in onDelete() }))
    }

    func graph() -> [GCObject] {
        informers.pods.cache.list().map { GCObject($0) } + informers.replicaSets.cache.list().map { GCObject($0) }
            + informers.deployments.cache.list().map { GCObject($0) } + informers.services.cache.list().map { GCObject($0) }
            + informers.endpointSlices.cache.list().map { GCObject($0) } + informers.nodes.cache.list().map { GCObject($0) }
    }

    func run() async {
        await withDiscardingTaskGroup { g in
            g.addTask { [kick, period] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: period)
                    kick.add("gc")
                }
            }
            g.addTask { [self] in
                await runWorkers("garbagecollector", queue: kick, workers: 1, logger: logger) { [self] _ in try await pass() }
            }
        }
    }

    func pass() async throws {
        let actions = GarbageCollectorCore.plan(graph(), watchedKinds: Self.watchedKinds)
        var failures = 0
        for a in actions {
            do {
                try await execute(a)
            } catch let e as KubeClientError where e.isNotFound || e.isConflict {
                continue
            } catch {
                failures += 1
                logger.warning("garbage collection step failed", metadata: ["action": "\(a)", "error": "\(error)"])
            }
        }
        if failures > 0 { throw ControllerError(step: "garbage collecting", object: "\(failures) objects", underlying: "see log") }
    }

    func execute(_ action: GCAction) async throws {
        switch action {
        case .delete(let o, let propagation):
            logger.info("deleting dependent", metadata: ["kind": "\(o.kind)", "object": "\(o.namespace ?? "")/\(o.name)"])
            let options = DeleteOptions(preconditions: Preconditions(uid: o.uid),
                                        propagationPolicy: propagation == "Foreground" ? .foreground : .background)
            try await delete(o, options)
        case .removeOwnerReferences(let o, let uids):
            let remaining = o.ownerReferences.filter { !uids.contains($0.uid) }
            try await patchMetadata(o, field: "ownerReferences", value: remaining.isEmpty ? nil : try JSONValue(encoding: remaining))
        case .removeFinalizer(let o, let finalizer):
            let remaining = o.finalizers.filter { $0 != finalizer }
            try await patchMetadata(o, field: "finalizers", value: remaining.isEmpty ? nil : try JSONValue(encoding: remaining))
        }
    }

    func patchMetadata(_ o: GCObject, field: String, value: JSONValue?) async throws {
        var meta: [String: JSONValue] = [field: value ?? .null]
        if let rv = o.resourceVersion { meta["resourceVersion"] = .string(rv) }
        let body = Array(try JSONEncoder().encode(JSONValue.object(["metadata": .object(meta)])))
        switch o.kind {
        case "Pod": _ = try await client.patch(Pod.self, name: o.name, namespace: o.namespace, patchType: .merge, body: body)
        case "ReplicaSet": _ = try await client.patch(ReplicaSet.self, name: o.name, namespace: o.namespace, patchType: .merge, body: body)
        case "Deployment": _ = try await client.patch(Deployment.self, name: o.name, namespace: o.namespace, patchType: .merge, body: body)
        case "Service": _ = try await client.patch(Service.self, name: o.name, namespace: o.namespace, patchType: .merge, body: body)
        case "EndpointSlice": _ = try await client.patch(EndpointSlice.self, name: o.name, namespace: o.namespace, patchType: .merge, body: body)
        case "Node": _ = try await client.patch(Node.self, name: o.name, patchType: .merge, body: body)
        default: return
        }
    }

    func delete(_ o: GCObject, _ options: DeleteOptions) async throws {
        switch o.kind {
        case "Pod": try await client.delete(Pod.self, name: o.name, namespace: o.namespace, options: options)
        case "ReplicaSet": try await client.delete(ReplicaSet.self, name: o.name, namespace: o.namespace, options: options)
        case "Deployment": try await client.delete(Deployment.self, name: o.name, namespace: o.namespace, options: options)
        case "Service": try await client.delete(Service.self, name: o.name, namespace: o.namespace, options: options)
        case "EndpointSlice": try await client.delete(EndpointSlice.self, name: o.name, namespace: o.namespace, options: options)
        case "Node": try await client.delete(Node.self, name: o.name, options: options)
        default: return
        }
    }
}
