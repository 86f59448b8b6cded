import Glibc
import Testing
@testable import Store

@Suite("WAL")
struct WALTests {
    let identity = WALMetadata(clusterID: 0xC1, memberID: 0x11)
    let small = WALOptions(segmentSize: 4096, preallocate: true)

    // MARK: CRC-32C

    @Test func crc32cVectors() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 (iSCSI) B.4 vectors.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        let text = Array("The quick brown fox jumps over the lazy dog, twice over for good measure".utf8)
        for cut in [0, 1, 7, 8, 9, 33, text.count] {
            let a = Array(text[..<cut]), b = Array(text[cut...])
            #expect(CRC32C.checksum(b, seed: CRC32C.checksum(a)) == CRC32C.checksum(text))
        }
    }

    // MARK: Round trips

    @Test func roundTripAcrossSegments() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        var written: [RaftEntry] = []
        var lastState = RaftHardState()
        do {
            let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
            for batch in 0..<40 {
                let lo = UInt64(batch * 5 + 1)
                let ents = walEntries(lo...(lo + 4), term: UInt64(batch / 10 + 1), size: 10 + batch * 3)
                lastState = RaftHardState(term: UInt64(batch / 10 + 1), vote: 2, commit: lo)
                try wal.save(hardState: lastState, entries: ents)
                written += ents
            }
            #expect(wal.segmentNames.count > 3)
            #expect(wal.segmentNames[0] == "0000000000000000-0000000000000000.wal")
            wal.close()
        }
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { wal.close() }
        let got = try wal.readAll()
        #expect(got.metadata == identity)
        #expect(got.hardState == lastState)
        #expect(got.entries == written)
        #expect(got.warnings.isEmpty)
        // Appending after recovery continues the chain.
        try wal.save(hardState: nil, entries: walEntries(201...203, term: 5))
        wal.close()
        let again = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { again.close() }
        #expect(try again.readAll().entries == written + walEntries(201...203, term: 5))
    }

    @Test func defaultSegmentIsPreallocatedAndReopens() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        do {
            let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity)
            try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: 1), entries: walEntries(1...3, term: 1))
            #expect(try WALTestFiles.size(dir.sub(wal.segmentNames[0])) == 64 << 20)
            wal.close()
        }
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity)
        defer { wal.close() }
        let got = try wal.readAll()
        #expect(got.entries == walEntries(1...3, term: 1))
        #expect(got.warnings.isEmpty)
    }

    @Test func conflictingEntriesAreOverwritten() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        do {
            let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
            try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: 2), entries: walEntries(1...60, term: 1, size: 100))
            // A new leader truncates from 40 (the write spills into a later segment than the originals).
            try wal.save(hardState: RaftHardState(term: 2, vote: 3, commit: 2), entries: walEntries(40...45, term: 2))
            try wal.save(hardState: nil, entries: walEntries(46...47, term: 2))
            // And another from 44, within the same segment.
            try wal.save(hardState: RaftHardState(term: 3, vote: 3, commit: 41), entries: walEntries(44...44, term: 3))
            wal.close()
        }
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { wal.close() }
        let got = try wal.readAll()
        #expect(got.entries == walEntries(1...39, term: 1, size: 100) + walEntries(40...43, term: 2) + walEntries(44...44, term: 3))
        #expect(got.hardState == RaftHardState(term: 3, vote: 3, commit: 41))
    }

    // MARK: Torn tails

    /// Writes entries 1...3, then entry 4 alone (the record the loop will tear); returns the last
    /// segment's path, its bytes, and where the last record starts and ends.
    private func tornFixture(_ dir: WALTempDir, size: Int = 600) throws -> (path: String, bytes: [UInt8], start: Int, end: Int) {
        let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity,
                                           options: WALOptions(segmentSize: 1 << 20, preallocate: false))
        try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: 1), entries: walEntries(1...3, term: 1))
        let path = dir.sub(wal.segmentNames.last!)
        let start = try WALTestFiles.size(path)
        try wal.save(hardState: nil, entries: walEntries(4...4, term: 1, size: size))
        let end = try WALTestFiles.size(path)
        wal.close()
        return (path, try WALTestFiles.read(path), start, end)
    }

    private func expectRecoversToGoodPrefix(_ dir: WALTempDir, torn: Bool, context: String) throws {
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { wal.close() }
        let got = try wal.readAll()
        #expect(got.entries == walEntries(1...3, term: 1), "\(context)")
        #expect(got.hardState == RaftHardState(term: 1, vote: 1, commit: 1), "\(context)")
        #expect(got.warnings.isEmpty == !torn, "\(context): \(got.warnings)")
        // The log is writable where the good data ends, and stays readable.
        try wal.save(hardState: nil, entries: walEntries(4...4, term: 2))
        wal.close()
        let again = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { again.close() }
        let reread = try again.readAll()
        #expect(reread.entries == walEntries(1...3, term: 1) + walEntries(4...4, term: 2), "\(context)")
        #expect(reread.warnings.isEmpty, "\(context)")
    }

    @Test func tornTailCutAtEveryOffset() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let f = try tornFixture(dir)
        #expect(f.end - f.start > 600)
        for cut in f.start..<f.end {
            try WALTestFiles.write(f.path, Array(f.bytes[..<cut]))
            try expectRecoversToGoodPrefix(dir, torn: cut > f.start, context: "cut at \(cut)")
        }
    }

    @Test func tornTailInPreallocatedSpaceAtEveryOffset() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let f = try tornFixture(dir)
        for cut in f.start..<f.end {
            // What a short write into a preallocated segment leaves: the prefix, then zeros.
            try WALTestFiles.write(f.path, Array(f.bytes[..<cut]) + [UInt8](repeating: 0, count: f.end - cut + 2048))
            try expectRecoversToGoodPrefix(dir, torn: cut > f.start, context: "zeros from \(cut)")
        }
    }

    @Test func tornTailWithAnUnwrittenSector() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let f = try tornFixture(dir, size: 1500)
        // The kernel wrote the record's last page but not an earlier sector of it.
        var bytes = f.bytes
        let sector = (f.start / 512 + 1) * 512
        #expect(sector + 512 < f.end)
        for i in sector..<(sector + 512) { bytes[i] = 0 }
        try WALTestFiles.write(f.path, bytes)
        try expectRecoversToGoodPrefix(dir, torn: true, context: "zero sector")
    }

    /// The final batch's pages may land out of order: an unwritten sector (or header) in its first record
    /// with its later records intact is still a torn write; the same damage before a later batch is not.
    @Test func tornFinalBatchVersusDamageBeforeALaterBatch() throws {
        for laterBatch in [false, true] {
            for damage in ["sector", "header"] {
                let dir = WALTempDir()
                defer { dir.remove() }
                let segment: String
                do {
                    let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity,
                                                       options: WALOptions(segmentSize: 1 << 20, preallocate: true))
                    try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: 1), entries: walEntries(1...3, term: 1))
                    try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: 3), entries: walEntries(4...6, term: 1, size: 1500))
                    if laterBatch { try wal.save(hardState: nil, entries: walEntries(7...7, term: 1)) }
                    segment = wal.segmentNames[0]
                    wal.close()
                }
                let target = try #require(try layout(dir).first {
                    if case let .entry(e) = $0.record { e.index == 4 } else { false }
                })
                let path = dir.sub(segment)
                var bytes = try WALTestFiles.read(path)
                let zeroFrom = damage == "sector" ? (target.offset / 512 + 1) * 512 : target.offset
                let zeroTo = damage == "sector" ? zeroFrom + 512 : target.offset + 16
                for i in zeroFrom..<zeroTo { bytes[i] = 0 }
                try WALTestFiles.write(path, bytes)
                let context = "\(damage), later batch: \(laterBatch)"
                if laterBatch {
                    try expectCorrupt(dir, file: segment, offset: target.offset, "\(context)")
                } else {
                    let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity)
                    defer { wal.close() }
                    let got = try wal.readAll()
                    #expect(got.entries == walEntries(1...3, term: 1), "\(context)")
                    #expect(got.hardState.commit == 1, "\(context)")
                    #expect(got.warnings.count == 1, "\(context)")
                    try wal.save(hardState: nil, entries: walEntries(4...4, term: 2))
                    wal.close()
                    let again = try WriteAheadLog.open(directory: dir.path, metadata: identity)
                    defer { again.close() }
                    #expect(try again.readAll().entries == walEntries(1...3, term: 1) + walEntries(4...4, term: 2), "\(context)")
                }
            }
        }
    }

    // MARK: Corruption

    private func expectCorrupt(_ dir: WALTempDir, file: String, offset: Int, _ comment: Comment) throws {
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { wal.close() }
        do {
            _ = try wal.readAll()
            Issue.record("opened a corrupt log: \(comment)")
        } catch let error as WALError {
            guard case let .corrupt(gotFile, gotOffset, _) = error else {
                Issue.record("unexpected \(error): \(comment)")
                return
            }
            #expect(gotFile.hasSuffix(file), comment)
            #expect(gotOffset == offset, comment)
            #expect("\(error)".contains(file) && "\(error)".contains("offset \(offset)"), comment)
        }
        // Refused, not repaired: the bytes are still there for an operator.
    }

    /// Offsets of every record, by segment file name.
    private func layout(_ dir: WALTempDir) throws -> [(file: String, offset: Int, record: WALRecord)] {
        let segments = try WALSegment.list(dir.path)
        let scan = try WALScanner.scan(directory: dir.path, segments: segments)
        return scan.records.map { (segments[$0.segment].name, $0.offset, $0.record) }
    }

    @Test func flippedBitInTheMiddleRefusesToOpen() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        do {
            let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
            for i in stride(from: UInt64(1), through: 120, by: 4) {
                try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: i), entries: walEntries(i...(i + 3), term: 1, size: 90))
            }
            #expect(wal.segmentNames.count >= 3)
            wal.close()
        }
        let records = try layout(dir)
        let segments = try WALSegment.list(dir.path).map(\.name)
        // Payload bits, in a closed segment and in the middle of the last one; header bits; the CRC field.
        let lastSegmentEntries = records.filter { r in
            if case .entry = r.record { return r.file == segments.last! } else { return false }
        }
        let targets: [(file: String, offset: Int, delta: Int, what: String)] = [
            records.first { $0.file == segments[0] && { if case .entry = $0.record { true } else { false } }($0) }
                .map { ($0.file, $0.offset, 16 + 20, "payload, first segment") }!,
            records.first { $0.file == segments[1] && { if case .entry = $0.record { true } else { false } }($0) }
                .map { ($0.file, $0.offset, 0, "length, second segment") }!,
            (lastSegmentEntries[1].file, lastSegmentEntries[1].offset, 16 + 40, "payload, last segment"),
            (lastSegmentEntries[1].file, lastSegmentEntries[1].offset, 13, "record CRC, last segment"),
            (lastSegmentEntries[2].file, lastSegmentEntries[2].offset, 4, "type, last segment"),
            // The very last record, completely written (commit byte present): a flipped bit is not a torn write.
            (records.last!.file, records.last!.offset, 16 + 3, "payload of the final record"),
        ]
        for t in targets {
            let path = dir.sub(t.file)
            let original = try WALTestFiles.read(path)
            var damaged = original
            damaged[t.offset + t.delta] ^= 0x10
            try WALTestFiles.write(path, damaged)
            try expectCorrupt(dir, file: t.file, offset: t.offset, "\(t.what)")
            try WALTestFiles.write(path, original)
        }
        // Undamaged again, it opens.
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { wal.close() }
        #expect(try wal.readAll().entries.count == 120)
    }

    @Test func missingSegmentRefusesToOpen() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        do {
            let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
            for i in stride(from: UInt64(1), through: 100, by: 5) {
                try wal.save(hardState: nil, entries: walEntries(i...(i + 4), term: 1, size: 100))
            }
            #expect(wal.segmentNames.count >= 3)
            unlink(dir.sub(wal.segmentNames[1]))
            wal.close()
        }
        #expect(throws: WALError.self) {
            let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
            _ = try wal.readAll()
        }
    }

    // MARK: Identity and locking

    @Test func anotherClustersLogIsRejected() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small).close()
        for other in [WALMetadata(clusterID: 0xC2, memberID: 0x11), WALMetadata(clusterID: 0xC1, memberID: 0x12)] {
            let wal = try WriteAheadLog.open(directory: dir.path, metadata: other, options: small)
            defer { wal.close() }
            #expect(throws: WALError.identityMismatch(expected: other, found: identity)) { try wal.readAll() }
        }
        #expect(throws: WALError.alreadyExists(dir.path)) {
            try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
        }
    }

    @Test func lockPreventsASecondOpen() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
        #expect(throws: WALError.locked(dir.path)) {
            try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        }
        wal.close()
        let reopened = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        #expect(throws: WALError.locked(dir.path)) {
            try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        }
        reopened.close()
    }

    // MARK: Snapshot markers and release

    @Test func readFromSnapshotAndReleaseSegments() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        do {
            let wal = try WriteAheadLog.create(directory: dir.path, metadata: identity, options: small)
            for i in stride(from: UInt64(1), through: 80, by: 5) {
                try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: i), entries: walEntries(i...(i + 4), term: 1, size: 100))
            }
            try wal.saveSnapshotMarker(WALSnapshotMarker(index: 70, term: 1))
            try wal.save(hardState: RaftHardState(term: 1, vote: 1, commit: 90), entries: walEntries(81...90, term: 1, size: 100))
            let before = wal.segmentNames.count
            try wal.releaseTo(index: 70)
            #expect(wal.segmentNames.count < before)
            #expect(WALSegment(name: wal.segmentNames[0])!.index <= 70)
            wal.close()
        }
        let wal = try WriteAheadLog.open(directory: dir.path, metadata: identity, options: small)
        defer { wal.close() }
        #expect(try wal.snapshotMarkers() == [WALSnapshotMarker(index: 70, term: 1)])
        let got = try wal.readAll(from: WALSnapshotMarker(index: 70, term: 1))
        #expect(got.entries == walEntries(71...90, term: 1, size: 100))
        #expect(got.hardState.commit == 90)

        let other = WALTempDir()
        defer { other.remove() }
        try WriteAheadLog.create(directory: other.path, metadata: identity, options: small).close()
        let fresh = try WriteAheadLog.open(directory: other.path, metadata: identity, options: small)
        defer { fresh.close() }
        #expect(throws: WALError.snapshotNotFound(WALSnapshotMarker(index: 5, term: 1))) {
            try fresh.readAll(from: WALSnapshotMarker(index: 5, term: 1))
        }
    }
}
