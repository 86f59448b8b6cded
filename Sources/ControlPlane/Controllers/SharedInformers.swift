import KubeAPI
import KubeClient

/// One informer per kind the controllers read, shared by all of them (kube's SharedInformerFactory).
final class SharedInformers: Sendable {
    let pods: Informer<Pod>
    let replicaSets: Informer<ReplicaSet>
    let deployments: Informer<Deployment>
    let services: Informer<Service>
    let endpointSlices: Informer<EndpointSlice>
    let endpoints: Informer<Endpoints>
    let nodes: Informer<Node>
    let nodeLeases: Informer<Lease>
    let namespaces: Informer<Namespace>

    init(client: KubeAPIClient, resync: Duration) {
        let timing = Informer<Pod>.Timing(resyncPeriod: resync)
        pods = Informer(APIListerWatcher(client: client, Pod.self), timing: timing)
        replicaSets = Informer(APIListerWatcher(client: client, ReplicaSet.self), timing: .init(resyncPeriod: resync))
        deployments = Informer(APIListerWatcher(client: client, Deployment.self), timing: .init(resyncPeriod: resync))
        services = Informer(APIListerWatcher(client: client, Service.self), timing: .init(resyncPeriod: resync))
        endpointSlices = Informer(APIListerWatcher(client: client, EndpointSlice.self), timing: .init(resyncPeriod: resync))
        endpoints = Informer(APIListerWatcher(client: client, Endpoints.self), timing: .init(resyncPeriod: resync))
        nodes = Informer(APIListerWatcher(client: client, Node.self), timing: .init(resyncPeriod: resync))
        nodeLeases = Informer(APIListerWatcher(client: client, Lease.self, namespace: "kube-node-lease"), timing: .init(resyncPeriod: resync))
        namespaces = Informer(APIListerWatcher(client: client, Namespace.self), timing: .init(resyncPeriod: resync))
    }

    /// Runs every informer until cancelled.
    func run() async {
        await withDiscardingTaskGroup { g in
            g.addTask { await self.pods.run() }
            g.addTask { await self.replicaSets.run() }
            g.addTask { await self.deployments.run() }
            g.addTask { await self.services.run() }
            g.addTask { await self.endpointSlices.run() }
            g.addTask { await self.endpoints.run() }
            g.addTask { await self.nodes.run() }
            g.addTask { await self.nodeLeases.run() }
            g.addTask { await self.namespaces.run() }
        }
    }

    func waitForSync() async -> Bool {
        guard await pods.waitForSync(), await replicaSets.waitForSync(), await deployments.waitForSync(),
              await services.waitForSync(), await endpointSlices.waitForSync(), await endpoints.waitForSync(),
              await nodes.waitForSync(), await nodeLeases.waitForSync(), await namespaces.waitForSync()
        else { return false }
        return true
    }
}
