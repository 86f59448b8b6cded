import NIOCore
import NIOHTTP2
import NIOPosix
import Store
import Synchronization

/// The etcd v3 gRPC services of one member, served in plaintext on each of its client URLs (etcd's
/// --listen-client-urls). `run` serves until `beginGracefulShutdown`, which lets calls in flight
/// finish; long-lived streams (watches, keep-alives) end when the task running `run` is cancelled.
///
/// The gRPC layer is our own over NIOHTTP2 frames (Wire/): a member's answer is written straight from
/// its callback, without the task per call and the timers a general gRPC server spends on every
/// request, which was most of a leader's CPU per write (see issue 4's notes).
public final class EtcdGRPCServer: Sendable {
    let listen: [EtcdURL]
    let methods: [String: GRPCMethod]
    let maxMessageBytes: Int
    private let state = Mutex(State())

    private struct State {
        var listeners: [any Channel] = []
        var connections: [ObjectIdentifier: any Channel] = [:]
        var draining = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    public init(backend: any EtcdMemberBackend, listen: [EtcdURL], limits: EtcdRequestLimits = EtcdRequestLimits()) {
        self.listen = listen
        methods = EtcdMethods.table(backend: backend, limits: limits)
        maxMessageBytes = limits.maxMessageBytes
    }

    /// Serves on every address until shut down; throws if any of them cannot be bound.
    public func run() async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .server, initialSettings: GRPCServerConnection.settings))
                    try channel.pipeline.syncOperations.addHandler(GRPCServerConnection(methods: methods, maxMessageBytes: maxMessageBytes))
                    adopt(channel)
                }
            }
        var bound: [any Channel] = []
        for url in listen {
            do {
                bound.append(try await bootstrap.bind(host: url.host, port: url.port).get())
            } catch {
                for channel in bound { try? await channel.close() }
                throw StoreServerError.serve("cannot listen on \(url): \(error)")
            }
        }
        let stopping = state.withLock { s in
            s.listeners = bound
            return s.draining
        }
        if stopping { beginGracefulShutdown() }
        await withTaskCancellationHandler {
            for channel in bound { try? await channel.closeFuture.get() }
            await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s in
                    if s.connections.isEmpty { return true }
                    s.drained.append(cont)
                    return false
                }
                if now { cont.resume() }
            }
        } onCancel: {
            let (listeners, connections) = state.withLock { s in
                s.draining = true
                return (s.listeners, Array(s.connections.values))
            }
            for channel in listeners { channel.close(promise: nil) }
            for channel in connections { channel.close(promise: nil) }
        }
    }

    /// Stops accepting connections and calls; open connections close once their calls end.
    public func beginGracefulShutdown() {
        let (listeners, connections) = state.withLock { s in
            s.draining = true
            return (s.listeners, Array(s.connections.values))
        }
        for channel in listeners { channel.close(promise: nil) }
        for channel in connections { Self.quiesce(channel) }
    }

    private func adopt(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let draining = state.withLock { s in
            s.connections[key] = channel
            return s.draining
        }
        if draining { Self.quiesce(channel) }
        channel.closeFuture.whenComplete { [self] _ in
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.connections[key] = nil
                guard s.connections.isEmpty else { return [] }
                defer { s.drained = [] }
                return s.drained
            }
            for w in waiters { w.resume() }
        }
    }

    private static func quiesce(_ channel: any Channel) {
        channel.eventLoop.execute {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: GRPCServerConnection.self) else { return }
            handler.quiesce()
        }
    }
}
