import Testing
@testable import Store

@Suite("MVCC commands and snapshots")
struct MVCCSnapshotCommandTests {
    static let nestedTxn = TxnRequest(
        compares: [Compare(key: kb("a"), end: kb("b"), .version(1), .greater), Compare(key: kb("v"), .value([0, 0xff]), .notEqual),
                   Compare(key: kb("c"), .create(-1), .less), Compare(key: kb("m"), .mod(1 << 40), .equal),
                   Compare(key: kb("l"), .lease(Int64.max), .equal)],
        success: [.put(PutRequest(key: kb("x"), value: [], lease: 3, prevKV: true, ignoreValue: true, ignoreLease: false)),
                  .txn(TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: kb("d"), end: [0], prevKV: true))]))],
        failure: [.range(RangeRequest(key: [0], end: [0], limit: 5, revision: 3, sortOrder: .descend, sortTarget: .value,
                                      keysOnly: true, countOnly: false, minModRevision: 1, maxModRevision: 2,
                                      minCreateRevision: 3, maxCreateRevision: Int64.min))])

    static let commands: [StoreCommand] = [
        .range(RangeRequest(key: kb("k"))), .put(PutRequest(key: kb("k"), value: kb("v"))),
        .deleteRange(DeleteRangeRequest(key: kb("k"), end: kb("z"), prevKV: true)), .txn(nestedTxn), .txn(TxnRequest()),
        .compact(revision: 17), .leaseGrant(id: -5, ttl: 30, now: 123_456_789), .leaseRevoke(id: 5),
        .leaseKeepAlive(id: 5, now: 1), .leaseRenewAll(now: 99),
    ]

    @Test(arguments: commands)
    func commandRoundTrip(_ command: StoreCommand) throws {
        let bytes = command.encoded()
        #expect(try StoreCommand(encoded: bytes) == command)
        #expect(bytes == command.encoded())
        // Every strict prefix is rejected, never misread.
        for n in 0..<bytes.count {
            #expect(throws: MVCCError.self) { try StoreCommand(encoded: Array(bytes[0..<n])) }
        }
        #expect(throws: MVCCError.self) { try StoreCommand(encoded: bytes + [0]) }
    }

    @Test func garbageIsRejected() {
        #expect(throws: MVCCError.self) { try StoreCommand(encoded: [1, 200]) }
        #expect(throws: MVCCError.self) { try StoreCommand(encoded: [9, 1]) }
        #expect(throws: MVCCError.self) { try MVCCStore(snapshot: kb("nope")) }
        var s = MVCCStore()
        guard case .failure(.corrupt) = s.apply(encoded: [1, 1, 0xff]) else {
            Issue.record("garbage command applied")
            return
        }
        #expect(s == MVCCStore())
    }

    /// A store with history, a compaction, deletes, a txn and leases.
    static func busyStore() throws -> MVCCStore {
        var s = MVCCStore()
        _ = try s.grant(id: 1, ttl: 10, now: 0)
        _ = try s.grant(id: 2, ttl: 20, now: 5)
        for i in 0..<20 { try s.put(key: kb("k\(i % 7)"), value: kb("v\(i)"), lease: i % 3 == 0 ? 1 : (i % 3 == 1 ? 2 : 0)) }
        try s.deleteRange(key: kb("k3"))
        _ = try s.txn(TxnRequest(success: [.put(PutRequest(key: kb("t"), value: [0, 1, 2, 255])),
                                           .deleteRange(DeleteRangeRequest(key: kb("k5")))]))
        try s.compact(revision: 15)
        try s.put(key: kb("k5"), value: kb("again"))
        return s
    }

    @Test func snapshotRoundTrip() throws {
        let s = try Self.busyStore()
        let bytes = s.snapshot()
        var restored = try MVCCStore(snapshot: bytes)
        #expect(restored == s)
        #expect(restored.snapshot() == bytes)
        for rev in s.compactRevision...s.currentRevision {
            #expect(try restored.range(key: [0], end: [0], revision: rev) == s.range(key: [0], end: [0], revision: rev))
        }
        // Both continue identically.
        var original = s
        for cmd: StoreCommand in [.leaseRevoke(id: 1), .put(PutRequest(key: kb("n"), value: kb("1"), lease: 2)),
                                  .compact(revision: s.currentRevision), .leaseRevoke(id: 2)] {
            #expect(restored.apply(cmd) == original.apply(cmd))
        }
        #expect(restored == original)
        // Truncated snapshots fail.
        for n in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 50)) {
            #expect(throws: MVCCError.self) { try MVCCStore(snapshot: Array(bytes[0..<n])) }
        }
    }

    @Test func applyIsDeterministicAcrossMembers() throws {
        var rng = SplitMix64(seed: 7)
        var commands: [[UInt8]] = []
        for i in 0..<300 {
            let key = kb("k\(rng.next() % 10)")
            let cmd: StoreCommand
            switch rng.next() % 10 {
            case 0: cmd = .leaseGrant(id: Int64(rng.next() % 4 + 1), ttl: 5, now: Int64(i) * 100)
            case 1: cmd = .leaseRevoke(id: Int64(rng.next() % 4 + 1))
            case 2: cmd = .deleteRange(DeleteRangeRequest(key: key, end: prefixRangeEnd(kb("k")), prevKV: true))
            case 3: cmd = .compact(revision: Int64(i / 2))
            case 4: cmd = .txn(TxnRequest(compares: [Compare(key: key, .version(1), .greater)],
                                          success: [.deleteRange(DeleteRangeRequest(key: key))],
                                          failure: [.put(PutRequest(key: key, value: kb("t\(i)")))]))
            default: cmd = .put(PutRequest(key: key, value: kb("v\(i)"), lease: Int64(rng.next() % 5), prevKV: true))
            }
            commands.append(cmd.encoded())
        }
        var m1 = WatchableStore(), m2 = MVCCStore()
        let watch = m1.watch(key: [0], end: [0])
        var results1: [StoreResult] = [], results2: [StoreResult] = []
        for c in commands {
            results1.append(m1.apply(encoded: c))
            results2.append(m2.apply(encoded: c))
        }
        #expect(results1 == results2)
        #expect(m1.store == m2 && m1.store.snapshot() == m2.snapshot())
        #expect(m1.store.stateHash() == m2.stateHash())
        _ = m2.apply(.put(PutRequest(key: kb("diverge"), value: kb("1"))))
        #expect(m1.store.stateHash() != m2.stateHash())
        #expect(results1.contains { if case .failure = $0 { return true }; return false })
        #expect(m1.drain().allSatisfy { $0.watchID == watch })
    }
}
