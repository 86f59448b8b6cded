import APIServer
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// One client connection: a reader that assembles requests and notices the client going away, and a
/// writer that answers them in order. A client that disconnects cancels whatever its requests are
/// doing (a watch's stream ends); a stopping server lets the current response finish (streams end
/// cleanly) and then closes.
struct HTTPConnection: Sendable {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let pipeline: RequestPipeline
    let maxBodyBytes: Int
    let shutdown: ShutdownSignal
    let logger: Logger

    enum Item: Sendable {
        case sendContinue
        case request(RequestAssembler.Received)
        case reject(APIResponse)
    }

    private enum Ended { case clientGone, readerStopped, writerDone, shuttingDown }

    func serve(_ connection: Channel) async {
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, outbound in
                let queue = RequestQueue<Item>(capacity: 4)
                await withTaskGroup(of: Ended.self) { group in
                    group.addTask { await read(inbound, into: queue) }
                    group.addTask {
                        await write(from: queue, to: outbound, channel: channel)
                        return .writerDone
                    }
                    group.addTask {
                        await shutdown.wait()
                        return .shuttingDown
                    }
                    while let ended = await group.next() {
                        switch ended {
                        case .readerStopped:
                            continue  // the writer answers what was queued, then ends
                        case .shuttingDown:
                            if shutdown.isFired { queue.finish() }
                            continue
                        case .clientGone, .writerDone:
                            queue.finish()
                            group.cancelAll()
                        }
                    }
                }
            }
        } catch {
            logger.debug("connection closed", metadata: ["error": "\(error)"])
        }
    }

    private func read(_ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>, into queue: RequestQueue<Item>) async -> Ended {
        var assembler = RequestAssembler(maxBodyBytes: maxBodyBytes)
        do {
            for try await part in inbound {
                switch assembler.receive(part) {
                case .none:
                    break
                case .sendContinue:
                    guard await queue.push(.sendContinue) else { return .readerStopped }
                case .request(let received):
                    guard await queue.push(.request(received)) else { return .readerStopped }
                case .reject(let response):
                    _ = await queue.push(.reject(response))
                    queue.finish()
                    return .readerStopped
                }
            }
        } catch {
            // TLS failures and malformed HTTP (already answered 400 by NIOHTTP1's error handler).
            logger.debug("read failed", metadata: ["error": "\(error)"])
        }
        return .clientGone
    }

    private func write(from queue: RequestQueue<Item>, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
                       channel: any NIOCore.Channel) async {
        var identity: CertificateIdentity?? = .none
        do {
            while let item = await queue.next() {
                switch item {
                case .sendContinue:
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .continue)))
                case .reject(let response):
                    try await write(response, keepAlive: false, to: outbound)
                    return
                case .request(let received):
                    if identity == .none { identity = .some(await peerIdentity(channel)) }
                    let response = await pipeline.respond(to: received, certificate: identity ?? nil)
                    let keepAlive = received.keepAlive && !shutdown.isFired
                    try await write(response, keepAlive: keepAlive, to: outbound)
                    if !keepAlive { return }
                }
            }
        } catch {
            logger.debug("write failed", metadata: ["error": "\(error)"])
        }
    }

    private func peerIdentity(_ channel: any NIOCore.Channel) async -> CertificateIdentity? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return CertificateIdentity(verified: certificate)
    }

    private func write(_ response: APIResponse, keepAlive: Bool,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status))
        for header in response.headers { head.headers.add(name: header.name, value: header.value) }
        if !keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        switch response.body {
        case .bytes(let bytes):
            head.headers.remove(name: "transfer-encoding")
            head.headers.replaceOrAdd(name: "content-length", value: String(bytes.count))
            var parts: [HTTPServerResponsePart] = [.head(head)]
            if !bytes.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            parts.append(.end(nil))
            try await outbound.write(contentsOf: parts)
        case .stream(let stream):
            head.headers.remove(name: "content-length")
            head.headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            try await outbound.write(.head(head))
            try await relay(stream, to: outbound)
            try await outbound.write(.end(nil))
        }
    }

    /// Copies a streamed body chunk by chunk (each write flushes and waits while the client is slow),
    /// until the stream ends or the server stops; then the caller ends the chunked body.
    private func relay(_ stream: AsyncStream<[UInt8]>,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let shutdown = self.shutdown
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await chunk in stream where !chunk.isEmpty {
                    // An empty chunk would be the chunked encoding's terminator.
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                }
            }
            group.addTask { await shutdown.wait() }
            try await group.next()
            group.cancelAll()
        }
    }
}
