// The Raft state machine: roles, terms, elections (with pre-vote and check-quorum) and message dispatch.
//
// `RaftCore` performs no I/O, reads no clock and draws no entropy: time arrives through `tick()`,
// peers through `step(_:)`, clients through `propose(_:)` / `readIndex(context:)`, and the only
// randomness is a generator seeded from `RaftConfig.randomSeed`. Given the same inputs it produces the
// same outputs, which is what makes the deterministic simulation in the tests possible.
//
// Output is collected and handed to the driver through `ready()`; see `RaftReady` for the contract.
// Replication, reads, snapshots and membership live in extensions in the neighbouring files.

public struct RaftCore {
    public let id: RaftNodeID
    public internal(set) var term: UInt64 = 0
    public internal(set) var vote: RaftNodeID = .none
    public internal(set) var leader: RaftNodeID = .none
    public internal(set) var role: RaftRole = .follower

    var log: RaftLog
    var tracker: ProgressTracker
    /// Outgoing messages accumulated since the last `ready()`.
    var messages: [RaftMessage] = []
    var readStates: [RaftReadState] = []
    var readOnly = ReadOnlyQueue()
    /// Read requests that arrived before this leader committed an entry of its term; see `RaftReadIndex`.
    var pendingReadRequests: [RaftMessage] = []

    /// Target of an ongoing leadership transfer, during which proposals are refused.
    public internal(set) var leadTransferee: RaftNodeID = .none
    /// Index of the latest membership change this leader appended; another may only be proposed once it is applied.
    var pendingConfIndex: UInt64 = 0

    let electionTimeout: Int
    let heartbeatTimeout: Int
    let checkQuorum: Bool
    let preVote: Bool
    /// Ticks since the last election timeout (followers: since hearing from the leader).
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Decorrelates election timeouts; seeded by the driver, so runs replay exactly.
    var jitter: SplitMix64

    /// What the driver last acknowledged, so `ready()` reports only changes.
    var lastSoftState: RaftSoftState
    var lastHardState: RaftHardState

    /// Builds a node from its storage.
    /// - A founding member of a new cluster passes the initial voters as `peers` with empty storage; they are
    ///   written into the log as committed membership entries (delivered in the first `Ready`).
    /// - A restarting node, or one joining an existing cluster, passes `peers: []`: its membership comes from
    ///   its snapshot and from membership entries it replays or receives.
    /// - Passing `peers` with a storage that holds entries but no membership (tests preloading a log) takes
    ///   `peers` as the membership without writing anything.
    public init(config: RaftConfig, storage: any RaftStorage, peers: [RaftNodeID] = []) throws(RaftError) {
        guard config.id != .none else { throw .invalidConfig("node id must not be 0") }
        guard config.heartbeatTick > 0, config.electionTick > config.heartbeatTick else {
            throw .invalidConfig("electionTick must exceed heartbeatTick > 0")
        }
        let (hardState, storedConf) = storage.initialState()
        var conf = storedConf
        var bootstrap = false
        if !peers.isEmpty {
            guard storedConf.voters.isEmpty, storedConf.learners.isEmpty else {
                throw .invalidConfig("peers given but storage already has a membership")
            }
            guard !peers.contains(.none) else { throw .invalidConfig("peer id 0") }
            conf = RaftConfState(voters: peers)
            bootstrap = storage.lastIndex() == 0 && hardState.isEmpty
        }
        id = config.id
        electionTimeout = config.electionTick
        heartbeatTimeout = config.heartbeatTick
        checkQuorum = config.checkQuorum
        preVote = config.preVote
        jitter = SplitMix64(seed: config.randomSeed)
        log = RaftLog(storage: storage, applied: 0, maxSizePerMessage: config.maxSizePerMessage)
        tracker = ProgressTracker(conf: conf, maxInflight: config.maxInflightMessages)
        lastSoftState = RaftSoftState(leader: .none, role: .follower)
        lastHardState = hardState

        if !hardState.isEmpty {
            guard hardState.commit >= log.committed, hardState.commit <= log.lastIndex else {
                throw .invalidConfig("hard state commit \(hardState.commit) outside log [\(log.committed), \(log.lastIndex)]")
            }
            log.committed = hardState.commit
            term = hardState.term
            vote = hardState.vote
        }
        if config.applied > 0 {
            guard config.applied <= log.committed else {
                throw .invalidConfig("applied \(config.applied) beyond commit \(log.committed)")
            }
            log.applied = max(log.applied, config.applied)
        }
        if bootstrap {
            // The initial membership goes into the log as committed entries at term 1, as if a leader had
            // replicated them. Nodes added later replay them from the log (or get them in a snapshot), so every
            // member derives the same configuration from the same data.
            let entries = conf.voters.enumerated().map { i, peer in
                RaftEntry(term: 1, index: UInt64(i + 1), kind: .confChange,
                          data: RaftConfChange(.addVoter, peer).encoded())
            }
            log.append(entries)
            log.committed = UInt64(entries.count)
            term = 1
        }
        tracker.setConf(conf, lastIndex: log.lastIndex)
        becomeFollower(term: term, leader: .none)
    }

