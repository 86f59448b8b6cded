// Cluster and maintenance operations of a member (etcd's Cluster and Maintenance services): the member
// list, membership changes through Raft conf changes, status, and leadership transfer.

/// etcd's StatusResponse fields.
public struct StoreMemberStatus: Hashable, Sendable {
    public var memberID: UInt64
    public var clusterID: UInt64
    /// 0 when no leader is known.
    public var leader: UInt64
    public var raftTerm: UInt64
    /// Committed index.
    public var raftIndex: UInt64
    public var raftAppliedIndex: UInt64
    /// Approximate size of the store's data (its snapshot encoding), bytes.
    public var dbSize: Int64
    public var isLearner: Bool
    /// The etcd version this member presents itself as, for etcdctl.
    public var version: String
    /// Current store revision (etcd returns it in the response header).
    public var revision: Int64
}

extension StoreMember {
    /// The etcd API version we implement.
    public static let etcdVersion = "3.5.0"

    public func memberList() async throws -> [MemberInfo] {
        try await onLoop { $0.membership.members }
    }

    public func status() async throws -> StoreMemberStatus {
        try await onLoop { loop in
            StoreMemberStatus(memberID: loop.id, clusterID: loop.clusterID, leader: loop.core.leader,
                              raftTerm: loop.core.term, raftIndex: loop.core.committedIndex,
                              raftAppliedIndex: loop.appliedIndex,
                              dbSize: loop.dbSize,
                              isLearner: loop.core.confState.learners.contains(loop.id),
                              version: Self.etcdVersion, revision: loop.watchable.currentRevision)
        }
    }

    /// Adds a member with a fresh id (etcd: SHA-1 of its peer URLs, the cluster token and the time);
    /// returns it with the new list. The new member is then started with initial-cluster-state existing.
    public func memberAdd(peerURLs: [String], isLearner: Bool = false) async throws -> (added: MemberInfo, members: [MemberInfo]) {
        guard !peerURLs.isEmpty, peerURLs.allSatisfy({ PeerURL($0) != nil }) else {
            throw KeyValueClientError.rejected("member add: peer URLs must be http(s)://host:port")
        }
        let existing = try await memberList()
        if let clash = existing.first(where: { !Set($0.peerURLs).isDisjoint(with: peerURLs) }) {
            throw KeyValueClientError.rejected("member add: peer URL already used by member \(memberIDString(clash.id))")
        }
        let id = MemberIdentity.memberID(peerURLs: peerURLs, clusterToken: config.initialClusterToken,
                                         addedAtUnixSeconds: wallMilliseconds() / 1000)
        let info = MemberInfo(id: id, name: "", peerURLs: peerURLs, isLearner: isLearner)
        // Attributes first, so every member knows where to reach the new one once the change applies.
        _ = try await proposeEntry { .register(requestID: $0, info) }
        try await confChange(RaftConfChange(isLearner ? .addLearner : .addVoter, id))
        let members = try await memberList()
        return (members.first { $0.id == id } ?? info, members)
    }

    public func memberRemove(id: UInt64) async throws -> [MemberInfo] {
        guard try await memberList().contains(where: { $0.id == id }) else {
            throw KeyValueClientError.rejected("member remove: member \(memberIDString(id)) not found")
        }
        try await confChange(RaftConfChange(.removeNode, id))
        return try await memberList()
    }

    /// Promotes a learner to voter. Like etcd, refuses a learner that has not caught up with the leader
    /// (checked when this member is the leader, which alone knows the learner's progress).
    public func memberPromote(id: UInt64) async throws -> [MemberInfo] {
        let (isLearner, behind) = try await onLoop { loop -> (Bool, Bool) in
            let learner = loop.core.confState.learners.contains(id)
            guard loop.core.role == .leader, let pr = loop.core.progress(of: id) else { return (learner, false) }
            let last = loop.core.lastIndex
            return (learner, pr.match * 10 < last * 9)
        }
        guard isLearner else { throw KeyValueClientError.rejected("member promote: \(memberIDString(id)) is not a learner") }
        if behind { throw KeyValueClientError.rejected("member promote: learner \(memberIDString(id)) is not in sync with the leader") }
        try await confChange(RaftConfChange(.addVoter, id))
        return try await memberList()
    }

    func confChange(_ change: RaftConfChange) async throws {
        let deadline = monotonicMilliseconds() + requestTimeout
        _ = try await withCheckedThrowingContinuation { (cont: CheckedContinuation<AppliedResult, any Error>) in
            let c = ConfChangeRequest(change: change, deadline: deadline) { cont.resume(with: $0) }
            if !inbox.post(.confChange(c)) { cont.resume(throwing: KeyValueClientError.unavailable("member stopped")) }
        }
    }

    /// Transfers leadership to `target` (etcd's MoveLeader); waits until it has taken over.
    public func moveLeader(to target: UInt64) async throws {
        let refused: String? = try await onLoop { loop in
            guard loop.core.confState.voters.contains(target) else { return "\(memberIDString(target)) is not a voter" }
            do { try loop.core.transferLeadership(to: target) } catch { return "\(error)" }
            try? loop.handleReadies()
            return nil
        }
        if let refused { throw KeyValueClientError.rejected("move leader: \(refused)") }
        let deadline = monotonicMilliseconds() + Int64(config.tickMilliseconds * config.electionTicks * 3)
        while monotonicMilliseconds() < deadline {
            if try await status().leader == target { return }
            try await Task.sleep(nanoseconds: UInt64(config.tickMilliseconds) * 1_000_000)
        }
        throw KeyValueClientError.timeout("leadership did not move to \(memberIDString(target))")
    }
}

extension StoreMember {
    /// Changes a member's peer URLs (etcd's MemberUpdate); its name and client URLs stay.
    public func memberUpdate(id: UInt64, peerURLs: [String]) async throws -> [MemberInfo] {
        guard !peerURLs.isEmpty, peerURLs.allSatisfy({ PeerURL($0) != nil }) else {
            throw KeyValueClientError.rejected("member update: peer URLs must be http(s)://host:port")
        }
        let members = try await memberList()
        guard members.contains(where: { $0.id == id }) else {
            throw KeyValueClientError.rejected("member update: member \(memberIDString(id)) not found")
        }
        if let clash = members.first(where: { $0.id != id && !Set($0.peerURLs).isDisjoint(with: peerURLs) }) {
            throw KeyValueClientError.rejected("member update: peer URL already used by member \(memberIDString(clash.id))")
        }
        _ = try await proposeEntry { .register(requestID: $0, MemberInfo(id: id, name: "", peerURLs: peerURLs)) }
        return try await memberList()
    }

    /// A hash of the applied store state and the revisions it covers (a stand-in for etcd's HashKV: equal on
    /// members whose stores are equal). Linearizable, like etcd's.
    public func hashKV() async throws -> (hash: UInt32, revision: Int64, compactRevision: Int64) {
        try await linearizableRead { store, _ in
            let h = store.stateHash()
            return (UInt32(truncatingIfNeeded: h ^ (h >> 32)), store.currentRevision, store.compactRevision)
        }
    }

    /// The whole applied state (member list and store), in this member's snapshot format: what etcd's
    /// Maintenance.Snapshot streams (our format, not bbolt's).
    public func snapshotData() async throws -> [UInt8] {
        try await onLoop { MemberSnapshotData.encode(membership: $0.membership, store: $0.watchable.store) }
    }
}
