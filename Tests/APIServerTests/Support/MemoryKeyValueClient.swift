import Store

/// A `KeyValueClient` over the real MVCC `WatchableStore`, in process: the API server's tests run
/// against the store's actual revision, txn, compaction and watch semantics without Raft or gRPC.
actor MemoryKeyValueClient: KeyValueClient {
    private var store = WatchableStore()
    private var subscribers: [Int64: AsyncThrowingStream<WatchResponse, any Error>.Continuation] = [:]

    func range(_ request: RangeRequest) throws -> RangeResponse { try store.range(request) }

    func put(_ request: PutRequest) throws -> PutResponse {
        defer { deliver() }
        return try store.update { (s: inout MVCCStore) throws(MVCCError) in try s.put(request) }
    }

    func deleteRange(_ request: DeleteRangeRequest) throws -> DeleteRangeResponse {
        defer { deliver() }
        return try store.update { (s: inout MVCCStore) throws(MVCCError) in try s.deleteRange(request) }
    }

    func txn(_ request: TxnRequest) throws -> TxnResponse {
        defer { deliver() }
        return try store.txn(request)
    }

    func compact(revision: Int64) throws -> Int64 {
        defer { deliver() }
        return try store.compact(revision: revision)
    }

    var currentRevision: Int64 { store.currentRevision }

    nonisolated func watch(_ request: WatchCreateRequest) -> AsyncThrowingStream<WatchResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchResponse, any Error>.makeStream()
        Task { await self.register(request, continuation) }
        return stream
    }

    private func register(_ request: WatchCreateRequest, _ continuation: AsyncThrowingStream<WatchResponse, any Error>.Continuation) {
        let id = store.watch(key: request.key, end: request.end, startRevision: request.startRevision,
                             prevKV: request.prevKV, filters: request.filters)
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.cancel(id) } }
        deliver()
    }

    private func cancel(_ id: Int64) {
        store.cancel(id)
        subscribers[id] = nil
    }

    private func deliver() {
        for response in store.drain() {
            guard let c = subscribers[response.watchID] else { continue }
            if response.compactRevision != 0 {
                c.finish(throwing: MVCCError.compacted(response.compactRevision))
                subscribers[response.watchID] = nil
            } else {
                c.yield(response)
            }
        }
    }

    func leaseGrant(ttl: Int64, id: Int64) throws -> LeaseGrant { throw KeyValueClientError.rejected("leases not used here") }
    func leaseRevoke(id: Int64) throws { throw KeyValueClientError.rejected("leases not used here") }
    func leaseKeepAlive(id: Int64) throws -> Int64 { throw KeyValueClientError.rejected("leases not used here") }
    func leaseTimeToLive(id: Int64, keys: Bool) throws -> LeaseTimeToLive { throw KeyValueClientError.rejected("leases not used here") }
}
