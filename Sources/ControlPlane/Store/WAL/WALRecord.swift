// Record framing of the write-ahead log.
//
// Every record is a frame of 8-byte multiple length:
//
//   0  u32 LE  payload length
//   4  u8      record type
//   5  u8      trailer length t, 1...8 (pads the frame to 8 bytes)
//   6  u8      flags: bit 0 marks the last record of a synced batch (one `save`), the rest zero
//   7  u8      zero
//   8  u32 LE  header CRC: CRC-32C of bytes 0..<8 (so a damaged length is never trusted)
//   12 u32 LE  record CRC: CRC-32C of bytes 0..<8 and the payload, seeded with the previous record's CRC
//   16 payload
//   .. t-1 zero bytes, then one commit byte 0xA5
//
// The chained record CRC ties each record to everything before it (across segments, through the CRC
// record that opens each segment), so a reordered, dropped or replayed record fails verification.
// All-zero bytes never form a valid header (the CRC of eight zero bytes is not zero), which is how the
// preallocated, never-written tail of a segment is recognised. The commit byte is written last in the
// frame: a frame without it was never completely written. The batch flag lets recovery tell a torn
// final batch (whose later records may have reached the disk before an earlier one) from damage to
// data that a later, acknowledged batch was written after.

enum WALRecordType: UInt8, Sendable {
    case metadata = 1
    case entry = 2
    case hardState = 3
    case snapshot = 4
    /// Opens each segment with the running CRC of the log so far; its own CRC is seeded with that value.
    case crc = 5
}

enum WALRecord: Sendable, Hashable {
    case metadata(WALMetadata)
    case entry(RaftEntry)
    case hardState(RaftHardState)
    case snapshot(WALSnapshotMarker)
    case crc(UInt32)

    static let headerSize = 16
    static let commitByte: UInt8 = 0xA5

    var type: WALRecordType {
        switch self {
        case .metadata: .metadata
        case .entry: .entry
        case .hardState: .hardState
        case .snapshot: .snapshot
        case .crc: .crc
        }
    }

    var payload: [UInt8] {
        var w = ByteWriter()
        switch self {
        case let .metadata(m):
            w.u64(m.clusterID)
            w.u64(m.memberID)
        case let .entry(e):
            w = ByteWriter(capacity: 17 + e.data.count)
            w.u64(e.term)
            w.u64(e.index)
            w.u8(e.kind.rawValue)
            w.raw(e.data)
        case let .hardState(h):
            w.u64(h.term)
            w.u64(h.vote)
            w.u64(h.commit)
        case let .snapshot(s):
            w.u64(s.index)
            w.u64(s.term)
        case let .crc(c):
            w.u32(c)
        }
        return w.bytes
    }

    /// Parses a payload already verified by its CRC; nil if it does not fit its type (a writer bug or
    /// a version mismatch, reported as corruption).
    static func decode(type: WALRecordType, payload: ArraySlice<UInt8>) -> WALRecord? {
        var r = ByteReader(payload)
        switch type {
        case .metadata:
            guard let c = r.u64(), let m = r.u64(), r.remaining == 0 else { return nil }
            return .metadata(WALMetadata(clusterID: c, memberID: m))
        case .entry:
            guard let t = r.u64(), let i = r.u64(), let k = r.u8(), let kind = RaftEntryKind(rawValue: k) else { return nil }
            return .entry(RaftEntry(term: t, index: i, kind: kind, data: r.rest()))
        case .hardState:
            guard let t = r.u64(), let v = r.u64(), let c = r.u64(), r.remaining == 0 else { return nil }
            return .hardState(RaftHardState(term: t, vote: v, commit: c))
        case .snapshot:
            guard let i = r.u64(), let t = r.u64(), r.remaining == 0 else { return nil }
            return .snapshot(WALSnapshotMarker(index: i, term: t))
        case .crc:
            guard let c = r.u32(), r.remaining == 0 else { return nil }
            return .crc(c)
        }
    }

    static func trailerLength(payloadLength: Int) -> Int { 8 - (payloadLength % 8) }

    static let batchEndFlag: UInt8 = 1

    /// Frames of `records`, written and synced together; the last one carries the batch-end flag.
    static func encodeBatch(_ records: [WALRecord], chain: inout UInt32) -> [UInt8] {
        var out: [UInt8] = []
        for (n, r) in records.enumerated() { r.encode(into: &out, chain: &chain, batchEnd: n == records.count - 1) }
        return out
    }

    /// Appends this record's frame to `out`; `chain` is the running CRC, updated to this record's CRC.
    func encode(into out: inout [UInt8], chain: inout UInt32, batchEnd: Bool = false) {
        let body = payload
        let trailer = Self.trailerLength(payloadLength: body.count)
        let start = out.count
        var w = ByteWriter(capacity: 8)
        w.u32(UInt32(body.count))
        w.u8(type.rawValue)
        w.u8(UInt8(trailer))
        w.u8(batchEnd ? Self.batchEndFlag : 0)
        w.u8(0)
        let head = w.bytes
        let seed: UInt32
        if case let .crc(previous) = self { seed = previous } else { seed = chain }
        let recordCRC = CRC32C.checksum(body, seed: CRC32C.checksum(head, seed: seed))
        out.append(contentsOf: head)
        var tail = ByteWriter(capacity: 8)
        tail.u32(CRC32C.checksum(head))
        tail.u32(recordCRC)
        out.append(contentsOf: tail.bytes)
        out.append(contentsOf: body)
        out.append(contentsOf: repeatElement(0, count: trailer - 1))
        out.append(Self.commitByte)
        assert((out.count - start) % 8 == 0)
        chain = recordCRC
    }
}
