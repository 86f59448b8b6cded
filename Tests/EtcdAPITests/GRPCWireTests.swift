import Foundation
import GRPCCore
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import SwiftProtobuf
import Synchronization
import Testing
@testable import EtcdAPI

@Suite("gRPC wire: message framing")
struct GRPCMessageReaderTests {
    func framed(_ bytes: [UInt8]) -> ByteBuffer { GRPCMessageReader.framed(bytes, allocator: ByteBufferAllocator()) }

    @Test("messages split across frames and packed into one frame come out whole, in order")
    func splitAndPacked() throws {
        var reader = GRPCMessageReader(maxMessageBytes: 100)
        var all = framed([1, 2, 3])
        all.writeImmutableBuffer(framed([]))
        all.writeImmutableBuffer(framed([4, 5]))
        // Byte by byte: nothing until a message is whole.
        var out: [[UInt8]] = []
        while let byte = all.readSlice(length: 1) {
            reader.append(byte)
            while let m = try reader.next() { out.append(Array(m.readableBytesView)) }
        }
        #expect(out == [[1, 2, 3], [], [4, 5]])
        #expect(!reader.hasPartialMessage)

        reader.append(framed([9, 9, 9]).getSlice(at: 0, length: 6) ?? ByteBuffer())
        #expect(try reader.next() == nil)
        #expect(reader.hasPartialMessage)
    }

    @Test("a compressed flag and a message over the limit are refused before the body arrives")
    func refusals() {
        var compressed = GRPCMessageReader(maxMessageBytes: 100)
        compressed.append(ByteBuffer(bytes: [1, 0, 0, 0, 1]))
        #expect(throws: GRPCMessageReader.Failure.compressed) { try compressed.next() }

        var large = GRPCMessageReader(maxMessageBytes: 100)
        large.append(ByteBuffer(bytes: [0, 0, 0, 0, 101]))
        #expect(throws: GRPCMessageReader.Failure.tooLarge(length: 101, limit: 100)) { try large.next() }
    }

    @Test("grpc-message is percent-encoded outside printable ASCII and for '%'")
    func percentEncoding() {
        #expect(GRPCStatusMessage.percentEncoded("etcdserver: key is not provided") == "etcdserver: key is not provided")
        #expect(GRPCStatusMessage.percentEncoded("50% done\nü") == "50%25 done%0A%C3%BC")
    }
}

final class Ended: Sendable {
    let log = Mutex<[String]>([])
}

/// GRPCServerConnection fed HTTP/2 frames directly (what NIOHTTP2Handler hands it), its frames read back.
@Suite("gRPC wire: calls on one connection")
struct GRPCServerConnectionTests {
    static let put = "/etcdserverpb.KV/Put"
    static let watch = "/etcdserverpb.Watch/Watch"

    /// Put answers with the request's key as its header revision; Watch echoes each request's
    /// watch id until the client half-closes, and records how it ended.
    static func methods(ended: Ended) -> [String: GRPCMethod] {
        [
            put: .unary { bytes, reply in
                do throws(RPCError) {
                    let request = try Etcdserverpb_PutRequest(wire: bytes)
                    if request.key == Data("fail".utf8) {
                        return reply.respond(Result<Etcdserverpb_PutResponse, RPCError>.failure(EtcdRPCError.emptyKey.rpcError))
                    }
                    var r = Etcdserverpb_PutResponse()
                    r.header.revision = Int64(request.key.count)
                    reply.respond(Result<Etcdserverpb_PutResponse, RPCError>.success(r))
                } catch {
                    reply.respond(Result<Etcdserverpb_PutResponse, RPCError>.failure(error))
                }
            },
            watch: .bidirectional { requests, responses in
                do {
                    for try await message in requests {
                        let w = try Etcdserverpb_WatchRequest(wire: message)
                        var r = Etcdserverpb_WatchResponse()
                        r.watchID = w.cancelRequest.watchID
                        try await responses.write(r)
                    }
                    ended.log.withLock { $0.append("half-closed") }
                } catch {
                    ended.log.withLock { $0.append("failed") }
                    throw error
                }
            },
        ]
    }

