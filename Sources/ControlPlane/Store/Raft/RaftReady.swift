// The output side of the core: batching state changes for the driver, and acknowledging them.

/// Everything the driver must act on, produced by `RaftCore.ready()`.
///
/// Contract, in this order:
/// 1. Persist `hardState`, `entries` and `snapshot` durably (fsync when `mustSync`). Entries replace any stored
///    entries at the same or later indexes.
/// 2. Only then send `messages`. A vote grant or an append acknowledgement that leaves before the state it
///    vouches for is durable lets a crash break election safety or lose committed entries. The one
///    exception is `leaderMessages(role:)`: a leader's appends may go out while it writes (see there).
/// 3. Apply `snapshot` (if any) and then `committedEntries` to the state machine, in order. They may include
///    entries from this very `Ready`, which is why step 1 comes first.
/// 4. Serve reads in `readStates` once the state machine has applied their index.
/// 5. Call `advance(_:)` with this value before calling any other method on the core.
///
/// A driver loop, in outline:
///
///     while core.hasReady {
///         let rd = core.ready()
///         try wal.save(rd.hardState, rd.entries, rd.snapshot, sync: rd.mustSync)   // 1
///         transport.send(rd.messages)                                          // 2
///         stateMachine.apply(rd.snapshot, rd.committedEntries)                 // 3
///         reads.complete(rd.readStates, upTo: stateMachine.appliedIndex)       // 4
///         core.advance(rd)                                                     // 5
///     }
///
/// Membership changes in `committedEntries` are applied by the core itself in `advance`; the driver reads
/// the result from `RaftCore.confState` (e.g. to connect to a new peer) and stores it with its snapshots.
public struct RaftReady: Sendable {
    /// Leader and role, if they changed since the last `Ready`.
    public var softState: RaftSoftState?
    /// Term, vote and commit, if they changed since the last `Ready`.
    public var hardState: RaftHardState?
    public var entries: [RaftEntry]
    public var snapshot: RaftSnapshot?
    public var committedEntries: [RaftEntry]
    public var messages: [RaftMessage]
    public var readStates: [RaftReadState]
    /// Whether step 1 needs an fsync: a new term or vote, or new entries. A commit index alone can be
    /// recovered from peers and need not be synced.
    public var mustSync: Bool
}

extension RaftReady {
    /// The messages a leader may send *before* persisting this Ready, and the rest, which must wait.
    ///
    /// A leader's appends, heartbeats and snapshots vouch for nothing on its own disk, so they can leave
    /// while it writes (Raft thesis §10.2.1; etcd's raft node does the same): the followers' fsyncs then
    /// overlap the leader's instead of following it. It stays safe because the leader only counts its own
    /// copy once this Ready is persisted — the driver handles Readies one at a time, so the next Ready,
    /// the first that can carry commits resting on these entries, comes after the write. Everything else
    /// (vote and append responses that a node might still have queued from before it won) waits.
    public func leaderMessages(role: RaftRole) -> (early: [RaftMessage], afterPersist: [RaftMessage]) {
        guard role == .leader else { return ([], messages) }
        var early: [RaftMessage] = []
        var late: [RaftMessage] = []
        for m in messages {
            switch m.type {
            case .append, .heartbeat, .snapshot: early.append(m)
            default: late.append(m)
            }
        }
        return (early, late)
    }
}

extension RaftCore {
    public var hasReady: Bool {
        softState != lastSoftState
            || hardState != lastHardState
            || !log.unstable.entries.isEmpty
            || log.unstable.snapshot != nil
            || !messages.isEmpty
            || !readStates.isEmpty
            || log.hasNextCommittedEntries
    }

    /// Collects pending output. Messages and read states are handed over exactly once.
    public mutating func ready() -> RaftReady {
        let soft = softState
        let hard = hardState
        let rd = RaftReady(
            softState: soft != lastSoftState ? soft : nil,
            hardState: hard != lastHardState ? hard : nil,
            entries: log.unstable.entries,
            snapshot: log.unstable.snapshot,
            committedEntries: log.nextCommittedEntries(),
            messages: messages,
            readStates: readStates,
            mustSync: !log.unstable.entries.isEmpty || hard.term != lastHardState.term || hard.vote != lastHardState.vote)
        messages = []
        readStates = []
        lastSoftState = soft
        lastHardState = hard
        return rd
    }

    /// Acknowledges that `rd` was persisted, sent and applied as the contract requires.
    public mutating func advance(_ rd: RaftReady) {
        if let snap = rd.snapshot {
            log.unstable.stableSnapshot(to: snap.metadata.index)
            log.applied(to: snap.metadata.index)
        }
        if let last = rd.entries.last {
            log.unstable.stableTo(index: last.index, term: last.term)
        }
        if let last = rd.committedEntries.last {
            // Membership changes take effect as they are applied, on every node alike.
            for entry in rd.committedEntries where entry.kind == .confChange {
                if let change = try? RaftConfChange(decoding: entry.data) { applyConfChange(change) }
            }
            log.applied(to: last.index)
        }
        if role == .leader, tracker[id]?.maybeUpdate(log.persistedLastIndex) == true {
            // Our own entries are now durable and count towards the quorum.
            if maybeCommit() { afterCommit() }
        }
    }
}
