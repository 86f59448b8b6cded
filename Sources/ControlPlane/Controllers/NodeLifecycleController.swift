import FoundationEssentials
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// The node lifecycle controller's shell: every `monitorPeriod` (node-monitor-period, 5 s) it runs
/// `NodeLifecycleCore` over the cached nodes, node Leases and pods, and writes the node conditions
/// (status), taints (spec) and evictions (pod deletes) it asks for.
final class NodeLifecycleController: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let core: Mutex<NodeLifecycleCore>
    let monitorPeriod: Duration
    let logger: Logger

    init(client: KubeAPIClient, informers: SharedInformers, gracePeriod: Double, monitorPeriod: Duration, logger: Logger) {
        self.client = client
        self.informers = informers
        core = Mutex(NodeLifecycleCore(gracePeriod: gracePeriod))
        self.monitorPeriod = monitorPeriod
        self.logger = logger
    }

    func run() async {
        while !Task.isCancelled {
            do { try await pass() } catch {
                logger.warning("node lifecycle pass failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: monitorPeriod)
        }
    }

    func pass() async throws {
        let nodes = informers.nodes.cache.list()
        var leases: [String: Lease] = [:]
        for l in informers.nodeLeases.cache.list() { if let n = l.metadata.name { leases[n] = l } }
        let pods = informers.pods.cache.list()
        let now = Date().timeIntervalSince1970
        let plan = core.withLock { $0.evaluate(nodes: nodes, leases: leases, pods: pods, now: now) }
        for (name, conditions) in plan.conditionUpdates {
            guard var node = informers.nodes.cache.get(key: name) else { continue }
            var status = node.status ?? NodeStatus()
            status.conditions = conditions
            node.status = status
            logger.info("node stopped posting status", metadata: ["node": "\(name)"])
            try await attempt({ _ = try await self.client.updateStatus(node) }, tolerating: { $0.isConflict || $0.isNotFound })
        }
        for (name, taints) in plan.taintUpdates {
            let value: JSONValue = taints.isEmpty ? .null : try JSONValue(encoding: taints)
            let body = Array(try JSONEncoder().encode(JSONValue.object(["spec": .object(["taints": value])])))
            try await attempt({ _ = try await self.client.patch(Node.self, name: name, patchType: .merge, body: body) },
                              tolerating: { $0.isNotFound })
        }
        for pod in plan.markNotReady {
            try await attempt({ _ = try await self.client.updateStatus(pod) }, tolerating: { $0.isConflict || $0.isNotFound })
        }
        for pod in plan.evictions {
            logger.info("evicting pod from tainted node", metadata: ["pod": "\(cacheKey(pod.metadata))", "node": "\(pod.spec?.nodeName ?? "")"])
            try await attempt({
                try await self.client.delete(Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                                             options: DeleteOptions(preconditions: Preconditions(uid: pod.metadata.uid)))
            }, tolerating: { $0.isNotFound || $0.isConflict })
        }
    }
}
