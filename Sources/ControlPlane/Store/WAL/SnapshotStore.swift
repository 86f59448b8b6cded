// Snapshot files: `snap/<term>-<index>.snap` (16 hex digits each), one Raft snapshot per file.
//
// File layout: magic "SWLSNAP1", u32 CRC-32C of the body, u32 zero, u64 body length, body. The body
// holds index, term, the voters and learners (u64 count then ids), then the data (u64 length, bytes).
// A file is written under a temporary name, synced, renamed into place and the directory synced, so a
// crash leaves either the old set of snapshots or the new one. Loading takes the newest file that
// verifies; damaged ones are renamed to `.broken` and reported, never deleted.

import Glibc
import Logging

public final class SnapshotStore {
    public let directory: String

    static let suffix = ".snap"
    static let magic: [UInt8] = Array("SWLSNAP1".utf8)
    private static let logger = Logger(label: "swiftlet.snap")

    /// Uses (and creates if needed) `directory`.
    public init(directory: String) throws {
        self.directory = directory
        try WALFS.makeDirectory(directory)
    }

    static func fileName(_ m: RaftSnapshotMetadata) -> String { hex16(m.term) + "-" + hex16(m.index) + suffix }

    /// (term, index) of a snapshot file name, nil for other names.
    static func parse(_ name: String) -> WALSnapshotMarker? {
        guard name.hasSuffix(suffix) else { return nil }
        let parts = name.dropLast(suffix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
              let t = UInt64(parts[0], radix: 16), let i = UInt64(parts[1], radix: 16) else { return nil }
        return WALSnapshotMarker(index: i, term: t)
    }

    /// Durably stores `snapshot`; an empty snapshot is ignored.
    public func save(_ snapshot: RaftSnapshot) throws {
        if snapshot.isEmpty { return }
        let final = WALFS.join(directory, Self.fileName(snapshot.metadata))
        let temp = final + ".tmp"
        let fd = try WALFS.open(temp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try WALFS.writeAll(fd, Self.encode(snapshot), at: 0, path: temp)
            try WALFS.sync(fd, path: temp)
            WALFS.close(fd)
        } catch {
            WALFS.close(fd)
            try? WALFS.remove(temp)
            throw error
        }
        try WALFS.rename(temp, final)
        try WALFS.syncDirectory(directory)
    }

    /// Snapshot files present (valid or not), newest first.
    public func markers() throws -> [WALSnapshotMarker] {
        try WALFS.list(directory).compactMap(Self.parse).sorted(by: >)
    }

    /// The newest snapshot that verifies and, when `acceptable` is given, is one of those markers (the
    /// snapshots the WAL knows of: a file saved just before a crash may have no marker yet). Damaged files
    /// met on the way are renamed to `<name>.broken` and listed in `skipped`. Nil if none qualifies.
    public func loadNewest(acceptable: [WALSnapshotMarker]? = nil) throws -> (snapshot: RaftSnapshot, skipped: [String])? {
        var skipped: [String] = []
        let allowed = acceptable.map(Set.init)
        for marker in try markers() {
            if let allowed, !allowed.contains(marker) { continue }
            let path = WALFS.join(directory, hex16(marker.term) + "-" + hex16(marker.index) + Self.suffix)
            do {
                let snapshot = try Self.decode(try WALFS.readAll(path), file: path)
                if WALSnapshotMarker(snapshot.metadata) != marker {
                    throw SnapshotStoreError.corrupt(file: path, reason: "contents are for index \(snapshot.metadata.index) "
                        + "term \(snapshot.metadata.term)")
                }
                return (snapshot, skipped)
            } catch let error as SnapshotStoreError {
                Self.logger.warning("\(error); skipping it")
                skipped.append(path)
                try WALFS.rename(path, path + ".broken")
            }
        }
        return nil
    }

    /// Removes all but the newest `keep` snapshot files (and leftover temporaries); returns what it removed.
    @discardableResult
    public func purge(keep: Int) throws -> [String] {
        var removed: [String] = []
        for marker in try markers().dropFirst(max(keep, 0)) {
            let path = WALFS.join(directory, hex16(marker.term) + "-" + hex16(marker.index) + Self.suffix)
            try WALFS.remove(path)
            removed.append(path)
        }
        for name in try WALFS.list(directory) where name.hasSuffix(Self.suffix + ".tmp") {
            try WALFS.remove(WALFS.join(directory, name))
        }
        if !removed.isEmpty { try WALFS.syncDirectory(directory) }
        return removed
    }

    static func encode(_ snapshot: RaftSnapshot) -> [UInt8] {
        let m = snapshot.metadata
        var body = ByteWriter(capacity: 48 + 8 * (m.confState.voters.count + m.confState.learners.count) + snapshot.data.count)
        body.u64(m.index)
        body.u64(m.term)
        body.u64(UInt64(m.confState.voters.count))
        for v in m.confState.voters { body.u64(v) }
        body.u64(UInt64(m.confState.learners.count))
        for l in m.confState.learners { body.u64(l) }
        body.u64(UInt64(snapshot.data.count))
        body.raw(snapshot.data)
        var out = ByteWriter(capacity: 24 + body.bytes.count)
        out.raw(magic)
        out.u32(CRC32C.checksum(body.bytes))
        out.u32(0)
        out.u64(UInt64(body.bytes.count))
        out.raw(body.bytes)
        return out.bytes
    }

    static func decode(_ bytes: [UInt8], file: String) throws(SnapshotStoreError) -> RaftSnapshot {
        func bad(_ reason: String) -> SnapshotStoreError { .corrupt(file: file, reason: reason) }
        var r = ByteReader(bytes[...])
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else { throw bad("not a snapshot file") }
        r.position = 8
        guard let crc = r.u32(), let _ = r.u32(), let length = r.u64() else { throw bad("short header") }
        guard UInt64(r.remaining) == length else { throw bad("body is \(r.remaining) bytes, header says \(length)") }
        let body = bytes[24...]
        guard CRC32C.checksum(body) == crc else { throw bad("CRC mismatch") }
        var b = ByteReader(body)
        guard let index = b.u64(), let term = b.u64(), let nv = b.u64(), nv <= UInt64(b.remaining / 8) else {
            throw bad("malformed metadata")
        }
        var voters: [RaftNodeID] = []
        for _ in 0..<nv { voters.append(b.u64()!) }
        guard let nl = b.u64(), nl <= UInt64(b.remaining / 8) else { throw bad("malformed metadata") }
        var learners: [RaftNodeID] = []
        for _ in 0..<nl { learners.append(b.u64()!) }
        guard let n = b.u64(), n == UInt64(b.remaining) else { throw bad("malformed data length") }
        return RaftSnapshot(
            metadata: RaftSnapshotMetadata(index: index, term: term, confState: RaftConfState(voters: voters, learners: learners)),
            data: b.rest())
    }
}
