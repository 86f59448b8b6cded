import Testing
@testable import Store

@Suite("MVCC leases")
struct MVCCLeaseTests {
    @Test func revokeDeletesAttachedKeysInOneRevision() throws {
        var s = MVCCStore()
        _ = try s.grant(id: 1, ttl: 10, now: 0)
        try s.put(key: kb("a"), value: kb("1"), lease: 1)
        try s.put(key: kb("b"), value: kb("2"), lease: 1)
        try s.put(key: kb("c"), value: kb("3"))
        #expect(s.timeToLive(id: 1, now: 0).keys == [kb("a"), kb("b")])
        let rev = try s.revoke(id: 1)
        #expect(rev == 5 && s.currentRevision == 5)
        #expect(mvccKeys(try s.range(key: [0], end: [0]).kvs) == ["c"])
        #expect(s.log.filter(\.tombstone).map(\.revision) == [Revision(main: 5, sub: 0), Revision(main: 5, sub: 1)])
        #expect(s.lease(1) == nil && s.leaseIDs.isEmpty)
        #expect(throws: MVCCError.leaseNotFound(1)) { try s.revoke(id: 1) }
        // A lease without keys revokes without a new revision.
        _ = try s.grant(id: 2, ttl: 10, now: 0)
        #expect(try s.revoke(id: 2) == 5)
    }

    @Test func grantErrorsAndPutWithMissingLease() throws {
        var s = MVCCStore()
        #expect(throws: MVCCError.invalidLeaseID) { try s.grant(id: 0, ttl: 10, now: 0) }
        _ = try s.grant(id: 3, ttl: 10, now: 0)
        #expect(throws: MVCCError.leaseExists(3)) { try s.grant(id: 3, ttl: 10, now: 0) }
        #expect(throws: MVCCError.leaseTTLTooLarge) { try s.grant(id: 4, ttl: MVCCStore.maxLeaseTTL + 1, now: 0) }
        let before = s
        #expect(throws: MVCCError.leaseNotFound(5)) { try s.put(key: kb("k"), value: kb("v"), lease: 5) }
        #expect(s == before)
    }

    @Test func expiryWithInjectedTime() throws {
        var s = MVCCStore()
        _ = try s.grant(id: 2, ttl: 5, now: 1000)   // expires at 6000
        _ = try s.grant(id: 3, ttl: 10, now: 1000)  // expires at 11000
        try s.put(key: kb("x"), value: kb("1"), lease: 2)
        try s.put(key: kb("y"), value: kb("1"), lease: 3)
        #expect(s.expiredLeases(now: 5999).isEmpty)
        #expect(s.expiredLeases(now: 6000) == [2])
        #expect(s.timeToLive(id: 3, now: 6000) == LeaseTimeToLive(id: 3, ttl: 5, grantedTTL: 10, keys: [kb("y")]))
        #expect(s.timeToLive(id: 3, now: 6001).ttl == 5) // rounded up
        #expect(s.timeToLive(id: 99, now: 0).ttl == -1)
        #expect(s.expire(now: 6000) == [2])
        #expect(mvccKeys(try s.range(key: [0], end: [0]).kvs) == ["y"])
        #expect(try s.keepAlive(id: 3, now: 10000) == 10)
        #expect(s.expiredLeases(now: 11000).isEmpty)
        #expect(s.expiredLeases(now: 20000) == [3])
        s.renewAll(now: 30000)
        #expect(s.expiredLeases(now: 39999).isEmpty)
        #expect(throws: MVCCError.leaseNotFound(2)) { try s.keepAlive(id: 2, now: 0) }
        #expect(s.expire(now: 40000) == [3])
        #expect(try s.range(key: [0], end: [0]).kvs.isEmpty)
    }