    // MARK: Observers

    public var softState: RaftSoftState { RaftSoftState(leader: leader, role: role) }
    public var hardState: RaftHardState { RaftHardState(term: term, vote: vote, commit: log.committed) }
    public var confState: RaftConfState { tracker.conf }
    public var committedIndex: UInt64 { log.committed }
    public var appliedIndex: UInt64 { log.applied }
    public var lastIndex: UInt64 { log.lastIndex }
    public var firstIndex: UInt64 { log.firstIndex }
    public func term(at index: UInt64) throws(RaftError) -> UInt64 { try log.term(index) }
    /// Entries in `[lo, hi)` as this node currently sees them (stored and unstable); for diagnostics and tests.
    public func entries(_ lo: UInt64, _ hi: UInt64) throws(RaftError) -> [RaftEntry] {
        try log.slice(lo, hi, maxSize: .max)
    }
    public func progress(of peer: RaftNodeID) -> RaftProgress? { tracker[peer] }

    /// Only voters may campaign; learners and removed nodes just follow.
    var isPromotable: Bool { tracker.conf.voters.contains(id) }

    // MARK: Time

    /// Advances logical time by one tick. Drives election timeouts (followers, candidates) and
    /// heartbeats plus check-quorum (leaders).
    public mutating func tick() {
        if role == .leader { tickHeartbeat() } else { tickElection() }
    }

