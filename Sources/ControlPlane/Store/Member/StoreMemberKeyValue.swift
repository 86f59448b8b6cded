// The KeyValueClient API of a member: writes through the log, reads after a ReadIndex round.

extension StoreMember {
    // Callback forms, for a server that answers from its own threads without a task per request:
    // `done` runs on the member's loop thread and must not block it.

    public func range(_ request: RangeRequest, done: @escaping @Sendable (Result<RangeResponse, any Error>) -> Void) {
        linearizableRead({ store, _ in try store.range(request) }, done: done)
    }

    public func put(_ request: PutRequest, done: @escaping @Sendable (Result<PutResponse, any Error>) -> Void) {
        propose(.put(request)) { r in
            done(r.flatMap { if case .put(let p) = $0.0 { .success(p) } else { .failure(Self.unexpected("put")) } })
        }
    }

    public func deleteRange(_ request: DeleteRangeRequest, done: @escaping @Sendable (Result<DeleteRangeResponse, any Error>) -> Void) {
        propose(.deleteRange(request)) { r in
            done(r.flatMap { if case .deleteRange(let d) = $0.0 { .success(d) } else { .failure(Self.unexpected("delete")) } })
        }
    }

    public func txn(_ request: TxnRequest, done: @escaping @Sendable (Result<TxnResponse, any Error>) -> Void) {
        propose(.txn(request)) { r in
            done(r.flatMap { if case .txn(let t) = $0.0 { .success(t) } else { .failure(Self.unexpected("txn")) } })
        }
    }

    public func range(_ request: RangeRequest) async throws -> RangeResponse {
        try await withCheckedThrowingContinuation { cont in range(request) { cont.resume(with: $0) } }
    }

    public func put(_ request: PutRequest) async throws -> PutResponse {
        try await withCheckedThrowingContinuation { cont in put(request) { cont.resume(with: $0) } }
    }

    public func deleteRange(_ request: DeleteRangeRequest) async throws -> DeleteRangeResponse {
        try await withCheckedThrowingContinuation { cont in deleteRange(request) { cont.resume(with: $0) } }
    }

    public func txn(_ request: TxnRequest) async throws -> TxnResponse {
        try await withCheckedThrowingContinuation { cont in txn(request) { cont.resume(with: $0) } }
    }

    public func compact(revision: Int64) async throws -> Int64 {
        guard case let (.compact(r), _) = try await propose(.compact(revision: revision)) else { throw Self.unexpected("compact") }
        return r
    }

    public func watch(_ request: WatchCreateRequest) -> AsyncThrowingStream<WatchResponse, any Error> {
        let token = requestIDs.make()
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: WatchResponse.self, throwing: (any Error).self,
            bufferingPolicy: .bufferingOldest(max(1, config.watchBufferLimit)))
        let inbox = self.inbox
        continuation.onTermination = { _ in inbox.post(.cancelWatch(token: token)) }
        if !inbox.post(.watch(WatchSubscription(token: token, request: request, continuation: continuation))) {
            continuation.finish(throwing: KeyValueClientError.unavailable("member stopped"))
        }
        return stream
    }

    public func leaseGrant(ttl: Int64, id: Int64) async throws -> LeaseGrant {
        // etcd picks a random positive id when the client leaves it 0.
        var leaseID = id
        while leaseID == 0 { leaseID = Int64.random(in: 1...Int64.max) }
        let (result, revision) = try await propose(.leaseGrant(id: leaseID, ttl: ttl, now: wallMilliseconds()))
        guard case let .leaseGrant(lease) = result else { throw Self.unexpected("lease grant") }
        return LeaseGrant(id: lease.id, ttl: lease.ttl, revision: revision)
    }

    public func leaseRevoke(id: Int64) async throws {
        _ = try await propose(.leaseRevoke(id: id))
    }

    public func leaseKeepAlive(id: Int64) async throws -> Int64 {
        guard case let (.leaseKeepAlive(_, ttl), _) = try await propose(.leaseKeepAlive(id: id, now: wallMilliseconds())) else {
            throw Self.unexpected("lease keep-alive")
        }
        return ttl
    }

    public func leaseTimeToLive(id: Int64, keys: Bool) async throws -> LeaseTimeToLive {
        try await linearizableRead { store, now in
            var ttl = store.timeToLive(id: id, now: now)
            if ttl.ttl == -1 { throw MVCCError.leaseNotFound(id) }
            if !keys { ttl.keys = [] }
            return ttl
        }
    }

    private static func unexpected(_ what: String) -> KeyValueClientError {
        .rejected("unexpected result for \(what)")
    }
}
