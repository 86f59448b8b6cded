import GRPCCore
import Store

/// etcd's Cluster service: the membership, and changes to it through the member's Raft configuration.
struct ClusterService: Sendable {
    let backend: any EtcdMemberBackend

    func memberAdd(_ request: Etcdserverpb_MemberAddRequest) async throws(RPCError) -> Etcdserverpb_MemberAddResponse {
        try await etcdCall {
            try Self.checkURLs(request.peerUrls)
            let (added, members) = try await backend.memberAdd(peerURLs: request.peerUrls, isLearner: request.isLearner)
            var r = Etcdserverpb_MemberAddResponse()
            r.header = backend.header()
            r.member = Etcdserverpb_Member(added)
            r.members = members.map(Etcdserverpb_Member.init)
            return r
        }
    }

    func memberRemove(_ request: Etcdserverpb_MemberRemoveRequest) async throws(RPCError) -> Etcdserverpb_MemberRemoveResponse {
        try await etcdCall {
            let members = try await backend.memberRemove(id: request.id)
            var r = Etcdserverpb_MemberRemoveResponse()
            r.header = backend.header()
            r.members = members.map(Etcdserverpb_Member.init)
            return r
        }
    }

    func memberUpdate(_ request: Etcdserverpb_MemberUpdateRequest) async throws(RPCError) -> Etcdserverpb_MemberUpdateResponse {
        try await etcdCall {
            try Self.checkURLs(request.peerUrls)
            let members = try await backend.memberUpdate(id: request.id, peerURLs: request.peerUrls)
            var r = Etcdserverpb_MemberUpdateResponse()
            r.header = backend.header()
            r.members = members.map(Etcdserverpb_Member.init)
            return r
        }
    }

    func memberList(_ request: Etcdserverpb_MemberListRequest) async throws(RPCError) -> Etcdserverpb_MemberListResponse {
        try await etcdCall {
            var r = Etcdserverpb_MemberListResponse()
            r.members = try await backend.memberList().map(Etcdserverpb_Member.init)
            r.header = backend.header()
            return r
        }
    }

    func memberPromote(_ request: Etcdserverpb_MemberPromoteRequest) async throws(RPCError) -> Etcdserverpb_MemberPromoteResponse {
        try await etcdCall {
            let members = try await backend.memberPromote(id: request.id)
            var r = Etcdserverpb_MemberPromoteResponse()
            r.header = backend.header()
            r.members = members.map(Etcdserverpb_Member.init)
            return r
        }
    }

    /// etcd's check (types.NewURLs): every URL parses as scheme://host:port with an http(s) scheme and no path.
    static func checkURLs(_ urls: [String]) throws(RPCError) {
        if urls.isEmpty { throw EtcdRPCError.memberBadURLs.rpcError }
        for url in urls where EtcdURL(url) == nil { throw EtcdRPCError.memberBadURLs.rpcError }
    }
}

extension Etcdserverpb_Member {
    init(_ m: EtcdMember) {
        self.init()
        id = m.id
        name = m.name
        peerUrls = m.peerURLs
        clientUrls = m.clientURLs
        isLearner = m.isLearner
    }

    var member: EtcdMember {
        EtcdMember(id: id, name: name, peerURLs: peerUrls, clientURLs: clientUrls, isLearner: isLearner)
    }
}
