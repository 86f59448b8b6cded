import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Store

/// The etcd v3 gRPC services of one member, served in plaintext on each of its client URLs (etcd's
/// --listen-client-urls). `run` serves until `beginGracefulShutdown`, which lets RPCs in flight
/// finish; long-lived streams (watches, keep-alives) end when the task running `run` is cancelled.
public final class EtcdGRPCServer: Sendable {
    let servers: [GRPCServer<HTTP2ServerTransport.Posix>]

    public init(backend: any EtcdMemberBackend, listen: [EtcdURL], limits: EtcdRequestLimits = EtcdRequestLimits()) {
        let services: [any RegistrableRPCService] = [
            KVService(backend: backend, limits: limits),
            WatchService(backend: backend),
            LeaseService(backend: backend),
            ClusterService(backend: backend),
            MaintenanceService(backend: backend),
        ]
        servers = listen.map { url in
            let address: GRPCNIOTransportCore.SocketAddress = url.host.contains(":")
                ? .ipv6(host: url.host, port: url.port) : .ipv4(host: url.host, port: url.port)
            let transport = HTTP2ServerTransport.Posix(
                address: address, transportSecurity: .plaintext,
                config: .defaults { config in
                    config.rpc.maxRequestPayloadSize = limits.maxMessageBytes
                    // etcd's clients ping every few seconds (etcdctl: --keepalive-time 2s), with and
                    // without calls in flight; gRPC's default would answer that with GOAWAY.
                    config.connection.keepalive.clientBehavior = .init(
                        minPingIntervalWithoutCalls: .seconds(1), allowWithoutCalls: true)
                })
            return GRPCServer(transport: transport, services: services)
        }
    }

    /// Serves on every address until shut down; throws if any of them cannot be bound.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for server in servers {
                group.addTask { try await server.serve() }
            }
        }
    }

    /// The bound addresses, in the order of `listen` (port 0 resolved). Waits until each is bound.
    public func listeningPorts() async throws -> [Int] {
        var ports: [Int] = []
        for server in servers {
            guard let address = try await server.listeningAddress else { continue }
            if let v4 = address.ipv4 { ports.append(v4.port) } else if let v6 = address.ipv6 { ports.append(v6.port) }
        }
        return ports
    }

    public func beginGracefulShutdown() {
        for server in servers { server.beginGracefulShutdown() }
    }
}
