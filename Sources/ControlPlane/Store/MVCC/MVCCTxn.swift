// Transactions (etcd's applyTxn): compares, then the chosen branch's operations, all writes under
// one main revision. Every compare on the taken path (nested transactions included) is evaluated up
// front against the state before the transaction, and the path is validated before anything is
// written, so a transaction either applies completely or fails without changing the store.

extension MVCCStore {
    /// Whether the compare holds at the current revision.
    func holds(_ c: Compare) -> Bool {
        let kvs = liveKVs(key: c.key, end: c.end, at: currentRevision).kvs
        if kvs.isEmpty {
            if case .value = c.target { return false }
            return Self.compare(KeyValue(key: c.key), c)
        }
        return kvs.allSatisfy { Self.compare($0, c) }
    }

    static func compare(_ kv: KeyValue, _ c: Compare) -> Bool {
        let order: Int
        func cmp(_ a: Int64, _ b: Int64) -> Int { a == b ? 0 : (a < b ? -1 : 1) }
        switch c.target {
        case .version(let v): order = cmp(kv.version, v)
        case .create(let v): order = cmp(kv.createRevision, v)
        case .mod(let v): order = cmp(kv.modRevision, v)
        case .lease(let v): order = cmp(kv.lease, v)
        case .value(let v): order = compareBytes(kv.value, v)
        }
        switch c.result {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .greater: return order > 0
        case .less: return order < 0
        }
    }

    /// The branch taken by the transaction and by each nested transaction on that branch, in
    /// depth-first order.
    func txnPath(_ req: TxnRequest) -> [Bool] {
        let ok = req.compares.allSatisfy { holds($0) }
        var path = [ok]
        for op in ok ? req.success : req.failure {
            if case .txn(let nested) = op { path += txnPath(nested) }
        }
        return path
    }

    /// Validates the operations on the taken path; collects the keys it puts and the ranges it deletes.
    func validate(_ req: TxnRequest, path: [Bool], at i: inout Int,
                  puts: inout [[UInt8]], deletes: inout [([UInt8], [UInt8])]) throws(MVCCError) {
        let ok = path[i]
        i += 1
        for op in ok ? req.success : req.failure {
            switch op {
            case .range(let r): _ = try checkReadRevision(r.revision, current: currentRevision)
            case .put(let p):
                try validate(p)
                puts.append(p.key)
            case .deleteRange(let d):
                if d.key.isEmpty { throw .emptyKey }
                deletes.append((d.key, d.end))
            case .txn(let nested): try validate(nested, path: path, at: &i, puts: &puts, deletes: &deletes)
            }
        }
    }

    static func covers(key: [UInt8], end: [UInt8], _ k: [UInt8]) -> Bool {
        if end.isEmpty { return key == k }
        if compareBytes(k, key) < 0 { return false }
        return end == [0] || compareBytes(k, end) < 0
    }

    public mutating func txn(_ req: TxnRequest) throws(MVCCError) -> TxnResponse {
        let path = txnPath(req)
        var i = 0
        var puts: [[UInt8]] = []
        var deletes: [([UInt8], [UInt8])] = []
        try validate(req, path: path, at: &i, puts: &puts, deletes: &deletes)
        // One change per key per revision (as etcd's checkIntervals): keeps every event's previous
        // version at revision main-1, and makes the order of operations inside a txn irrelevant.
        var seen = Set<[UInt8]>()
        for k in puts {
            if !seen.insert(k).inserted { throw .duplicateKey(k) }
            if deletes.contains(where: { Self.covers(key: $0.0, end: $0.1, k) }) { throw .duplicateKey(k) }
        }
        var batch = newBatch()
        i = 0
        let (succeeded, responses) = execute(req, path: path, at: &i, &batch)
        commit(batch)
        return TxnResponse(revision: currentRevision, succeeded: succeeded, responses: responses)
    }

    public mutating func txn(compares: [Compare], success: [RequestOp],
                             failure: [RequestOp] = []) throws(MVCCError) -> TxnResponse {
        try txn(TxnRequest(compares: compares, success: success, failure: failure))
    }

    mutating func execute(_ req: TxnRequest, path: [Bool], at i: inout Int,
                          _ batch: inout WriteBatch) -> (Bool, [ResponseOp]) {
        let ok = path[i]
        i += 1
        var responses: [ResponseOp] = []
        for op in ok ? req.success : req.failure {
            // Reads see the transaction's own earlier writes.
            let readRev = batch.events.isEmpty ? currentRevision : batch.main
            switch op {
            case .range(let r):
                // Validated already; a read at revision 0 sees the writes so far.
                let resp = (try? range(r, current: readRev)) ?? RangeResponse(revision: currentRevision, kvs: [], count: 0, more: false)
                responses.append(.range(resp))
            case .put(let p):
                let prev = write(p, &batch)
                responses.append(.put(PutResponse(revision: batch.main, prevKV: p.prevKV ? prev : nil)))
            case .deleteRange(let d):
                let deleted = erase(key: d.key, end: d.end, &batch)
                responses.append(.deleteRange(DeleteRangeResponse(revision: batch.main, deleted: Int64(deleted.count),
                                                                  prevKVs: d.prevKV ? deleted : [])))
            case .txn(let nested):
                let (nestedOK, nestedResponses) = execute(nested, path: path, at: &i, &batch)
                responses.append(.txn(TxnResponse(revision: batch.main, succeeded: nestedOK, responses: nestedResponses)))
            }
        }
        return (ok, responses)
    }
}
