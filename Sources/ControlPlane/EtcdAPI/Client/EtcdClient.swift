#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import GRPCCore
import GRPCNIOTransportHTTP2
import Store
import Synchronization

/// A `KeyValueClient` over the etcd v3 gRPC API: reaches Swiftlet's store or a real etcd.
///
/// Several endpoints: requests go to the one that last answered; when it cannot be reached (or has
/// no leader) the next is tried, reads always, writes only when the failure shows they did not take
/// effect. Errors come back as the store errors an embedded member raises.
public final class EtcdClient: KeyValueClient {
    public struct Options: Sendable {
        /// Deadline of each unary request (etcd's clients default to none; a stuck member must not
        /// hold the API server forever).
        public var requestTimeout: Duration = .seconds(10)
        /// etcd's client default: as much as gRPC can take.
        public var maxResponseBytes: Int = Int(Int32.max)
        public init() {}
    }

    let endpoints: [EtcdEndpoint]
    let options: Options
    /// Index of the endpoint to try first.
    let preferred = Mutex(0)

    /// `endpoints` as etcdctl takes them: `http://host:port` or `host:port`.
    public init(endpoints: [String], options: Options = Options()) throws(EtcdClientError) {
        var urls: [EtcdURL] = []
        for e in endpoints {
            guard let url = EtcdURL(e.contains("://") ? e : "http://\(e)") else { throw .badEndpoint(e) }
            guard url.scheme == "http" else { throw .unsupportedScheme(e) }
            urls.append(url)
        }
        guard !urls.isEmpty else { throw .noEndpoints }
        do { self.endpoints = try urls.map(EtcdEndpoint.init) } catch { throw .connect("\(error)") }
        self.options = options
    }

    deinit { close() }

    /// Stops every connection; requests in flight finish.
    public func close() {
        for e in endpoints { e.close() }
    }

    var callOptions: CallOptions {
        var o = CallOptions.defaults
        o.timeout = options.requestTimeout
        o.maxResponseMessageBytes = options.maxResponseBytes
        return o
    }

    /// Runs `body` on the preferred endpoint, failing over to the others as described above; a
    /// retryable failure on every endpoint is tried again after a short pause, `rounds` times.
    func call<T: Sendable>(idempotent: Bool, leaseID: Int64 = 0, requestBytes: Int = 0, rounds: Int = 3,
                           _ body: (EtcdEndpoint) async throws -> T) async throws -> T {
        let first = preferred.withLock { $0 }
        var lastError: RPCError?
        for round in 0..<rounds {
            if round > 0 { try await Task.sleep(for: .milliseconds(100 * round)) }
            for step in 0..<endpoints.count {
                let index = (first + step) % endpoints.count
                do {
                    let result = try await body(endpoints[index])
                    if index != first { preferred.withLock { $0 = index } }
                    return result
                } catch let error as RPCError {
                    lastError = error
                    if !EtcdErrorMapping.isRetryable(error, idempotent: idempotent) {
                        throw EtcdErrorMapping.storeError(error, leaseID: leaseID, requestBytes: requestBytes)
                    }
                }
            }
        }
        guard let lastError else { throw KeyValueClientError.unavailable("no endpoint answered") }
        throw EtcdErrorMapping.storeError(lastError, leaseID: leaseID, requestBytes: requestBytes)
    }

    // MARK: KV

    public func range(_ request: RangeRequest) async throws -> RangeResponse {
        do {
            return try await call(idempotent: true) { e in
                try await e.kv.range(Etcdserverpb_RangeRequest(request), options: callOptions).mvcc
            }
        } catch MVCCError.compacted(_) {
            throw MVCCError.compacted(await compactRevision(key: request.key))
        }
    }

    public func put(_ request: PutRequest) async throws -> PutResponse {
        try await call(idempotent: false, requestBytes: request.key.count + request.value.count) { e in
            try await e.kv.put(Etcdserverpb_PutRequest(request), options: callOptions).mvcc
        }
    }

