import Logging
import Store

/// The store the API server uses: the embedded single member in `DATA-DIR/store`, or an external
/// etcd cluster through the gRPC client when `--etcd-servers` is given.
struct StoreBackend: Sendable {
    let client: any KeyValueClient
    private let stopAction: @Sendable () async -> Void

    func stop() async { await stopAction() }

    /// The embedded member's name and the peer URL its identity derives from (etcd's defaults; a
    /// single member has no peers to reach it).
    static let memberName = "default"
    static let memberPeerURL = "http://127.0.0.1:2380"

    static func open(_ config: ServerConfig, logger: Logger) async throws -> StoreBackend {
        guard config.etcdServers.isEmpty else {
            throw StoreBackendError.unavailable("--etcd-servers: the etcd client is not part of this build yet")
        }
        let memberConfig = StoreMemberConfig(
            name: memberName, dataDir: config.storeDirectory,
            initialCluster: [(memberName, [memberPeerURL])], initialClusterState: .new,
            initialClusterToken: "swiftlet")
        let member = try await StoreMember.start(memberConfig)
        logger.info("store member started", metadata: ["dir": "\(config.storeDirectory)", "id": "\(String(member.memberID, radix: 16))"])
        return StoreBackend(client: member, stopAction: { await member.stop(transferLeadership: false) })
    }
}

enum StoreBackendError: Error, CustomStringConvertible {
    case unavailable(String)
    var description: String {
        switch self {
        case .unavailable(let why): why
        }
    }
}
