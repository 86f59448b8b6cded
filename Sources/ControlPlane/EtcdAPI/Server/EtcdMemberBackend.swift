import Store

// What the etcd v3 services need from the member they serve: the key-value API (KeyValueClient)
// plus the cluster and maintenance facts etcd puts in its response headers and its Cluster and
// Maintenance services. `StoreMember` provides it (StoreMember+EtcdMemberBackend.swift).

public protocol EtcdMemberBackend: KeyValueClient {
    /// cluster_id, member_id, raft_term and the current revision as etcd puts them in every response
    /// header (the revision only where the response carries none of its own). Called for every
    /// response, on any thread: may be a little stale, must be cheap and must not block.
    func headerState() -> EtcdHeaderState

    // The hot path in callback form, answered without a task: `done` may run on any thread (a
    // member's loop thread) and must not block it.
    func range(_ request: RangeRequest, done: @escaping @Sendable (Result<RangeResponse, any Error>) -> Void)
    func put(_ request: PutRequest, done: @escaping @Sendable (Result<PutResponse, any Error>) -> Void)
    func deleteRange(_ request: DeleteRangeRequest, done: @escaping @Sendable (Result<DeleteRangeResponse, any Error>) -> Void)
    func txn(_ request: TxnRequest, done: @escaping @Sendable (Result<TxnResponse, any Error>) -> Void)

    /// Ids of the live leases, ascending (etcd's LeaseLeases).
    func leaseIDs() async throws -> [Int64]

    func memberList() async throws -> [EtcdMember]
    /// Adds a member by its peer URLs; returns it (with its new id) and the membership after the change.
    func memberAdd(peerURLs: [String], isLearner: Bool) async throws -> (added: EtcdMember, members: [EtcdMember])
    func memberRemove(id: UInt64) async throws -> [EtcdMember]
    func memberUpdate(id: UInt64, peerURLs: [String]) async throws -> [EtcdMember]
    func memberPromote(id: UInt64) async throws -> [EtcdMember]

    func status() async throws -> EtcdMemberStatus
}

public struct EtcdHeaderState: Hashable, Sendable {
    public var clusterID: UInt64
    public var memberID: UInt64
    public var raftTerm: UInt64
    public var revision: Int64

    public init(clusterID: UInt64, memberID: UInt64, raftTerm: UInt64, revision: Int64) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.raftTerm = raftTerm
        self.revision = revision
    }
}

/// etcd's `Member` message.
public struct EtcdMember: Hashable, Sendable {
    public var id: UInt64
    /// Empty until the member has started and published its name (as etcd).
    public var name: String
    public var peerURLs: [String]
    public var clientURLs: [String]
    public var isLearner: Bool

    public init(id: UInt64, name: String, peerURLs: [String], clientURLs: [String], isLearner: Bool = false) {
        self.id = id
        self.name = name
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
        self.isLearner = isLearner
    }
}

/// etcd's `StatusResponse`, without the header.
public struct EtcdMemberStatus: Hashable, Sendable {
    public var version: String
    public var dbSize: Int64
    public var dbSizeInUse: Int64
    /// Member id of the leader, 0 when there is none.
    public var leader: UInt64
    public var raftIndex: UInt64
    public var raftTerm: UInt64
    public var raftAppliedIndex: UInt64
    public var isLearner: Bool
    public var errors: [String]

    public init(version: String, dbSize: Int64, dbSizeInUse: Int64, leader: UInt64, raftIndex: UInt64,
                raftTerm: UInt64, raftAppliedIndex: UInt64, isLearner: Bool, errors: [String] = []) {
        self.version = version
        self.dbSize = dbSize
        self.dbSizeInUse = dbSizeInUse
        self.leader = leader
        self.raftIndex = raftIndex
        self.raftTerm = raftTerm
        self.raftAppliedIndex = raftAppliedIndex
        self.isLearner = isLearner
        self.errors = errors
    }
}

/// Membership changes the cluster refused, each one of etcd's.
public enum EtcdClusterError: Error, Hashable, Sendable {
    case memberNotFound(UInt64)
    case memberExists(UInt64)
    case peerURLExists(String)
    case badURLs(String)
    case notEnoughStartedMembers
    case memberNotLearner(UInt64)
    case learnerNotReady(UInt64)
    case tooManyLearners
}
