#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import GRPCCore
import Store

/// etcd's Lease service over a member.
struct LeaseService: Sendable {
    let backend: any EtcdMemberBackend

    func leaseGrant(_ request: Etcdserverpb_LeaseGrantRequest) async throws(RPCError) -> Etcdserverpb_LeaseGrantResponse {
        try await etcdCall {
            // The member picks a random id when the client leaves it 0, as etcd.
            let grant = try await backend.leaseGrant(ttl: request.ttl, id: request.id)
            var r = Etcdserverpb_LeaseGrantResponse()
            r.header = backend.header(revision: grant.revision)
            r.id = grant.id
            r.ttl = grant.ttl
            return r
        }
    }

    func leaseRevoke(_ request: Etcdserverpb_LeaseRevokeRequest) async throws(RPCError) -> Etcdserverpb_LeaseRevokeResponse {
        try await etcdCall {
            try await backend.leaseRevoke(id: request.id)
            var r = Etcdserverpb_LeaseRevokeResponse()
            r.header = backend.header()
            return r
        }
    }

    func leaseKeepAlive(requests: GRPCRequestStream, responses: GRPCResponseWriter) async throws {
        for try await message in requests {
            let keepAlive = try Etcdserverpb_LeaseKeepAliveRequest(wire: message)
            var r = Etcdserverpb_LeaseKeepAliveResponse()
            r.id = keepAlive.id
            // etcd answers an unknown lease with TTL 0 on the stream rather than an error.
            do {
                r.ttl = try await backend.leaseKeepAlive(id: keepAlive.id)
            } catch MVCCError.leaseNotFound(_) {
                r.ttl = 0
            } catch {
                throw EtcdRPCError.rpcError(for: error)
            }
            r.header = backend.header()
            try await responses.write(r)
        }
    }

    func leaseTimeToLive(_ request: Etcdserverpb_LeaseTimeToLiveRequest) async throws(RPCError) -> Etcdserverpb_LeaseTimeToLiveResponse {
        try await etcdCall {
            var r = Etcdserverpb_LeaseTimeToLiveResponse()
            r.id = request.id
            do {
                let ttl = try await backend.leaseTimeToLive(id: request.id, keys: request.keys)
                r.ttl = ttl.ttl
                r.grantedTtl = ttl.grantedTTL
                r.keys = ttl.keys.map { Data($0) }
            } catch MVCCError.leaseNotFound(_) {
                // etcd: an unknown lease is TTL -1, not an error.
                r.ttl = -1
            }
            r.header = backend.header()
            return r
        }
    }

    func leaseLeases(_ request: Etcdserverpb_LeaseLeasesRequest) async throws(RPCError) -> Etcdserverpb_LeaseLeasesResponse {
        try await etcdCall {
            var r = Etcdserverpb_LeaseLeasesResponse()
            r.leases = try await backend.leaseIDs().map { id in
                var s = Etcdserverpb_LeaseStatus()
                s.id = id
                return s
            }
            r.header = backend.header()
            return r
        }
    }
}
