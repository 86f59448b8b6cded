// One client connection's gRPC calls, read straight off the HTTP/2 frames NIOHTTP2Handler parses (no
// child channel and no task per call). A unary call is decoded and handed to its method on the event
// loop; the member answers from its own thread, and the answer is written back on the loop: two thread
// hops per request, where a task-per-RPC server costs four. Bidirectional calls (watches, lease
// keep-alives) get a task each, fed through a channel.
//
// Flow control is ours here (NIOHTTP2 leaves it to the stream channels we do without): the connection
// window and each long-lived stream's window are given back once half of them was used.

import Channels
import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2

final class GRPCServerConnection: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// Advertised as SETTINGS_INITIAL_WINDOW_SIZE: larger than any request, so a unary call never waits
    /// for a stream WINDOW_UPDATE.
    static let streamWindow = 4 << 20
    static let connectionWindow = 8 << 20
    static let defaultConnectionWindow = 65_535

    static var settings: HTTP2Settings {
        [HTTP2Setting(parameter: .maxConcurrentStreams, value: 100_000),
         HTTP2Setting(parameter: .initialWindowSize, value: streamWindow),
         HTTP2Setting(parameter: .maxHeaderListSize, value: 16 << 10)]
    }

    private final class Call {
        let method: GRPCMethod
        var reader: GRPCMessageReader
        var request: ByteBuffer?
        var requests: GRPCRequestStream?
        var task: Task<Void, Never>?
        var clientEnded = false
        var dispatched = false
        var responseHeadersSent = false
        var unackedWindow = 0

        init(method: GRPCMethod, maxMessageBytes: Int) {
            self.method = method
            reader = GRPCMessageReader(maxMessageBytes: maxMessageBytes)
        }

        /// The client is gone or reset the stream: stop serving it.
        func abandon() {
            requests?.finish(throwing: CancellationError())
            task?.cancel()
        }
    }

    private let methods: [String: GRPCMethod]
    private let maxMessageBytes: Int
    private var context: ChannelHandlerContext?
    private var calls: [HTTP2StreamID: Call] = [:]
    private var connectionWindowRaised = false
    private var connectionUnacked = 0
    private var lastStreamID = HTTP2StreamID.rootStream
    private var quiescing = false

    init(methods: [String: GRPCMethod], maxMessageBytes: Int) {
        self.methods = methods
        self.maxMessageBytes = maxMessageBytes
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandonAll()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandonAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // NIOHTTP2 has already reset a stream that broke the protocol; a connection error closes it all.
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            calls.removeValue(forKey: streamError.streamID)?.abandon()
            return
        }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers): receivedHeaders(frame.streamID, headers, context: context)
        case .data(let data): receivedData(frame.streamID, data, context: context)
        case .rstStream: calls.removeValue(forKey: frame.streamID)?.abandon()
        default: break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    // MARK: Requests

    private func receivedHeaders(_ id: HTTP2StreamID, _ frame: HTTP2Frame.FramePayload.Headers, context: ChannelHandlerContext) {
        if let call = calls[id] {
            // Trailers from the client: only their END_STREAM matters.
            if frame.endStream { clientEnded(id, call) }
            return
        }
        if quiescing {
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.refusedStream))), promise: nil)
            return
        }
        if id > lastStreamID { lastStreamID = id }
        raiseConnectionWindow(context: context)
        let headers = frame.headers
        guard let contentType = headers.first(name: "content-type"), contentType.hasPrefix("application/grpc") else {
            // Not gRPC at all: answered in HTTP, as gRPC servers do.
            var h = HPACKHeaders([(":status", "415")])
            h.add(name: "content-type", value: "text/plain")
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: h, endStream: true)))), promise: nil)
            if !frame.endStream { reset(id, context: context) }
            return
        }
        let path = headers.first(name: ":path") ?? ""
        guard headers.first(name: ":method") == "POST", let method = methods[path] else {
            answerAtOnce(id, RPCError(code: .unimplemented, message: "unknown method \(path)"), clientEnded: frame.endStream, context: context)
            return
        }
        if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" {
            answerAtOnce(id, RPCError(code: .unimplemented, message: "grpc: Decompressor is not installed for grpc-encoding \"\(encoding)\""),
                         clientEnded: frame.endStream, context: context)
            return
        }
        let call = Call(method: method, maxMessageBytes: maxMessageBytes)
        calls[id] = call
        if case .bidirectional(let serve) = method {
            let requests = GRPCRequestStream()
            call.requests = requests
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let writer = GRPCResponseWriter(streamID: id, connection: bound)
            call.task = Task {
                var status: RPCError?
                do { try await serve(requests, writer) } catch {
                    status = EtcdRPCError.rpcError(for: error)
                }
                let ending = status
                bound.eventLoop.execute { bound.value.finish(id, message: nil, status: ending, ended: true) }
            }
        }
        if frame.endStream { clientEnded(id, call) }
    }

    private func receivedData(_ id: HTTP2StreamID, _ frame: HTTP2Frame.FramePayload.Data, context: ChannelHandlerContext) {
        guard case .byteBuffer(let bytes) = frame.data else { return }
        let flowControlled = bytes.readableBytes + (frame.paddingBytes.map { $0 + 1 } ?? 0)
        // The connection window is given back for every byte, also those of calls already answered.
        giveBackConnectionWindow(flowControlled, context: context)
        guard let call = calls[id] else { return }
        call.reader.append(bytes)
        do {
            while let message = try call.reader.next() {
                if let requests = call.requests {
                    _ = requests.send(message)
                } else if call.request == nil {
                    call.request = message
                } else {
                    answerAtOnce(id, RPCError(code: .unimplemented, message: "grpc: more than one request message for a unary method"),
                                 clientEnded: frame.endStream, context: context)
                    return
                }
            }
        } catch {
            let status: RPCError = switch error {
            case .compressed: RPCError(code: .internalError, message: "grpc: compressed message without a grpc-encoding")
            case let .tooLarge(length, limit):
                RPCError(code: .resourceExhausted, message: "grpc: received message larger than max (\(length) vs. \(limit))")
            }
            answerAtOnce(id, status, clientEnded: frame.endStream, context: context)
            return
        }
        if frame.endStream {
            clientEnded(id, call)
        } else if call.requests != nil {
            call.unackedWindow += flowControlled
            if call.unackedWindow >= Self.streamWindow / 2 {
                context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: call.unackedWindow))), promise: nil)
                call.unackedWindow = 0
            }
        }
    }

    private func clientEnded(_ id: HTTP2StreamID, _ call: Call) {
        call.clientEnded = true
        switch call.method {
        case .bidirectional:
            call.requests?.finish()
        case .unary(let serve):
            guard !call.dispatched, let context else { return }
            call.dispatched = true
            guard let request = call.request, !call.reader.hasPartialMessage else {
                finish(id, message: nil, status: RPCError(code: .internalError, message: "grpc: the request message is missing or incomplete"))
                return
            }
            call.request = nil
            serve(request, GRPCUnaryReply(streamID: id, connection: NIOLoopBound(self, eventLoop: context.eventLoop)))
        }
    }

    // MARK: Responses (on the event loop)

    /// Ends call `id`: its one response message (unary), then its status. `ended`: the call's task is
    /// over (bidirectional), so it is not cancelled again.
    func finish(_ id: HTTP2StreamID, message: [UInt8]?, status: RPCError?, ended: Bool = false) {
        guard let call = calls.removeValue(forKey: id), let context else { return }
        if !ended { call.abandon() }
        if let message {
            writeResponseHeaders(id, call, context: context)
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(GRPCMessageReader.framed(message, allocator: context.channel.allocator)))
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(data))), promise: nil)
        }
        writeStatus(id, status, headersSent: call.responseHeadersSent, clientEnded: call.clientEnded, context: context)
    }

    /// The trailers carrying the call's status (with the response headers, if none went out yet).
    private func writeStatus(_ id: HTTP2StreamID, _ status: RPCError?, headersSent: Bool, clientEnded: Bool,
                             context: ChannelHandlerContext) {
        var trailers = HPACKHeaders()
        if !headersSent {
            // Trailers-only: one HEADERS frame carries the response headers and the status.
            trailers.add(name: ":status", value: "200")
            trailers.add(name: "content-type", value: "application/grpc")
        }
        trailers.add(name: "grpc-status", value: String(status?.code.rawValue ?? 0))
        if let status, !status.message.isEmpty {
            trailers.add(name: "grpc-message", value: GRPCStatusMessage.percentEncoded(status.message))
        }
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: trailers, endStream: true)))), promise: nil)
        // A client still sending is told to stop (as grpc-go's server does).
        if !clientEnded { reset(id, context: context) }
        context.flush()
        closeIfDrained(context: context)
    }

    /// Sends one message of a bidirectional call.
    func send(_ id: HTTP2StreamID, message: [UInt8], promise: EventLoopPromise<Void>) {
        guard let call = calls[id], let context else {
            promise.fail(GRPCWireError.streamClosed)
            return
        }
        writeResponseHeaders(id, call, context: context)
        let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(GRPCMessageReader.framed(message, allocator: context.channel.allocator)))
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(data))), promise: promise)
    }

    private func writeResponseHeaders(_ id: HTTP2StreamID, _ call: Call, context: ChannelHandlerContext) {
        guard !call.responseHeadersSent else { return }
        call.responseHeadersSent = true
        let headers = HPACKHeaders([(":status", "200"), ("content-type", "application/grpc")])
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers)))), promise: nil)
    }

    /// A call refused before its method ran, or one whose request broke the framing: the status alone.
    private func answerAtOnce(_ id: HTTP2StreamID, _ status: RPCError, clientEnded: Bool, context: ChannelHandlerContext) {
        let call = calls.removeValue(forKey: id)
        call?.abandon()
        writeStatus(id, status, headersSent: call?.responseHeadersSent ?? false,
                    clientEnded: clientEnded || (call?.clientEnded ?? false), context: context)
    }

    private func reset(_ id: HTTP2StreamID, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.noError))), promise: nil)
    }

    // MARK: Flow control

    private func raiseConnectionWindow(context: ChannelHandlerContext) {
        guard !connectionWindowRaised else { return }
        connectionWindowRaised = true
        let increment = Self.connectionWindow - Self.defaultConnectionWindow
        context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))), promise: nil)
    }

    private func giveBackConnectionWindow(_ bytes: Int, context: ChannelHandlerContext) {
        connectionUnacked += bytes
        guard connectionUnacked >= Self.connectionWindow / 4 else { return }
        context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: connectionUnacked))), promise: nil)
        connectionUnacked = 0
    }

    // MARK: Shutdown

    /// Graceful close: no new calls (GOAWAY names the last one taken), close once the calls in flight end.
    func quiesce() {
        guard !quiescing, let context else { return }
        quiescing = true
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: .rootStream,
                                                         payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil))),
                              promise: nil)
        closeIfDrained(context: context)
    }

    private func closeIfDrained(context: ChannelHandlerContext) {
        if quiescing && calls.isEmpty { context.close(promise: nil) }
    }

    private func abandonAll() {
        let open = calls
        calls = [:]
        for call in open.values { call.abandon() }
    }
}
