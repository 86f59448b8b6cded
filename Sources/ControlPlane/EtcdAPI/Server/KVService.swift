import GRPCCore
import Store

/// etcd's KV service over a member. Reads are linearizable whatever `serializable` says: the member
/// has only one kind of read. Range, Put, DeleteRange and Txn are the hot path: they go to the member
/// with a callback and are answered from it, with no task in between.
struct KVService: Sendable {
    typealias Reply<M> = @Sendable (Result<M, RPCError>) -> Void

    let backend: any EtcdMemberBackend
    let limits: EtcdRequestLimits

    func range(_ request: Etcdserverpb_RangeRequest, reply: @escaping Reply<Etcdserverpb_RangeResponse>) {
        if request.key.isEmpty { return reply(.failure(EtcdRPCError.emptyKey.rpcError)) }
        let mvcc: RangeRequest
        do { mvcc = try request.mvcc() } catch { return reply(.failure(EtcdRPCError.rpcError(for: error))) }
        backend.range(mvcc, done: answer(reply) { Etcdserverpb_RangeResponse($0, header: $1.header(revision: $0.revision)) })
    }

    func put(_ request: Etcdserverpb_PutRequest, reply: @escaping Reply<Etcdserverpb_PutResponse>) {
        if request.key.isEmpty { return reply(.failure(EtcdRPCError.emptyKey.rpcError)) }
        if request.ignoreValue && !request.value.isEmpty { return reply(.failure(EtcdRPCError.valueProvided.rpcError)) }
        if request.ignoreLease && request.lease != 0 { return reply(.failure(EtcdRPCError.leaseProvided.rpcError)) }
        do { try limits.check(request) } catch { return reply(.failure(error)) }
        backend.put(request.mvcc, done: answer(reply) { Etcdserverpb_PutResponse($0, header: $1.header(revision: $0.revision)) })
    }

    func deleteRange(_ request: Etcdserverpb_DeleteRangeRequest, reply: @escaping Reply<Etcdserverpb_DeleteRangeResponse>) {
        if request.key.isEmpty { return reply(.failure(EtcdRPCError.emptyKey.rpcError)) }
        backend.deleteRange(request.mvcc, done: answer(reply) { Etcdserverpb_DeleteRangeResponse($0, header: $1.header(revision: $0.revision)) })
    }

    func txn(_ request: Etcdserverpb_TxnRequest, reply: @escaping Reply<Etcdserverpb_TxnResponse>) {
        let mvcc: TxnRequest
        do {
            try limits.check(request)
            mvcc = try request.mvcc()
        } catch { return reply(.failure(EtcdRPCError.rpcError(for: error))) }
        backend.txn(mvcc, done: answer(reply) { Etcdserverpb_TxnResponse($0, header: $1.header(revision: $0.revision)) })
    }

    func compact(_ request: Etcdserverpb_CompactionRequest) async throws(RPCError) -> Etcdserverpb_CompactionResponse {
        try await etcdCall {
            let revision = try await backend.compact(revision: request.revision)
            var response = Etcdserverpb_CompactionResponse()
            response.header = backend.header(revision: revision)
            return response
        }
    }

    /// The member's result as etcd's response, or its error as etcd's status.
    private func answer<T, M>(_ reply: @escaping Reply<M>, _ message: @escaping @Sendable (T, any EtcdMemberBackend) -> M)
        -> @Sendable (Result<T, any Error>) -> Void {
        let backend = self.backend
        return { result in
            switch result {
            case .success(let value): reply(.success(message(value, backend)))
            case .failure(let error): reply(.failure(EtcdRPCError.rpcError(for: error)))
            }
        }
    }
}
