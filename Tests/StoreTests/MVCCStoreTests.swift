import Testing
@testable import Store

func kb(_ s: String) -> [UInt8] { Array(s.utf8) }
func mvccKeys(_ kvs: [KeyValue]) -> [String] { kvs.map { String(decoding: $0.key, as: UTF8.self) } }
func mvccValues(_ kvs: [KeyValue]) -> [String] { kvs.map { String(decoding: $0.value, as: UTF8.self) } }

@Suite("MVCC store: range, revisions, txn, compaction")
struct MVCCStoreTests {
    /// a=1@2, b=2@3, c=3@4, d=4@5, ab=5@6.
    func fiveKeys() throws -> MVCCStore {
        var s = MVCCStore()
        for (k, v) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"), ("ab", "5")] {
            try s.put(key: kb(k), value: kb(v))
        }
        return s
    }

    @Test func emptyStoreIsAtRevisionOne() throws {
        let s = MVCCStore()
        #expect(s.currentRevision == 1)
        let r = try s.range(key: [0], end: [0])
        #expect(r.kvs.isEmpty && r.count == 0 && !r.more && r.revision == 1)
    }

    @Test func rangeEndSemantics() throws {
        let s = try fiveKeys()
        #expect(s.currentRevision == 6)
        #expect(mvccKeys(try s.range(key: kb("a")).kvs) == ["a"])
        #expect(try s.range(key: kb("zz")).count == 0)
        #expect(mvccKeys(try s.range(key: kb("a"), end: prefixRangeEnd(kb("a"))).kvs) == ["a", "ab"])
        #expect(mvccKeys(try s.range(key: kb("b"), end: [0]).kvs) == ["b", "c", "d"])
        #expect(mvccKeys(try s.range(key: [0], end: [0]).kvs) == ["a", "ab", "b", "c", "d"])
        #expect(mvccKeys(try s.range(key: kb("b"), end: kb("d")).kvs) == ["b", "c"])
        #expect(try s.range(key: kb("d"), end: kb("b")).kvs.isEmpty)
        #expect(try s.range(key: kb("b"), end: kb("b")).kvs.isEmpty)
        #expect(prefixRangeEnd([0x61, 0xff]) == [0x62])
        #expect(prefixRangeEnd([0xff, 0xff]) == [0])
    }

    @Test func limitMoreCountAndKeysOnly() throws {
        let s = try fiveKeys()
        let limited = try s.range(key: [0], end: [0], limit: 2)
        #expect(mvccKeys(limited.kvs) == ["a", "ab"] && limited.more && limited.count == 5)
        let exact = try s.range(key: [0], end: [0], limit: 5)
        #expect(exact.kvs.count == 5 && !exact.more)
        let countOnly = try s.range(RangeRequest(key: [0], end: [0], countOnly: true))
        #expect(countOnly.kvs.isEmpty && countOnly.count == 5)
        let keysOnly = try s.range(RangeRequest(key: kb("a"), end: kb("b"), keysOnly: true))
        #expect(mvccKeys(keysOnly.kvs) == ["a", "ab"] && keysOnly.kvs.allSatisfy { $0.value.isEmpty })
        #expect(keysOnly.kvs[1].modRevision == 6)
    }

    @Test func sortAndFilters() throws {
        let s = try fiveKeys()
        let desc = try s.range(RangeRequest(key: [0], end: [0], sortOrder: .descend))
        #expect(mvccKeys(desc.kvs) == ["d", "c", "b", "ab", "a"])
        let byMod = try s.range(RangeRequest(key: [0], end: [0], sortTarget: .mod)) // NONE + non-key = ascend
        #expect(mvccKeys(byMod.kvs) == ["a", "b", "c", "d", "ab"])
        let byValueDesc = try s.range(RangeRequest(key: [0], end: [0], sortOrder: .descend, sortTarget: .value))
        #expect(mvccValues(byValueDesc.kvs) == ["5", "4", "3", "2", "1"])
        let top2 = try s.range(RangeRequest(key: [0], end: [0], limit: 2, sortOrder: .descend, sortTarget: .create))
        #expect(mvccKeys(top2.kvs) == ["ab", "d"] && top2.more && top2.count == 5)
        let minMod = try s.range(RangeRequest(key: [0], end: [0], minModRevision: 4))
        #expect(mvccKeys(minMod.kvs) == ["ab", "c", "d"] && minMod.count == 5)
        let window = try s.range(RangeRequest(key: [0], end: [0], minCreateRevision: 3, maxCreateRevision: 4))
        #expect(mvccKeys(window.kvs) == ["b", "c"])
        let maxMod = try s.range(RangeRequest(key: [0], end: [0], limit: 1, maxModRevision: 3))
        #expect(mvccKeys(maxMod.kvs) == ["a"] && maxMod.more)
    }

    @Test func readsAtOlderRevisionsAndFuture() throws {
        let s = try fiveKeys()
        #expect(mvccKeys(try s.range(key: [0], end: [0], revision: 3).kvs) == ["a", "b"])
        #expect(mvccKeys(try s.range(key: [0], end: [0], revision: 2).kvs) == ["a"])
        #expect(try s.range(key: [0], end: [0], revision: 1).kvs.isEmpty)
        #expect(try s.range(key: [0], end: [0], revision: 3).revision == 6) // header is the current revision
        #expect(throws: MVCCError.futureRevision) { try s.range(key: kb("a"), revision: 7) }
    }

    @Test func versionsAcrossGenerations() throws {
        var s = MVCCStore()
        let k = kb("k")
        try s.put(key: k, value: kb("v1"))                      // 2
        let p2 = try s.put(key: k, value: kb("v2"), prevKV: true) // 3
        #expect(p2.revision == 3 && p2.prevKV?.value == kb("v1"))
        var kv = try #require(try s.range(key: k).kvs.first)
        #expect(kv.createRevision == 2 && kv.modRevision == 3 && kv.version == 2)
        let d = try s.deleteRange(key: k, prevKV: true)         // 4
        #expect(d.deleted == 1 && d.revision == 4 && d.prevKVs.map(\.value) == [kb("v2")])
        #expect(try s.range(key: k).kvs.isEmpty)
        try s.put(key: k, value: kb("v3"))                       // 5: a new generation
        kv = try #require(try s.range(key: k).kvs.first)
        #expect(kv.createRevision == 5 && kv.modRevision == 5 && kv.version == 1)
        #expect(try s.range(key: k, revision: 2).kvs.first?.value == kb("v1"))
        #expect(try s.range(key: k, revision: 3).kvs.first?.version == 2)
        #expect(try s.range(key: k, revision: 4).kvs.isEmpty)
        // Deleting nothing does not move the revision; a put without prevKV returns none.
        let none = try s.deleteRange(key: kb("nope"))
        #expect(none.deleted == 0 && none.revision == 5 && s.currentRevision == 5)
        #expect(try s.put(key: k, value: kb("v4")).prevKV == nil)
        #expect(throws: MVCCError.emptyKey) { try s.put(key: [], value: kb("x")) }
    }

    @Test func deleteRangeOverPrefix() throws {
        var s = try fiveKeys()
        let d = try s.deleteRange(key: kb("a"), end: prefixRangeEnd(kb("a")), prevKV: true)
        #expect(d.deleted == 2 && mvccKeys(d.prevKVs) == ["a", "ab"] && d.revision == 7)
        #expect(mvccKeys(try s.range(key: [0], end: [0]).kvs) == ["b", "c", "d"])
        // Both tombstones share revision 7 with subs 0 and 1.
        let tombs = s.log.filter(\.tombstone).map(\.revision)
        #expect(tombs == [Revision(main: 7, sub: 0), Revision(main: 7, sub: 1)])
        let all = try s.deleteRange(key: [0], end: [0])
        #expect(all.deleted == 3 && s.currentRevision == 8)
    }

    @Test func ignoreValueAndIgnoreLease() throws {
        var s = MVCCStore()
        _ = try s.grant(id: 9, ttl: 10, now: 0)
        try s.put(key: kb("k"), value: kb("v"), lease: 9)
        _ = try s.put(PutRequest(key: kb("k"), value: kb("ignored"), ignoreValue: true, ignoreLease: true))
        let kv = try #require(try s.range(key: kb("k")).kvs.first)
        #expect(kv.value == kb("v") && kv.lease == 9 && kv.version == 2)
        #expect(throws: MVCCError.keyNotFound) { try s.put(PutRequest(key: kb("x"), ignoreValue: true)) }
    }

    // MARK: Txn

    /// k = "w" (create 2, mod 3, version 2, no lease); l = "x" with lease 7 (mod 4).
    func compareFixture() throws -> MVCCStore {
        var s = MVCCStore()
        try s.put(key: kb("k"), value: kb("v"))
        try s.put(key: kb("k"), value: kb("w"))
        _ = try s.grant(id: 7, ttl: 100, now: 0)
        try s.put(key: kb("l"), value: kb("x"), lease: 7)
        return s
    }

    @Test(arguments: [
        (CompareTarget.version(2), CompareResult.equal, true), (.version(2), .notEqual, false),
        (.version(2), .greater, false), (.version(2), .less, false), (.version(1), .greater, true),
        (.version(1), .notEqual, true), (.version(3), .less, true), (.version(3), .greater, false),
        (.create(2), .equal, true), (.create(1), .greater, true), (.create(5), .less, true),
        (.create(2), .notEqual, false), (.mod(3), .equal, true), (.mod(2), .greater, true),
        (.mod(4), .less, true), (.mod(4), .notEqual, true), (.mod(3), .less, false),
        (.value(kb("w")), .equal, true), (.value(kb("v")), .greater, true), (.value(kb("x")), .less, true),
        (.value(kb("x")), .notEqual, true), (.value(kb("w")), .notEqual, false), (.value(kb("ww")), .less, true),
        (.lease(0), .equal, true), (.lease(7), .less, true), (.lease(7), .equal, false),
    ])
    func compareOnKey(target: CompareTarget, result: CompareResult, expected: Bool) throws {
        var s = try compareFixture()
        let r = try s.txn(TxnRequest(compares: [Compare(key: kb("k"), target, result)]))
        #expect(r.succeeded == expected)
    }

    @Test func compareLeaseMissingKeyAndRanges() throws {
        let s = try compareFixture()
        #expect(s.holds(Compare(key: kb("l"), .lease(7), .equal)))
        #expect(s.holds(Compare(key: kb("l"), .lease(0), .greater)))
        // A missing key compares as a zero KeyValue; VALUE compares on it are false.
        #expect(s.holds(Compare(key: kb("none"), .version(0), .equal)))
        #expect(s.holds(Compare(key: kb("none"), .create(0), .equal)))
        #expect(s.holds(Compare(key: kb("none"), .mod(1), .less)))
        #expect(!s.holds(Compare(key: kb("none"), .value([]), .equal)))
        #expect(!s.holds(Compare(key: kb("none"), .value(kb("a")), .notEqual)))
        // Range compares must hold for every key in the range.
        #expect(s.holds(Compare(key: kb("k"), end: kb("m"), .version(0), .greater)))
        #expect(!s.holds(Compare(key: kb("k"), end: kb("m"), .version(2), .equal)))
        #expect(s.holds(Compare(key: [0], end: [0], .create(5), .less)))
        #expect(!s.holds(Compare(key: kb("k"), end: kb("m"), .lease(7), .equal)))
    }

    @Test func txnWritesShareOneRevision() throws {
        var s = try fiveKeys()
        let r = try s.txn(TxnRequest(
            compares: [Compare(key: kb("a"), .value(kb("1")), .equal)],
            success: [
                .put(PutRequest(key: kb("x"), value: kb("X"))),
                .deleteRange(DeleteRangeRequest(key: kb("c"), end: kb("e"), prevKV: true)),
                .range(RangeRequest(key: [0], end: [0])),
                .put(PutRequest(key: kb("a"), value: kb("A"), prevKV: true)),
            ],
            failure: [.put(PutRequest(key: kb("f"), value: kb("F")))]))
        #expect(r.succeeded && r.revision == 7 && s.currentRevision == 7)
        guard r.responses.count == 4, case .put(let p) = r.responses[0], case .deleteRange(let d) = r.responses[1],
              case .range(let rr) = r.responses[2], case .put(let pa) = r.responses[3] else {
            Issue.record("unexpected responses \(r.responses)")
            return
        }
        #expect(p.revision == 7 && d.deleted == 2 && mvccKeys(d.prevKVs) == ["c", "d"])
        // Reads inside the txn see its earlier writes.
        #expect(mvccKeys(rr.kvs) == ["a", "ab", "b", "x"])
        #expect(pa.prevKV?.value == kb("1"))
        let changed = s.log.filter { $0.revision.main == 7 }.map(\.revision.sub)
        #expect(changed == [0, 1, 2, 3])
        #expect(try s.range(key: kb("x")).kvs.first?.modRevision == 7)
        #expect(try s.range(key: kb("f")).kvs.isEmpty)
    }

    @Test func txnFailureBranchNestedAndReadOnly() throws {
        var s = try fiveKeys()
        let nested = TxnRequest(compares: [Compare(key: kb("b"), .version(1), .equal)],
                                success: [.put(PutRequest(key: kb("n"), value: kb("N")))],
                                failure: [.put(PutRequest(key: kb("m"), value: kb("M")))])
        let r = try s.txn(TxnRequest(compares: [Compare(key: kb("a"), .version(9), .equal)],
                                     success: [.put(PutRequest(key: kb("s"), value: kb("S")))],
                                     failure: [.put(PutRequest(key: kb("f"), value: kb("F"))), .txn(nested)]))
        #expect(!r.succeeded && r.revision == 7)
        guard r.responses.count == 2, case .txn(let inner) = r.responses[1] else { Issue.record("no nested response"); return }
        #expect(inner.succeeded)
        #expect(mvccKeys(try s.range(key: [0], end: [0]).kvs) == ["a", "ab", "b", "c", "d", "f", "n"])
        // A read-only txn does not move the revision.
        let ro = try s.txn(TxnRequest(success: [.range(RangeRequest(key: kb("a")))]))
        #expect(ro.succeeded && ro.revision == 7 && s.currentRevision == 7)
        // An empty txn succeeds.
        #expect(try s.txn(TxnRequest()).succeeded)
    }

    @Test func txnRejectsInvalidRequestsWithoutChanges() throws {
        var s = try fiveKeys()
        let before = s
        #expect(throws: MVCCError.duplicateKey(kb("x"))) {
            try s.txn(TxnRequest(success: [.put(PutRequest(key: kb("x"), value: kb("1"))),
                                           .put(PutRequest(key: kb("x"), value: kb("2")))]))
        }
        #expect(throws: MVCCError.duplicateKey(kb("b"))) {
            try s.txn(TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: kb("a"), end: kb("c"))),
                                           .put(PutRequest(key: kb("b"), value: kb("2")))]))
        }
        #expect(throws: MVCCError.leaseNotFound(42)) {
            try s.txn(TxnRequest(success: [.put(PutRequest(key: kb("y"), value: kb("1"))),
                                           .put(PutRequest(key: kb("z"), value: kb("2"), lease: 42))]))
        }
        #expect(throws: MVCCError.futureRevision) {
            try s.txn(TxnRequest(success: [.put(PutRequest(key: kb("y"), value: kb("1"))),
                                           .range(RangeRequest(key: kb("a"), revision: 99))]))
        }
        #expect(s == before)
        // Only the taken branch is validated.
        let ok = try s.txn(TxnRequest(compares: [Compare(key: kb("a"), .version(1), .equal)],
                                      success: [.put(PutRequest(key: kb("y"), value: kb("1")))],
                                      failure: [.put(PutRequest(key: kb("z"), value: kb("2"), lease: 42))]))
        #expect(ok.succeeded && s.currentRevision == 7)
    }

    // MARK: Compaction

    /// a=v1@2, a=v2@3, b=v1@4, delete b@5, c=v1@6, a=v3@7.
    func compactionFixture() throws -> MVCCStore {
        var s = MVCCStore()
        try s.put(key: kb("a"), value: kb("v1"))
        try s.put(key: kb("a"), value: kb("v2"))
        try s.put(key: kb("b"), value: kb("v1"))
        try s.deleteRange(key: kb("b"))
        try s.put(key: kb("c"), value: kb("v1"))
        try s.put(key: kb("a"), value: kb("v3"))
        return s
    }

    @Test func compactionKeepsLatestAndDropsOldAndDeleted() throws {
        var s = try compactionFixture()
        let before = s
        try s.compact(revision: 5)
        #expect(s.compactRevision == 5)
        #expect(throws: MVCCError.compacted(5)) { try s.range(key: kb("a"), revision: 4) }
        for rev in Int64(5)...7 {
            #expect(try s.range(key: [0], end: [0], revision: rev) == before.range(key: [0], end: [0], revision: rev))
        }
        #expect(mvccValues(try s.range(key: [0], end: [0], revision: 5).kvs) == ["v2"])
        // b's tombstone at exactly 5 stays until a later compaction (as etcd).
        #expect(s.index.map { String(decoding: $0.key, as: UTF8.self) } == ["a", "b", "c"])
        #expect(s.log.map(\.revision.main) == [3, 5, 6, 7])
        #expect(throws: MVCCError.compacted(5)) { try s.compact(revision: 5) }
        #expect(throws: MVCCError.compacted(5)) { try s.compact(revision: 3) }
        #expect(throws: MVCCError.futureRevision) { try s.compact(revision: 8) }
        try s.compact(revision: 7)
        #expect(s.log.map(\.revision.main) == [6, 7])
        #expect(mvccValues(try s.range(key: [0], end: [0]).kvs) == ["v3", "v1"])
    }

    @Test func compactionAtTheDeleteRevisionAndRecreatedKeys() throws {
        var s = MVCCStore()
        try s.put(key: kb("k"), value: kb("1"))  // 2
        try s.deleteRange(key: kb("k"))         // 3
        try s.put(key: kb("k"), value: kb("2"))  // 4
        try s.deleteRange(key: kb("k"))         // 5
        try s.compact(revision: 3)
        #expect(s.index.count == 1)
        #expect(Array(s.index)[0].generations == [[Revision(main: 3)], [Revision(main: 4), Revision(main: 5)], []])
        #expect(s.log.map(\.revision.main) == [3, 4, 5])
        #expect(try s.range(key: kb("k"), revision: 3).kvs.isEmpty)
        #expect(try s.range(key: kb("k"), revision: 4).kvs.first?.createRevision == 4)
        try s.compact(revision: 4)
        #expect(Array(s.index)[0].generations == [[Revision(main: 4), Revision(main: 5)], []])
        try s.compact(revision: 5)
        #expect(Array(s.index)[0].generations == [[Revision(main: 5)], []] && s.log.map(\.revision.main) == [5])
        #expect(try s.range(key: kb("k")).kvs.isEmpty)
        try s.put(key: kb("other"), value: kb("1"))  // 6
        try s.compact(revision: 6)
        #expect(s.index.map(\.key) == [kb("other")] && s.log.map(\.revision.main) == [6])
    }
}
