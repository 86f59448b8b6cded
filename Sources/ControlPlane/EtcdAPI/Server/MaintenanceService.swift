import GRPCCore
import Store

/// The part of etcd's Maintenance service etcdctl's endpoint and check commands use.
struct MaintenanceService: Sendable {
    let backend: any EtcdMemberBackend

    /// The store has no space quota and no corruption check, so it never raises an alarm: listing
    /// answers none, and there is nothing to disarm. Raising one by hand is refused.
    func alarm(_ request: Etcdserverpb_AlarmRequest) async throws(RPCError) -> Etcdserverpb_AlarmResponse {
        if request.action == .activate {
            throw RPCError(code: .unimplemented, message: "etcdserver: alarms are not supported")
        }
        var r = Etcdserverpb_AlarmResponse()
        r.header = backend.header()
        return r
    }

    func status(_ request: Etcdserverpb_StatusRequest) async throws(RPCError) -> Etcdserverpb_StatusResponse {
        try await etcdCall {
            let s = try await backend.status()
            var r = Etcdserverpb_StatusResponse()
            r.header = backend.header()
            r.version = s.version
            r.dbSize = s.dbSize
            r.dbSizeInUse = s.dbSizeInUse
            r.leader = s.leader
            r.raftIndex = s.raftIndex
            r.raftTerm = s.raftTerm
            r.raftAppliedIndex = s.raftAppliedIndex
            r.isLearner = s.isLearner
            r.errors = s.errors
            return r
        }
    }
}
