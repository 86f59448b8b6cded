import GRPCCore
import Store

/// etcd's KV service over a member. Reads are linearizable whatever `serializable` says: the member
/// has only one kind of read.
struct KVService: Etcdserverpb_KV.SimpleServiceProtocol {
    let backend: any EtcdMemberBackend
    let limits: EtcdRequestLimits

    func range(request: Etcdserverpb_RangeRequest, context: ServerContext) async throws -> Etcdserverpb_RangeResponse {
        try await etcdCall {
            if request.key.isEmpty { throw EtcdRPCError.emptyKey.rpcError }
            let r = try await backend.range(try request.mvcc())
            return Etcdserverpb_RangeResponse(r, header: await backend.header(revision: r.revision))
        }
    }

    func put(request: Etcdserverpb_PutRequest, context: ServerContext) async throws -> Etcdserverpb_PutResponse {
        try await etcdCall {
            if request.key.isEmpty { throw EtcdRPCError.emptyKey.rpcError }
            if request.ignoreValue && !request.value.isEmpty { throw EtcdRPCError.valueProvided.rpcError }
            if request.ignoreLease && request.lease != 0 { throw EtcdRPCError.leaseProvided.rpcError }
            try limits.check(request)
            let r = try await backend.put(request.mvcc)
            return Etcdserverpb_PutResponse(r, header: await backend.header(revision: r.revision))
        }
    }

    func deleteRange(request: Etcdserverpb_DeleteRangeRequest, context: ServerContext) async throws -> Etcdserverpb_DeleteRangeResponse {
        try await etcdCall {
            if request.key.isEmpty { throw EtcdRPCError.emptyKey.rpcError }
            let r = try await backend.deleteRange(request.mvcc)
            return Etcdserverpb_DeleteRangeResponse(r, header: await backend.header(revision: r.revision))
        }
    }

    func txn(request: Etcdserverpb_TxnRequest, context: ServerContext) async throws -> Etcdserverpb_TxnResponse {
        try await etcdCall {
            try limits.check(request)
            let r = try await backend.txn(try request.mvcc())
            return Etcdserverpb_TxnResponse(r, header: await backend.header(revision: r.revision))
        }
    }

    func compact(request: Etcdserverpb_CompactionRequest, context: ServerContext) async throws -> Etcdserverpb_CompactionResponse {
        try await etcdCall {
            let revision = try await backend.compact(revision: request.revision)
            var response = Etcdserverpb_CompactionResponse()
            response.header = await backend.header(revision: revision)
            return response
        }
    }
}
