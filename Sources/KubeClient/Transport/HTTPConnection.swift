import Channels
import NIOCore
import NIOHTTP1

/// Receives one response's parts, on the connection's event loop.
protocol ResponseSink: AnyObject {
    func head(_ head: HTTPResponseHead)
    func body(_ buffer: ByteBuffer)
    func end()
    func fail(_ error: any Error)
}

/// Why a connection failed under a request; `closedBeforeResponse` on a reused connection means the
/// server dropped an idle keep-alive connection and the request can go again on a fresh one.
enum ConnectionFailure: Error, Equatable {
    case closedBeforeResponse
    case closedMidResponse
    case busy
}

/// Routes response parts to the one request in flight (HTTP/1.1 without pipelining). Lives in the
/// channel pipeline; every method runs on the channel's event loop, which is what makes it Sendable.
final class ResponseRouter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private var sink: (any ResponseSink)?
    private var sawHead = false
    private(set) var isClosed = false

    func install(_ sink: any ResponseSink) -> Bool {
        guard !isClosed, self.sink == nil else { return false }
        self.sink = sink
        sawHead = false
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            sawHead = true
            sink?.head(head)
        case .body(let buffer):
            sink?.body(buffer)
        case .end:
            let s = sink
            sink = nil
            s?.end()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        failCurrent(sawHead ? ConnectionFailure.closedMidResponse : ConnectionFailure.closedBeforeResponse)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        isClosed = true
        failCurrent(error)
        context.close(promise: nil)
    }

    func failCurrent(_ error: any Error) {
        let s = sink
        sink = nil
        s?.fail(error)
    }
}

/// One HTTP/1.1 connection (TLS or plain) to the API server.
final class HTTPConnection: Sendable {
    let channel: any Channel
    let router: ResponseRouter

    init(channel: any Channel, router: ResponseRouter) {
        self.channel = channel
        self.router = router
    }

    var isActive: Bool { channel.isActive }

    func close() {
        channel.close(promise: nil)
    }

    /// Sends a request and collects the whole response; fails after `timeout`.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, timeout: TimeAmount) async throws -> (HTTPResponseHead, ByteBuffer) {
        let promise = channel.eventLoop.makePromise(of: (HTTPResponseHead, ByteBuffer).self)
        let sink = BufferedSink(promise: promise, allocator: channel.allocator)
        start(head, body: body, sink: sink, timeout: timeout, onTimeout: { sink.fail($0) })
        promise.futureResult.whenComplete { _ in sink.cancelTimer() }
        return try await promise.futureResult.get()
    }

    /// Sends a request and returns once the response head is in; the body streams in chunks as they
    /// arrive. `headTimeout` bounds the wait for the head only. Ending the stream closes the connection.
    func stream(_ head: HTTPRequestHead, body: ByteBuffer?, headTimeout: TimeAmount)
        async throws -> (HTTPResponseHead, ResponseBody) {
        let stream = ResponseBody()
        let headPromise = channel.eventLoop.makePromise(of: HTTPResponseHead.self)
        let sink = StreamingSink(headPromise: headPromise, continuation: stream)
        let channel = self.channel
        stream.onTermination { channel.close(promise: nil) }
        start(head, body: body, sink: sink, timeout: headTimeout, onTimeout: { sink.fail($0) })
        headPromise.futureResult.whenComplete { _ in sink.cancelTimer() }
        return (try await headPromise.futureResult.get(), stream)
    }

    private func start(_ head: HTTPRequestHead, body: ByteBuffer?, sink: some TimedSink, timeout: TimeAmount,
                       onTimeout: @escaping @Sendable (any Error) -> Void) {
        let channel = self.channel
        let router = self.router
        channel.eventLoop.execute {
            guard router.install(sink) else {
                sink.fail(router.isClosed ? ConnectionFailure.closedBeforeResponse : ConnectionFailure.busy)
                return
            }
            sink.timer = channel.eventLoop.scheduleTask(in: timeout) {
                onTimeout(KubeClientError.timeout(method: head.method.rawValue, path: head.uri))
                channel.close(promise: nil)
            }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                router.failCurrent(error)
            }
        }
    }
}

/// A sink with a timeout; event-loop confined.
protocol TimedSink: ResponseSink, Sendable {
    var timer: Scheduled<Void>? { get set }
}

final class BufferedSink: TimedSink, @unchecked Sendable {
    let promise: EventLoopPromise<(HTTPResponseHead, ByteBuffer)>
    var responseHead: HTTPResponseHead?
    var buffer: ByteBuffer
    var timer: Scheduled<Void>?
    var done = false

    init(promise: EventLoopPromise<(HTTPResponseHead, ByteBuffer)>, allocator: ByteBufferAllocator) {
        self.promise = promise
        buffer = allocator.buffer(capacity: 0)
    }

    func head(_ head: HTTPResponseHead) { responseHead = head }
    func body(_ b: ByteBuffer) {
        var b = b
        buffer.writeBuffer(&b)
    }
    func end() {
        guard !done else { return }
        done = true
        if let responseHead {
            promise.succeed((responseHead, buffer))
        } else {
            promise.fail(ConnectionFailure.closedBeforeResponse)
        }
    }
    func fail(_ error: any Error) {
        guard !done else { return }
        done = true
        promise.fail(error)
    }
    func cancelTimer() { timer?.cancel() }
}

final class StreamingSink: TimedSink, @unchecked Sendable {
    let headPromise: EventLoopPromise<HTTPResponseHead>
    let continuation: ResponseBody
    var timer: Scheduled<Void>?
    var sawHead = false
    var done = false

    init(headPromise: EventLoopPromise<HTTPResponseHead>, continuation: ResponseBody) {
        self.headPromise = headPromise
        self.continuation = continuation
    }

    func head(_ head: HTTPResponseHead) {
        sawHead = true
        headPromise.succeed(head)
    }
    func body(_ b: ByteBuffer) { continuation.send(b) }
    func end() {
        guard !done else { return }
        done = true
        if !sawHead { headPromise.fail(ConnectionFailure.closedBeforeResponse) }
        continuation.finish()
    }
    func fail(_ error: any Error) {
        guard !done else { return }
        done = true
        if !sawHead { headPromise.fail(error) }
        continuation.finish(throwing: error)
    }
    func cancelTimer() { timer?.cancel() }
}
