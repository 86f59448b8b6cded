import ArgumentParser
import ControlPlane
import RuntimeCLI

/// `swiftlet server`: the control plane (store member, Kubernetes API over HTTPS).
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the control plane: the store, the Kubernetes API over HTTPS, the cluster PKI and the admin kubeconfig.",
        subcommands: [ServerBenchCommand.self, ServerBenchSchedulerCommand.self])

    @Option(name: .customLong("data-dir"), help: "State directory: pki/, store/, admin.kubeconfig.")
    var dataDir: String = "/var/lib/swiftlet/server"
    @Option(name: .customLong("bind-address"), help: "Address the HTTPS listener binds.")
    var bindAddress: String = "127.0.0.1"
    @Option(name: .customLong("secure-port"), help: "HTTPS port (0 picks a free one; the kubeconfig names it).")
    var securePort: Int = 6443
    @Option(name: .customLong("etcd-servers"), help: "Comma-separated etcd client URLs; without it the embedded store runs in DATA-DIR/store.")
    var etcdServers: String?
    @Option(name: .customLong("service-cluster-ip-range"), help: "CIDR Service ClusterIPs come from.")
    var serviceClusterIPRange: String = "10.96.0.0/12"
    @Option(name: .customLong("service-node-port-range"), help: "Port range for NodePort Services, LOW-HIGH.")
    var serviceNodePortRange: String = "30000-32767"
    @Option(name: .customLong("token-auth-file"), help: "Static bearer tokens, CSV: token,user,uid,\"group1,group2\".")
    var tokenAuthFile: String?

    @Option(name: .customLong("node-monitor-grace-period"), help: "How long a node may go without renewing its Lease before it is marked NotReady.")
    var nodeMonitorGracePeriod = "40s"
    @Option(name: .customLong("node-monitor-period"), help: "How often the node lifecycle controller checks nodes.")
    var nodeMonitorPeriod = "5s"
    @Option(name: .customLong("leader-elect-lease-duration"), help: "How long a candidate waits after the last renewal before taking over the scheduler's or controllers' Lease.")
    var leaderElectLeaseDuration = "15s"
    @Option(name: .customLong("leader-elect-renew-deadline"), help: "How long the leader keeps trying to renew before it stops leading.")
    var leaderElectRenewDeadline = "10s"
    @Option(name: .customLong("leader-elect-retry-period"), help: "How often candidates try to acquire and the leader renews.")
    var leaderElectRetryPeriod = "2s"

    @Flag(name: .customLong("disable-control-loops"), help: "Serve the API only: no scheduler and no controllers in this process.")
    var disableControlLoops = false

    func run() throws {
        var config = ServerConfig(dataDirectory: dataDir)
        config.bindAddress = bindAddress
        guard (0...65535).contains(securePort) else { throw ValidationError("--secure-port must be within 0-65535") }
        config.securePort = securePort
        config.etcdServers = etcdServers.map { $0.split(separator: ",").map(String.init) } ?? []
        do {
            config.serviceClusterIPRange = try CIDR(serviceClusterIPRange)
            config.serviceNodePortRange = try ServerConfig.parsePortRange(serviceNodePortRange)
            var timings = ControlLoopTimings()
            timings.nodeMonitorGracePeriod = try ControlLoopTimings.parseDuration(nodeMonitorGracePeriod)
            timings.nodeMonitorPeriod = try ControlLoopTimings.parseDuration(nodeMonitorPeriod)
            timings.leaseDuration = try ControlLoopTimings.parseDuration(leaderElectLeaseDuration)
            timings.renewDeadline = try ControlLoopTimings.parseDuration(leaderElectRenewDeadline)
            timings.retryPeriod = try ControlLoopTimings.parseDuration(leaderElectRetryPeriod)
            try timings.validate()
            config.controlLoopTimings = timings
        } catch {
            throw ValidationError("\(error)")
        }
        config.tokenAuthFile = tokenAuthFile
        config.runControlLoops = !disableControlLoops
        do {
            try ServerRunner.runBlocking(config)
        } catch {
            throw RuntimeFailure(message: "server: \(error)")
        }
    }
}
