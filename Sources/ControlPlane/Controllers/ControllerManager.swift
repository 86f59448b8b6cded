import KubeAPI
import KubeClient
import Logging
import Synchronization

/// How `ControllerManager` runs (kube-controller-manager's flags that matter here).
public struct ControllerManagerConfig: LeaderElectedComponent {
    /// This process in the leader election.
    public var identity: String
    public var leaderElection = true
    public var leaseNamespace = "kube-system"
    public var leaseName = "kube-controller-manager"
    /// --leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period.
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)
    /// Workers per queue-driven controller (kube's --concurrent-*-syncs, 5 for most).
    public var workers = 5
    /// Informer resync: every object is synced again this often.
    public var resyncPeriod: Duration = .seconds(300)
    public var clusterCIDR = "10.244.0.0/16"
    public var nodeCIDRMaskSize = 24
    /// --node-monitor-grace-period and --node-monitor-period.
    public var nodeMonitorGracePeriod: Double = 40
    public var nodeMonitorPeriod: Duration = .seconds(5)
    public var garbageCollectionPeriod: Duration = .seconds(5)
    public var logger = Logger(label: "swiftlet.controllers")

    public init(identity: String) { self.identity = identity }
}

/// kube-controller-manager: the ReplicaSet, Deployment, EndpointSlice (+ Endpoints), garbage
/// collector, namespace, node lifecycle and node IPAM controllers over one set of shared informers,
/// running while this process holds the `kube-controller-manager` Lease.
public final class ControllerManager: Sendable {
    private let client: KubeAPIClient
    private let config: ControllerManagerConfig
    private let runTask = Mutex<Task<Void, Never>?>(nil)

    public init(client: KubeAPIClient, config: ControllerManagerConfig) throws(NodeCIDRAllocator.AllocationError) {
        self.client = client
        self.config = config
        // Fail at construction, not after winning the election, on a bad cluster CIDR.
        _ = try NodeCIDRAllocator(clusterCIDR: config.clusterCIDR, nodeMaskSize: config.nodeCIDRMaskSize)
    }

    /// Runs until `stop()` or the calling task is cancelled.
    public func run() async {
        let task = Task { [self] in
            await config.lead(client: client) { await self.lead() }
        }
        runTask.withLock { $0 = task }
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    public func stop() { runTask.withLock { $0?.cancel() } }

    func lead() async {
        let log = config.logger
        let informers = SharedInformers(client: client, resync: config.resyncPeriod)
        let rs = ReplicaSetController(client: client, informers: informers, logger: log)
        let deploy = DeploymentController(client: client, informers: informers, logger: log)
        let slices = EndpointSliceController(client: client, informers: informers, logger: log)
        let gc = GarbageCollector(client: client, informers: informers, period: config.garbageCollectionPeriod, logger: log)
        let namespaces = NamespaceController(client: client, informers: informers, logger: log)
        let lifecycle = NodeLifecycleController(client: client, informers: informers, gracePeriod: config.nodeMonitorGracePeriod,
                                                monitorPeriod: config.nodeMonitorPeriod, logger: log)
        guard let allocator = try? NodeCIDRAllocator(clusterCIDR: config.clusterCIDR, nodeMaskSize: config.nodeCIDRMaskSize) else { return }
        let ipam = NodeIPAMController(client: client, informers: informers, allocator: allocator, logger: log)
        let workers = config.workers
        await withDiscardingTaskGroup { group in
            group.addTask { await informers.run() }
            guard await informers.waitForSync() else { return }
            log.info("controller caches synced")
            group.addTask { await rs.run(workers: workers) }
            group.addTask { await deploy.run(workers: workers) }
            group.addTask { await slices.run(workers: workers) }
            group.addTask { await namespaces.run(workers: 1) }
            group.addTask { await gc.run() }
            group.addTask { await lifecycle.run() }
            group.addTask { await ipam.run(workers: 1) }
            // Queues end their workers when shut down: do so when leadership (the task) ends.
            group.addTask {
                await withTaskCancellationHandler {
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                } onCancel: {
                    for q in [rs.queue, deploy.queue, slices.queue, namespaces.queue, gc.kick, ipam.queue] { q.shutDown() }
                }
            }
        }
    }
}