    public func deleteRange(_ request: DeleteRangeRequest) async throws -> DeleteRangeResponse {
        try await call(idempotent: false) { e in
            try await e.kv.deleteRange(Etcdserverpb_DeleteRangeRequest(request), options: callOptions).mvcc
        }
    }

    public func txn(_ request: TxnRequest) async throws -> TxnResponse {
        let message = Etcdserverpb_TxnRequest(request)
        do {
            return try await call(idempotent: false) { e in
                try await e.kv.txn(message, options: callOptions).mvcc
            }
        } catch MVCCError.compacted(_) {
            throw MVCCError.compacted(await compactRevision(key: []))
        }
    }

    public func compact(revision: Int64) async throws -> Int64 {
        var message = Etcdserverpb_CompactionRequest()
        message.revision = revision
        do {
            return try await call(idempotent: false) { e in
                try await e.kv.compact(message, options: callOptions).header.revision
            }
        } catch MVCCError.compacted(_) {
            throw MVCCError.compacted(await compactRevision(key: []))
        }
    }

    /// etcd's compaction error does not say where history now starts; a watch from revision 1 does.
    /// 0 if it cannot be learned.
    func compactRevision(key: [UInt8]) async -> Int64 {
        var probe = WatchCreateRequest(key: key.isEmpty ? [0] : key, startRevision: 1)
        if key.isEmpty { probe.end = [0] }
        do {
            for try await _ in watch(probe) { return 0 }
        } catch MVCCError.compacted(let revision) {
            return revision
        } catch {}
        return 0
    }

    // MARK: Watch

