import Glibc
import Testing
@testable import Store

@Suite("WAL snapshots and durable storage")
struct WALSnapshotStorageTests {
    let identity = WALMetadata(clusterID: 7, memberID: 1)
    let options = WALOptions(segmentSize: 4096, preallocate: true)

    private func snapshot(_ index: UInt64, _ term: UInt64, size: Int = 300) -> RaftSnapshot {
        RaftSnapshot(metadata: RaftSnapshotMetadata(index: index, term: term, confState: RaftConfState(voters: [1, 2, 3], learners: [9])),
                     data: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(index)) })
    }

    @Test func snapshotSaveLoadPurge() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let store = try SnapshotStore(directory: dir.sub("snap"))
        #expect(try store.loadNewest() == nil)
        for (i, t) in [(10, 1), (20, 1), (30, 2), (40, 3)] as [(UInt64, UInt64)] { try store.save(snapshot(i, t)) }
        #expect(try WALFS.list(dir.sub("snap")).contains("0000000000000003-0000000000000028.snap"))
        let newest = try #require(try store.loadNewest())
        #expect(newest.snapshot == snapshot(40, 3))
        #expect(newest.skipped.isEmpty)
        // Only snapshots the WAL knows of.
        let known = try #require(try store.loadNewest(acceptable: [WALSnapshotMarker(index: 20, term: 1), WALSnapshotMarker(index: 99, term: 9)]))
        #expect(known.snapshot == snapshot(20, 1))
        #expect(try store.loadNewest(acceptable: [WALSnapshotMarker(index: 99, term: 9)]) == nil)

        let removed = try store.purge(keep: 2)
        #expect(removed.count == 2)
        #expect(try store.markers() == [WALSnapshotMarker(index: 40, term: 3), WALSnapshotMarker(index: 30, term: 2)])
        // Saving the same snapshot twice, or an empty one, is harmless.
        try store.save(snapshot(40, 3))
        try store.save(RaftSnapshot())
        #expect(try store.markers().count == 2)
    }

    @Test func corruptSnapshotIsSkippedAndReported() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let store = try SnapshotStore(directory: dir.sub("snap"))
        try store.save(snapshot(10, 1))
        try store.save(snapshot(20, 2))
        try store.save(snapshot(30, 2))
        let newestPath = dir.sub("snap/0000000000000002-000000000000001e.snap")
        var bytes = try WALTestFiles.read(newestPath)
        bytes[bytes.count - 5] ^= 0x01
        try WALTestFiles.write(newestPath, bytes)
        // And a truncated one in between.
        let middlePath = dir.sub("snap/0000000000000002-0000000000000014.snap")
        try WALTestFiles.write(middlePath, Array(try WALTestFiles.read(middlePath).prefix(40)))

        let loaded = try #require(try store.loadNewest())
        #expect(loaded.snapshot == snapshot(10, 1))
        #expect(loaded.skipped == [newestPath, middlePath])
        #expect(WALFS.exists(newestPath + ".broken") && !WALFS.exists(newestPath))
        // Decoding refuses garbage of every length without trapping.
        let good = SnapshotStore.encode(snapshot(5, 1, size: 20))
        for n in 0..<good.count {
            #expect(throws: SnapshotStoreError.self) { try SnapshotStore.decode(Array(good.prefix(n)), file: "x") }
        }
    }

    /// Applies the same operations to a durable storage and to a RaftMemoryStorage, restarts the durable
    /// one, and compares every observable of the RaftStorage protocol.
    @Test func restartEqualsTheMemoryStorageItWasWrittenFrom() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let reference = RaftMemoryStorage()
        do {
            let durable = try DurableRaftStorage.open(directory: dir.path, metadata: identity, options: options)
            func both(_ hs: RaftHardState?, _ ents: [RaftEntry]) throws {
                try durable.persist(hardState: hs, entries: ents)
                try reference.append(ents)
                if let hs { reference.setHardState(hs) }
            }
            for i in stride(from: UInt64(1), through: 60, by: 3) {
                try both(RaftHardState(term: 1, vote: 1, commit: i), walEntries(i...(i + 2), term: 1, size: 80))
            }
            try both(RaftHardState(term: 2, vote: 2, commit: 50), walEntries(55...58, term: 2, size: 40))
            let snap = try durable.createSnapshot(index: 40, confState: RaftConfState(voters: [1, 2, 3]), data: [1, 2, 3])
            try reference.createSnapshot(index: 40, confState: RaftConfState(voters: [1, 2, 3]), data: [1, 2, 3])
            #expect(snap.metadata.term == 1)
            // Restart rebuilds from the snapshot (entries up to it become compacted), so compact to it here too.
            try durable.compact(40)
            try reference.compact(40)
            try both(RaftHardState(term: 2, vote: 2, commit: 56), walEntries(59...70, term: 2, size: 50))
            durable.close()
        }
        try expectSame(dir, reference)

        // Second life: a snapshot from the leader replaces the log, then more entries.
        do {
            let durable = try DurableRaftStorage.open(directory: dir.path, metadata: identity, options: options)
            let leaderSnap = snapshot(100, 4)
            try durable.persist(hardState: RaftHardState(term: 4, vote: 0, commit: 100), entries: [], snapshot: leaderSnap)
            try reference.applySnapshot(leaderSnap)
            reference.setHardState(RaftHardState(term: 4, vote: 0, commit: 100))
            try durable.persist(hardState: RaftHardState(term: 4, vote: 0, commit: 104), entries: walEntries(101...110, term: 4))
            try reference.append(walEntries(101...110, term: 4))
            reference.setHardState(RaftHardState(term: 4, vote: 0, commit: 104))
            try durable.compact(100)
            durable.close()
        }
        try expectSame(dir, reference)

        // Another member's identity cannot take this directory over.
        #expect(throws: WALError.self) {
            try DurableRaftStorage.open(directory: dir.path, metadata: WALMetadata(clusterID: 8, memberID: 1), options: options)
        }
    }

    @Test func snapshotSavedWithoutMarkerIsIgnoredOnRestart() throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let reference = RaftMemoryStorage()
        do {
            let durable = try DurableRaftStorage.open(directory: dir.path, metadata: identity, options: options)
            try durable.persist(hardState: RaftHardState(term: 1, vote: 1, commit: 20), entries: walEntries(1...20, term: 1))
            try reference.append(walEntries(1...20, term: 1))
            reference.setHardState(RaftHardState(term: 1, vote: 1, commit: 20))
            // Crash between writing the snapshot file and its WAL marker.
            try durable.snapshots.save(snapshot(15, 1))
            durable.close()
        }
        try expectSame(dir, reference)
    }

    private func expectSame(_ dir: WALTempDir, _ reference: RaftMemoryStorage) throws {
        let restored = try DurableRaftStorage.open(directory: dir.path, metadata: identity, options: options)
        defer { restored.close() }
        #expect(restored.warnings.isEmpty)
        #expect(restored.initialState() == reference.initialState())
        #expect(restored.firstIndex() == reference.firstIndex())
        #expect(restored.lastIndex() == reference.lastIndex())
        #expect(try restored.snapshot() == reference.snapshot())
        for i in (reference.firstIndex() - 1)...reference.lastIndex() {
            #expect(try restored.term(i) == reference.term(i))
        }
        #expect(try restored.entries(reference.firstIndex(), reference.lastIndex() + 1, maxSize: .max)
            == reference.entries(reference.firstIndex(), reference.lastIndex() + 1, maxSize: .max))
    }
}
