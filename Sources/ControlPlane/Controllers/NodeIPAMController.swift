import KubeAPI
import KubeClient
import Logging
import Synchronization

/// Node IPAM's shell: after the node cache syncs, the allocator is rebuilt from the podCIDRs nodes
/// already carry; every node without one gets the next free /24 (a merge patch of spec.podCIDR and
/// spec.podCIDRs); a deleted node's range is released.
final class NodeIPAMController: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let queue = WorkQueue<String>()
    let allocator: Mutex<NodeCIDRAllocator>
    let logger: Logger

    init(client: KubeAPIClient, informers: SharedInformers, allocator: NodeCIDRAllocator, logger: Logger) {
        self.client = client
        self.informers = informers
        self.allocator = Mutex(allocator)
        self.logger = logger
        informers.nodes.addHandler(InformerHandler(
            onAdd: { [queue] n in queue.add(n.metadata.name ?? "") },
            onUpdate: { [queue] old, n in if old.spec?.podCIDR != n.spec?.podCIDR { queue.add(n.metadata.name ?? "") } },
            onDelete: { [self] d in
                if let name = d.object.metadata.name { self.allocator.withLock { $0.release(node: name) } }
            }))
    }

    func run(workers: Int) async {
        // Rebuild from what the nodes already have, so nothing is handed out twice.
        for n in informers.nodes.cache.list() {
            guard let name = n.metadata.name, let cidr = n.spec?.podCIDR, !cidr.isEmpty else { continue }
            do {
                try allocator.withLock { (a: inout NodeCIDRAllocator) throws(NodeCIDRAllocator.AllocationError) in
                    try a.occupy(node: name, podCIDR: cidr)
                }
            } catch {
                logger.warning("existing podCIDR not in the cluster CIDR", metadata: ["node": "\(name)", "error": "\(error)"])
            }
        }
        await runWorkers("nodeipam", queue: queue, workers: 1, logger: logger) { [self] key in try await sync(key) }
    }

    func sync(_ name: String) async throws {
        guard let node = informers.nodes.cache.get(key: name) else { return }
        if let cidr = node.spec?.podCIDR, !cidr.isEmpty {
            try? allocator.withLock { (a: inout NodeCIDRAllocator) throws(NodeCIDRAllocator.AllocationError) in
                try a.occupy(node: name, podCIDR: cidr)
            }
            return
        }
        let cidr = try allocator.withLock { (a: inout NodeCIDRAllocator) throws(NodeCIDRAllocator.AllocationError) -> String in
            try a.allocate(node: name)
        }
        let patch = #"{"spec":{"podCIDR":"\#(cidr)","podCIDRs":["\#(cidr)"]}}"#
        do {
            _ = try await client.patch(Node.self, name: name, patchType: .merge, body: Array(patch.utf8))
            logger.info("allocated podCIDR", metadata: ["node": "\(name)", "podCIDR": "\(cidr)"])
        } catch {
            allocator.withLock { $0.release(node: name) }
            throw ControllerError(step: "patching podCIDR of", object: "node \(name)", underlying: "\(error)")
        }
    }
}
