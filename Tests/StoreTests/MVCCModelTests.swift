import Testing
@testable import Store


/// The obvious model: every key's full history as (revision, version-or-deleted), never compacted.
struct ReferenceModel {
    enum Op {
        case put([UInt8], [UInt8], Int64)
        case delete([UInt8], [UInt8])
    }

    struct Event: Equatable {
        var rev: Int64
        var kind: EventKind
        var key: [UInt8]
        var value: [UInt8]
    }

    var current: Int64 = 1
    var compacted: Int64 = 0
    var history: [[UInt8]: [(rev: Int64, kv: KeyValue?)]] = [:]
    var events: [Event] = []
    var leases: Set<Int64> = []

    /// Live keys attached to a lease, in key order.
    func keys(of lease: Int64) -> [[UInt8]] {
        range(key: [0], end: [0], at: current).filter { $0.lease == lease }.map(\.key)
    }

    func live(_ key: [UInt8], at rev: Int64) -> KeyValue? {
        guard let h = history[key], let entry = h.last(where: { $0.rev <= rev }) else { return nil }
        return entry.kv
    }

    func range(key: [UInt8], end: [UInt8], at rev: Int64) -> [KeyValue] {
        history.keys.filter { MVCCStore.covers(key: key, end: end, $0) }
            .sorted { $0.lexicographicallyPrecedes($1) }
            .compactMap { live($0, at: rev) }
    }

    /// Applies the ops as one write at revision current+1; returns whether anything changed.
    @discardableResult
    mutating func write(_ ops: [Op]) -> Bool {
        let rev = current + 1
        var wrote = false
        for op in ops {
            switch op {
            case .put(let k, let v, let lease):
                let prev = live(k, at: rev)
                let kv = KeyValue(key: k, value: v, createRevision: prev?.createRevision ?? rev, modRevision: rev,
                                  version: (prev?.version ?? 0) + 1, lease: lease)
                history[k, default: []].append((rev, kv))
                events.append(Event(rev: rev, kind: .put, key: k, value: v))
                wrote = true
            case .delete(let k, let end):
                for key in range(key: k, end: end, at: rev).map(\.key) {
                    history[key]!.append((rev, nil))
                    events.append(Event(rev: rev, kind: .delete, key: key, value: []))
                    wrote = true
                }
            }
        }
        if wrote { current = rev }
        return wrote
    }
}

@Suite("MVCC randomized model")
struct MVCCModelTests {
    static let keySpace = ["a", "ab", "abc", "b", "ba", "bb", "c", "d"].map(kb)
    static let ranges: [([UInt8], [UInt8])] = keySpace.map { ($0, []) } + [
        ([0], [0]), (kb("a"), prefixRangeEnd(kb("a"))), (kb("ab"), prefixRangeEnd(kb("ab"))), (kb("b"), [0]),
        (kb("ab"), kb("c")), (kb("zz"), [0]), (kb("c"), kb("b")),
    ]

    func events(_ rs: [WatchResponse]) -> [ReferenceModel.Event] {
        rs.flatMap { r in r.events.map { ReferenceModel.Event(rev: $0.kv.modRevision, kind: $0.kind, key: $0.kv.key, value: $0.kv.value) } }
    }

