// The leader's view of each peer: how far its log matches, what to send next, and flow control.

/// How the leader currently feeds a follower.
public enum RaftProgressState: Sendable, Hashable {
    /// Next index unknown: send one append per heartbeat interval and wait for the answer.
    case probe
    /// Follower is known to match up to `match`: stream appends optimistically, bounded by inflights.
    case replicate
    /// Follower needs entries we compacted away: a snapshot is on its way; send nothing else.
    case snapshot
}

/// A bounded FIFO of the last indexes of append messages sent but not yet acknowledged.
/// When it is full the leader stops sending to that follower until acknowledgements free slots.
struct Inflights {
    let capacity: Int
    private(set) var lastIndexes: [UInt64] = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var isFull: Bool { lastIndexes.count >= capacity }
    var count: Int { lastIndexes.count }

    mutating func add(_ index: UInt64) { lastIndexes.append(index) }

    /// Frees every message whose entries are all acknowledged by a response covering `index`.
    mutating func freeLE(_ index: UInt64) {
        let n = lastIndexes.prefix { $0 <= index }.count
        if n > 0 { lastIndexes.removeFirst(n) }
    }

    mutating func reset() { lastIndexes.removeAll(keepingCapacity: true) }
}

public struct RaftProgress: Sendable {
    /// Highest index known to be replicated (and persisted) on the peer.
    public internal(set) var match: UInt64
    /// Index of the next entry to send. Invariant: `match < next`.
    public internal(set) var next: UInt64
    public internal(set) var state: RaftProgressState = .probe
    /// Index of the snapshot in flight while in `.snapshot`.
    public internal(set) var pendingSnapshot: UInt64 = 0
    /// Whether we heard from the peer during the current election timeout; feeds check-quorum.
    public internal(set) var recentActive: Bool = false
    /// In `.probe`: an append is outstanding, wait for a response or the next heartbeat.
    var probeSent: Bool = false
    var inflights: Inflights
    public internal(set) var isLearner: Bool

    init(match: UInt64, next: UInt64, maxInflight: Int, isLearner: Bool) {
        self.match = match
        self.next = next
        self.inflights = Inflights(capacity: maxInflight)
        self.isLearner = isLearner
    }

    /// A paused follower gets no appends (heartbeats still flow).
    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    private mutating func reset(to newState: RaftProgressState) {
        probeSent = false
        pendingSnapshot = 0
        state = newState
        inflights.reset()
    }

    mutating func becomeProbe() {
        // After a snapshot the follower has at least the snapshot, so resume probing just past it.
        let snapshotNext = state == .snapshot ? pendingSnapshot + 1 : 0
        reset(to: .probe)
        next = max(match + 1, snapshotNext)
    }

    mutating func becomeReplicate() {
        reset(to: .replicate)
        next = match + 1
    }

    mutating func becomeSnapshot(_ index: UInt64) {
        reset(to: .snapshot)
        pendingSnapshot = index
        next = index + 1
    }

    /// Records that an append with `count` entries ending at `next - 1 + count` went out.
    mutating func sentEntries(count: Int) {
        switch state {
        case .replicate:
            if count > 0 {
                next += UInt64(count)
                inflights.add(next - 1)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            break
        }
    }

    /// A successful append response up to `index`. Returns whether `match` advanced.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        next = max(next, index + 1)
        guard index > match else { return false }
        match = index
        probeSent = false
        return true
    }

    /// A rejection of the append anchored at `rejected`, with the follower's hint of where the logs may match.
    /// Returns false for stale rejections (of appends we already moved past).
    mutating func maybeDecrease(rejected: UInt64, matchHint: UInt64) -> Bool {
        if state == .replicate {
            // Reordered or duplicated responses can reject below what was since acknowledged.
            guard rejected > match else { return false }
            next = match + 1
            return true
        }
        // In probe only one append is outstanding; a rejection of anything else is stale.
        guard next - 1 == rejected else { return false }
        next = max(min(rejected, matchHint + 1), match + 1)
        probeSent = false
        return true
    }
}

/// Membership, per-peer progress, and vote tallies.
struct ProgressTracker {
    private(set) var conf: RaftConfState
    private(set) var progress: [RaftNodeID: RaftProgress] = [:]
    private(set) var votes: [RaftNodeID: Bool] = [:]
    let maxInflight: Int

    init(conf: RaftConfState, maxInflight: Int) {
        self.conf = conf
        self.maxInflight = maxInflight
    }

    /// All members in ascending order, voters and learners alike; iteration order must be deterministic.
    var ids: [RaftNodeID] { (conf.voters + conf.learners).sorted() }

    var quorum: Int { conf.voters.count / 2 + 1 }

    subscript(id: RaftNodeID) -> RaftProgress? {
        get { progress[id] }
        set { progress[id] = newValue }
    }

    mutating func setConf(_ newConf: RaftConfState, lastIndex: UInt64) {
        conf = newConf
        let members = Set(newConf.voters + newConf.learners)
        for id in progress.keys where !members.contains(id) { progress[id] = nil }
        for id in members {
            let learner = newConf.learners.contains(id)
            if progress[id] == nil {
                // New peers start probing at our tail; they count as active so that adding a node does not
                // immediately trip check-quorum before it had a chance to answer.
                var pr = RaftProgress(match: 0, next: lastIndex + 1, maxInflight: maxInflight, isLearner: learner)
                pr.recentActive = true
                progress[id] = pr
            } else {
                progress[id]?.isLearner = learner
            }
        }
    }

    mutating func resetAll(lastIndex: UInt64, selfID: RaftNodeID, selfMatch: UInt64) {
        for id in ids {
            var pr = RaftProgress(match: 0, next: lastIndex + 1, maxInflight: maxInflight,
                                  isLearner: conf.learners.contains(id))
            if id == selfID {
                pr.match = selfMatch
                pr.recentActive = true
            }
            progress[id] = pr
        }
    }

    mutating func visit(_ body: (RaftNodeID, inout RaftProgress) -> Void) {
        for id in ids {
            guard var pr = progress[id] else { continue }
            body(id, &pr)
            progress[id] = pr
        }
    }

    /// Largest index replicated on a quorum of voters.
    func committedIndex() -> UInt64 {
        guard !conf.voters.isEmpty else { return 0 }
        let matches = conf.voters.map { progress[$0]?.match ?? 0 }.sorted(by: >)
        return matches[quorum - 1]
    }

    /// Whether a quorum of voters was heard from recently (the caller marks itself active).
    func quorumActive() -> Bool {
        conf.voters.filter { progress[$0]?.recentActive == true }.count >= quorum
    }

    mutating func resetVotes() { votes = [:] }

    mutating func recordVote(_ id: RaftNodeID, granted: Bool) {
        if votes[id] == nil { votes[id] = granted }
    }

    enum VoteResult { case won, lost, pending }

    func tallyVotes() -> (granted: Int, rejected: Int, result: VoteResult) {
        var granted = 0, rejected = 0
        for id in conf.voters {
            switch votes[id] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        if granted >= quorum { return (granted, rejected, .won) }
        if rejected >= quorum || conf.voters.count - rejected < quorum { return (granted, rejected, .lost) }
        return (granted, rejected, .pending)
    }
}
