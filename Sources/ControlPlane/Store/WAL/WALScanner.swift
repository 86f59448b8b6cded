// Reads and verifies every record of a list of segments, deciding between a torn tail (recoverable)
// and corruption (fatal).
//
// A torn tail is the trace of a write cut short by a crash, so it lies in the last batch (one `save`,
// one sync) of the last segment. A damaged frame counts as torn when
//   - it looks unfinished: a partial header, a frame running past the end of the file, a missing commit
//     byte, an all-zero disk sector inside it (a page never written back), or a header that ends in
//     zeros followed by zeros (a short write into preallocated space); and
//   - nothing after it belongs to a later batch: scanning on for frames that verify by themselves
//     (header CRC, size, commit byte), at most the rest of one batch is found. Writes of the final
//     batch may reach the disk out of order, but a later batch is only written once the earlier one
//     is synced, so intact records of a later batch prove the damage is not from the crash.
// Anything else — a CRC mismatch in a completely written frame, a damaged frame before a later batch,
// damage in an earlier segment, a broken CRC chain — is corruption and is reported with its file and
// offset: truncating there would silently discard acknowledged writes.

struct WALPositionedRecord: Sendable {
    var record: WALRecord
    var segment: Int
    var offset: Int
}

struct WALScan: Sendable {
    var records: [WALPositionedRecord] = []
    /// Byte length of the good prefix of the last segment.
    var lastSegmentEnd = 0
    /// Whether bytes past `lastSegmentEnd` were a torn record (not just zeros) and must be cleared.
    var torn = false
    /// CRC of the last good record, to continue the chain.
    var chain: UInt32 = 0
    var warnings: [String] = []
}

enum WALScanner {
    static let sectorSize = 512

    static func scan(directory: String, segments: [WALSegment]) throws(WALError) -> WALScan {
        var result = WALScan()
        var chain: UInt32? = nil
        for (n, segment) in segments.enumerated() {
            let path = WALFS.join(directory, segment.name)
            let bytes = try WALFS.readAll(path)
            try scanSegment(bytes, path: path, segment: n, isLast: n == segments.count - 1,
                            chain: &chain, into: &result)
        }
        result.chain = chain ?? 0
        return result
    }

