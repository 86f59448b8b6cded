// Snapshot and restore of the whole store state (for Raft snapshots). The encoding is
// deterministic: equal stores give equal bytes (leases and their keys are written sorted).

extension MVCCStore {
    static let snapshotMagic: [UInt8] = Array("MVCC".utf8)
    static let snapshotVersion: UInt8 = 1

    public func snapshot() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.snapshotMagic)
        w.u8(Self.snapshotVersion)
        w.int(currentRevision)
        w.int(compactRevision)
        w.int(log.count)
        for rec in log {
            rec.revision.encode(to: &w)
            w.bool(rec.tombstone)
            rec.kv.encode(to: &w)
        }
        w.int(index.count)
        for ki in index {
            w.data(ki.key)
            w.int(ki.generations.count)
            for g in ki.generations {
                w.int(g.count)
                for rev in g { rev.encode(to: &w) }
            }
        }
        w.int(leases.count)
        for id in leases.keys.sorted() {
            let lease = leases[id]!
            w.int(lease.id)
            w.int(lease.ttl)
            w.int(lease.expiry)
            let keys = lease.keys.sorted { compareBytes($0, $1) < 0 }
            w.int(keys.count)
            for k in keys { w.data(k) }
        }
        return w.bytes
    }

    /// FNV-1a of the snapshot encoding: equal on members whose state is equal, for cheap divergence
    /// checks between replicas (a stand-in for etcd's HashKV).
    public func stateHash() -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in snapshot() {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// Rebuilds a store from `snapshot()` bytes, checking the structure it relies on.
    public init(snapshot bytes: [UInt8]) throws(MVCCError) {
        self.init()
        var r = ByteReader(bytes)
        for m in Self.snapshotMagic {
            if try r.byte() != m { throw .corrupt("not an MVCC snapshot") }
        }
        let version = try r.byte()
        guard version == Self.snapshotVersion else { throw .corrupt("unknown snapshot version \(version)") }
        currentRevision = try r.int()
        compactRevision = try r.int()
        let logCount = try r.count()
        log.reserveCapacity(logCount)
        for _ in 0..<logCount {
            let rev = try Revision(from: &r)
            let tomb = try r.bool()
            let kv = try KeyValue(from: &r)
            if let last = log.last, !(last.revision < rev) { throw .corrupt("log out of order at \(rev)") }
            log.append(LogRecord(revision: rev, kv: kv, tombstone: tomb))
        }
        let keyCount = try r.count()
        for _ in 0..<keyCount {
            let key = try r.data()
            var gens: [[Revision]] = []
            for _ in 0..<(try r.count()) {
                var g: [Revision] = []
                for _ in 0..<(try r.count()) {
                    let rev = try Revision(from: &r)
                    guard logIndex(of: rev) != nil else { throw .corrupt("index revision \(rev) not in log") }
                    g.append(rev)
                }
                gens.append(g)
            }
            guard !gens.isEmpty else { throw .corrupt("key without generations") }
            if let last = index.last, compareBytes(last.key, key) >= 0 { throw .corrupt("index out of order") }
            index.append(KeyIndex(key: key, generations: gens))
        }
        for _ in 0..<(try r.count()) {
            let id = try r.int(), ttl = try r.int(), expiry = try r.int()
            var keys = Set<[UInt8]>()
            for _ in 0..<(try r.count()) { keys.insert(try r.data()) }
            leases[id] = Lease(id: id, ttl: ttl, expiry: expiry, keys: keys)
        }
        guard r.atEnd else { throw .corrupt("trailing bytes in snapshot") }
    }
}
