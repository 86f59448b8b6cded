// Errors of the write-ahead log and the snapshot store. Corruption errors always name the file and
// byte offset so an operator can inspect (and, knowingly, repair) the exact spot.

public enum WALError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// `create` found segment files already in the directory.
    case alreadyExists(String)
    /// `open` found no segment files.
    case notFound(String)
    /// Another process (or another handle in this one) holds the directory lock.
    case locked(String)
    /// A record before the end of the log is damaged: refusing to open rather than dropping good data.
    case corrupt(file: String, offset: Int, reason: String)
    /// The log belongs to another cluster or member.
    case identityMismatch(expected: WALMetadata, found: WALMetadata)
    /// `readAll(from:)` was given a snapshot the log holds no marker for.
    case snapshotNotFound(WALSnapshotMarker)
    /// A call out of order, e.g. appending before `readAll`, or after `close`.
    case invalidState(String)

    public var description: String {
        switch self {
        case let .io(op, path, e): return "wal: \(op) \(path): errno \(e)"
        case let .alreadyExists(dir): return "wal: \(dir) already holds a write-ahead log"
        case let .notFound(dir): return "wal: no write-ahead log in \(dir)"
        case let .locked(dir): return "wal: \(dir) is locked by another user"
        case let .corrupt(file, offset, reason): return "wal: corrupt record in \(file) at offset \(offset): \(reason)"
        case let .identityMismatch(expected, found):
            return "wal: log belongs to cluster \(hex(found.clusterID)) member \(hex(found.memberID)), "
                + "expected cluster \(hex(expected.clusterID)) member \(hex(expected.memberID))"
        case let .snapshotNotFound(m): return "wal: no snapshot marker at index \(m.index) term \(m.term)"
        case let .invalidState(why): return "wal: \(why)"
        }
    }
}

/// File-system failures of the snapshot store are reported as `WALError.io`.
public enum SnapshotStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No snapshot file, or none that passed its checksum (and matched the acceptable markers).
    case noSnapshot
    case corrupt(file: String, reason: String)

    public var description: String {
        switch self {
        case .noSnapshot: return "snap: no usable snapshot"
        case let .corrupt(file, reason): return "snap: corrupt snapshot \(file): \(reason)"
        }
    }
}

func hex(_ v: UInt64) -> String { String(v, radix: 16) }

/// Fixed-width lowercase hex, as in segment and snapshot file names.
func hex16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 16 - s.count)) + s
}
