// The MVCC key-value store: an in-memory, deterministic model of etcd's mvcc store
// (kvstore.go + index.go). No I/O, no clock, no randomness: the same calls in the same order give
// the same state and results on every member.
//
// Layout: `index` holds one KeyIndex per key, sorted by key (the tree index); `log` holds every
// retained version, tombstones included, sorted by revision (the backend's key bucket). A read at
// revision R finds, per key, the newest revision at or below R in the index and loads it from the log.

/// One retained change: a version of a key, or its tombstone.
struct LogRecord: Hashable, Sendable {
    var revision: Revision
    var kv: KeyValue
    var tombstone: Bool
}

public struct MVCCStore: Sendable {
    /// The revision of the last committed write. An empty store is at revision 1, as etcd.
    public internal(set) var currentRevision: Int64 = 1
    /// Reads below this revision fail with `.compacted`; 0 until the first compaction.
    public internal(set) var compactRevision: Int64 = 0
    var index = KeyIndexMap()
    var log: [LogRecord] = []
    var leases: [Int64: Lease] = [:]
    /// Changes of the writes since the owner last took them (a WatchableStore). Only collected when
    /// `recordsEvents`; not part of the state (ignored by ==, not in snapshots).
    var recordsEvents = false
    var pendingEvents: [MVCCEvent] = []

    public init() {}

    // MARK: Index and log lookups

    /// Positions in `index` of the keys selected by (key, end) with etcd's range_end rules.
    func positions(key: [UInt8], end: [UInt8]) -> Range<KeyIndexMap.Position> {
        if end.isEmpty {
            guard let p = index.position(of: key) else { return index.endPosition..<index.endPosition }
            return p..<index.position(after: p)
        }
        let start = index.lowerBound(key)
        if end == [0] { return start..<index.endPosition }
        if compareBytes(end, key) <= 0 { return start..<start }
        return start..<max(start, index.lowerBound(end))
    }

    /// Visits the index entries in `range`, in key order.
    func forEachEntry(in range: Range<KeyIndexMap.Position>, _ body: (KeyIndex) -> Void) {
        var p = range.lowerBound
        while p < range.upperBound {
            body(index[p])
            p = index.position(after: p)
        }
    }

