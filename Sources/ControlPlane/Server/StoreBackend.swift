import EtcdAPI
import Logging
import Store

/// The store the API server uses: the embedded single member in `DATA-DIR/store`, or an external
/// etcd cluster through the gRPC client when `--etcd-servers` is given.
struct StoreBackend: Sendable {
    let client: any KeyValueClient
    private let stopAction: @Sendable () async -> Void

    func stop() async { await stopAction() }

    /// The embedded member's name and the peer URL its identity derives from (etcd's defaults).
    static let memberName = "default"
    static let memberPeerURL = "http://127.0.0.1:2380"

    static func open(_ config: ServerConfig, logger: Logger) async throws -> StoreBackend {
        if !config.etcdServers.isEmpty {
            let client = try EtcdClient(endpoints: config.etcdServers)
            logger.info("using etcd", metadata: ["endpoints": "\(config.etcdServers.joined(separator: ","))"])
            return StoreBackend(client: client, stopAction: { client.close() })
        }
        // A lone member dials no peers; its listener takes a free loopback port so that several
        // servers (tests) and a separately run etcd can share the host. Joining members will need a
        // real peer address here.
        let memberConfig = StoreMemberConfig(
            name: memberName, dataDir: config.storeDirectory, peerListen: "127.0.0.1:0",
            initialCluster: [(memberName, [memberPeerURL])], initialClusterState: .new,
            initialClusterToken: "swiftlet")
        let member = try await StoreMember.start(memberConfig)
        logger.info("store member started", metadata: ["dir": "\(config.storeDirectory)", "id": "\(String(member.memberID, radix: 16))"])
        return StoreBackend(client: member, stopAction: { await member.stop(transferLeadership: false) })
    }
}
