import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTPS listener: TLS 1.2+ with the serving certificate, client certificates requested but
/// optional (verified against the cluster CA when presented), HTTP/1.1 (ALPN `http/1.1`), one task
/// per connection so a slow or stuck client never holds up another.
public final class HTTPSServer: Sendable {
    public struct TLSMaterial: Sendable {
        public var certificateChainPEM: String
        public var privateKeyPEM: String
        /// Client certificates are verified against these CAs.
        public var clientCAPEM: String

        public init(certificateChainPEM: String, privateKeyPEM: String, clientCAPEM: String) {
            self.certificateChainPEM = certificateChainPEM
            self.privateKeyPEM = privateKeyPEM
            self.clientCAPEM = clientCAPEM
        }
    }

    typealias Listener = NIOAsyncChannel<HTTPConnection.Channel, Never>

    private let listener: Listener
    private let maxBodyBytes: Int
    private let logger: Logger
    private let shutdownSignal = ShutdownSignal()
    /// The port actually bound (useful when asked for port 0).
    public let port: Int

    public enum StartError: Error, CustomStringConvertible {
        case tls(String)
        case bind(host: String, port: Int, String)

        public var description: String {
            switch self {
            case .tls(let why): "TLS configuration: \(why)"
            case .bind(let host, let port, let why): "bind \(host):\(port): \(why)"
            }
        }
    }

    /// Binds the listener (so the port is known, even when asked for 0); `run(_:)` then serves until
    /// `beginShutdown()`; clients connecting in between wait in the accept queue.
    public static func bind(host: String, port: Int, tls: TLSMaterial, maxBodyBytes: Int, group: any EventLoopGroup, logger: Logger) async throws(StartError) -> HTTPSServer {
        let context: NIOSSLContext
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(tls.certificateChainPEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)
            let clientCAs = try NIOSSLCertificate.fromPEMBytes(Array(tls.clientCAPEM.utf8))
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(clientCAs)
            configuration.applicationProtocols = ["http/1.1"]
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls("\(error)")
        }
        let listener: Listener
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: false)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                        // No pipelining assistance: it stops reading while a response is in flight,
                        // which would hide a watch client's disconnect until the next event.
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: false, withErrorHandling: true)
                        return try HTTPConnection.Channel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .bind(host: host, port: port, "\(error)")
        }
        let bound = listener.channel.localAddress?.port ?? port
        return HTTPSServer(listener: listener, port: bound, maxBodyBytes: maxBodyBytes, logger: logger)
    }

    private init(listener: Listener, port: Int, maxBodyBytes: Int, logger: Logger) {
        self.listener = listener
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Accepts and serves connections through `pipeline`; returns once the listener is closed and
    /// every connection has finished.
    public func run(_ pipeline: RequestPipeline) async {
        let connection = HTTPConnection(pipeline: pipeline, maxBodyBytes: maxBodyBytes, shutdown: shutdownSignal, logger: logger)
        do {
            try await listener.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await client in inbound {
                            group.addTask { await connection.serve(client) }
                        }
                    } catch {
                        // The listener failed or was closed; connections still finish below.
                    }
                }
            }
        } catch {
            // Closing an already closed listener.
        }
    }

    /// Stops accepting, ends streaming responses and closes idle connections; requests in flight
    /// finish. `run()` returns when the last connection is closed.
    public func beginShutdown() {
        shutdownSignal.fire()
        listener.channel.close(promise: nil)
    }
}