    func logIndex(of rev: Revision) -> Int? {
        var lo = 0, hi = log.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if log[mid].revision < rev { lo = mid + 1 } else { hi = mid }
        }
        return lo < log.count && log[lo].revision == rev ? lo : nil
    }

    /// First position in `log` with main revision >= `main`.
    func logLowerBound(main: Int64) -> Int {
        var lo = 0, hi = log.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if log[mid].revision.main < main { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func record(_ rev: Revision) -> LogRecord {
        guard let i = logIndex(of: rev) else { preconditionFailure("index revision \(rev) missing from the log") }
        return log[i]
    }

    /// The live version of `key` at main revision `rev` (callers check `rev` is retained).
    func get(_ key: [UInt8], at rev: Int64) -> KeyValue? {
        guard let p = index.position(of: key), let r = index[p].revision(at: rev) else { return nil }
        return record(r).kv
    }

    /// Live versions of the selected keys at `rev`, in key order; `count` is all of them, `kvs` at most
    /// `limit` (0 = all).
    func liveKVs(key: [UInt8], end: [UInt8], at rev: Int64, limit: Int = 0) -> (kvs: [KeyValue], count: Int) {
        var kvs: [KeyValue] = []
        var count = 0
        forEachEntry(in: positions(key: key, end: end)) { entry in
            guard let r = entry.revision(at: rev) else { return }
            count += 1
            if limit == 0 || kvs.count < limit { kvs.append(record(r).kv) }
        }
        return (kvs, count)
    }

    func checkReadRevision(_ requested: Int64, current: Int64) throws(MVCCError) -> Int64 {
        let rev = requested <= 0 ? current : requested
        if rev > current { throw .futureRevision }
        if rev < compactRevision { throw .compacted(compactRevision) }
        return rev
    }

    // MARK: Range

    public func range(_ req: RangeRequest) throws(MVCCError) -> RangeResponse {
        try range(req, current: currentRevision)
    }

    /// `current` is the revision a read at revision 0 sees: inside a write transaction, the
    /// transaction's own revision once it has written.
    func range(_ req: RangeRequest, current: Int64) throws(MVCCError) -> RangeResponse {
        let rev = try checkReadRevision(req.revision, current: current)
        if req.countOnly {
            let (_, count) = liveKVs(key: req.key, end: req.end, at: rev, limit: -1)
            return RangeResponse(revision: currentRevision, kvs: [], count: Int64(count), more: false)
        }
        var order = req.sortOrder
        if order == .none && req.sortTarget != .key { order = .ascend }
        let filters = req.minModRevision != 0 || req.maxModRevision != 0
            || req.minCreateRevision != 0 || req.maxCreateRevision != 0
        let needsAll = filters || (order != .none && !(req.sortTarget == .key && order == .ascend))
        // One more than the limit tells whether there are more; no limit when the result is re-sorted or filtered.
        let fetchLimit = (req.limit > 0 && req.limit < Int64(Int.max) && !needsAll) ? Int(req.limit) + 1 : 0
        var (kvs, count) = liveKVs(key: req.key, end: req.end, at: rev, limit: fetchLimit)
        if filters {
            kvs.removeAll { kv in
                (req.minModRevision != 0 && kv.modRevision < req.minModRevision)
                    || (req.maxModRevision != 0 && kv.modRevision > req.maxModRevision)
                    || (req.minCreateRevision != 0 && kv.createRevision < req.minCreateRevision)
                    || (req.maxCreateRevision != 0 && kv.createRevision > req.maxCreateRevision)
            }
        }
        if order != .none && !(req.sortTarget == .key && order == .ascend) {
            let target = req.sortTarget
            // Ties broken by key so the order is total, hence deterministic.
            kvs.sort { a, b in
                let c: Int
                switch target {
                case .key: c = compareBytes(a.key, b.key)
                case .version: c = a.version == b.version ? 0 : (a.version < b.version ? -1 : 1)
                case .create: c = a.createRevision == b.createRevision ? 0 : (a.createRevision < b.createRevision ? -1 : 1)
                case .mod: c = a.modRevision == b.modRevision ? 0 : (a.modRevision < b.modRevision ? -1 : 1)
                case .value: c = compareBytes(a.value, b.value)
                }
                if c != 0 { return order == .ascend ? c < 0 : c > 0 }
                return compareBytes(a.key, b.key) < 0
            }
        }
        var more = false
        if req.limit > 0 && Int64(kvs.count) > req.limit {
            kvs.removeLast(kvs.count - Int(req.limit))
            more = true
        }
        if req.keysOnly {
            for i in kvs.indices { kvs[i].value = [] }
        }
        return RangeResponse(revision: currentRevision, kvs: kvs, count: Int64(count), more: more)
    }

    // MARK: Writes

    /// The changes of one write transaction: all share the main revision `main`.
    struct WriteBatch {
        let main: Int64
        var sub: Int64 = 0
        var events: [MVCCEvent] = []

        mutating func next() -> Revision {
            defer { sub += 1 }
            return Revision(main: main, sub: sub)
        }
    }

    func newBatch() -> WriteBatch { WriteBatch(main: currentRevision + 1) }

    /// Ends a write transaction: the revision moves only if something changed.
    mutating func commit(_ batch: WriteBatch) {
        guard !batch.events.isEmpty else { return }
        currentRevision = batch.main
        if recordsEvents { pendingEvents.append(contentsOf: batch.events) }
    }

    /// Checks a put against the state before its transaction; after this the put cannot fail.
    func validate(_ req: PutRequest) throws(MVCCError) {
        if req.key.isEmpty { throw .emptyKey }
        if (req.ignoreValue || req.ignoreLease), get(req.key, at: currentRevision) == nil { throw .keyNotFound }
        if !req.ignoreLease && req.lease != 0 && leases[req.lease] == nil { throw .leaseNotFound(req.lease) }
    }

    /// Writes a new version of a key; returns the previous live version.
    @discardableResult
    mutating func write(_ req: PutRequest, _ batch: inout WriteBatch) -> KeyValue? {
        let rev = batch.next()
        let pos = index.lowerBound(req.key)
        let exists = pos < index.endPosition && index[pos].key == req.key
        let prev: KeyValue? = exists ? index[pos].live.map { record($0).kv } : nil
        let kv = KeyValue(key: req.key,
                          value: req.ignoreValue ? (prev?.value ?? []) : req.value,
                          createRevision: prev?.createRevision ?? rev.main,
                          modRevision: rev.main,
                          version: (prev?.version ?? 0) + 1,
                          lease: req.ignoreLease ? (prev?.lease ?? 0) : req.lease)
        if exists {
            index[pos].put(rev)
        } else {
            index.insert(KeyIndex(key: req.key, generations: [[rev]]), at: pos)
        }
        log.append(LogRecord(revision: rev, kv: kv, tombstone: false))
        if let old = prev?.lease, old != 0, old != kv.lease { leases[old]?.keys.remove(req.key) }
        if kv.lease != 0 { leases[kv.lease]?.keys.insert(req.key) }
        batch.events.append(MVCCEvent(kind: .put, kv: kv, prevKV: prev))
        return prev
    }

    /// Deletes the live keys of a range; returns their last versions in key order.
    mutating func erase(key: [UInt8], end: [UInt8], _ batch: inout WriteBatch) -> [KeyValue] {
        var deleted: [KeyValue] = []
        let range = positions(key: key, end: end)
        var p = range.lowerBound
        while p < range.upperBound {
            defer { p = index.position(after: p) }
            guard let live = index[p].live else { continue }
            let prev = record(live).kv
            let rev = batch.next()
            let tomb = KeyValue(key: prev.key, modRevision: rev.main)
            index[p].tombstone(rev)
            log.append(LogRecord(revision: rev, kv: tomb, tombstone: true))
            if prev.lease != 0 { leases[prev.lease]?.keys.remove(prev.key) }
            batch.events.append(MVCCEvent(kind: .delete, kv: tomb, prevKV: prev))
            deleted.append(prev)
        }
        return deleted
    }

    public mutating func put(_ req: PutRequest) throws(MVCCError) -> PutResponse {
        try validate(req)
        var batch = newBatch()
        let prev = write(req, &batch)
        commit(batch)
        return PutResponse(revision: currentRevision, prevKV: req.prevKV ? prev : nil)
    }

    @discardableResult
    public mutating func put(key: [UInt8], value: [UInt8], lease: Int64 = 0,
                             prevKV: Bool = false) throws(MVCCError) -> PutResponse {
        try put(PutRequest(key: key, value: value, lease: lease, prevKV: prevKV))
    }

    public mutating func deleteRange(_ req: DeleteRangeRequest) throws(MVCCError) -> DeleteRangeResponse {
        if req.key.isEmpty { throw .emptyKey }
        var batch = newBatch()
        let deleted = erase(key: req.key, end: req.end, &batch)
        commit(batch)
        return DeleteRangeResponse(revision: currentRevision, deleted: Int64(deleted.count),
                                   prevKVs: req.prevKV ? deleted : [])
    }

    @discardableResult
    public mutating func deleteRange(key: [UInt8], end: [UInt8] = [],
                                     prevKV: Bool = false) throws(MVCCError) -> DeleteRangeResponse {
        try deleteRange(DeleteRangeRequest(key: key, end: end, prevKV: prevKV))
    }

    public func range(key: [UInt8], end: [UInt8] = [], limit: Int64 = 0,
                      revision: Int64 = 0) throws(MVCCError) -> RangeResponse {
        try range(RangeRequest(key: key, end: end, limit: limit, revision: revision))
    }

    // MARK: Compaction

    /// Discards history below `revision`: afterwards reads at revisions >= `revision` answer exactly as
    /// before, reads below fail with `.compacted(revision)`. Keys deleted at or before it vanish.
    @discardableResult
    public mutating func compact(revision: Int64) throws(MVCCError) -> Int64 {
        if revision <= compactRevision { throw .compacted(compactRevision) }
        if revision > currentRevision { throw .futureRevision }
        var keep = Set<Revision>()
        var kept: [KeyIndex] = []
        kept.reserveCapacity(index.count)
        for var ki in index {
            ki.compact(revision, keep: &keep)
            if !ki.isEmpty { kept.append(ki) }
        }
        index = KeyIndexMap(sorted: kept)
        log.removeAll { $0.revision.main <= revision && !keep.contains($0.revision) }
        compactRevision = revision
        return currentRevision
    }
}

extension MVCCStore: Equatable {
    /// Store state equality: revisions, index, retained history and leases.
    public static func == (a: MVCCStore, b: MVCCStore) -> Bool {
        a.currentRevision == b.currentRevision && a.compactRevision == b.compactRevision
            && a.index == b.index && a.log == b.log && a.leases == b.leases
    }
}
