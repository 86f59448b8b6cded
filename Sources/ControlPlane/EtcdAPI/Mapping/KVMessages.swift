#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import GRPCCore
import Store

// The MVCC request and response types <-> etcd's KV messages, both directions: the server decodes
// requests and encodes responses, EtcdClient the reverse. Field for field; nothing is interpreted here.

extension Mvccpb_KeyValue {
    init(_ kv: KeyValue) {
        self.init()
        key = Data(kv.key)
        value = Data(kv.value)
        createRevision = kv.createRevision
        modRevision = kv.modRevision
        version = kv.version
        lease = kv.lease
    }

    var mvcc: KeyValue {
        KeyValue(key: [UInt8](key), value: [UInt8](value), createRevision: createRevision,
                 modRevision: modRevision, version: version, lease: lease)
    }
}

extension Mvccpb_Event {
    init(_ event: MVCCEvent) {
        self.init()
        type = event.kind == .put ? .put : .delete
        kv = Mvccpb_KeyValue(event.kv)
        if let prev = event.prevKV { prevKv = Mvccpb_KeyValue(prev) }
    }

    var mvcc: MVCCEvent {
        MVCCEvent(kind: type == .delete ? .delete : .put, kv: kv.mvcc, prevKV: hasPrevKv ? prevKv.mvcc : nil)
    }
}

// MARK: Range

extension Etcdserverpb_RangeRequest {
    init(_ r: RangeRequest, serializable: Bool = false) {
        self.init()
        key = Data(r.key)
        rangeEnd = Data(r.end)
        limit = r.limit
        revision = r.revision
        sortOrder = Etcdserverpb_RangeRequest.SortOrder(rawValue: Int(r.sortOrder.rawValue)) ?? .none
        sortTarget = Etcdserverpb_RangeRequest.SortTarget(rawValue: Int(r.sortTarget.rawValue)) ?? .key
        self.serializable = serializable
        keysOnly = r.keysOnly
        countOnly = r.countOnly
        minModRevision = r.minModRevision
        maxModRevision = r.maxModRevision
        minCreateRevision = r.minCreateRevision
        maxCreateRevision = r.maxCreateRevision
    }

    /// Throws etcd's "invalid sort option" for enum values it does not know.
    func mvcc() throws(RPCError) -> RangeRequest {
        guard let order = Store.SortOrder(rawValue: UInt8(clamping: sortOrder.rawValue)), sortOrder.rawValue <= 2,
              let target = Store.SortTarget(rawValue: UInt8(clamping: sortTarget.rawValue)), sortTarget.rawValue <= 4
        else { throw EtcdRPCError.invalidSortOption.rpcError }
        return RangeRequest(key: [UInt8](key), end: [UInt8](rangeEnd), limit: limit, revision: revision,
                            sortOrder: order, sortTarget: target, keysOnly: keysOnly, countOnly: countOnly,
                            minModRevision: minModRevision, maxModRevision: maxModRevision,
                            minCreateRevision: minCreateRevision, maxCreateRevision: maxCreateRevision)
    }
}

extension Etcdserverpb_RangeResponse {
    init(_ r: RangeResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        kvs = r.kvs.map(Mvccpb_KeyValue.init)
        more = r.more
        count = r.count
    }

    var mvcc: RangeResponse {
        RangeResponse(revision: header.revision, kvs: kvs.map(\.mvcc), count: count, more: more)
    }
}

// MARK: Put / DeleteRange

extension Etcdserverpb_PutRequest {
    init(_ p: PutRequest) {
        self.init()
        key = Data(p.key)
        value = Data(p.value)
        lease = p.lease
        prevKv = p.prevKV
        ignoreValue = p.ignoreValue
        ignoreLease = p.ignoreLease
    }

    var mvcc: PutRequest {
        PutRequest(key: [UInt8](key), value: [UInt8](value), lease: lease, prevKV: prevKv,
                   ignoreValue: ignoreValue, ignoreLease: ignoreLease)
    }
}

extension Etcdserverpb_PutResponse {
    init(_ p: PutResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        if let prev = p.prevKV { prevKv = Mvccpb_KeyValue(prev) }
    }

    var mvcc: PutResponse { PutResponse(revision: header.revision, prevKV: hasPrevKv ? prevKv.mvcc : nil) }
}

extension Etcdserverpb_DeleteRangeRequest {
    init(_ d: DeleteRangeRequest) {
        self.init()
        key = Data(d.key)
        rangeEnd = Data(d.end)
        prevKv = d.prevKV
    }

    var mvcc: DeleteRangeRequest { DeleteRangeRequest(key: [UInt8](key), end: [UInt8](rangeEnd), prevKV: prevKv) }
}

extension Etcdserverpb_DeleteRangeResponse {
    init(_ d: DeleteRangeResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        deleted = d.deleted
        prevKvs = d.prevKVs.map(Mvccpb_KeyValue.init)
    }

