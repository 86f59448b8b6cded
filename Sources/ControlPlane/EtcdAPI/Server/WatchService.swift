import GRPCCore
import NIOCore
import SwiftProtobuf
import Store
import Synchronization

/// etcd's Watch service: one bidirectional stream carries many watches. Creates, cancels and
/// progress requests come in; `created`, event, `canceled` and progress responses go out, all
/// through one outbox so that a watch's `created` precedes its events.
struct WatchService: Sendable {
    let backend: any EtcdMemberBackend

    func watch(requests: GRPCRequestStream, responses: GRPCResponseWriter) async throws {
        let (outbox, sink) = AsyncStream.makeStream(of: Etcdserverpb_WatchResponse.self)
        let session = WatchSession(backend: backend, sink: sink)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in outbox { try await responses.write(message) }
            }
            group.addTask {
                defer { session.close() }
                for try await message in requests {
                    await session.handle(try Etcdserverpb_WatchRequest(wire: message))
                }
            }
            // Either side ending ends the stream: the client half-closed, or it is gone.
            try await group.next()
            session.close()
            group.cancelAll()
        }
    }
}

/// The watches of one Watch stream (etcd's serverWatchStream).
final class WatchSession: Sendable {
    struct State {
        /// etcd hands out ids from 0 per stream, skipping ids the client chose itself.
        var nextID: Int64 = 0
        var watches: [Int64: Task<Void, Never>] = [:]
        var closed = false
    }

    let backend: any EtcdMemberBackend
    let sink: AsyncStream<Etcdserverpb_WatchResponse>.Continuation
    let state = Mutex(State())

    init(backend: any EtcdMemberBackend, sink: AsyncStream<Etcdserverpb_WatchResponse>.Continuation) {
        self.backend = backend
        self.sink = sink
    }

    func handle(_ request: Etcdserverpb_WatchRequest) async {
        switch request.requestUnion {
        case .createRequest(let create): await self.create(create)
        case .cancelRequest(let cancel): await self.cancel(cancel.watchID)
        case .progressRequest:
            // As etcd 3.4: one response for the whole stream, watch id -1, at the current revision.
            var r = Etcdserverpb_WatchResponse()
            r.header = backend.header()
            r.watchID = -1
            sink.yield(r)
        case nil: break
        }
    }

    func create(_ create: Etcdserverpb_WatchCreateRequest) async {
        var filters: WatchFilter = []
        for f in create.filters {
            switch f {
            case .noput: filters.insert(.noPut)
            case .nodelete: filters.insert(.noDelete)
            case .UNRECOGNIZED: break
            }
        }
        let watch = WatchCreateRequest(key: [UInt8](create.key), end: [UInt8](create.rangeEnd),
                                       startRevision: create.startRevision, prevKV: create.prevKv,
                                       progressNotify: create.progressNotify, filters: filters)
        var created = Etcdserverpb_WatchResponse()
        created.header = backend.header()
        created.created = true
        state.withLock { s in
            guard !s.closed else { return }
            let id: Int64
            if create.watchID != 0 {
                id = create.watchID
                if s.watches[id] != nil {
                    created.watchID = -1
                    created.canceled = true
                    created.cancelReason = "mvcc: duplicate watch ID provided on the WatchStream"
                    sink.yield(created)
                    return
                }
            } else {
                while s.watches[s.nextID] != nil { s.nextID += 1 }
                id = s.nextID
                s.nextID += 1
            }
            created.watchID = id
            sink.yield(created)
            s.watches[id] = Task { await self.forward(id: id, watch) }
        }
    }

    /// Relays one watch's responses until it ends: compacted, canceled, or the store gone.
    func forward(id: Int64, _ watch: WatchCreateRequest) async {
        var final = Etcdserverpb_WatchResponse()
        final.watchID = id
        final.canceled = true
        do {
            for try await r in backend.watch(watch) {
                var out = Etcdserverpb_WatchResponse()
                out.header = backend.header(revision: r.revision)
                out.watchID = id
                out.events = r.events.map(Mvccpb_Event.init)
                out.compactRevision = r.compactRevision
                out.canceled = r.canceled || r.compactRevision != 0
                if out.canceled {
                    emitFinal(id: id, out)
                    return
                }
                if !emit(id: id, out) { return }
            }
            if Task.isCancelled { return }
            final.header = backend.header()
            final.cancelReason = "etcdserver: watch canceled"
        } catch MVCCError.compacted(let revision) {
            final.header = backend.header()
            final.compactRevision = revision
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            final.header = backend.header()
            final.cancelReason = EtcdRPCError.rpcError(for: error).message
        }
        emitFinal(id: id, final)
    }

    /// Sends a response of a live watch; false once the watch was canceled or the stream closed.
    func emit(id: Int64, _ response: Etcdserverpb_WatchResponse) -> Bool {
        state.withLock { s in
            guard !s.closed, s.watches[id] != nil else { return false }
            sink.yield(response)
            return true
        }
    }

    /// Sends a watch's last response and forgets it.
    func emitFinal(id: Int64, _ response: Etcdserverpb_WatchResponse) {
        state.withLock { s in
            guard !s.closed, s.watches.removeValue(forKey: id) != nil else { return }
            sink.yield(response)
        }
    }

    func cancel(_ id: Int64) async {
        var r = Etcdserverpb_WatchResponse()
        r.header = backend.header()
        r.watchID = id
        r.canceled = true
        state.withLock { s in
            guard !s.closed, let task = s.watches.removeValue(forKey: id) else { return }
            task.cancel()
            sink.yield(r)
        }
    }

    func close() {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            s.closed = true
            defer { s.watches = [:] }
            return Array(s.watches.values)
        }
        for t in tasks { t.cancel() }
        sink.finish()
    }
}
