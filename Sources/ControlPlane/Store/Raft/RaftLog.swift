// The log as the core sees it: a persisted prefix (storage) followed by an unstable tail that is
// still waiting to be handed to the driver in a `Ready` and written.

/// Entries and possibly a snapshot that the core has accepted but the driver has not yet persisted.
/// `offset` is the index of `entries[0]`; everything below it lives in storage.
struct UnstableLog {
    var snapshot: RaftSnapshot?
    var entries: [RaftEntry] = []
    var offset: UInt64

    var firstIndex: UInt64? { snapshot.map { $0.metadata.index + 1 } }

    var lastIndex: UInt64? {
        if !entries.isEmpty { return offset + UInt64(entries.count) - 1 }
        return snapshot?.metadata.index
    }

    func term(_ index: UInt64) -> UInt64? {
        if index < offset {
            guard let snap = snapshot, snap.metadata.index == index else { return nil }
            return snap.metadata.term
        }
        guard let last = lastIndex, index <= last else { return nil }
        return entries[Int(index - offset)].term
    }

    /// The driver persisted entries up to `index`; they now live in storage. The term check guards
    /// against the tail having been replaced since the `Ready` was produced.
    mutating func stableTo(index: UInt64, term: UInt64) {
        guard index >= offset, let t = self.term(index), t == term else { return }
        entries.removeFirst(Int(index + 1 - offset))
        offset = index + 1
    }

    mutating func stableSnapshot(to index: UInt64) {
        if snapshot?.metadata.index == index { snapshot = nil }
    }

    mutating func restore(_ snap: RaftSnapshot) {
        offset = snap.metadata.index + 1
        entries = []
        snapshot = snap
    }

    /// Appends entries that follow on from the log, cutting off whatever they conflict with.
    mutating func truncateAndAppend(_ new: [RaftEntry]) {
        guard let after = new.first?.index else { return }
        if after == offset + UInt64(entries.count) {
            entries += new
        } else if after <= offset {
            // The new entries replace the whole unstable tail (and shadow a conflicting stored suffix).
            offset = after
            entries = new
        } else {
            entries = Array(entries[0..<Int(after - offset)]) + new
        }
    }

    func slice(_ lo: UInt64, _ hi: UInt64) -> [RaftEntry] {
        Array(entries[Int(lo - offset)..<Int(hi - offset)])
    }
}

/// Storage plus unstable tail, with the commit and apply cursors.
struct RaftLog {
    let storage: any RaftStorage
    var unstable: UnstableLog
    /// Highest index known to be stored on a quorum.
    var committed: UInt64
    /// Highest index the driver has applied to its state machine.
    var applied: UInt64
    let maxSizePerMessage: UInt64

    init(storage: any RaftStorage, applied: UInt64, maxSizePerMessage: UInt64) {
        self.storage = storage
        let first = storage.firstIndex()
        unstable = UnstableLog(offset: storage.lastIndex() + 1)
        // Whatever the snapshot covers is committed and applied by definition.
        committed = first - 1
        self.applied = max(applied, first - 1)
        self.maxSizePerMessage = maxSizePerMessage
    }

    var firstIndex: UInt64 { unstable.firstIndex ?? storage.firstIndex() }
    var lastIndex: UInt64 { unstable.lastIndex ?? storage.lastIndex() }

    func term(_ index: UInt64) throws(RaftError) -> UInt64 {
        // The valid range includes the entry just before the first one: its term anchors appends.
        if index + 1 < firstIndex { throw .compacted }
        if index > lastIndex { throw .unavailable }
        if let t = unstable.term(index) { return t }
        return try storage.term(index)
    }

    var lastTerm: UInt64 { (try? term(lastIndex)) ?? 0 }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool {
        guard let t = try? self.term(index) else { return false }
        return t == term
    }

    /// Raft's voting restriction: a candidate's log must be at least as up to date as ours.
    func isUpToDate(lastIndex candidateIndex: UInt64, term candidateTerm: UInt64) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// Highest index that is durable locally: everything before the unstable tail. A leader may only
    /// count itself towards a quorum for entries up to here, because an entry acknowledged by a
    /// quorum that includes a not-yet-written leader could be lost in a crash.
    var persistedLastIndex: UInt64 {
        if unstable.snapshot != nil { return 0 }
        return unstable.entries.isEmpty ? lastIndex : unstable.offset - 1
    }

    /// First index whose term disagrees with `entries`, or nil if all of them already match
    /// (entries beyond our last index count as disagreeing: they are new).
    func findConflict(_ entries: [RaftEntry]) -> UInt64? {
        entries.first { !matchTerm($0.index, $0.term) }?.index
    }

