import APIServer
import Channels
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// One client connection: a reader that assembles requests and notices the client going away, and a
/// writer that answers them in order. A client that disconnects cancels whatever its requests are
/// doing (a watch's stream ends); a stopping server lets the current response finish (streams end
/// cleanly) and then closes.
struct HTTPConnection: Sendable {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let pipeline: RequestPipeline
    let maxBodyBytes: Int
    let shutdown: ShutdownSignal
    /// A connection with no request in progress (none being read, none being answered) for this long
    /// is closed, as Go's http.Server does with IdleTimeout/ReadHeaderTimeout: a client that opens
    /// connections and never finishes a request does not keep them forever.
    let idleTimeout: Duration
    let logger: Logger

    enum Item: Sendable {
        case sendContinue
        case request(RequestAssembler.Received)
        case reject(APIResponse)
    }

    fileprivate enum Ended { case clientGone, readerStopped, writerDone, shuttingDown, idle }

    func serve(_ connection: Channel) async {
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, outbound in
                let queue = RequestQueue<Item>(capacity: 4)
                let activity = ConnectionActivity()
                await withTaskGroup(of: Ended.self) { group in
                    group.addTask { await read(inbound, into: queue, activity: activity) }
                    group.addTask {
                        await write(from: queue, to: outbound, channel: channel, activity: activity)
                        return .writerDone
                    }
                    group.addTask { await activity.waitUntilIdle(for: idleTimeout) }
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
                        case .clientGone, .writerDone, .idle:
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

    private func read(_ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>, into queue: RequestQueue<Item>,
                      activity: ConnectionActivity) async -> Ended {
        var assembler = RequestAssembler(maxBodyBytes: maxBodyBytes)
        do {
            for try await part in inbound {
                if case .head = part { activity.requestStarted() }
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
                       channel: any NIOCore.Channel, activity: ConnectionActivity) async {
        var identity: CertificateIdentity?? = .none
        do {
            while let item = await queue.next() {
                switch item {
                case .sendContinue:
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .continue)))
                case .reject(let response):
                    try await write(response, keepAlive: false, to: outbound, eventLoop: channel.eventLoop)
                    return
                case .request(let received):
                    if identity == .none { identity = .some(await peerIdentity(channel)) }
                    let response = await pipeline.respond(to: received, certificate: identity ?? nil)
                    let keepAlive = received.keepAlive && !shutdown.isFired
                    try await write(response, keepAlive: keepAlive, to: outbound, eventLoop: channel.eventLoop)
                    activity.responseFinished()
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
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, eventLoop: any EventLoop) async throws {
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
            // However this ends (finished, client gone before or during the relay, server stopping),
            // the producer (a watch) learns of it.
            defer { stream.cancel() }
            head.headers.remove(name: "content-length")
            head.headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            try await outbound.write(.head(head))
            try await relay(stream, to: outbound, eventLoop: eventLoop)
            try await outbound.write(.end(nil))
        }
    }

    /// Copies a streamed body until its producer finishes it or the server stops; then the caller
    /// ends the chunked body. Chunks that arrive while a write is in progress go out together in the
    /// next one (a watch with hundreds of events a second makes a few large writes, not one syscall
    /// and TLS record per event). After each write it waits for the event loop to have handed the
    /// bytes to the socket: the writer's `write` only suspends once the channel reports itself
    /// unwritable, and without the wait a fast stream could queue much more before that report
    /// arrives. So a slow client holds at most one batch above the socket's buffers, plus the
    /// stream's own bound, past which its producer drops it.
    private func relay(_ stream: ResponseStream, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
                       eventLoop: any EventLoop) async throws {
        let shutdown = self.shutdown
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while let chunks = await stream.drain() {
                    var bytes = ByteBufferAllocator().buffer(capacity: chunks.reduce(0) { $0 + $1.count })
                    for chunk in chunks { bytes.writeBytes(chunk) }
                    // An empty chunk would be the chunked encoding's terminator.
                    guard bytes.readableBytes > 0 else { continue }
                    try await outbound.write(.body(.byteBuffer(bytes)))
                    try await eventLoop.submit {}.get()
                }
            }
            group.addTask { await shutdown.wait() }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Whether a connection has a request in progress, and since when it has had none.
final class ConnectionActivity: Sendable {
    private struct State {
        var inProgress = 0
        var idleSince = ContinuousClock.now
    }
    private let state = Mutex(State())

    func requestStarted() { state.withLock { $0.inProgress += 1 } }

    func responseFinished() {
        state.withLock {
            $0.inProgress = max(0, $0.inProgress - 1)
            $0.idleSince = .now
        }
    }

    /// Returns `.idle` once nothing has been in progress for `limit`; checks a few times per limit.
    fileprivate func waitUntilIdle(for limit: Duration) async -> HTTPConnection.Ended {
        let step = max(limit / 4, .milliseconds(50))
        while !Task.isCancelled {
            try? await Task.sleep(for: step)
            let expired = state.withLock { $0.inProgress == 0 && ContinuousClock.now - $0.idleSince >= limit }
            if expired { return .idle }
        }
        return .idle
    }
}
