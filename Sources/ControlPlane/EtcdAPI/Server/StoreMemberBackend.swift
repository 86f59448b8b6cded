import Store

/// A `StoreMember` as the etcd services see it. Forwards the key-value API; answers headers from the
/// member's published term and revision (no round trip to its loop); turns the member's membership
/// refusals into etcd's errors.
public final class StoreMemberBackend: EtcdMemberBackend {
    public let member: StoreMember

    public init(_ member: StoreMember) {
        self.member = member
    }

    public func headerState() -> EtcdHeaderState {
        EtcdHeaderState(clusterID: member.clusterID, memberID: member.memberID, raftTerm: member.currentTerm,
                        revision: member.currentRevision)
    }

    // MARK: KeyValueClient

    public func range(_ request: RangeRequest, done: @escaping @Sendable (Result<RangeResponse, any Error>) -> Void) {
        member.range(request, done: done)
    }
    public func put(_ request: PutRequest, done: @escaping @Sendable (Result<PutResponse, any Error>) -> Void) {
        member.put(request, done: done)
    }
    public func deleteRange(_ request: DeleteRangeRequest, done: @escaping @Sendable (Result<DeleteRangeResponse, any Error>) -> Void) {
        member.deleteRange(request, done: done)
    }
    public func txn(_ request: TxnRequest, done: @escaping @Sendable (Result<TxnResponse, any Error>) -> Void) {
        member.txn(request, done: done)
    }

    public func range(_ request: RangeRequest) async throws -> RangeResponse { try await member.range(request) }
    public func put(_ request: PutRequest) async throws -> PutResponse { try await member.put(request) }
    public func deleteRange(_ request: DeleteRangeRequest) async throws -> DeleteRangeResponse { try await member.deleteRange(request) }
    public func txn(_ request: TxnRequest) async throws -> TxnResponse { try await member.txn(request) }
    public func compact(revision: Int64) async throws -> Int64 { try await member.compact(revision: revision) }
    public func watch(_ request: WatchCreateRequest) -> AsyncThrowingStream<WatchResponse, any Error> { member.watch(request) }
    public func leaseGrant(ttl: Int64, id: Int64) async throws -> LeaseGrant { try await member.leaseGrant(ttl: ttl, id: id) }
    public func leaseRevoke(id: Int64) async throws { try await member.leaseRevoke(id: id) }
    public func leaseKeepAlive(id: Int64) async throws -> Int64 { try await member.leaseKeepAlive(id: id) }
    public func leaseTimeToLive(id: Int64, keys: Bool) async throws -> LeaseTimeToLive {
        try await member.leaseTimeToLive(id: id, keys: keys)
    }

    public func leaseIDs() async throws -> [Int64] { try await member.leaseIDs() }

    // MARK: Cluster and maintenance

    public func memberList() async throws -> [EtcdMember] {
        try await member.memberList().map(EtcdMember.init)
    }

    public func memberAdd(peerURLs: [String], isLearner: Bool) async throws -> (added: EtcdMember, members: [EtcdMember]) {
        do {
            let (added, members) = try await member.memberAdd(peerURLs: peerURLs, isLearner: isLearner)
            return (EtcdMember(added), members.map(EtcdMember.init))
        } catch KeyValueClientError.rejected(let why) {
            throw Self.clusterError(why, id: 0)
        }
    }

    public func memberRemove(id: UInt64) async throws -> [EtcdMember] {
        do { return try await member.memberRemove(id: id).map(EtcdMember.init) } catch KeyValueClientError.rejected(let why) {
            throw Self.clusterError(why, id: id)
        }
    }

    public func memberUpdate(id: UInt64, peerURLs: [String]) async throws -> [EtcdMember] {
        do { return try await member.memberUpdate(id: id, peerURLs: peerURLs).map(EtcdMember.init) } catch KeyValueClientError.rejected(let why) {
            throw Self.clusterError(why, id: id)
        }
    }

    public func memberPromote(id: UInt64) async throws -> [EtcdMember] {
        do { return try await member.memberPromote(id: id).map(EtcdMember.init) } catch KeyValueClientError.rejected(let why) {
            throw Self.clusterError(why, id: id)
        }
    }

    public func status() async throws -> EtcdMemberStatus {
        let s = try await member.status()
        return EtcdMemberStatus(version: s.version, dbSize: s.dbSize, dbSizeInUse: s.dbSize, leader: s.leader,
                                raftIndex: s.raftIndex, raftTerm: s.raftTerm, raftAppliedIndex: s.raftAppliedIndex,
                                isLearner: s.isLearner)
    }

    /// The member words its refusals for people; etcd's clients match etcd's own errors.
    static func clusterError(_ why: String, id: UInt64) -> any Error {
        if why.contains("not found") { return EtcdClusterError.memberNotFound(id) }
        if why.contains("peer URL already used") { return EtcdClusterError.peerURLExists(why) }
        if why.contains("peer URLs must be") { return EtcdClusterError.badURLs(why) }
        if why.contains("not in sync") { return EtcdClusterError.learnerNotReady(id) }
        if why.contains("not a learner") { return EtcdClusterError.memberNotLearner(id) }
        return KeyValueClientError.rejected(why)
    }
}

extension EtcdMember {
    init(_ m: MemberInfo) {
        self.init(id: m.id, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner)
    }
}
