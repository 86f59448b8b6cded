// Values the write-ahead log stores besides Raft's own: who wrote it, and where snapshots were taken.

/// Identity written at the head of every segment. Opening a log with another identity is refused, so a
/// member restarted with a data directory copied from another cluster (or member) fails loudly.
public struct WALMetadata: Sendable, Hashable {
    public var clusterID: UInt64
    public var memberID: UInt64

    public init(clusterID: UInt64, memberID: UInt64) {
        self.clusterID = clusterID
        self.memberID = memberID
    }
}

/// Records that a snapshot at (index, term) exists, so recovery knows where the log must be replayed from.
public struct WALSnapshotMarker: Sendable, Hashable, Comparable {
    public var index: UInt64
    public var term: UInt64

    public init(index: UInt64 = 0, term: UInt64 = 0) {
        self.index = index
        self.term = term
    }

    public init(_ metadata: RaftSnapshotMetadata) {
        self.init(index: metadata.index, term: metadata.term)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.index, a.term) < (b.index, b.term) }
}

/// What `readAll` recovers.
public struct WALContents: Sendable {
    public var metadata: WALMetadata
    /// The last hard state written (empty if none).
    public var hardState: RaftHardState
    /// Entries after the snapshot, later writes having replaced conflicting indexes.
    public var entries: [RaftEntry]
    /// Every snapshot marker in the retained segments, oldest first.
    public var snapshotMarkers: [WALSnapshotMarker]
    /// Human-readable notes about repairs made (a torn tail cut off).
    public var warnings: [String]
}

public struct WALOptions: Sendable {
    /// A segment is closed and a new one started once it grows past this size.
    public var segmentSize: Int = 64 << 20
    /// Reserve the segment's space up front so appends do not change the file size (cheaper syncs).
    public var preallocate: Bool = true

    public init(segmentSize: Int = 64 << 20, preallocate: Bool = true) {
        self.segmentSize = segmentSize
        self.preallocate = preallocate
    }
}