    @Test func wildTimesSaturate() throws {
        var s = MVCCStore()
        let l = try s.grant(id: 1, ttl: MVCCStore.maxLeaseTTL, now: Int64.max - 5)
        #expect(l.expiry == Int64.max)
        #expect(try s.keepAlive(id: 1, now: Int64.min) == MVCCStore.maxLeaseTTL)
        #expect(s.timeToLive(id: 1, now: Int64.max).ttl == 0)
        s.renewAll(now: Int64.max)
        #expect(s.timeToLive(id: 1, now: Int64.min).ttl > 0)
        #expect(s.expiredLeases(now: Int64.max) == [1])
        _ = try s.put(key: kb("k"), value: kb("v"))
        #expect(try s.range(key: kb("k"), limit: Int64.max).kvs.count == 1)
    }

    @Test func attachMovesKeysBetweenLeases() throws {
        var s = MVCCStore()
        _ = try s.grant(id: 1, ttl: 10, now: 0)
        _ = try s.grant(id: 2, ttl: 10, now: 0)
        try s.put(key: kb("k"), value: kb("v"), lease: 1)
        let r = try s.attach(key: kb("k"), lease: 2)
        #expect(r.revision == 3)
        let kv = try #require(try s.range(key: kb("k")).kvs.first)
        #expect(kv.lease == 2 && kv.value == kb("v") && kv.version == 2)
        #expect(s.lease(1)?.keys.isEmpty == true && s.lease(2)?.keys == [kb("k")])
        try s.put(key: kb("k"), value: kb("w"))  // a put without lease detaches
        #expect(s.lease(2)?.keys.isEmpty == true)
        try s.put(key: kb("k"), value: kb("w"), lease: 1)
        try s.deleteRange(key: kb("k"))         // a delete detaches
        #expect(s.lease(1)?.keys.isEmpty == true)
        try s.revoke(id: 1)
        #expect(s.currentRevision == 6)
        #expect(throws: MVCCError.keyNotFound) { try s.attach(key: kb("gone"), lease: 2) }
    }
}

@Suite("MVCC watches")
struct MVCCWatchTests {
    func flat(_ rs: [WatchResponse]) -> [(String, EventKind, Int64, String)] {
        rs.flatMap { r in r.events.map { (String(decoding: $0.kv.key, as: UTF8.self), $0.kind, $0.kv.modRevision,
                                           String(decoding: $0.kv.value, as: UTF8.self)) } }
    }

    @Test func livePrefixWatch() throws {
        var w = WatchableStore()
        let id = w.watch(key: kb("a"), end: prefixRangeEnd(kb("a")))
        #expect(w.isSynced(id) == true)
        try w.put(key: kb("a1"), value: kb("x"))
        try w.put(key: kb("b1"), value: kb("x"))
        try w.put(key: kb("a2"), value: kb("y"))
        try w.deleteRange(key: kb("a1"))
        let rs = w.drain()
        #expect(rs.map(\.watchID) == [id, id, id] && rs.map(\.revision) == [2, 4, 5])
        let events = flat(rs)
        #expect(events.map(\.0) == ["a1", "a2", "a1"] && events.map(\.1) == [.put, .put, .delete])
        #expect(events.map(\.2) == [2, 4, 5])
        #expect(rs.allSatisfy { $0.events.allSatisfy { $0.prevKV == nil } })
        #expect(w.drain().isEmpty)
    }

    @Test func replayFromPastRevisionThenLive() throws {
        var w = WatchableStore()
        try w.put(key: kb("a"), value: kb("1"))  // 2
        try w.put(key: kb("a"), value: kb("2"))  // 3
        try w.deleteRange(key: kb("a"))         // 4
        try w.put(key: kb("a"), value: kb("3"))  // 5
        try w.put(key: kb("z"), value: kb("0"))  // 6
        let id = w.watch(key: kb("a"), startRevision: 2, prevKV: true)
        #expect(w.isSynced(id) == false)
        try w.put(key: kb("a"), value: kb("4"))  // 7: written while unsynced, delivered once from history
        let first = w.drain()
        try #require(first.count == 1)
        #expect(first[0].revision == 7)
        #expect(flat(first).map(\.2) == [2, 3, 4, 5, 7])
        #expect(flat(first).map(\.1) == [.put, .put, .delete, .put, .put])
        #expect(first[0].events.map { $0.prevKV?.value } == [nil, kb("1"), kb("2"), nil, kb("3")])
        #expect(w.isSynced(id) == true)
        try w.put(key: kb("a"), value: kb("5"))  // 8
        let live = w.drain()
        #expect(flat(live).map(\.2) == [8] && live.first?.events.first?.prevKV?.value == kb("4"))
    }

