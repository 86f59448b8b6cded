import Channels
import GRPCCore
import NIOCore
import NIOHTTP2
import SwiftProtobuf

/// What serves one request path ("/etcdserverpb.KV/Put").
enum GRPCMethod: Sendable {
    /// One request message in, one response or a status out. Runs on the connection's event loop and
    /// must not block it; `reply` may be answered later, from any thread, once.
    case unary(@Sendable (_ request: ByteBuffer, _ reply: GRPCUnaryReply) -> Void)
    /// A bidirectional stream, served by a task of its own: requests arrive on the channel (it finishes
    /// when the client half-closes, fails when the client resets the stream or goes away), responses go
    /// out through the writer. Returning ends the call with OK, throwing with the thrown status.
    case bidirectional(@Sendable (_ requests: GRPCRequestStream, _ responses: GRPCResponseWriter) async throws -> Void)
}

typealias GRPCRequestStream = BufferedChannel<ByteBuffer, any Error>

enum GRPCWireError: Error, CustomStringConvertible {
    case streamClosed

    var description: String { "the stream was closed" }
}

/// The answer to one unary call.
struct GRPCUnaryReply: Sendable {
    let streamID: HTTP2StreamID
    let connection: NIOLoopBound<GRPCServerConnection>

    /// Encodes and sends `result`'s message with status OK, or its error as the call's status.
    func respond<M: SwiftProtobuf.Message>(_ result: Result<M, RPCError>) {
        let streamID = self.streamID
        let connection = self.connection
        let send: @Sendable () -> Void = {
            switch result {
            case .success(let message):
                do {
                    let bytes: [UInt8] = try message.serializedBytes()
                    connection.value.finish(streamID, message: bytes, status: nil)
                } catch {
                    connection.value.finish(streamID, message: nil,
                                            status: RPCError(code: .internalError, message: "grpc: error while marshaling: \(error)"))
                }
            case .failure(let status):
                connection.value.finish(streamID, message: nil, status: status)
            }
        }
        if connection.eventLoop.inEventLoop { send() } else { connection.eventLoop.execute(send) }
    }

    /// Runs `body` in a task and answers with what it returns or throws (for calls that are not on a hot path).
    func respond<M: SwiftProtobuf.Message>(from body: @escaping @Sendable () async throws(RPCError) -> M) {
        Task {
            do throws(RPCError) { respond(.success(try await body())) } catch { respond(Result<M, RPCError>.failure(error)) }
        }
    }
}

/// The response side of a bidirectional call.
struct GRPCResponseWriter: Sendable {
    let streamID: HTTP2StreamID
    let connection: NIOLoopBound<GRPCServerConnection>

    /// Sends one message; returns once HTTP/2 flow control let it out to the socket (the backpressure a
    /// slow reader puts on its watches), throws once the stream is gone.
    func write<M: SwiftProtobuf.Message>(_ message: M) async throws {
        let bytes: [UInt8] = try message.serializedBytes()
        let promise = connection.eventLoop.makePromise(of: Void.self)
        let streamID = self.streamID
        let connection = self.connection
        connection.eventLoop.execute { connection.value.send(streamID, message: bytes, promise: promise) }
        try await promise.futureResult.get()
    }
}
