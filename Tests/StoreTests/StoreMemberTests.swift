import Glibc
import Testing
@testable import Store

@Suite("StoreMember, one member") struct StoreMemberSingleTests {
    @Test func keyValueOperations() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let m = try await StoreMember.start(singleMemberConfig(dir.path))
        do {
            let p1 = try await m.put(PutRequest(key: utf8("a"), value: utf8("1")))
            let p2 = try await m.put(PutRequest(key: utf8("b"), value: utf8("2"), prevKV: true))
            #expect(p2.revision == p1.revision + 1)
            #expect(try await value(m, "a") == "1")
            let all = try await m.range(RangeRequest(key: utf8("a"), end: utf8("c")))
            #expect(all.kvs.map(\.key) == [utf8("a"), utf8("b")])
            #expect(all.revision == p2.revision)

            let txn = try await m.txn(TxnRequest(compares: [Compare(key: utf8("a"), .value(utf8("1")), .equal)],
                                                 success: [.put(PutRequest(key: utf8("a"), value: utf8("x")))],
                                                 failure: []))
            #expect(txn.succeeded)
            #expect(try await value(m, "a") == "x")
            let failed = try await m.txn(TxnRequest(compares: [Compare(key: utf8("a"), .value(utf8("1")), .equal)],
                                                    success: [], failure: [.range(RangeRequest(key: utf8("b")))]))
            #expect(!failed.succeeded)

            let del = try await m.deleteRange(DeleteRangeRequest(key: utf8("b"), prevKV: true))
            #expect(del.deleted == 1 && del.prevKVs.first?.value == utf8("2"))
            #expect(try await value(m, "b") == nil)

            // Old revisions are readable until compacted.
            #expect(try await m.range(RangeRequest(key: utf8("a"), revision: p1.revision)).kvs.first?.value == utf8("1"))
            _ = try await m.compact(revision: del.revision)
            await #expect(throws: MVCCError.compacted(del.revision)) {
                _ = try await m.range(RangeRequest(key: utf8("a"), revision: p1.revision))
            }
            #expect(m.currentRevision == del.revision && m.currentLeader == m.memberID && m.currentTerm >= 2)
            let status = try await m.status()
            #expect(status.leader == m.memberID && status.memberID == m.memberID && status.clusterID == m.clusterID)
            #expect(status.raftAppliedIndex >= 7 && status.revision == del.revision && !status.isLearner)
            let members = try await m.memberList()
            #expect(members.count == 1 && members[0].name == "m1" && members[0].clientURLs == ["http://127.0.0.1:2379"])
            let updated = try await m.memberUpdate(id: m.memberID, peerURLs: ["http://127.0.0.1:1", "http://127.0.0.1:2"])
            #expect(updated[0].peerURLs == ["http://127.0.0.1:1", "http://127.0.0.1:2"] && updated[0].name == "m1")
            await #expect(throws: KeyValueClientError.self) { _ = try await m.memberUpdate(id: 12345, peerURLs: ["http://x:1"]) }
            #expect(try await m.snapshotData().count > 0)
        } catch {
            await m.stop()
            throw error
        }
        await m.stop()
    }

    @Test func watchLiveAndFromThePast() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let m = try await StoreMember.start(singleMemberConfig(dir.path))
        defer { Task { await m.stop() } }
        let first = try await m.put(PutRequest(key: utf8("w/1"), value: utf8("a")))
        _ = try await m.put(PutRequest(key: utf8("w/2"), value: utf8("b")))
        // From the past: replays history, then continues live.
        let stream = m.watch(WatchCreateRequest(key: utf8("w/"), end: prefixRangeEnd(utf8("w/")),
                                                startRevision: first.revision, prevKV: true))
        var it = stream.makeAsyncIterator()
        var seen: [String] = []
        while seen.count < 2, let r = try await it.next() { seen += r.events.map { String(decoding: $0.kv.key, as: UTF8.self) } }
        #expect(seen == ["w/1", "w/2"])
        _ = try await m.put(PutRequest(key: utf8("w/1"), value: utf8("c")))
        let live = try await it.next()
        #expect(live?.events.first?.kv.value == utf8("c") && live?.events.first?.prevKV?.value == utf8("a"))

        // A compacted start revision ends the stream with the compaction revision.
        let now = try await m.put(PutRequest(key: utf8("x"), value: utf8("y")))
        _ = try await m.compact(revision: now.revision)
        var old = m.watch(WatchCreateRequest(key: utf8("w/"), startRevision: first.revision)).makeAsyncIterator()
        await #expect(throws: MVCCError.compacted(now.revision)) { while try await old.next() != nil {} }
        await m.stop()
        // Stopping ends open watches with an error rather than leaving them hanging.
        await #expect(throws: KeyValueClientError.self) { while try await it.next() != nil {} }
    }

    @Test func leasesExpireAndDeleteTheirKeys() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let m = try await StoreMember.start(singleMemberConfig(dir.path))
        do {
            let lease = try await m.leaseGrant(ttl: 1, id: 0)
            #expect(lease.id > 0 && lease.ttl == 1)
            let kept = try await m.leaseGrant(ttl: 60, id: 42)
            #expect(kept.id == 42)
            _ = try await m.put(PutRequest(key: utf8("l/short"), value: utf8("v"), lease: lease.id))
            _ = try await m.put(PutRequest(key: utf8("l/long"), value: utf8("v"), lease: 42))
            let ttl = try await m.leaseTimeToLive(id: 42, keys: true)
            #expect(ttl.grantedTTL == 60 && ttl.ttl > 55 && ttl.keys == [utf8("l/long")])
            #expect(try await m.leaseKeepAlive(id: 42) == 60)
            #expect(try await eventually(5) { try await value(m, "l/short") == nil })
            await #expect(throws: MVCCError.leaseNotFound(lease.id)) { _ = try await m.leaseTimeToLive(id: lease.id, keys: false) }
            #expect(try await value(m, "l/long") == "v")
            try await m.leaseRevoke(id: 42)
            #expect(try await value(m, "l/long") == nil)
            await #expect(throws: MVCCError.leaseNotFound(42)) { try await m.leaseRevoke(id: 42) }
        } catch {
            await m.stop()
            throw error
        }
        await m.stop()
    }

    @Test func restartKeepsDataAndRevision() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        var config = singleMemberConfig(dir.path)
        config.snapshotCount = 25
        config.snapshotCatchUpEntries = 5
        let m = try await StoreMember.start(config)
        var last: Int64 = 0
        for i in 0..<60 { last = try await m.put(PutRequest(key: utf8("k\(i % 20)"), value: utf8("v\(i)"))).revision }
        let lease = try await m.leaseGrant(ttl: 300, id: 7)
        let before = try await m.range(RangeRequest(key: utf8("k"), end: utf8("l")))
        await m.stop()

        // Restart ignores the flags' cluster description (here it lists a member that never existed) and
        // recovers snapshot + WAL.
        var restart = config
        restart.initialCluster.append(("ghost", ["http://127.0.0.1:1"]))
        let again = try await StoreMember.start(restart)
        do {
            let after = try await again.range(RangeRequest(key: utf8("k"), end: utf8("l")))
            #expect(after == before)
            #expect(after.revision == last)
            #expect(try await again.leaseTimeToLive(id: lease.id, keys: false).grantedTTL == 300)
            #expect(try await again.status().memberID == m.memberID)
            let snaps = try WALFS.list(dir.path + "/member/snap").filter { $0.hasSuffix(".snap") }
            #expect(!snaps.isEmpty)
        } catch {
            await again.stop()
            throw error
        }
        await again.stop()
    }

    @Test func oversizeRequestIsRefused() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        var config = singleMemberConfig(dir.path)
        config.maxRequestBytes = 4096
        let m = try await StoreMember.start(config)
        await #expect(throws: KeyValueClientError.self) {
            _ = try await m.put(PutRequest(key: utf8("big"), value: [UInt8](repeating: 1, count: 5000)))
        }
        do {
            _ = try await m.put(PutRequest(key: utf8("big"), value: [UInt8](repeating: 1, count: 5000)))
        } catch KeyValueClientError.requestTooLarge(let n) {
            #expect(n > 5000)
        } catch {
            Issue.record("unexpected \(error)")
        }
        _ = try await m.put(PutRequest(key: utf8("small"), value: [UInt8](repeating: 1, count: 3000)))
        await m.stop()
    }

    @Test func anotherClustersDataIsRejected() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let port = freeLoopbackPort()
        let m = try await StoreMember.start(singleMemberConfig(dir.path, token: "cluster-one", port: port))
        _ = try await m.put(PutRequest(key: utf8("a"), value: utf8("1")))
        await m.stop()
        do {
            let other = try await StoreMember.start(singleMemberConfig(dir.path, token: "cluster-two", port: port))
            await other.stop()
            Issue.record("started on another cluster's data")
        } catch let error as StoreMemberError {
            guard case .identityMismatch = error else { Issue.record("unexpected \(error)"); return }
            #expect("\(error)".contains(memberIDString(m.clusterID)))
        }
    }

    /// Writes ten keys one request at a time, stops, and returns the WAL's records with their files.
    private func writeTenAndStop(_ config: StoreMemberConfig) async throws {
        let m = try await StoreMember.start(config)
        for i in 0..<10 { _ = try await m.put(PutRequest(key: utf8("t\(i)"), value: utf8("v\(i)"))) }
        await m.stop()
    }

    private func walLayout(_ dir: String) throws -> (segments: [String], records: [(file: String, offset: Int, record: WALRecord)]) {
        let segments = try WALSegment.list(dir)
        let scan = try WALScanner.scan(directory: dir, segments: segments)
        return (segments.map(\.name), scan.records.map { (segments[$0.segment].name, $0.offset, $0.record) })
    }

    @Test func tornLastRecordIsCutWithAWarning() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let config = singleMemberConfig(dir.path)
        try await writeTenAndStop(config)
        let walDir = dir.path + "/member/wal"
        let layout = try walLayout(walDir)
        guard let last = layout.records.last else { Issue.record("empty WAL"); return }
        // A crash in the middle of the final write: its bytes from a point on never reached the disk.
        let path = walDir + "/" + last.file
        var content = try WALTestFiles.read(path)
        for i in (last.offset + 8)..<min(content.count, last.offset + 4096) { content[i] = 0 }
        try WALTestFiles.write(path, content)

        let m = try await StoreMember.start(config)
        do {
            #expect(!m.startWarnings.isEmpty)
            for i in 0..<9 { #expect(try await value(m, "t\(i)") == "v\(i)") }
            _ = try await m.put(PutRequest(key: utf8("after"), value: utf8("ok")))
        } catch {
            await m.stop()
            throw error
        }
        await m.stop()
    }

    @Test func corruptRecordInTheMiddleRefusesToStart() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let config = singleMemberConfig(dir.path)
        try await writeTenAndStop(config)
        let walDir = dir.path + "/member/wal"
        let layout = try walLayout(walDir)
        let entries = layout.records.filter { if case .entry = $0.record { true } else { false } }
        guard entries.count > 4 else { Issue.record("too few entries"); return }
        let victim = entries[2]
        let path = walDir + "/" + victim.file
        var content = try WALTestFiles.read(path)
        content[victim.offset + 20] ^= 0x40
        try WALTestFiles.write(path, content)
        do {
            let m = try await StoreMember.start(config)
            await m.stop()
            Issue.record("started on a corrupt WAL")
        } catch let error as WALError {
            guard case let .corrupt(file, offset, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file.hasSuffix(victim.file) && offset == victim.offset)
            #expect("\(error)".contains(victim.file) && "\(error)".contains("offset \(victim.offset)"))
        }
    }

    @Test func progressNotificationsAndSlowWatchers() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        var config = singleMemberConfig(dir.path)
        config.progressNotifyMilliseconds = 100
        config.watchBufferLimit = 4
        let m = try await StoreMember.start(config)
        do {
            let rev = try await m.put(PutRequest(key: utf8("p"), value: utf8("1"))).revision
            // An idle watch that asked for progress gets empty responses carrying the current revision.
            var progress = m.watch(WatchCreateRequest(key: utf8("q"), progressNotify: true)).makeAsyncIterator()
            let note = try await progress.next()
            #expect(note?.events.isEmpty == true && note?.revision == rev)

            // A watcher that never reads is ended with an error once its buffer is full; writes go on.
            var slow = m.watch(WatchCreateRequest(key: utf8("s/"), end: prefixRangeEnd(utf8("s/")))).makeAsyncIterator()
            for i in 0..<20 { _ = try await m.put(PutRequest(key: utf8("s/\(i)"), value: utf8("v"))) }
            var received = 0
            do {
                while try await slow.next() != nil { received += 1 }
                Issue.record("slow watch ended without an error")
            } catch let error as KeyValueClientError {
                guard case .unavailable = error else { Issue.record("unexpected \(error)"); return }
            }
            #expect(received == 4)
            #expect(try await value(m, "s/19") == "v")
        } catch {
            await m.stop()
            throw error
        }
        await m.stop()
    }

    @Test func concurrentWritesShareSyncs() async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let m = try await StoreMember.start(singleMemberConfig(dir.path))
        do {
            _ = try await m.put(PutRequest(key: utf8("warm"), value: utf8("up")))
            let (persists0, proposals0) = try await m.onLoop { ($0.persistCount, $0.proposalCount) }
            let start = monotonicMilliseconds()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for t in 0..<32 {
                    group.addTask {
                        for i in 0..<25 { _ = try await m.put(PutRequest(key: utf8("c/\(t)/\(i)"), value: utf8("v"))) }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = max(1, monotonicMilliseconds() - start)
            let (persists1, proposals1) = try await m.onLoop { ($0.persistCount, $0.proposalCount) }
            let writes = proposals1 - proposals0
            let syncs = persists1 - persists0
            print("store member: \(writes) concurrent puts in \(elapsed) ms (\(writes * 1000 / Int(elapsed))/s), \(syncs) synced writes")
            #expect(writes == 800)
            #expect(syncs < writes / 2, "\(syncs) syncs for \(writes) writes: proposals are not batched")
            #expect(try await m.range(RangeRequest(key: utf8("c/"), end: prefixRangeEnd(utf8("c/")), countOnly: true)).count == 800)
        } catch {
            await m.stop()
            throw error
        }
        await m.stop()
    }
}
