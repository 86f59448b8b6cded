import Testing
@testable import Store

@Suite("MVCC key index: chunked sorted map")
struct KeyIndexMapTests {
    func key(_ n: UInt64) -> [UInt8] { Array("k/\(n)".utf8) }

    @Test("random inserts across many chunk splits keep key order; lookups agree with a sorted array", arguments: [1, 2, 3])
    func againstSortedArray(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var map = KeyIndexMap()
        var reference: [[UInt8]] = []
        for i in 0..<5_000 {
            let k = key(UInt64.random(in: 0..<20_000, using: &rng))
            let p = map.lowerBound(k)
            if p < map.endPosition && map[p].key == k {
                map[p].put(Revision(main: Int64(i + 2)))
                continue
            }
            map.insert(KeyIndex(key: k, generations: [[Revision(main: Int64(i + 2))]]), at: p)
            let at = reference.firstIndex { compareBytes($0, k) >= 0 } ?? reference.count
            reference.insert(k, at: at)
        }
        #expect(map.count == reference.count)
        #expect(map.map(\.key) == reference)
        #expect(reference.count > 3 * KeyIndexMap.maxChunk, "enough keys to split chunks many times")
        for _ in 0..<500 {
            let probe = key(UInt64.random(in: 0..<20_000, using: &rng))
            let expected = reference.firstIndex { compareBytes($0, probe) >= 0 }
            let p = map.lowerBound(probe)
            if let expected {
                #expect(map[p].key == reference[expected])
                #expect((map.position(of: probe) != nil) == (reference[expected] == probe))
            } else {
                #expect(p == map.endPosition)
            }
        }
        // Walking positions visits every entry once, in order.
        var walked: [[UInt8]] = []
        var p = map.lowerBound([])
        while p < map.endPosition {
            walked.append(map[p].key)
            p = map.position(after: p)
        }
        #expect(walked == reference)
    }

    @Test("built from sorted entries, appended, or inserted one by one: equal maps, whatever the chunking")
    func equalityIgnoresChunking() {
        let entries = (0..<1_500).map { KeyIndex(key: Array("k/\(100_000 + $0)".utf8), generations: [[Revision(main: Int64($0 + 2))]]) }
        let sorted = KeyIndexMap(sorted: entries)
        var appended = KeyIndexMap()
        for e in entries { appended.append(e) }
        var inserted = KeyIndexMap()
        for e in entries.reversed() { inserted.insert(e, at: inserted.lowerBound(e.key)) }
        #expect(sorted == appended && appended == inserted)
        #expect(inserted.last == entries.last)
        var changed = inserted
        let p = changed.lowerBound(entries[700].key)
        changed[p].put(Revision(main: 9_999))
        #expect(changed != inserted)
        #expect(inserted[inserted.lowerBound(entries[700].key)] == entries[700], "a copy is not changed through another")
    }
}
