// The KeyValueClient API of a member: writes through the log, reads after a ReadIndex round.

extension StoreMember {
    public func range(_ request: RangeRequest) async throws -> RangeResponse {
        try await linearizableRead { store, _ in try store.range(request) }
    }

    public func put(_ request: PutRequest) async throws -> PutResponse {
        guard case let (.put(r), _) = try await propose(.put(request)) else { throw unexpected("put") }
        return r
    }

    public func deleteRange(_ request: DeleteRangeRequest) async throws -> DeleteRangeResponse {
        guard case let (.deleteRange(r), _) = try await propose(.deleteRange(request)) else { throw unexpected("delete") }
        return r
    }

    public func txn(_ request: TxnRequest) async throws -> TxnResponse {
        guard case let (.txn(r), _) = try await propose(.txn(request)) else { throw unexpected("txn") }
        return r
    }

    public func compact(revision: Int64) async throws -> Int64 {
        guard case let (.compact(r), _) = try await propose(.compact(revision: revision)) else { throw unexpected("compact") }
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
        guard case let .leaseGrant(lease) = result else { throw unexpected("lease grant") }
        return LeaseGrant(id: lease.id, ttl: lease.ttl, revision: revision)
    }

    public func leaseRevoke(id: Int64) async throws {
        _ = try await propose(.leaseRevoke(id: id))
    }

    public func leaseKeepAlive(id: Int64) async throws -> Int64 {
        guard case let (.leaseKeepAlive(_, ttl), _) = try await propose(.leaseKeepAlive(id: id, now: wallMilliseconds())) else {
            throw unexpected("lease keep-alive")
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

    private func unexpected(_ what: String) -> KeyValueClientError {
        .rejected("unexpected result for \(what)")
    }
}