    var mvcc: DeleteRangeResponse {
        DeleteRangeResponse(revision: header.revision, deleted: deleted, prevKVs: prevKvs.map(\.mvcc))
    }
}

// MARK: Txn

extension Etcdserverpb_Compare {
    init(_ c: Compare) {
        self.init()
        key = Data(c.key)
        rangeEnd = Data(c.end)
        result = Etcdserverpb_Compare.CompareResult(rawValue: Int(c.result.rawValue)) ?? .equal
        switch c.target {
        case Store.CompareTarget.version(let v): target = .version; version = v
        case Store.CompareTarget.create(let v): target = .create; createRevision = v
        case Store.CompareTarget.mod(let v): target = .mod; modRevision = v
        case Store.CompareTarget.value(let v): target = .value; value = Data(v)
        case Store.CompareTarget.lease(let v): target = .lease; lease = v
        }
    }

    /// etcd reads the operand selected by `target`, whatever the union holds; so do we.
    func mvcc() throws(RPCError) -> Compare {
        let operand: Store.CompareTarget
        switch target {
        case .version: operand = .version(version)
        case .create: operand = .create(createRevision)
        case .mod: operand = .mod(modRevision)
        case .value: operand = .value([UInt8](value))
        case .lease: operand = .lease(lease)
        case .UNRECOGNIZED: throw RPCError(code: .invalidArgument, message: "etcdserver: invalid compare")
        }
        guard result.rawValue <= 3, let r = Store.CompareResult(rawValue: UInt8(clamping: result.rawValue)) else {
            throw RPCError(code: .invalidArgument, message: "etcdserver: invalid compare")
        }
        return Compare(key: [UInt8](key), end: [UInt8](rangeEnd), operand, r)
    }
}

extension Etcdserverpb_RequestOp {
    init(_ op: RequestOp) {
        self.init()
        switch op {
        case .range(let r): requestRange = Etcdserverpb_RangeRequest(r)
        case .put(let p): requestPut = Etcdserverpb_PutRequest(p)
        case .deleteRange(let d): requestDeleteRange = Etcdserverpb_DeleteRangeRequest(d)
        case .txn(let t): requestTxn = Etcdserverpb_TxnRequest(t)
        }
    }

    func mvcc() throws(RPCError) -> RequestOp {
        switch request {
        case .requestRange(let r): return .range(try r.mvcc())
        case .requestPut(let p): return .put(p.mvcc)
        case .requestDeleteRange(let d): return .deleteRange(d.mvcc)
        case .requestTxn(let t): return .txn(try t.mvcc())
        // etcd treats an empty op as an empty range response; an empty key fails the same way here.
        case nil: return .range(RangeRequest(key: []))
        }
    }
}

extension Etcdserverpb_ResponseOp {
    init(_ op: ResponseOp, header: Etcdserverpb_ResponseHeader) {
        self.init()
        switch op {
        case .range(let r): responseRange = Etcdserverpb_RangeResponse(r, header: header)
        case .put(let p): responsePut = Etcdserverpb_PutResponse(p, header: header)
        case .deleteRange(let d): responseDeleteRange = Etcdserverpb_DeleteRangeResponse(d, header: header)
        case .txn(let t): responseTxn = Etcdserverpb_TxnResponse(t, header: header)
        }
    }

    func mvcc(revision: Int64) -> ResponseOp {
        switch response {
        case .responseRange(let r): return .range(r.mvcc)
        case .responsePut(let p): return .put(p.mvcc)
        case .responseDeleteRange(let d): return .deleteRange(d.mvcc)
        case .responseTxn(let t): return .txn(t.mvcc)
        case nil: return .range(RangeResponse(revision: revision, kvs: [], count: 0, more: false))
        }
    }
}

extension Etcdserverpb_TxnRequest {
    init(_ t: TxnRequest) {
        self.init()
        compare = t.compares.map(Etcdserverpb_Compare.init)
        success = t.success.map(Etcdserverpb_RequestOp.init)
        failure = t.failure.map(Etcdserverpb_RequestOp.init)
    }

    func mvcc() throws(RPCError) -> TxnRequest {
        var out = TxnRequest()
        for c in compare { out.compares.append(try c.mvcc()) }
        for op in success { out.success.append(try op.mvcc()) }
        for op in failure { out.failure.append(try op.mvcc()) }
        return out
    }
}

extension Etcdserverpb_TxnResponse {
    /// etcd fills only the revision in the headers of the nested responses.
    init(_ t: TxnResponse, header: Etcdserverpb_ResponseHeader) {
        self.init()
        self.header = header
        succeeded = t.succeeded
        var nested = Etcdserverpb_ResponseHeader()
        nested.revision = header.revision
        responses = t.responses.map { Etcdserverpb_ResponseOp($0, header: nested) }
    }

    var mvcc: TxnResponse {
        TxnResponse(revision: header.revision, succeeded: succeeded,
                    responses: responses.map { $0.mvcc(revision: header.revision) })
    }
}
