import GRPCCore
import GRPCNIOTransportHTTP2

/// One etcd endpoint: a gRPC connection (reconnecting on its own) and the service clients over it.
final class EtcdEndpoint: Sendable {
    let url: EtcdURL
    let grpc: GRPCClient<HTTP2ClientTransport.Posix>
    let kv: Etcdserverpb_KV.Client<HTTP2ClientTransport.Posix>
    let watch: Etcdserverpb_Watch.Client<HTTP2ClientTransport.Posix>
    let lease: Etcdserverpb_Lease.Client<HTTP2ClientTransport.Posix>
    let cluster: Etcdserverpb_Cluster.Client<HTTP2ClientTransport.Posix>
    let maintenance: Etcdserverpb_Maintenance.Client<HTTP2ClientTransport.Posix>
    let runner: Task<Void, Never>

    init(url: EtcdURL) throws {
        self.url = url
        let target: any ResolvableTarget
        if url.host.contains(":") {
            target = .ipv6(host: url.host, port: url.port)
        } else if url.host.allSatisfy({ $0.isNumber || $0 == "." }) {
            target = .ipv4(host: url.host, port: url.port)
        } else {
            target = .dns(host: url.host, port: url.port)
        }
        let transport = try HTTP2ClientTransport.Posix(
            target: target, transportSecurity: .plaintext,
            config: .defaults { config in
                // A member that restarts should be reached again within a second, not after
                // gRPC's default backoff of up to two minutes.
                config.backoff = .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 1.6, jitter: 0.2)
            })
        let grpc = GRPCClient(transport: transport)
        self.grpc = grpc
        kv = Etcdserverpb_KV.Client(wrapping: grpc)
        watch = Etcdserverpb_Watch.Client(wrapping: grpc)
        lease = Etcdserverpb_Lease.Client(wrapping: grpc)
        cluster = Etcdserverpb_Cluster.Client(wrapping: grpc)
        maintenance = Etcdserverpb_Maintenance.Client(wrapping: grpc)
        runner = Task { try? await grpc.runConnections() }
    }

    func close() {
        grpc.beginGracefulShutdown()
    }
}
