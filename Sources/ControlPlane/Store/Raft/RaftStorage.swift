// What has been persisted: the read side the core consults, and an in-memory implementation.
//
// The core only ever reads from storage; the driver writes to it while handling a `Ready`
// (entries, hard state, snapshot) and when it decides to compact. Because the core reads through
// a shared reference, storage is a class; the core is still deterministic as long as the driver only
// mutates storage at the points the `Ready` contract allows.

public protocol RaftStorage: AnyObject {
    /// Hard state and membership as of the last persisted write, used when a node (re)starts.
    func initialState() -> (hardState: RaftHardState, confState: RaftConfState)
    /// Entries in `[lo, hi)`, trimmed to `maxSize` bytes but never to fewer than one entry.
    func entries(_ lo: UInt64, _ hi: UInt64, maxSize: UInt64) throws(RaftError) -> [RaftEntry]
    /// Term of entry `index`; valid for `firstIndex() - 1 ... lastIndex()`, the former being the snapshot's.
    func term(_ index: UInt64) throws(RaftError) -> UInt64
    /// Index of the first entry still available (everything before is in the snapshot).
    func firstIndex() -> UInt64
    func lastIndex() -> UInt64
    /// Latest snapshot, to be sent to followers that fell behind the compaction point.
    func snapshot() throws(RaftError) -> RaftSnapshot
}

/// Keeps at least one entry of a batch even when it alone exceeds the budget, so replication always progresses.
func limitSize(_ entries: [RaftEntry], _ maxSize: UInt64) -> [RaftEntry] {
    guard !entries.isEmpty else { return entries }
    var size = entries[0].byteSize
    var count = 1
    while count < entries.count {
        size += entries[count].byteSize
        if size > maxSize { break }
        count += 1
    }
    return Array(entries.prefix(count))
}

/// Storage held in memory: what tests and the simulation use, and what a WAL-backed driver can mirror.
public final class RaftMemoryStorage: RaftStorage {
    public private(set) var hardState = RaftHardState()
    public private(set) var currentSnapshot = RaftSnapshot()
    /// `log[0]` is a sentinel carrying the snapshot's index and term, so term lookups just below the
    /// first real entry (needed to anchor appends) work without consulting the snapshot separately.
    private var log: [RaftEntry] = [RaftEntry(term: 0, index: 0)]

    public init() {}

    /// Deep copy: the simulation snapshots storage to model exactly what survived a crash.
    public func copy() -> RaftMemoryStorage {
        let other = RaftMemoryStorage()
        other.hardState = hardState
        other.currentSnapshot = currentSnapshot
        other.log = log
        return other
    }

    public func initialState() -> (hardState: RaftHardState, confState: RaftConfState) {
        (hardState, currentSnapshot.metadata.confState)
    }

    private var offset: UInt64 { log[0].index }

    public func firstIndex() -> UInt64 { offset + 1 }
    public func lastIndex() -> UInt64 { offset + UInt64(log.count) - 1 }

    public func term(_ index: UInt64) throws(RaftError) -> UInt64 {
        if index < offset { throw .compacted }
        if index > lastIndex() { throw .unavailable }
        return log[Int(index - offset)].term
    }

    public func entries(_ lo: UInt64, _ hi: UInt64, maxSize: UInt64) throws(RaftError) -> [RaftEntry] {
        if lo <= offset { throw .compacted }
        if hi > lastIndex() + 1 || lo > hi { throw .unavailable }
        return limitSize(Array(log[Int(lo - offset)..<Int(hi - offset)]), maxSize)
    }

    public func snapshot() throws(RaftError) -> RaftSnapshot { currentSnapshot }

    public func setHardState(_ state: RaftHardState) { hardState = state }

    /// Replaces the whole log with a snapshot received from the leader.
    public func applySnapshot(_ snapshot: RaftSnapshot) throws(RaftError) {
        if snapshot.metadata.index <= currentSnapshot.metadata.index { throw .snapshotOutOfDate }
        currentSnapshot = snapshot
        log = [RaftEntry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
    }

    /// Records a snapshot of the local state machine at `index` (which must be applied, hence persisted).
    /// Does not discard entries: call `compact` for that, possibly keeping a tail for slow followers.
    @discardableResult
    public func createSnapshot(index: UInt64, confState: RaftConfState, data: [UInt8]) throws(RaftError) -> RaftSnapshot {
        if index <= currentSnapshot.metadata.index { throw .snapshotOutOfDate }
        if index > lastIndex() { throw .unavailable }
        let term = try term(index)
        currentSnapshot = RaftSnapshot(
            metadata: RaftSnapshotMetadata(index: index, term: term, confState: confState), data: data)
        return currentSnapshot
    }

    /// Drops entries up to and including `index`. The caller must only compact applied entries
    /// covered by a snapshot, otherwise a lagging follower could be left with nothing to catch up from.
    public func compact(_ index: UInt64) throws(RaftError) {
        if index <= offset { throw .compacted }
        if index > lastIndex() { throw .unavailable }
        let cut = Int(index - offset)
        let sentinel = RaftEntry(term: log[cut].term, index: index)
        log = [sentinel] + log[(cut + 1)...]
    }

    /// Persists entries, discarding any conflicting suffix already stored.
    public func append(_ entries: [RaftEntry]) throws(RaftError) {
        guard let first = entries.first else { return }
        // Entries already folded into the snapshot are dropped; the caller may race a compaction.
        let kept = entries.filter { $0.index > offset }
        guard let firstKept = kept.first else { return }
        if first.index > lastIndex() + 1 { throw .unavailable }
        let keep = Int(firstKept.index - offset)
        // Truncate in place: rebuilding the array would copy the whole log on every append.
        if keep < log.count { log.removeSubrange(keep...) }
        log.append(contentsOf: kept)
    }
}