    public func watch(_ request: WatchCreateRequest) -> AsyncThrowingStream<WatchResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchResponse.self)
        let task = Task { [self] in
            do {
                try await runWatch(request, into: continuation)
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// One Watch stream per watch, on the first endpoint that accepts it. Ends only by error
    /// (compaction, the endpoint going away) or cancellation.
    func runWatch(_ request: WatchCreateRequest, into continuation: AsyncThrowingStream<WatchResponse, any Error>.Continuation) async throws {
        var create = Etcdserverpb_WatchCreateRequest()
        create.key = Data(request.key)
        create.rangeEnd = Data(request.end)
        create.startRevision = request.startRevision
        create.prevKv = request.prevKV
        create.progressNotify = request.progressNotify
        if request.filters.contains(.noPut) { create.filters.append(.noput) }
        if request.filters.contains(.noDelete) { create.filters.append(.nodelete) }
        var watchRequest = Etcdserverpb_WatchRequest()
        watchRequest.createRequest = create
        let message = watchRequest
        var options = CallOptions.defaults
        options.maxResponseMessageBytes = self.options.maxResponseBytes

        try await call(idempotent: true) { e in
            try await e.watch.watch(options: options, requestProducer: { writer in
                try await writer.write(message)
                // Keep our side open: closing it would end the watch. The RPC ends the wait.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }, onResponse: { response in
                for try await r in response.messages {
                    if r.created && r.events.isEmpty && !r.canceled { continue }
                    if r.canceled {
                        if r.compactRevision != 0 { throw MVCCError.compacted(r.compactRevision) }
                        throw KeyValueClientError.rejected(r.cancelReason.isEmpty ? "watch canceled" : r.cancelReason)
                    }
                    continuation.yield(WatchResponse(watchID: r.watchID, revision: r.header.revision,
                                                     events: r.events.map(\.mvcc)))
                }
                throw KeyValueClientError.unavailable("watch stream to \(e.url) ended")
            })
        }
    }

    // MARK: Lease

    public func leaseGrant(ttl: Int64, id: Int64) async throws -> LeaseGrant {
        var message = Etcdserverpb_LeaseGrantRequest()
        message.ttl = ttl
        message.id = id
        return try await call(idempotent: false, leaseID: id) { e in
            let r = try await e.lease.leaseGrant(message, options: callOptions)
            if !r.error.isEmpty { throw RPCError(code: .failedPrecondition, message: r.error) }
            return LeaseGrant(id: r.id, ttl: r.ttl, revision: r.header.revision)
        }
    }

    public func leaseRevoke(id: Int64) async throws {
        var message = Etcdserverpb_LeaseRevokeRequest()
        message.id = id
        _ = try await call(idempotent: true, leaseID: id) { e in
            try await e.lease.leaseRevoke(message, options: callOptions)
        }
    }

    public func leaseKeepAlive(id: Int64) async throws -> Int64 {
        var keepAlive = Etcdserverpb_LeaseKeepAliveRequest()
        keepAlive.id = id
        let message = keepAlive
        var options = callOptions
        options.timeout = self.options.requestTimeout
        let ttl: Int64 = try await call(idempotent: true, leaseID: id) { e in
            try await e.lease.leaseKeepAlive(options: options, requestProducer: { writer in
                try await writer.write(message)
            }, onResponse: { response in
                for try await r in response.messages { return r.ttl }
                throw RPCError(code: .unavailable, message: "lease keep-alive stream to \(e.url) ended")
            })
        }
        // etcd answers an unknown or expired lease with TTL 0 rather than an error.
        if ttl <= 0 { throw MVCCError.leaseNotFound(id) }
        return ttl
    }

    public func leaseTimeToLive(id: Int64, keys: Bool) async throws -> LeaseTimeToLive {
        var message = Etcdserverpb_LeaseTimeToLiveRequest()
        message.id = id
        message.keys = keys
        let r = try await call(idempotent: true, leaseID: id) { e in
            try await e.lease.leaseTimeToLive(message, options: callOptions)
        }
        return LeaseTimeToLive(id: r.id, remainingTTL: r.ttl, grantedTTL: r.grantedTtl, keys: r.keys.map { [UInt8]($0) })
    }

    // MARK: Cluster and maintenance (for tools and tests)

    public func leaseIDs() async throws -> [Int64] {
        try await call(idempotent: true) { e in
            try await e.lease.leaseLeases(Etcdserverpb_LeaseLeasesRequest(), options: callOptions).leases.map(\.id)
        }
    }

    public func memberList() async throws -> [EtcdMember] {
        try await call(idempotent: true) { e in
            try await e.cluster.memberList(Etcdserverpb_MemberListRequest(), options: callOptions).members.map(\.member)
        }
    }

    /// The status of each endpoint, in order; an endpoint that cannot answer gives its error.
    public func status() async -> [(endpoint: String, status: Result<EtcdEndpointStatus, KeyValueClientError>)] {
        var out: [(String, Result<EtcdEndpointStatus, KeyValueClientError>)] = []
        for e in endpoints {
            do {
                let r = try await e.maintenance.status(Etcdserverpb_StatusRequest(), options: callOptions)
                out.append((e.url.description, .success(EtcdEndpointStatus(r))))
            } catch let error as RPCError {
                out.append((e.url.description, .failure(.unavailable(error.message))))
            } catch {
                out.append((e.url.description, .failure(.unavailable("\(error)"))))
            }
        }
        return out
    }
}

/// One endpoint's answer to Status, with the header's identity.
public struct EtcdEndpointStatus: Hashable, Sendable {
    public var clusterID: UInt64
    public var memberID: UInt64
    public var revision: Int64
    public var raftTerm: UInt64
    public var leader: UInt64
    public var version: String
    public var raftIndex: UInt64
    public var dbSize: Int64

    init(_ r: Etcdserverpb_StatusResponse) {
        clusterID = r.header.clusterID
        memberID = r.header.memberID
        revision = r.header.revision
        raftTerm = r.header.raftTerm
        leader = r.leader
        version = r.version
        raftIndex = r.raftIndex
        dbSize = r.dbSize
    }
}

public enum EtcdClientError: Error, Hashable, Sendable, CustomStringConvertible {
    case noEndpoints
    case badEndpoint(String)
    case unsupportedScheme(String)
    case connect(String)

    public var description: String {
        switch self {
        case .noEndpoints: "etcd client: no endpoints given"
        case .badEndpoint(let e): "etcd client: endpoint \(e) is not http://host:port"
        case .unsupportedScheme(let e): "etcd client: endpoint \(e): only plaintext http is supported"
        case .connect(let why): "etcd client: \(why)"
        }
    }
}