    @Test func filtersCancelAndFutureStart() throws {
        var w = WatchableStore()
        let noPut = w.watch(key: [0], end: [0], filters: .noPut)
        let noDelete = w.watch(key: [0], end: [0], filters: .noDelete)
        let future = w.watch(key: [0], end: [0], startRevision: 4)
        let canceled = w.watch(key: [0], end: [0])
        try w.put(key: kb("k"), value: kb("1"))  // 2
        try w.put(key: kb("k"), value: kb("2"))  // 3
        try w.deleteRange(key: kb("k"))         // 4
        try w.put(key: kb("k"), value: kb("3"))  // 5
        #expect(w.cancel(canceled) && !w.cancel(canceled) && !w.cancel(999))
        let rs = w.drain()
        #expect(flat(rs.filter { $0.watchID == noPut }).map(\.2) == [4])
        #expect(flat(rs.filter { $0.watchID == noDelete }).map(\.2) == [2, 3, 5])
        #expect(flat(rs.filter { $0.watchID == future }).map(\.2) == [4, 5])
        #expect(!rs.contains { $0.watchID == canceled })
        #expect(w.watcherIDs == [noPut, noDelete, future])
    }

    @Test func txnEventsArriveAsOneResponse() throws {
        var w = WatchableStore()
        try w.put(key: kb("old"), value: kb("1"))
        let id = w.watch(key: [0], end: [0], prevKV: true)
        _ = try w.txn(TxnRequest(success: [.put(PutRequest(key: kb("p"), value: kb("1"))),
                                           .deleteRange(DeleteRangeRequest(key: kb("old"))),
                                           .put(PutRequest(key: kb("q"), value: kb("2")))]))
        let rs = w.drain()
        try #require(rs.count == 1 && rs[0].events.count == 3)
        #expect(rs[0].watchID == id)
        #expect(flat(rs).map(\.0) == ["p", "old", "q"] && flat(rs).map(\.2) == [3, 3, 3])
        #expect(rs[0].events[1].prevKV?.value == kb("1"))
    }

    @Test func compactedStartIsReportedAndCancels() throws {
        var w = WatchableStore()
        try w.put(key: kb("a"), value: kb("1"))  // 2
        try w.put(key: kb("b"), value: kb("1"))  // 3
        try w.put(key: kb("c"), value: kb("1"))  // 4
        try w.put(key: kb("a"), value: kb("2"))  // 5
        try w.compact(revision: 4)
        let old = w.watch(key: [0], end: [0], startRevision: 3)
        let atCompact = w.watch(key: [0], end: [0], startRevision: 4)
        let after = w.watch(key: [0], end: [0], startRevision: 5)
        let rs = w.drain()
        let oldResponse = try #require(rs.first { $0.watchID == old })
        #expect(oldResponse.canceled && oldResponse.compactRevision == 4 && oldResponse.events.isEmpty)
        #expect(flat(rs.filter { $0.watchID == atCompact }).map(\.2) == [4, 5])
        #expect(flat(rs.filter { $0.watchID == after }).map(\.2) == [5])
        #expect(w.watcherIDs == [atCompact, after])
        // Compaction while a watcher is unsynced and behind.
        let behind = w.watch(key: [0], end: [0], startRevision: 4)
        try w.put(key: kb("d"), value: kb("1"))  // 6
        try w.compact(revision: 6)
        let rs2 = w.drain()
        #expect(rs2.first { $0.watchID == behind }?.compactRevision == 6)
    }

