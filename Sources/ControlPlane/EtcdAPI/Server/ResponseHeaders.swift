import GRPCCore
import Store

extension EtcdMemberBackend {
    /// etcd's response header: this member's identity and term, with `revision` (the store's current
    /// revision when the response carries none of its own).
    func header(revision: Int64? = nil) -> Etcdserverpb_ResponseHeader {
        let state = headerState()
        var h = Etcdserverpb_ResponseHeader()
        h.clusterID = state.clusterID
        h.memberID = state.memberID
        h.raftTerm = state.raftTerm
        h.revision = revision ?? state.revision
        return h
    }
}

/// Runs a handler, answering any error as etcd's gRPC status for it.
func etcdCall<T: Sendable>(_ body: () async throws -> T) async throws(RPCError) -> T {
    do { return try await body() } catch { throw EtcdRPCError.rpcError(for: error) }
}
