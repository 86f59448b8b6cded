// RaftStorage backed by the write-ahead log and the snapshot store: reads are served by an in-memory
// mirror (a RaftMemoryStorage), writes go to disk first. After a restart the mirror is rebuilt from the
// newest snapshot the log knows of plus the log's entries and hard state after it (as etcd does), so after
// a restart `firstIndex()` is the snapshot's index + 1 even if memory had been compacted less far.
//
// Layout: `<directory>/wal/` (segments and lock) and `<directory>/snap/`.

public final class DurableRaftStorage: RaftStorage {
    public let memory: RaftMemoryStorage
    public let wal: WriteAheadLog
    public let snapshots: SnapshotStore
    /// What recovery repaired or skipped (a torn WAL tail, a damaged snapshot file).
    public let warnings: [String]

    private init(memory: RaftMemoryStorage, wal: WriteAheadLog, snapshots: SnapshotStore, warnings: [String]) {
        self.memory = memory
        self.wal = wal
        self.snapshots = snapshots
        self.warnings = warnings
    }

    /// Creates the storage if `directory` holds no log yet, otherwise recovers it. Throws on corruption or
    /// when the log belongs to another cluster or member.
    public static func open(directory: String, metadata: WALMetadata, options: WALOptions = WALOptions()) throws -> DurableRaftStorage {
        let walDir = WALFS.join(directory, "wal")
        let snapshots = try SnapshotStore(directory: WALFS.join(directory, "snap"))
        if !WriteAheadLog.exists(directory: walDir) {
            let wal = try WriteAheadLog.create(directory: walDir, metadata: metadata, options: options)
            return DurableRaftStorage(memory: RaftMemoryStorage(), wal: wal, snapshots: snapshots, warnings: [])
        }
        let wal = try WriteAheadLog.open(directory: walDir, metadata: metadata, options: options)
        // Only snapshots the log has a marker for: the log must continue exactly where the snapshot ends.
        let known = try wal.snapshotMarkers()
        let loaded = try snapshots.loadNewest(acceptable: known.filter { $0.index > 0 })
        let marker = loaded.map { WALSnapshotMarker($0.snapshot.metadata) } ?? WALSnapshotMarker()
        let contents = try wal.readAll(from: marker)
        let memory = RaftMemoryStorage()
        if let snapshot = loaded?.snapshot { try memory.applySnapshot(snapshot) }
        memory.setHardState(contents.hardState)
        try memory.append(contents.entries)
        let skipped = (loaded?.skipped ?? []).map { "snap: skipped damaged snapshot \($0)" }
        return DurableRaftStorage(memory: memory, wal: wal, snapshots: snapshots, warnings: contents.warnings + skipped)
    }

    public func close() { wal.close() }

    // MARK: RaftStorage

    public func initialState() -> (hardState: RaftHardState, confState: RaftConfState) { memory.initialState() }
    public func entries(_ lo: UInt64, _ hi: UInt64, maxSize: UInt64) throws(RaftError) -> [RaftEntry] {
        try memory.entries(lo, hi, maxSize: maxSize)
    }
    public func term(_ index: UInt64) throws(RaftError) -> UInt64 { try memory.term(index) }
    public func firstIndex() -> UInt64 { memory.firstIndex() }
    public func lastIndex() -> UInt64 { memory.lastIndex() }
    public func snapshot() throws(RaftError) -> RaftSnapshot { try memory.snapshot() }

    // MARK: Writes (the driver's side of a Ready)

    /// Persists a Ready's snapshot (if any), entries and hard state, in that order, then mirrors them.
    /// Returns once everything is synced: the Ready's messages may be sent after this.
    /// `sync: false` (a commit index alone, which peers can tell us again) writes without fdatasync; the
    /// next synced write makes it durable, and a crash before then loses only that record.
    public func persist(hardState: RaftHardState?, entries: [RaftEntry], snapshot: RaftSnapshot? = nil, sync: Bool = true) throws {
        if let snapshot, !snapshot.isEmpty {
            if snapshot.metadata.index <= memory.currentSnapshot.metadata.index { throw RaftError.snapshotOutOfDate }
            try snapshots.save(snapshot)
            try wal.saveSnapshotMarker(WALSnapshotMarker(snapshot.metadata))
            try memory.applySnapshot(snapshot)
        }
        try wal.save(hardState: hardState, entries: entries, sync: sync || snapshot != nil)
        try memory.append(entries)
        if let h = hardState, !h.isEmpty { memory.setHardState(h) }
    }

    /// Snapshots the state machine at `index` (applied, hence persisted) and records it durably.
    @discardableResult
    public func createSnapshot(index: UInt64, confState: RaftConfState, data: [UInt8]) throws -> RaftSnapshot {
        let snapshot = try memory.createSnapshot(index: index, confState: confState, data: data)
        try snapshots.save(snapshot)
        try wal.saveSnapshotMarker(WALSnapshotMarker(snapshot.metadata))
        return snapshot
    }

    /// Drops entries up to `index` (covered by a stored snapshot) from memory and whole WAL segments
    /// that hold nothing later, and keeps the newest `keepSnapshots` snapshot files. Memory already
    /// compacted that far (e.g. by an applied leader snapshot) is left alone; the WAL is still released.
    public func compact(_ index: UInt64, keepSnapshots: Int = 5) throws {
        precondition(index <= memory.currentSnapshot.metadata.index, "compact only what a stored snapshot covers")
        if index >= memory.firstIndex() { try memory.compact(index) }
        try wal.releaseTo(index: index)
        try snapshots.purge(keep: keepSnapshots)
    }
}