    @Test func watchFromTheCompactRevisionSeesItsDelete() throws {
        var w = WatchableStore()
        try w.put(key: kb("a"), value: kb("1"))  // 2
        try w.put(key: kb("b"), value: kb("1"))  // 3
        try w.deleteRange(key: kb("a"))         // 4
        try w.put(key: kb("b"), value: kb("2"))  // 5
        try w.compact(revision: 4)
        let id = w.watch(key: [0], end: [0], startRevision: 4, prevKV: true)
        let rs = w.drain()
        #expect(flat(rs).map(\.2) == [4, 5] && flat(rs).map(\.1) == [.delete, .put])
        // The previous versions are below the compaction: not available any more.
        let r = try #require(rs.first)
        try #require(r.events.count == 2)
        #expect(r.watchID == id && r.events[0].prevKV == nil && r.events[1].prevKV?.value == kb("1"))
    }

    @Test func expiryNotifiesOneResponsePerRevisionAndProgress() throws {
        var w = WatchableStore()
        _ = try w.update { (s: inout MVCCStore) throws(MVCCError) in try s.grant(id: 1, ttl: 1, now: 0) }
        _ = try w.update { (s: inout MVCCStore) throws(MVCCError) in try s.grant(id: 2, ttl: 1, now: 0) }
        try w.put(key: kb("x"), value: kb("1"), lease: 1)  // 2
        try w.put(key: kb("y"), value: kb("1"), lease: 2)  // 3
        let id = w.watch(key: [0], end: [0])
        let past = w.watch(key: [0], end: [0], startRevision: 2)
        #expect(w.update { $0.expire(now: 1000) } == [1, 2])
        #expect(w.requestProgress() == [id])
        let rs = w.drain()
        let mine = rs.filter { $0.watchID == id }
        #expect(mine.map { $0.events.map(\.kv.modRevision) } == [[4], [5], []])
        #expect(mine.last?.revision == 5)
        #expect(flat(rs.filter { $0.watchID == past }).map(\.2) == [2, 3, 4, 5])
        #expect(w.requestProgress() == [id, past])
    }

    @Test func catchUpInBatchesNeverSplitsARevision() throws {
        var w = WatchableStore()
        for i in 0..<10 { try w.put(key: kb("k\(i)"), value: kb("\(i)")) }  // 2...11
        _ = try w.txn(TxnRequest(success: [.put(PutRequest(key: kb("t1"), value: kb("x"))),
                                           .put(PutRequest(key: kb("t2"), value: kb("x")))]))  // 12
        let id = w.watch(key: [0], end: [0], startRevision: 2)
        var all: [Int64] = []
        var rounds = 0
        while w.isSynced(id) == false {
            let rs = w.drain(maxEvents: 3)
            #expect(rs.allSatisfy { $0.events.count <= 4 })
            all += flat(rs).map(\.2)
            rounds += 1
        }
        #expect(all == Array(2...11) + [12, 12])
        #expect(rounds == 4)
    }

    @Test func restoreResyncsWatchers() throws {
        var w = WatchableStore()
        try w.put(key: kb("a"), value: kb("1"))  // 2
        var other = w.store
        try other.put(key: kb("a"), value: kb("2"))  // 3 on another member
        try other.put(key: kb("b"), value: kb("1"))  // 4
        let id = w.watch(key: [0], end: [0])
        try w.restore(snapshot: other.snapshot())
        #expect(w.store == other && w.isSynced(id) == false)
        let rs = w.drain()
        #expect(flat(rs).map(\.2) == [3, 4])
        try w.put(key: kb("c"), value: kb("1"))
        #expect(flat(w.drain()).map(\.2) == [5])
    }

    @Test func applyThroughWatchableStoreNotifies() throws {
        var w = WatchableStore()
        let id = w.watch(key: kb("k"))
        _ = w.apply(.leaseGrant(id: 1, ttl: 5, now: 0))
        let r = w.apply(.put(PutRequest(key: kb("k"), value: kb("v"), lease: 1)))
        #expect(r == .put(PutResponse(revision: 2)))
        #expect(w.apply(.leaseRevoke(id: 1)) == .leaseRevoke(revision: 3))
        let rs = w.drain()
        #expect(rs.map(\.watchID) == [id, id] && flat(rs).map(\.1) == [.put, .delete])
        #expect(w.apply(.put(PutRequest(key: kb("k"), value: kb("v"), lease: 1))) == .failure(.leaseNotFound(1)))
        #expect(w.drain().isEmpty)
    }
}
