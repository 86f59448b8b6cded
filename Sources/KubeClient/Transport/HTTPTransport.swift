import Channels
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A streamed response body, chunk by chunk as the connection reads them (a consumer may `drain` all
/// that arrived at once). Cancelling it closes the connection.
public typealias ResponseBody = BufferedChannel<ByteBuffer, any Error>

/// A request as the typed API builds it: method, path (with query, without the server's base path),
/// optional JSON body and content type.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var body: [UInt8]?
    public var contentType: String?

    public init(method: HTTPMethod, path: String, body: [UInt8]? = nil, contentType: String? = nil) {
        self.method = method
        self.path = path
        self.body = body
        self.contentType = contentType
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

/// HTTPS/1.1 to one API server with keep-alive connection reuse: client-go's `http.Transport` as far
/// as a Kubernetes client needs it.
public final class HTTPTransport: Sendable {
    public let config: KubeClientConfig
    let group: any EventLoopGroup
    let sslContext: NIOSSLContext?
    private let pool = Mutex(PoolState())

    struct PoolState {
        var idle: [HTTPConnection] = []
        var opened = 0
        var shutDown = false
    }

    public init(config: KubeClientConfig, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(KubeClientError) {
        self.config = config
        self.group = group
        if config.server.scheme == "https" {
            sslContext = try Self.makeSSLContext(config)
        } else {
            sslContext = nil
        }
    }

    deinit {
        for c in pool.withLock({ $0.idle }) { c.close() }
    }

    /// Connections opened so far (tests check reuse with it).
    public var connectionsOpened: Int { pool.withLock { $0.opened } }

    /// Closes idle connections; requests in flight finish on theirs.
    public func shutdown() {
        let idle = pool.withLock { state -> [HTTPConnection] in
            state.shutDown = true
            defer { state.idle = [] }
            return state.idle
        }
        for c in idle { c.close() }
    }

    static func makeSSLContext(_ config: KubeClientConfig) throws(KubeClientError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        do {
            if let ca = config.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
        } catch {
            throw .config("certificate-authority: \(error)")
        }
        if config.insecureSkipTLSVerify { tls.certificateVerification = .none }
        if case .clientCertificate(let certPEM, let keyPEM) = config.credentials {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certPEM).map { .certificate($0) }
            } catch {
                throw .config("client certificate: \(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            } catch {
                throw .config("client key: \(error)")
            }
        }
        tls.applicationProtocols = ["http/1.1"]
        // Closing sends close_notify and waits this long for the peer's before dropping the socket
        // (NIO's default is 5 s): an abandoned watch should not hold its socket that long.
        tls.shutdownTimeout = .seconds(1)
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .config("TLS configuration: \(error)")
        }
    }

    // MARK: requests

    /// Sends a request and reads the whole response (any status).
    public func execute(_ request: HTTPRequest) async throws(KubeClientError) -> HTTPResponse {
        let head = try makeHead(request)
        let body = request.body.map { ByteBuffer(bytes: $0) }
        let timeout = TimeAmount(config.requestTimeout)
        // A reused idle connection the server has just closed fails before any response: go again once
        // on a fresh connection, for requests that are safe to repeat.
        let retriable = [.GET, .HEAD, .PUT, .DELETE].contains(request.method)
        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try await checkout()
            do {
                // Cancelling the caller closes the connection, failing the request at once.
                let (responseHead, buffer) = try await withTaskCancellationHandler {
                    try await connection.send(head, body: body, timeout: timeout)
                } onCancel: {
                    connection.close()
                }
                if responseHead.isKeepAlive { checkin(connection) } else { connection.close() }
                return HTTPResponse(status: Int(responseHead.status.code), headers: responseHead.headers,
                                    body: Array(buffer.readableBytesView))
            } catch {
                connection.close()
                if Task.isCancelled {
                    throw .transport(step: "\(request.method.rawValue) \(request.path)", target: config.server.description,
                                     underlying: "cancelled")
                }
                if reused, retriable, attempt == 1, let f = error as? ConnectionFailure, f == .closedBeforeResponse {
                    continue
                }
                throw wrap(error, step: "\(request.method.rawValue) \(request.path)")
            }
        }
    }

    /// Sends a request and returns the status and headers with the body as it streams (watch).
    /// The connection is not reused; ending or abandoning the stream closes it.
    /// `close` ends the response early (the stream's consumer is gone).
    public func stream(_ request: HTTPRequest) async throws(KubeClientError)
        -> (status: Int, headers: HTTPHeaders, body: ResponseBody, close: @Sendable () -> Void) {
        let head = try makeHead(request)
        let body = request.body.map { ByteBuffer(bytes: $0) }
        let connection = try await connect()
        do {
            let (responseHead, stream) = try await withTaskCancellationHandler {
                try await connection.stream(head, body: body, headTimeout: TimeAmount(config.requestTimeout))
            } onCancel: {
                connection.close()
            }
            return (Int(responseHead.status.code), responseHead.headers, stream, { connection.close() })
        } catch {
            connection.close()
            throw wrap(error, step: "\(request.method.rawValue) \(request.path)")
        }
    }

    func makeHead(_ request: HTTPRequest) throws(KubeClientError) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: config.server.basePath + request.path)
        head.headers.add(name: "Host", value: config.server.hostHeader)
        head.headers.add(name: "User-Agent", value: config.userAgent)
        head.headers.add(name: "Accept", value: "application/json")
        if let body = request.body {
            head.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            head.headers.add(name: "Content-Length", value: String(body.count))
        }
        switch config.credentials {
        case .bearerToken(let token):
            head.headers.add(name: "Authorization", value: "Bearer " + token)
        case .bearerTokenFile(let path):
            let token = String(decoding: try readFileBytes(path), as: UTF8.self).filter { !$0.isWhitespace }
            head.headers.add(name: "Authorization", value: "Bearer " + token)
        case .none, .clientCertificate:
            break
        }
        return head
    }

    func wrap(_ error: any Error, step: String) -> KubeClientError {
        if let e = error as? KubeClientError { return e }
        return .transport(step: step, target: config.server.description, underlying: "\(error)")
    }

    // MARK: the pool

    private func checkout() async throws(KubeClientError) -> (HTTPConnection, reused: Bool) {
        while let idle = pool.withLock({ $0.idle.popLast() }) {
            if idle.isActive { return (idle, true) }
            idle.close()
        }
        return (try await connect(), false)
    }

    private func checkin(_ connection: HTTPConnection) {
        let keep = pool.withLock { state -> Bool in
            guard !state.shutDown, connection.isActive, state.idle.count < config.maxIdleConnections else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    private func connect() async throws(KubeClientError) -> HTTPConnection {
        let server = config.server
        let sslContext = self.sslContext
        let sniHost: String? = config.tlsServerName ?? (server.isIPAddress ? nil : server.host)
        let router = ResponseRouter()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(config.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: sniHost)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(router)
                }
            }
        do {
            let channel = try await bootstrap.connect(host: server.host, port: server.port).get()
            pool.withLock { $0.opened += 1 }
            return HTTPConnection(channel: channel, router: router)
        } catch {
            throw .transport(step: "connect", target: server.description, underlying: "\(error)")
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