    private mutating func tickElection() {
        electionElapsed += 1
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            campaign()
        }
    }

    private mutating func tickHeartbeat() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= electionTimeout {
            electionElapsed = 0
            if checkQuorum {
                // A leader that cannot reach a quorum steps down, so clients stop waiting on it and the
                // majority side can elect a new leader without this one's lease blocking votes forever.
                tracker[id]?.recentActive = true
                if !tracker.quorumActive() {
                    becomeFollower(term: term, leader: .none)
                    return
                }
                tracker.visit { peer, pr in if peer != id { pr.recentActive = false } }
            }
            // A transfer that did not finish within an election timeout is presumed failed.
            if leadTransferee != .none { leadTransferee = .none }
        }
        if heartbeatElapsed >= heartbeatTimeout {
            heartbeatElapsed = 0
            broadcastHeartbeat(context: [])
        }
    }

    // MARK: Role transitions

    mutating func reset(term newTerm: UInt64) {
        if term != newTerm {
            term = newTerm
            vote = .none
        }
        leader = .none
        electionElapsed = 0
        heartbeatElapsed = 0
        randomizedElectionTimeout = electionTimeout + Int(jitter.next() % UInt64(electionTimeout))
        leadTransferee = .none
        tracker.resetVotes()
        tracker.resetAll(lastIndex: log.lastIndex, selfID: id, selfMatch: log.persistedLastIndex)
        pendingConfIndex = 0
        readOnly = ReadOnlyQueue()
        pendingReadRequests = []
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: RaftNodeID) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    mutating func becomePreCandidate() {
        // Pre-candidacy changes neither term nor vote: a node that cannot win must not disturb anybody.
        role = .preCandidate
        leader = .none
        tracker.resetVotes()
    }

    mutating func becomeCandidate() {
        reset(term: term + 1)
        role = .candidate
        vote = id
    }

    mutating func becomeLeader() {
        reset(term: term)
        role = .leader
        leader = id
        tracker[id]?.becomeReplicate()
        // Conservatively treat any membership change in the inherited log as still pending.
        pendingConfIndex = log.lastIndex
        // An entry of the new term lets the leader commit (and so learn the commit index of) everything
        // inherited from earlier terms, which it may not commit by counting replicas.
        appendEntries([RaftEntry(term: 0, index: 0)])
    }

    /// Whether a membership change between applied and committed still has to be applied.
    /// Campaigning with a stale configuration could let the wrong majority elect us.
    var hasUnappliedConfChanges: Bool {
        guard log.committed > log.applied else { return false }
        let lo = max(log.applied + 1, log.firstIndex)
        guard lo <= log.committed, let pending = try? log.slice(lo, log.committed + 1, maxSize: .max) else { return false }
        return pending.contains { $0.kind == .confChange }
    }

    /// Starts an election now (as on election timeout). With pre-vote, first checks that it could win.
    public mutating func campaign() {
        guard role != .leader, isPromotable, !hasUnappliedConfChanges else { return }
        startCampaign(preVote: preVote, transfer: false)
    }

    mutating func startCampaign(preVote usePreVote: Bool, transfer: Bool) {
        let voteType: RaftMessageType
        let voteTerm: UInt64
        if usePreVote {
            becomePreCandidate()
            voteType = .preVote
            // Pre-votes ask about the term we would use, without moving to it.
            voteTerm = term + 1
        } else {
            becomeCandidate()
            voteType = .vote
            voteTerm = term
        }
        // Our own vote counts at once: it is in the HardState of this Ready, persisted before requests leave.
        if poll(id, granted: true) == .won {
            if usePreVote { startCampaign(preVote: false, transfer: transfer) } else { becomeLeader() }
            return
        }
        for peer in tracker.conf.voters where peer != id {
            var m = RaftMessage(type: voteType, from: id, to: peer, term: voteTerm)
            m.index = log.lastIndex
            m.logTerm = log.lastTerm
            m.isTransfer = transfer
            send(m)
        }
    }

    mutating func poll(_ peer: RaftNodeID, granted: Bool) -> ProgressTracker.VoteResult {
        tracker.recordVote(peer, granted: granted)
        return tracker.tallyVotes().result
    }

    // MARK: Output

    /// Queues a message. Responses to votes carry the term the vote was for (set by the caller);
    /// everything else carries our current term, except forwarded proposals and reads which carry none.
    mutating func send(_ message: RaftMessage) {
        var m = message
        m.from = id
        switch m.type {
        case .vote, .voteResponse, .preVote, .preVoteResponse:
            break
        case .propose, .readIndex, .transferLeader:
            m.term = 0
        default:
            m.term = term
        }
        messages.append(m)
    }

    // MARK: Input

    /// Feeds one message from a peer. Throws only for requests this node refuses (e.g. a forwarded proposal
    /// with no leader); protocol-level surprises such as stale terms are handled by ignoring the message.
    public mutating func step(_ m: RaftMessage) throws(RaftError) {
        if m.term > term {
            if m.type == .vote || m.type == .preVote {
                // Lease: while we hear from a live leader, ignore candidates. Together with check-quorum
                // this stops a node that rejoins from a partition from deposing a healthy leader.
                let inLease = checkQuorum && leader != .none && electionElapsed < electionTimeout
                if !m.isTransfer && inLease { return }
            }
            if m.type == .preVote {
                // A pre-vote never changes our term.
            } else if m.type == .preVoteResponse && !m.reject {
                // Granted pre-votes carry the future term; we move to it only when we actually campaign.
            } else if m.type == .append || m.type == .heartbeat || m.type == .snapshot {
                becomeFollower(term: m.term, leader: m.from)
            } else {
                becomeFollower(term: m.term, leader: .none)
            }
        } else if m.term < term && m.term != 0 {
            if (checkQuorum || preVote) && (m.type == .heartbeat || m.type == .append) {
                // A stale leader (e.g. healed from a partition) would otherwise never learn of the newer term:
                // with pre-vote and lease checks, the new majority never sends it a higher-term vote request.
                send(RaftMessage(type: .appendResponse, from: id, to: m.from, term: term))
            } else if m.type == .preVote {
                var resp = RaftMessage(type: .preVoteResponse, from: id, to: m.from, term: term)
                resp.reject = true
                send(resp)
            }
            return
        }

        switch m.type {
        case .vote, .preVote:
            handleVoteRequest(m)
        default:
            switch role {
            case .leader: try stepLeader(m)
            case .candidate, .preCandidate: try stepCandidate(m)
            case .follower: try stepFollower(m)
            }
        }
    }

    private mutating func handleVoteRequest(_ m: RaftMessage) {
        let canVote = vote == m.from
            || (vote == .none && leader == .none)
            || (m.type == .preVote && m.term > term)
        let responseType: RaftMessageType = m.type == .vote ? .voteResponse : .preVoteResponse
        if canVote && log.isUpToDate(lastIndex: m.index, term: m.logTerm) {
            // Grants carry the term asked about, so a pre-candidate can tell them from stale answers.
            send(RaftMessage(type: responseType, from: id, to: m.from, term: m.term))
            if m.type == .vote {
                electionElapsed = 0
                vote = m.from
            }
        } else {
            var resp = RaftMessage(type: responseType, from: id, to: m.from, term: term)
            resp.reject = true
            send(resp)
        }
    }

    private mutating func stepCandidate(_ m: RaftMessage) throws(RaftError) {
        let myResponse: RaftMessageType = role == .preCandidate ? .preVoteResponse : .voteResponse
        switch m.type {
        case .propose:
            throw .proposalDropped
        case .append:
            becomeFollower(term: m.term, leader: m.from)
            handleAppend(m)
        case .heartbeat:
            becomeFollower(term: m.term, leader: m.from)
            handleHeartbeat(m)
        case .snapshot:
            becomeFollower(term: m.term, leader: m.from)
            handleSnapshot(m)
        case myResponse:
            switch poll(m.from, granted: !m.reject) {
            case .won:
                if role == .preCandidate {
                    startCampaign(preVote: false, transfer: false)
                } else {
                    becomeLeader()
                    broadcastAppend()
                }
            case .lost:
                becomeFollower(term: term, leader: .none)
            case .pending:
                break
            }
        case .readIndex:
            throw .proposalDropped
        default:
            break
        }
    }

    private mutating func stepFollower(_ m: RaftMessage) throws(RaftError) {
        switch m.type {
        case .propose, .readIndex, .transferLeader:
            // Followers relay client requests to the leader; without one the caller has to retry.
            guard leader != .none else { throw .proposalDropped }
            var fwd = m
            fwd.to = leader
            send(fwd)
        case .append:
            electionElapsed = 0
            leader = m.from
            handleAppend(m)
        case .heartbeat:
            electionElapsed = 0
            leader = m.from
            handleHeartbeat(m)
        case .snapshot:
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m)
        case .timeoutNow:
            // The leader asks us to take over: campaign at once, skipping pre-vote and others' leases.
            if isPromotable && !hasUnappliedConfChanges {
                startCampaign(preVote: false, transfer: true)
            }
        case .readIndexResponse:
            readStates.append(RaftReadState(index: m.index, context: m.context))
        default:
            break
        }
    }

    // MARK: Client entry points

    /// Proposes application data for the log. Throws `.proposalDropped` when there is no leader to take it.
    /// Success means only that the proposal was accepted or forwarded; it commits if and when it shows up
    /// in `Ready.committedEntries`.
    public mutating func propose(_ data: [UInt8]) throws(RaftError) {
        var m = RaftMessage(type: .propose, from: id, to: id, term: 0)
        m.entries = [RaftEntry(term: 0, index: 0, kind: .normal, data: data)]
        try step(m)
    }

    /// Asks the leader to hand leadership to `transferee`. Followers forward the request to their leader.
    public mutating func transferLeadership(to transferee: RaftNodeID) throws(RaftError) {
        var m = RaftMessage(type: .transferLeader, from: id, to: id, term: 0)
        m.index = transferee
        try step(m)
    }
}
