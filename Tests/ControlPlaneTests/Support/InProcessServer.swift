import APIServer
import Channels
@testable import ControlPlane
import Foundation
import Logging
import NIOPosix
import Synchronization

/// A small handler standing in for the Kubernetes API in the HTTPS layer's own tests: it echoes who
/// asked and streams on demand, counting streams whose consumer went away.
final class EchoHandler: APIHandler {
    let endedStreams = Counter()
    let floodChunks = Counter()

    func handle(_ request: APIRequest) async -> APIResponse {
        switch request.path {
        case "/healthz", "/livez", "/readyz":
            return APIResponse(status: 200, headers: [("content-type", "text/plain; charset=utf-8")], body: .bytes(Array("ok".utf8)))
        case "/version":
            return APIResponse(status: 200, headers: [("content-type", "application/json")],
                               body: .bytes(Array(#"{"major":"1","minor":"32","gitVersion":"v1.32.0-test"}"#.utf8)))
        case "/whoami":
            let groups = request.user.groups.map { "\"\($0)\"" }.joined(separator: ",")
            let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            let json = #"{"user":"\#(request.user.name)","groups":[\#(groups)],"method":"\#(request.method)","path":"\#(request.path)","query":"\#(query)","bodyBytes":\#(request.body.count),"authorization":\#(request.header("authorization") != nil)}"#
            return APIResponse(status: 200, headers: [("content-type", "application/json")], body: .bytes(Array(json.utf8)))
        case "/stream":
            let counter = endedStreams
            let stream = ResponseStream()
            let ticker = Task {
                var n = 0
                while !Task.isCancelled {
                    stream.send(Array("tick \(n)\n".utf8))
                    n += 1
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            stream.onTermination {
                ticker.cancel()
                counter.increment()
            }
            return APIResponse(status: 200, headers: [("content-type", "application/json")], body: .stream(stream))
        case "/flood":
            // A producer as eager as a busy watch: it sends whenever the stream takes a chunk, so the
            // count shows how far ahead of the client the server buffers.
            let pulled = floodChunks
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
            let stream = ResponseStream(limit: .dropNewest(16))
            let producer = Task {
                while !Task.isCancelled {
                    switch stream.send(chunk) {
                    case .enqueued: pulled.increment()
                    case .dropped: try? await Task.sleep(for: .milliseconds(5))
                    case .terminated: return
                    }
                }
            }
            stream.onTermination { producer.cancel() }
            return APIResponse(status: 200, body: .stream(stream))
        case "/finite-stream":
            let stream = ResponseStream()
            stream.send(Array("one\n".utf8))
            stream.send([])
            stream.send(Array("two\n".utf8))
            stream.finish()
            return APIResponse(status: 200, body: .stream(stream))
        default:
            return APIResponse(status: 404, headers: [("content-type", "application/json")],
                               body: .bytes(Array(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"not found","reason":"NotFound","code":404}"#.utf8)))
        }
    }
}

/// The HTTPS layer on loopback with a fresh PKI, the admin kubeconfig and a token file.
struct InProcessServer {
    static let tokenCSV = """
    admintoken,boss,1,"system:masters"
    alicetoken,alice,2,"developers,qa"

    """

    let directory: TemporaryDirectory
    let server: HTTPSServer
    let handler: EchoHandler
    let pki: ClusterPKI

    var port: Int { server.port }
    var url: String { "https://127.0.0.1:\(port)" }
    var kubeconfig: String { directory.path + "/admin.kubeconfig" }

    /// Runs `body` against a started server, then stops it and removes everything, pass or fail.
    static func with(maxBodyBytes: Int = 3 * 1024 * 1024, idleTimeout: Duration = .seconds(90),
                     _ body: (InProcessServer) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let names = ClusterPKI.servingNames(bindAddress: "127.0.0.1", hostName: "testhost",
                                            firstServiceIP: IPAddress("10.96.0.1")!)
        let pki = try ClusterPKI.loadOrCreate(directory: directory.path + "/pki", names: names)
        let handler = EchoHandler()
        let pipeline = RequestPipeline(handler: handler, tokens: try StaticTokens(csv: tokenCSV))
        let server = try await HTTPSServer.bind(
            host: "127.0.0.1", port: 0,
            tls: .init(certificateChainPEM: pki.serving.certificatePEM, privateKeyPEM: pki.serving.keyPEM,
                       clientCAPEM: pki.ca.certificatePEM),
            maxBodyBytes: maxBodyBytes, idleTimeout: idleTimeout, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test"))
        let running = Task { await server.run(pipeline) }
        let fixture = InProcessServer(directory: directory, server: server, handler: handler, pki: pki)
        _ = try directory.write("admin.kubeconfig", Kubeconfig.render(
            server: fixture.url, caPEM: pki.ca.certificatePEM,
            clientCertificatePEM: pki.admin.certificatePEM, clientKeyPEM: pki.admin.keyPEM))
        do {
            try await body(fixture)
        } catch {
            server.beginShutdown()
            await running.value
            throw error
        }
        server.beginShutdown()
        await running.value
    }
}

final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}
