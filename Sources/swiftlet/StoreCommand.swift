import ArgumentParser
import EtcdAPI
import Glibc

/// `swiftlet store`: a standalone store member speaking the etcd v3 API, with etcd's flags.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Run a store member serving the etcd v3 API (etcd's flags).",
        subcommands: [Serve.self, BenchPut.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the member (the default).")

        @Option(name: .customLong("name"), help: "Human-readable name for this member.")
        var name = "default"
        @Option(name: .customLong("data-dir"), help: "Path to the data directory (default: <name>.etcd).")
        var dataDir: String?
        @Option(name: .customLong("listen-client-urls"), help: "URLs to serve client requests on.")
        var listenClientURLs = "http://localhost:2379"
        @Option(name: .customLong("advertise-client-urls"), help: "This member's client URLs to advertise.")
        var advertiseClientURLs = "http://localhost:2379"
        @Option(name: .customLong("listen-peer-urls"), help: "URL to listen on for peer traffic.")
        var listenPeerURLs = "http://localhost:2380"
        @Option(name: .customLong("initial-advertise-peer-urls"), help: "This member's peer URLs to advertise.")
        var initialAdvertisePeerURLs = "http://localhost:2380"
        @Option(name: .customLong("initial-cluster"), help: "Initial cluster: name=peer-url,... (default: <name>=<initial-advertise-peer-urls>).")
        var initialCluster: String?
        @Option(name: .customLong("initial-cluster-state"), help: "new, or existing to join a running cluster.")
        var initialClusterState = "new"
        @Option(name: .customLong("initial-cluster-token"), help: "Initial cluster token.")
        var initialClusterToken = "etcd-cluster"
        @Option(name: .customLong("snapshot-count"), help: "Committed entries between snapshots.")
        var snapshotCount: UInt64 = 100_000
        @Option(name: .customLong("heartbeat-interval"), help: "Heartbeat interval, milliseconds.")
        var heartbeatInterval = 100
        @Option(name: .customLong("election-timeout"), help: "Election timeout, milliseconds.")
        var electionTimeout = 1000
        @Option(name: .customLong("max-request-bytes"), help: "Largest client request accepted, bytes.")
        var maxRequestBytes = 1_572_864

        func run() throws {
            var o = StoreServerOptions()
            o.name = name
            o.dataDir = dataDir
            o.listenClientURLs = listenClientURLs
            o.advertiseClientURLs = advertiseClientURLs
            o.listenPeerURLs = listenPeerURLs
            o.initialAdvertisePeerURLs = initialAdvertisePeerURLs
            o.initialCluster = initialCluster
            o.initialClusterState = initialClusterState
            o.initialClusterToken = initialClusterToken
            o.snapshotCount = snapshotCount
            o.heartbeatInterval = heartbeatInterval
            o.electionTimeout = electionTimeout
            o.maxRequestBytes = maxRequestBytes
            let status = StoreServer.runBlocking(o)
            if status != 0 { throw ExitCode(status) }
        }
    }

    /// A put load against any etcd v3 endpoints, for bench/store.sh.
    struct BenchPut: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-put", abstract: "Put load generator (benchmark).", shouldDisplay: false)
        @Option(name: .long, help: "Comma-separated client URLs.")
        var endpoints: String
        @Option(name: .long, help: "Concurrent clients (each with its own connection).")
        var clients = 1
        @Option(name: .long, help: "Total puts.")
        var total = 1000
        @Option(name: .customLong("value-size"), help: "Value size, bytes.")
        var valueSize = 256

        func run() throws {
            let status = PutBenchmark.runBlocking(endpoints: endpoints.split(separator: ",").map(String.init),
                                                  clients: clients, total: total, valueSize: valueSize)
            if status != 0 { throw ExitCode(status) }
        }
    }
}