    func headers(_ path: String, endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .headers(.init(headers: HPACKHeaders([(":method", "POST"), (":path", path), (":scheme", "http"),
                                              (":authority", "localhost"), ("content-type", "application/grpc"),
                                              ("te", "trailers")]), endStream: endStream))
    }

    func data<M: SwiftProtobuf.Message>(_ message: M, endStream: Bool = false) throws -> HTTP2Frame.FramePayload {
        let bytes: [UInt8] = try message.serializedBytes()
        return .data(.init(data: .byteBuffer(GRPCMessageReader.framed(bytes, allocator: ByteBufferAllocator())), endStream: endStream))
    }

    func channel(_ ended: Ended, maxMessageBytes: Int = 1 << 20) async throws -> NIOAsyncTestingChannel {
        let methods = Self.methods(ended: ended)
        let channel = NIOAsyncTestingChannel()
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(GRPCServerConnection(methods: methods, maxMessageBytes: maxMessageBytes))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    /// The next outbound frame on `stream`, skipping connection-level ones.
    func next(_ channel: NIOAsyncTestingChannel, on stream: HTTP2StreamID) async throws -> HTTP2Frame.FramePayload {
        while true {
            let frame = try await channel.waitForOutboundWrite(as: HTTP2Frame.self)
            if frame.streamID == stream { return frame.payload }
        }
    }

    func fields(_ payload: HTTP2Frame.FramePayload) -> (headers: [String: String], endStream: Bool)? {
        guard case .headers(let h) = payload else { return nil }
        return (Dictionary(h.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), h.endStream)
    }

    func message<M: SwiftProtobuf.Message>(_ payload: HTTP2Frame.FramePayload, as: M.Type) throws -> M? {
        guard case .data(let d) = payload, case .byteBuffer(let b) = d.data else { return nil }
        var reader = GRPCMessageReader(maxMessageBytes: 1 << 20)
        reader.append(b)
        guard let m = try reader.next() else { return nil }
        return try M(wire: m)
    }

    @Test("unary: a request split over DATA frames gets headers, one message and status OK")
    func unary() async throws {
        let ended = Ended()
        let channel = try await channel(ended)
        let id = HTTP2StreamID(1)
        var request = Etcdserverpb_PutRequest()
        request.key = Data("abcde".utf8)
        guard case .data(let whole) = try data(request), case .byteBuffer(var bytes) = whole.data,
              let first = bytes.readSlice(length: 3) else { Issue.record("no frame"); return }
        try await channel.writeInbound(HTTP2Frame(streamID: id, payload: headers(Self.put)))
        try await channel.writeInbound(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(first)))))
        try await channel.writeInbound(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(bytes), endStream: true))))

        let head = fields(try await next(channel, on: id))
        #expect(head?.headers[":status"] == "200" && head?.headers["content-type"] == "application/grpc" && head?.endStream == false)
        let response = try message(try await next(channel, on: id), as: Etcdserverpb_PutResponse.self)
        #expect(response?.header.revision == 5)
        let trailers = fields(try await next(channel, on: id))
        #expect(trailers?.headers["grpc-status"] == "0" && trailers?.endStream == true)
        #expect(trailers?.headers[":status"] == nil)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test("refusals come as one trailers-only HEADERS: the method's error, an unknown method, an oversize message")
    func refusals() async throws {
        let ended = Ended()
        let channel = try await channel(ended, maxMessageBytes: 64)
        var fail = Etcdserverpb_PutRequest()
        fail.key = Data("fail".utf8)
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: headers(Self.put)))
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: try data(fail, endStream: true)))
        let failed = fields(try await next(channel, on: 1))
        #expect(failed?.headers[":status"] == "200" && failed?.endStream == true)
        #expect(failed?.headers["grpc-status"] == "3" && failed?.headers["grpc-message"] == "etcdserver: key is not provided")

        try await channel.writeInbound(HTTP2Frame(streamID: 3, payload: headers("/etcdserverpb.KV/Nope", endStream: true)))
        let unknown = fields(try await next(channel, on: 3))
        #expect(unknown?.headers["grpc-status"] == "12" && unknown?.endStream == true)

        var large = Etcdserverpb_PutRequest()
        large.value = Data(repeating: 7, count: 100)
        try await channel.writeInbound(HTTP2Frame(streamID: 5, payload: headers(Self.put)))
        try await channel.writeInbound(HTTP2Frame(streamID: 5, payload: try data(large)))
        let tooLarge = fields(try await next(channel, on: 5))
        #expect(tooLarge?.headers["grpc-status"] == "8")
        #expect(tooLarge?.headers["grpc-message"]?.contains("larger than max") == true)
        // The client had not finished sending: it is told to stop.
        guard case .rstStream(.noError) = try await next(channel, on: 5) else { Issue.record("no RST_STREAM"); return }
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test("bidirectional: responses stream out, the client's half-close ends the call with OK, a reset cancels it")
    func bidirectional() async throws {
        let ended = Ended()
        let channel = try await channel(ended)
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: headers(Self.watch)))
        for watchID in [Int64(4), 5] {
            var w = Etcdserverpb_WatchRequest()
            w.cancelRequest.watchID = watchID
            try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: try data(w)))
        }
        #expect(fields(try await next(channel, on: 1))?.headers[":status"] == "200")
        #expect(try message(try await next(channel, on: 1), as: Etcdserverpb_WatchResponse.self)?.watchID == 4)
        #expect(try message(try await next(channel, on: 1), as: Etcdserverpb_WatchResponse.self)?.watchID == 5)
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))))
        let trailers = fields(try await next(channel, on: 1))
        #expect(trailers?.headers["grpc-status"] == "0" && trailers?.endStream == true)
        #expect(ended.log.withLock { $0 } == ["half-closed"])

        try await channel.writeInbound(HTTP2Frame(streamID: 3, payload: headers(Self.watch)))
        try await channel.writeInbound(HTTP2Frame(streamID: 3, payload: .rstStream(.cancel)))
        for _ in 0..<200 where ended.log.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(ended.log.withLock { $0 } == ["half-closed", "failed"])
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test("graceful close: GOAWAY names the last call, new calls are refused, the connection closes when the last call ends")
    func quiesce() async throws {
        let ended = Ended()
        let channel = try await channel(ended)
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: headers(Self.watch)))
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.handler(type: GRPCServerConnection.self).quiesce()
        }
        var control = try await next(channel, on: .rootStream)
        if case .windowUpdate = control { control = try await next(channel, on: .rootStream) }
        guard case .goAway(let last, .noError, _) = control else { Issue.record("no GOAWAY: \(control)"); return }
        #expect(last == 1)
        try await channel.writeInbound(HTTP2Frame(streamID: 3, payload: headers(Self.put)))
        guard case .rstStream(.refusedStream) = try await next(channel, on: 3) else { Issue.record("stream 3 not refused"); return }
        #expect(channel.isActive)
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))))
        #expect(fields(try await next(channel, on: 1))?.headers["grpc-status"] == "0")
        for _ in 0..<200 where channel.isActive { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!channel.isActive)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }

    @Test("flow control: the connection window is raised once, then given back as requests are read")
    func connectionWindow() async throws {
        let ended = Ended()
        let channel = try await channel(ended, maxMessageBytes: 4 << 20)
        try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: headers(Self.watch)))
        guard case .windowUpdate(let raised) = try await next(channel, on: .rootStream) else { Issue.record("no raise"); return }
        #expect(raised == GRPCServerConnection.connectionWindow - GRPCServerConnection.defaultConnectionWindow)
        let chunk = ByteBuffer(repeating: 0, count: 16_384)
        var sent = 0
        while sent < GRPCServerConnection.connectionWindow / 4 {
            try await channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(chunk)))))
            sent += chunk.readableBytes
        }
        guard case .windowUpdate(let returned) = try await next(channel, on: .rootStream) else { Issue.record("no window back"); return }
        #expect(returned == sent)
        _ = try await channel.finish(acceptAlreadyClosed: true)
    }
}
