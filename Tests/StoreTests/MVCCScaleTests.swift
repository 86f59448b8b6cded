import Testing
@testable import Store

@Suite("MVCC scale")
struct MVCCScaleTests {
    /// Guards against accidental quadratic paths: thousands of keys, several versions each, a compaction,
    /// full and prefix ranges, a catch-up watch, a snapshot round trip.
    @Test func manyKeysStayFast() throws {
        var w = WatchableStore()
        var rng = SplitMix64(seed: 42)
        let n = 5000
        for round in 0..<4 {
            for _ in 0..<n {
                let k = kb("/registry/pods/ns\(rng.next() % 50)/p\(rng.next() % UInt64(n))")
                try w.put(key: k, value: kb("r\(round)"))
            }
        }
        let watcher = w.watch(key: kb("/registry/"), end: prefixRangeEnd(kb("/registry/")), startRevision: w.currentRevision - 999)
        try w.compact(revision: w.currentRevision - 1000)
        let all = try w.range(RangeRequest(key: [0], end: [0], countOnly: true))
        let page = try w.range(RangeRequest(key: kb("/registry/pods/ns1/"), end: prefixRangeEnd(kb("/registry/pods/ns1/")), limit: 10))
        #expect(page.kvs.count == 10 && page.more)
        #expect(all.count > 0)
        let rs = w.drain()
        #expect(rs.filter { $0.watchID == watcher }.flatMap(\.events).count == 1000)
        let snap = w.store.snapshot()
        #expect(try MVCCStore(snapshot: snap) == w.store)
    }
}
