// Value types shared by the Raft core, its storage and its driver.
//
// Everything here is plain data: no behaviour that touches I/O, clocks or randomness, so a
// driver can persist, send and replay these values however it likes.

/// Identifies a member of the cluster. `RaftNodeID.none` (0) means "no node": an unknown leader, no vote.
public typealias RaftNodeID = UInt64

extension RaftNodeID {
    /// The "nobody" value used for an unknown leader or an unset vote.
    public static let none: RaftNodeID = 0
}

/// What an entry carries: ordinary application data, or a membership change that the core itself interprets.
public enum RaftEntryKind: UInt8, Sendable, Hashable {
    case normal
    case confChange
}

/// One slot of the replicated log.
public struct RaftEntry: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64
    public var kind: RaftEntryKind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: RaftEntryKind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// Approximate encoded size, used for the per-message size budget. The fixed part stands in for
    /// term, index and kind so that empty entries still cost something and batches stay bounded.
    public var byteSize: UInt64 { UInt64(data.count) + 17 }
}

/// The durable part of a node's state. It must be persisted before any message generated in the same
/// `Ready` leaves the node, or a restarted node could vote twice in a term or forget acknowledged entries.
public struct RaftHardState: Sendable, Hashable {
    public var term: UInt64
    public var vote: RaftNodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: RaftNodeID = .none, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var isEmpty: Bool { self == RaftHardState() }
}

/// Cluster membership. Kept as sorted arrays so that iteration order, and thus message order, is deterministic
/// (Swift's `Set` and `Dictionary` iterate in a per-process random order).
public struct RaftConfState: Sendable, Hashable {
    public var voters: [RaftNodeID]
    public var learners: [RaftNodeID]

    public init(voters: [RaftNodeID] = [], learners: [RaftNodeID] = []) {
        self.voters = Array(Set(voters)).sorted()
        self.learners = Array(Set(learners).subtracting(voters)).sorted()
    }

    public func contains(_ id: RaftNodeID) -> Bool { voters.contains(id) || learners.contains(id) }
}

/// Describes the log prefix a snapshot replaces.
public struct RaftSnapshotMetadata: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64
    public var confState: RaftConfState

    public init(index: UInt64 = 0, term: UInt64 = 0, confState: RaftConfState = RaftConfState()) {
        self.index = index
        self.term = term
        self.confState = confState
    }
}

/// A state-machine image covering every entry up to `metadata.index`. `data` is opaque to Raft.
public struct RaftSnapshot: Sendable, Hashable {
    public var metadata: RaftSnapshotMetadata
    public var data: [UInt8]

    public init(metadata: RaftSnapshotMetadata = RaftSnapshotMetadata(), data: [UInt8] = []) {
        self.metadata = metadata
        self.data = data
    }

    public var isEmpty: Bool { metadata.index == 0 }
}

/// Role of a node in the current term.
public enum RaftRole: Sendable, Hashable {
    case follower
    case preCandidate
    case candidate
    case leader
}

/// Volatile state the driver may want to observe (for example to route client requests to the leader).
/// It is never persisted.
public struct RaftSoftState: Sendable, Hashable {
    public var leader: RaftNodeID
    public var role: RaftRole
}

/// The answer to a `readIndex(context:)` request: once the local state machine has applied `index`,
/// a read of it is linearizable with respect to the moment the request was made.
public struct RaftReadState: Sendable, Hashable {
    public var index: UInt64
    public var context: [UInt8]
}

/// Message kinds exchanged between peers. Requests that only a local caller makes (campaign, tick, propose,
/// read) are methods on `RaftCore`, but proposals, reads and transfer requests also travel between peers
/// because followers forward them to the leader.
public enum RaftMessageType: Sendable, Hashable {
    case propose
    case append
    case appendResponse
    case vote
    case voteResponse
    case preVote
    case preVoteResponse
    case snapshot
    case heartbeat
    case heartbeatResponse
    case transferLeader
    case timeoutNow
    case readIndex
    case readIndexResponse
}

/// One message. A single flat shape (as in etcd's raftpb) keeps the transport trivial; unused fields are zero.
public struct RaftMessage: Sendable, Hashable {
    public var type: RaftMessageType
    public var from: RaftNodeID
    public var to: RaftNodeID
    /// Sender's term; 0 marks a local or forwarded request that carries no term.
    public var term: UInt64
    /// Term of the entry at `index`: for appends the entry preceding `entries`, for votes the candidate's last entry.
    public var logTerm: UInt64 = 0
    public var index: UInt64 = 0
    public var entries: [RaftEntry] = []
    public var commit: UInt64 = 0
    public var snapshot: RaftSnapshot? = nil
    public var reject: Bool = false
    /// On a rejected append: the follower's suggestion of where the logs may still agree.
    public var rejectHint: UInt64 = 0
    /// Read-index context, echoed through heartbeats and their responses.
    public var context: [UInt8] = []
    /// Set on votes started by a leadership transfer, so followers skip their leader-lease check.
    public var isTransfer: Bool = false

    public init(type: RaftMessageType, from: RaftNodeID, to: RaftNodeID, term: UInt64) {
        self.type = type
        self.from = from
        self.to = to
        self.term = term
    }
}

/// Tunables for one node. The random seed is the only source of randomness the core ever sees.
public struct RaftConfig: Sendable {
    public var id: RaftNodeID
    /// Ticks without hearing from a leader before a follower campaigns; randomized into [n, 2n).
    public var electionTick: Int = 10
    /// Ticks between leader heartbeats. Must be well below `electionTick`.
    public var heartbeatTick: Int = 1
    /// Index already applied by the state machine (on restart: the index of the snapshot it loaded).
    public var applied: UInt64 = 0
    /// Byte budget of the entries in one append message (at least one entry is always sent).
    public var maxSizePerMessage: UInt64 = 1 << 20
    /// Number of unacknowledged append messages to a replicating follower before pausing it.
    public var maxInflightMessages: Int = 256
    public var checkQuorum: Bool = true
    public var preVote: Bool = true
    /// Seed for the election-timeout jitter. Distinct nodes should get distinct seeds.
    public var randomSeed: UInt64

    public init(id: RaftNodeID, randomSeed: UInt64? = nil) {
        self.id = id
        self.randomSeed = randomSeed ?? id
    }
}