    /// Largest index at or below `index` whose term is at most `term`, with that term. Used on both ends of a
    /// rejected append to skip over whole terms that cannot match instead of probing one entry at a time.
    func findConflictByTerm(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var i = index
        while true {
            guard let t = try? self.term(i) else { return (i, 0) }
            if t <= term || i == 0 { return (i, t) }
            i -= 1
        }
    }

    /// The follower side of an append: if our entry at `index` has `logTerm`, take `entries`
    /// (truncating any conflict) and advance commit. Returns the last index now known to match the leader.
    mutating func maybeAppend(index: UInt64, logTerm: UInt64, commit: UInt64, entries: [RaftEntry]) -> UInt64? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index + UInt64(entries.count)
        if let conflict = findConflict(entries) {
            // Overwriting a committed entry would break state-machine safety; it can only happen if
            // some invariant (or the persistence contract) was violated, and continuing would spread it.
            if !(conflict > committed) { fatalError("raft: entry \(conflict) conflicts with committed entry (committed \(committed))") }
            append(Array(entries[Int(conflict - index - 1)...]))
        }
        self.commit(to: min(commit, lastNew))
        return lastNew
    }

    @discardableResult
    mutating func append(_ entries: [RaftEntry]) -> UInt64 {
        guard let first = entries.first else { return lastIndex }
        if !(first.index > committed) { fatalError("raft: appending at \(first.index) would overwrite committed \(committed)") }
        unstable.truncateAndAppend(entries)
        return lastIndex
    }

    mutating func commit(to index: UInt64) {
        guard index > committed else { return }
        // The leader never sends a commit index beyond what it knows we hold, so this is a broken invariant.
        // fatalError, not precondition: a release build drops a precondition's message, and an operator must
        // learn why the member stopped (etcd panics with the same words).
        if !(index <= lastIndex) { fatalError("raft: commit \(index) beyond last index \(lastIndex)") }
        committed = index
    }

    /// Leader commit rule: advance only to an entry of the current term. Older entries become committed
    /// indirectly; counting replicas of them alone is unsafe (Raft paper §5.4.2, figure 8).
    mutating func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > committed, (try? self.term(index)) == term else { return false }
        commit(to: index)
        return true
    }

    mutating func applied(to index: UInt64) {
        guard index > applied else { return }
        if !(index <= committed) { fatalError("raft: applied \(index) beyond committed \(committed)") }
        applied = index
    }

    /// Entries in `[lo, hi)` from storage and/or the unstable tail, limited to `maxSize` bytes.
    func slice(_ lo: UInt64, _ hi: UInt64, maxSize: UInt64) throws(RaftError) -> [RaftEntry] {
        if lo < firstIndex { throw .compacted }
        if hi > lastIndex + 1 || lo > hi { throw .unavailable }
        if lo == hi { return [] }
        var result: [RaftEntry] = []
        if lo < unstable.offset {
            result = try storage.entries(lo, min(hi, unstable.offset), maxSize: maxSize)
            // A short read means the size budget was hit; the unstable part must not be glued on.
            if UInt64(result.count) < min(hi, unstable.offset) - lo { return result }
        }
        if hi > unstable.offset {
            result += unstable.slice(max(lo, unstable.offset), hi)
        }
        return limitSize(result, maxSize)
    }

    func entries(from index: UInt64, maxSize: UInt64) throws(RaftError) -> [RaftEntry] {
        if index > lastIndex { return [] }
        return try slice(index, lastIndex + 1, maxSize: maxSize)
    }

    /// Committed entries not yet applied. None while a snapshot is pending: it must be applied first.
    func nextCommittedEntries() -> [RaftEntry] {
        guard unstable.snapshot == nil else { return [] }
        let lo = max(applied + 1, firstIndex)
        guard lo <= committed else { return [] }
        return (try? slice(lo, committed + 1, maxSize: .max)) ?? []
    }

    var hasNextCommittedEntries: Bool {
        unstable.snapshot == nil && max(applied + 1, firstIndex) <= committed
    }

    /// Installs a snapshot from the leader: the log restarts right after it.
    mutating func restore(_ snap: RaftSnapshot) {
        committed = snap.metadata.index
        unstable.restore(snap)
    }

    /// Snapshot the core should hand out: the pending one if any, else the stored one.
    func snapshot() throws(RaftError) -> RaftSnapshot {
        if let snap = unstable.snapshot { return snap }
        return try storage.snapshot()
    }
}
