import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

struct TestRequest: Sendable {
    var method: String
    var uri: String
    var headers: [String: String]
    var body: [UInt8]

    var path: String { String(uri.prefix { $0 != "?" }) }
    var query: [String: String] {
        guard let q = uri.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]).removingPercentEncodingForTest : ""
        }
        return out
    }
}

enum TestResponse: Sendable {
    case json(Int, String)
    /// A chunked body written piece by piece, `interval` apart, then ended.
    case chunks([String], interval: TimeAmount)
    /// A chunked body fed by the test until the stream finishes.
    case stream(AsyncStream<String>)
    /// Never answers.
    case hang
}

/// A real HTTPS/1.1 server on 127.0.0.1 (ephemeral port) with a canned responder, opposite the
/// client's transport. With `requireClientCertificate` the TLS handshake refuses clients without a
/// certificate from the test CA, as the API server does for client-certificate auth.
final class TestHTTPSServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let connections = ConnectionLog()
    private let log = TestRequestLog()

    var connectionsAccepted: Int { connections.accepted }
    var connectionsOpen: Int { connections.channels.filter(\.isActive).count }
    var requests: [TestRequest] { log.all }

    init(pki: TestPKI = .shared, requireClientCertificate: Bool = true,
         respond: @escaping @Sendable (TestRequest) -> TestResponse) async throws {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pki.serverCertPEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.serverKeyPEM.utf8), format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pki.caPEM.utf8)))
        tls.certificateVerification = requireClientCertificate ? .noHostnameVerification : .none
        let context = try NIOSSLContext(configuration: tls)
        let connections = self.connections
        let log = self.log
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                connections.add(child)
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(TestHTTPHandler(respond: respond, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var url: String { "https://127.0.0.1:\(port)" }

    /// Closes every accepted connection (as a server dropping idle keep-alive connections).
    func closeConnections() async {
        for c in connections.channels { try? await c.close() }
    }

    func shutdown() async {
        try? await channel.close()
        for c in connections.channels { try? await c.close() }
    }
}

private final class TestHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (TestRequest) -> TestResponse
    let log: TestRequestLog
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(respond: @escaping @Sendable (TestRequest) -> TestResponse, log: TestRequestLog) {
        self.respond = respond
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var b):
            body += b.readBytes(length: b.readableBytes) ?? []
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (k, v) in head.headers { headers[k.lowercased()] = v }
            let request = TestRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
            log.append(request)
            handle(respond(request), context: context)
        }
    }

    private func handle(_ response: TestResponse, context: ChannelHandlerContext) {
        let channel = context.channel
        switch response {
        case .json(let status, let text):
            var h = HTTPHeaders()
            h.add(name: "Content-Type", value: "application/json")
            h.add(name: "Content-Length", value: String(text.utf8.count))
            channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: h)), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text))), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        case .chunks(let pieces, let interval):
            writeStreamHead(channel)
            for (i, piece) in pieces.enumerated() {
                channel.eventLoop.scheduleTask(in: interval * Int64(i + 1)) {
                    channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: piece))), promise: nil)
                }
            }
            channel.eventLoop.scheduleTask(in: interval * Int64(pieces.count + 1)) {
                channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
            }
        case .stream(let pieces):
            writeStreamHead(channel)
            Task {
                for await piece in pieces {
                    try? await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: piece))))
                }
                try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            }
        case .hang:
            break
        }
    }

    private func writeStreamHead(_ channel: any Channel) {
        var h = HTTPHeaders()
        h.add(name: "Content-Type", value: "application/json")
        h.add(name: "Transfer-Encoding", value: "chunked")
        channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: h)), promise: nil)
    }
}

/// The requests a test server saw, for assertions on headers and queries.
final class TestRequestLog: Sendable {
    private let requests = Mutex<[TestRequest]>([])
    func append(_ r: TestRequest) { requests.withLock { $0.append(r) } }
    var all: [TestRequest] { requests.withLock { $0 } }
}

extension String {
    var removingPercentEncodingForTest: String {
        var bytes: [UInt8] = []
        var it = Array(utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

final class ConnectionLog: Sendable {
    private let state = Mutex<[any Channel]>([])
    func add(_ c: any Channel) { state.withLock { $0.append(c) } }
    var channels: [any Channel] { state.withLock { $0 } }
    var accepted: Int { state.withLock { $0.count } }
}