    func checkAllReads(_ s: MVCCStore, _ m: ReferenceModel, seed: UInt64) throws {
        #expect(s.currentRevision == m.current && s.compactRevision == m.compacted)
        for rev in max(1, m.compacted)...m.current {
            for (key, end) in Self.ranges {
                let got = try s.range(key: key, end: end, revision: rev)
                let want = m.range(key: key, end: end, at: rev)
                #expect(got.kvs == want, "seed \(seed) rev \(rev) range \(key)..\(end)")
                #expect(got.count == Int64(want.count))
            }
        }
        if m.compacted > 1 {
            #expect(throws: MVCCError.compacted(m.compacted)) { try s.range(key: [0], end: [0], revision: m.compacted - 1) }
        }
        #expect(throws: MVCCError.futureRevision) { try s.range(key: [0], end: [0], revision: m.current + 1) }
        #expect(s.leaseIDs == m.leases.sorted())
        for id in m.leases { #expect(s.lease(id)?.keys == Set(m.keys(of: id))) }
    }

    /// The reference's reading of a full RangeRequest: filter, sort (ties by key), limit, keys-only.
    func modelRange(_ m: ReferenceModel, _ req: RangeRequest, at rev: Int64) -> RangeResponse {
        let all = m.range(key: req.key, end: req.end, at: rev)
        if req.countOnly { return RangeResponse(revision: m.current, kvs: [], count: Int64(all.count), more: false) }
        var kvs = all.filter {
            (req.minModRevision == 0 || $0.modRevision >= req.minModRevision)
                && (req.maxModRevision == 0 || $0.modRevision <= req.maxModRevision)
                && (req.minCreateRevision == 0 || $0.createRevision >= req.minCreateRevision)
                && (req.maxCreateRevision == 0 || $0.createRevision <= req.maxCreateRevision)
        }
        let order = req.sortOrder == .none && req.sortTarget != .key ? SortOrder.ascend : req.sortOrder
        if order != .none {
            func field(_ kv: KeyValue) -> [Int64] {
                switch req.sortTarget {
                case .key: return []
                case .version: return [kv.version]
                case .create: return [kv.createRevision]
                case .mod: return [kv.modRevision]
                case .value: return kv.value.map(Int64.init) + [-1]
                }
            }
            kvs.sort { x, y in
                let (fx, fy) = req.sortTarget == .key ? (x.key.map(Int64.init) + [-1], y.key.map(Int64.init) + [-1]) : (field(x), field(y))
                if fx != fy { return order == .ascend ? fx.lexicographicallyPrecedes(fy) : fy.lexicographicallyPrecedes(fx) }
                return x.key.lexicographicallyPrecedes(y.key)
            }
        }
        let more = req.limit > 0 && kvs.count > Int(req.limit)
        if more { kvs = Array(kvs.prefix(Int(req.limit))) }
        if req.keysOnly { kvs = kvs.map { var kv = $0; kv.value = []; return kv } }
        return RangeResponse(revision: m.current, kvs: kvs, count: Int64(all.count), more: more)
    }

    func checkRandomRanges(_ s: MVCCStore, _ m: ReferenceModel, _ rng: inout SplitMix64) throws {
        for _ in 0..<40 {
            let low = max(1, m.compacted)
            let rev = low + Int64(rng.next() % UInt64(m.current - low + 1))
            let (key, end) = Self.ranges[Int(rng.next() % UInt64(Self.ranges.count))]
            func maybe(_ v: Int64) -> Int64 { rng.next() % 3 == 0 ? v : 0 }
            let req = RangeRequest(
                key: key, end: end, limit: Int64(rng.next() % 4), revision: rev == m.current && rng.next() % 2 == 0 ? 0 : rev,
                sortOrder: SortOrder(rawValue: UInt8(rng.next() % 3))!, sortTarget: SortTarget(rawValue: UInt8(rng.next() % 5))!,
                keysOnly: rng.next() % 4 == 0, countOnly: rng.next() % 8 == 0,
                minModRevision: maybe(Int64(rng.next() % UInt64(m.current + 1))), maxModRevision: maybe(Int64(rng.next() % UInt64(m.current + 1))),
                minCreateRevision: maybe(Int64(rng.next() % UInt64(m.current + 1))), maxCreateRevision: maybe(Int64(rng.next() % UInt64(m.current + 1))))
            #expect(try s.range(req) == modelRange(m, req, at: rev), "\(req)")
        }
    }

    @Test(arguments: 0..<24)
    func randomHistoriesAgreeWithModel(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        func value() -> [UInt8] { kb("v\(rng.next() % 1000)") }

        var w = WatchableStore()
        var m = ReferenceModel()
        let all = w.watch(key: [0], end: [0], prevKV: true)
        let prefixA = w.watch(key: kb("a"), end: prefixRangeEnd(kb("a")), filters: .noDelete)
        var seen: [WatchResponse] = []

        for step in 0..<250 {
            switch rng.next() % 20 {
            case 0..<8:
                let k = pick(Self.keySpace), v = value()
                let lease = rng.next() % 3 == 0 ? Int64(rng.next() % 3 + 1) : 0
                if lease != 0 && !m.leases.contains(lease) {
                    #expect(throws: MVCCError.leaseNotFound(lease)) { try w.put(key: k, value: v, lease: lease) }
                } else {
                    let r = try w.put(key: k, value: v, lease: lease)
                    m.write([.put(k, v, lease)])
                    #expect(r.revision == m.current)
                }
            case 8:
                let id = Int64(rng.next() % 3 + 1)
                if m.leases.contains(id) {
                    if rng.next() % 2 == 0 {
                        #expect(throws: MVCCError.leaseExists(id)) { try w.update { (s: inout MVCCStore) throws(MVCCError) in try s.grant(id: id, ttl: 10, now: 0) } }
                    } else {
                        let doomed = m.keys(of: id)
                        let rev = try w.update { (s: inout MVCCStore) throws(MVCCError) in try s.revoke(id: id) }
                        m.write(doomed.map { .delete($0, []) })
                        m.leases.remove(id)
                        #expect(rev == m.current)
                    }
                } else {
                    _ = try w.update { (s: inout MVCCStore) throws(MVCCError) in try s.grant(id: id, ttl: 10, now: 0) }
                    m.leases.insert(id)
                }
            case 9..<12:
                let (k, end) = pick([(pick(Self.keySpace), [UInt8]()), (pick(Self.keySpace), [0]),
                                     (kb("a"), prefixRangeEnd(kb("a"))), (kb("b"), kb("c"))])
                let expected = m.range(key: k, end: end, at: m.current).count
                let r = try w.deleteRange(key: k, end: end)
                m.write([.delete(k, end)])
                #expect(r.deleted == Int64(expected) && r.revision == m.current)
            case 12..<17:
                let kc = pick(Self.keySpace)
                let version = m.live(kc, at: m.current)?.version ?? 0
                let hit = rng.next() % 2 == 0
                let k1 = pick(Self.keySpace)
                let k2 = pick(Self.keySpace.filter { $0 != k1 })
                let k3 = pick(Self.keySpace)
                let v1 = value(), v3 = value()
                let r = try w.txn(TxnRequest(
                    compares: [Compare(key: kc, .version(hit ? version : version + 1), .equal)],
                    success: [.put(PutRequest(key: k1, value: v1)), .deleteRange(DeleteRangeRequest(key: k2)),
                              .range(RangeRequest(key: [0], end: [0]))],
                    failure: [.range(RangeRequest(key: k3)), .put(PutRequest(key: k3, value: v3))]))
                #expect(r.succeeded == hit)
                m.write(hit ? [.put(k1, v1, 0), .delete(k2, [])] : [.put(k3, v3, 0)])
                #expect(r.revision == m.current)
                if hit, r.responses.count == 3, case .range(let inner) = r.responses[2] {
                    #expect(inner.kvs == m.range(key: [0], end: [0], at: m.current))
                }
            case 17:
                guard m.current > max(m.compacted, 1) else { break }
                let rev = m.compacted + 1 + Int64(rng.next() % UInt64(m.current - m.compacted))
                try w.compact(revision: rev)
                m.compacted = rev
            case 18:
                // A member restored from a snapshot of this state continues identically; watchers resync.
                try w.restore(snapshot: w.store.snapshot())
                seen += w.drain()
            default:
                seen += w.drain()
            }
            #expect(w.currentRevision == m.current)
            if step % 25 == 24 {
                try checkAllReads(w.store, m, seed: seed)
                try checkRandomRanges(w.store, m, &rng)
            }
        }
        try checkAllReads(w.store, m, seed: seed)

        // Live watchers saw every change exactly once, in order.
        seen += w.drain()
        #expect(events(seen.filter { $0.watchID == all }) == m.events)
        for e in seen.filter({ $0.watchID == all }).flatMap(\.events) {
            #expect(e.prevKV == m.live(e.kv.key, at: e.kv.modRevision - 1))
        }
        #expect(events(seen.filter { $0.watchID == prefixA })
            == m.events.filter { $0.kind == .put && $0.key.first == UInt8(ascii: "a") })
        // A watcher started at the compaction point replays the retained history, all of it.
        let start = max(m.compacted, 1)
        let late = w.watch(key: [0], end: [0], startRevision: start, prevKV: true)
        let replay = w.drain().filter { $0.watchID == late }
        #expect(events(replay) == m.events.filter { $0.rev >= start })
        for e in replay.flatMap(\.events) {
            let prevRev = e.kv.modRevision - 1
            #expect(e.prevKV == (prevRev >= m.compacted ? m.live(e.kv.key, at: prevRev) : nil))
        }

        // The snapshot of the final state restores to an equal store.
        #expect(try MVCCStore(snapshot: w.store.snapshot()) == w.store)
        // Compacting everything leaves exactly the live keys.
        var s = w.store
        if s.currentRevision > s.compactRevision {
            try s.compact(revision: s.currentRevision)
            #expect(s.log.filter { !$0.tombstone }.count == m.range(key: [0], end: [0], at: m.current).count)
            #expect(s.log.allSatisfy { !$0.tombstone || $0.revision.main == s.currentRevision })
            #expect(try s.range(key: [0], end: [0]).kvs == m.range(key: [0], end: [0], at: m.current))
        }
    }
}