    /// Whether `bytes[from..<to]` is all zero; eight bytes at a time, as it runs over a whole preallocated tail.
    private static func allZero(_ bytes: [UInt8], from: Int, to: Int? = nil) -> Bool {
        let end = to ?? bytes.count
        guard from < end else { return true }
        return bytes.withUnsafeBytes { raw in
            var i = from
            while i < end && i % 8 != 0 {
                if raw[i] != 0 { return false }
                i += 1
            }
            while end - i >= 8 {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) != 0 { return false }
                i += 8
            }
            while i < end {
                if raw[i] != 0 { return false }
                i += 1
            }
            return true
        }
    }

    /// Whether some sector-aligned piece of `[from, to)` is entirely zero (a sector that never reached the disk).
    private static func hasZeroSector(_ bytes: [UInt8], from: Int, to: Int) -> Bool {
        var start = from
        while start < to {
            let end = min(to, (start / sectorSize + 1) * sectorSize)
            if allZero(bytes, from: start, to: end) { return true }
            start = end
        }
        return false
    }

    private static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    private static func scanSegment(_ bytes: [UInt8], path: String, segment: Int, isLast: Bool,
                                    chain: inout UInt32?, into result: inout WALScan) throws(WALError) {
        let size = bytes.count
        var off = 0
        var first = true

        func corrupt(_ at: Int, _ reason: String) -> WALError { .corrupt(file: path, offset: at, reason: reason) }

        /// Ends the scan at `at` as a torn write, or throws if this cannot be one.
        func torn(_ at: Int, _ reason: String) throws(WALError) {
            guard isLast else { throw corrupt(at, reason + " (not in the last segment)") }
            result.torn = true
            result.warnings.append("wal: torn write in \(path) at offset \(at) (\(reason)); "
                + "discarding it and everything after it, keeping the records before")
            result.lastSegmentEnd = at
        }


        while off < size {
            let at = off
            if size - at < WALRecord.headerSize {
                if isLast && allZero(bytes, from: at) { break }
                try torn(at, "partial record header")
                return
            }
            let length = Int(u32(bytes, at))
            let rawType = bytes[at + 4]
            let trailer = Int(bytes[at + 5])
            let recordCRC = u32(bytes, at + 12)
            if !headerValid(bytes, at) {
                if allZero(bytes, from: at) {
                    // Never-written preallocated space: the end of the data.
                    if isLast { break }
                    throw corrupt(at, "zero-filled space inside a closed segment")
                }
                let unfinished = hasZeroSector(bytes, from: at, to: at + WALRecord.headerSize)
                    || (bytes[at + WALRecord.headerSize - 1] == 0
                        && allZero(bytes, from: at + WALRecord.headerSize, to: min(size, at + WALRecord.headerSize + 8)))
                if unfinished, let problem = laterBatch(bytes, after: at + 8) {
                    throw corrupt(at, "invalid record header; " + problem)
                }
                if unfinished {
                    try torn(at, "partially written record header")
                    return
                }
                throw corrupt(at, "invalid record header")
            }
            let end = at + WALRecord.headerSize + length + trailer
            if end > size {
                try torn(at, "record of \(length) bytes runs past the end of the file")
                return
            }
            guard let type = WALRecordType(rawValue: rawType) else {
                throw corrupt(at, "unknown record type \(rawType)")
            }
            let payload = bytes[(at + WALRecord.headerSize)..<(at + WALRecord.headerSize + length)]
            let committed = bytes[end - 1] == WALRecord.commitByte && allZero(bytes, from: end - trailer, to: end - 1)
            let seed: UInt32
            if type == .crc {
                guard length == 4 else { throw corrupt(at, "malformed crc record") }
                seed = u32(bytes, at + WALRecord.headerSize)
            } else if let c = chain {
                seed = c
            } else {
                throw corrupt(at, "segment does not start with a crc record")
            }
            let computed = CRC32C.checksum(payload, seed: CRC32C.checksum(bytes[at..<(at + 8)], seed: seed))
            if computed != recordCRC || !committed {
                let reason = computed != recordCRC
                    ? "CRC mismatch (stored \(hex(UInt64(recordCRC))), computed \(hex(UInt64(computed))))"
                    : "missing commit byte"
                let unfinished = !committed || hasZeroSector(bytes, from: at + WALRecord.headerSize, to: end)
                if unfinished, let problem = laterBatch(bytes, after: end) {
                    throw corrupt(at, reason + "; " + problem)
                }
                if unfinished {
                    try torn(at, "incompletely written record: " + reason)
                    return
                }
                throw corrupt(at, reason)
            }
            guard let record = WALRecord.decode(type: type, payload: payload) else {
                throw corrupt(at, "malformed \(type) record")
            }
            if first, type != .crc { throw corrupt(at, "segment does not start with a crc record") }
            if case let .crc(previous) = record, let c = chain, c != previous {
                throw corrupt(at, "CRC chain broken: segment continues from \(hex(UInt64(previous))), "
                    + "previous segment ended with \(hex(UInt64(c)))")
            }
            chain = recordCRC
            first = false
            result.records.append(WALPositionedRecord(record: record, segment: segment, offset: at))
            off = end
        }
        if isLast {
            // The good prefix ends after the last accepted record of this segment.
            if let last = result.records.last, last.segment == segment {
                result.lastSegmentEnd = last.offset + frameLength(bytes, at: last.offset)
            } else {
                result.lastSegmentEnd = 0
            }
        }
    }

    /// Whether a frame header at `at` verifies by itself: header CRC, zero reserved bits, consistent trailer.
    static func headerValid(_ bytes: [UInt8], _ at: Int) -> Bool {
        let length = Int(u32(bytes, at))
        return Int(bytes[at + 5]) == WALRecord.trailerLength(payloadLength: length)
            && bytes[at + 6] & ~WALRecord.batchEndFlag == 0 && bytes[at + 7] == 0
            && CRC32C.checksum(bytes[at..<(at + 8)]) == u32(bytes, at + 8)
    }

    /// Frames from `from` on that verify by themselves (header, size, commit byte), with their batch-end flag.
    static func intactFrames(_ bytes: [UInt8], from: Int) -> [(offset: Int, batchEnd: Bool)] {
        var found: [(offset: Int, batchEnd: Bool)] = []
        var p = (from + 7) / 8 * 8
        while p + WALRecord.headerSize <= bytes.count {
            if headerValid(bytes, p) {
                let end = p + frameLength(bytes, at: p)
                if end <= bytes.count && bytes[end - 1] == WALRecord.commitByte {
                    found.append((p, bytes[p + 6] & WALRecord.batchEndFlag != 0))
                    p = end
                    continue
                }
            }
            p += 8
        }
        return found
    }

    /// Describes the intact records of a later batch found after `after`, or nil if what follows is at most
    /// the rest of a single batch (the one a crash interrupted).
    private static func laterBatch(_ bytes: [UInt8], after: Int) -> String? {
        let frames = intactFrames(bytes, from: after)
        guard let firstEnd = frames.firstIndex(where: \.batchEnd), firstEnd < frames.count - 1 else { return nil }
        return "intact records written after a later sync follow at offset \(frames[firstEnd + 1].offset)"
    }

    private static func frameLength(_ bytes: [UInt8], at: Int) -> Int {
        let length = Int(u32(bytes, at))
        return WALRecord.headerSize + length + Int(bytes[at + 5])
    }
}
