import KubeAPI
import KubeClient
import Logging

/// The EndpointSlice and Endpoints controllers' shell: Service, pod and slice events queue the
/// Service; a sync writes the slices `EndpointSliceReconciler` plans and the v1 Endpoints object
/// `EndpointsReconciler` describes.
final class EndpointSliceController: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let queue = WorkQueue<String>()
    let logger: Logger

    init(client: KubeAPIClient, informers: SharedInformers, logger: Logger) {
        self.client = client
        self.informers = informers
        self.logger = logger
        informers.services.addHandler(InformerHandler(
            onAdd: { [queue] s in queue.add(cacheKey(s.metadata)) },
            onUpdate: { [queue] _, s in queue.add(cacheKey(s.metadata)) },
            onDelete: { [queue] d in queue.add(cacheKey(d.object.metadata)) }))
        informers.pods.addHandler(InformerHandler(
            onAdd: { [self] p in enqueueServices(selecting: p) },
            onUpdate: { [self] old, p in
                guard old != p else { return }
                enqueueServices(selecting: p)
                if old.metadata.labels != p.metadata.labels { enqueueServices(selecting: old) }
            },
            onDelete: { [self] d in enqueueServices(selecting: d.object) }))
        informers.endpointSlices.addHandler(InformerHandler(
            onUpdate: { [self] _, s in enqueueOwner(s) },
            onDelete: { [self] d in enqueueOwner(d.object) }))
    }

    func enqueueOwner(_ slice: EndpointSlice) {
        guard slice.metadata.labels?[EndpointSliceReconciler.managedByLabel] == EndpointSliceReconciler.controllerName,
              let svc = slice.metadata.labels?[EndpointSlice.serviceNameLabel] else { return }
        queue.add(ObjectCache<Service>.key(namespace: slice.metadata.namespace, name: svc))
    }

    func enqueueServices(selecting pod: Pod) {
        for svc in informers.services.cache.list(namespace: pod.metadata.namespace ?? "") {
            guard let sel = svc.spec?.selector, !sel.isEmpty else { continue }
            let labels = pod.metadata.labels ?? [:]
            if sel.allSatisfy({ labels[$0.key] == $0.value }) { queue.add(cacheKey(svc.metadata)) }
        }
    }

    func run(workers: Int) async {
        await runWorkers("endpointslice", queue: queue, workers: workers, logger: logger) { [self] key in try await sync(key) }
    }

    func sync(_ key: String) async throws {
        // A deleted Service's slices go with it through their owner reference (GC); its Endpoints
        // carry none, so they are deleted here, as kube's endpoints controller does.
        guard let svc = informers.services.cache.get(key: key) else {
            if let ep = informers.endpoints.cache.get(key: key) {
                try await attempt({
                    try await self.client.delete(Endpoints.self, name: ep.metadata.name ?? "", namespace: ep.metadata.namespace)
                }, tolerating: { $0.isNotFound })
            }
            return
        }
        let ns = svc.metadata.namespace ?? ""
        let pods = informers.pods.cache.list(namespace: ns)
        let nodes = Dictionary(informers.nodes.cache.list().compactMap { n in n.metadata.name.map { ($0, n) } },
                               uniquingKeysWith: { a, _ in a })
        let plan = EndpointSliceReconciler.reconcile(service: svc, pods: pods, nodes: nodes,
                                                     existing: informers.endpointSlices.cache.list(namespace: ns))
        for s in plan.create { _ = try await client.create(s) }
        for s in plan.update {
            if !(try await attempt({ _ = try await self.client.update(s) }, tolerating: { $0.isConflict || $0.isNotFound })) {
                queue.add(key)
            }
        }
        for s in plan.delete {
            try await attempt({ try await self.client.delete(EndpointSlice.self, name: s.metadata.name ?? "", namespace: ns) },
                              tolerating: { $0.isNotFound })
        }
        guard var want = EndpointsReconciler.desired(service: svc, pods: pods) else { return }
        if var have = informers.endpoints.cache.get(key: key) {
            guard have.subsets != want.subsets || have.metadata.labels != want.metadata.labels else { return }
            have.subsets = want.subsets
            have.metadata.labels = want.metadata.labels
            if !(try await attempt({ _ = try await self.client.update(have) }, tolerating: { $0.isConflict })) { queue.add(key) }
        } else {
            want.metadata.ownerReferences = nil
            try await attempt({ _ = try await self.client.create(want) }, tolerating: { $0.isAlreadyExists })
        }
    }
}
