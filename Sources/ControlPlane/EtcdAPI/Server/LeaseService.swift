#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import GRPCCore
import Store

/// etcd's Lease service over a member.
struct LeaseService: Etcdserverpb_Lease.SimpleServiceProtocol {
    let backend: any EtcdMemberBackend

    func leaseGrant(request: Etcdserverpb_LeaseGrantRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseGrantResponse {
        try await etcdCall {
            // The member picks a random id when the client leaves it 0, as etcd.
            let grant = try await backend.leaseGrant(ttl: request.ttl, id: request.id)
            var r = Etcdserverpb_LeaseGrantResponse()
            r.header = await backend.header(revision: grant.revision)
            r.id = grant.id
            r.ttl = grant.ttl
            return r
        }
    }

    func leaseRevoke(request: Etcdserverpb_LeaseRevokeRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseRevokeResponse {
        try await etcdCall {
            try await backend.leaseRevoke(id: request.id)
            var r = Etcdserverpb_LeaseRevokeResponse()
            r.header = await backend.header()
            return r
        }
    }

    func leaseKeepAlive(request: RPCAsyncSequence<Etcdserverpb_LeaseKeepAliveRequest, any Error>,
                        response: RPCWriter<Etcdserverpb_LeaseKeepAliveResponse>, context: ServerContext) async throws {
        for try await keepAlive in request {
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
            r.header = await backend.header()
            try await response.write(r)
        }
    }

    func leaseTimeToLive(request: Etcdserverpb_LeaseTimeToLiveRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseTimeToLiveResponse {
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
            r.header = await backend.header()
            return r
        }
    }

    func leaseLeases(request: Etcdserverpb_LeaseLeasesRequest, context: ServerContext) async throws -> Etcdserverpb_LeaseLeasesResponse {
        try await etcdCall {
            var r = Etcdserverpb_LeaseLeasesResponse()
            r.leases = try await backend.leaseIDs().map { id in
                var s = Etcdserverpb_LeaseStatus()
                s.id = id
                return s
            }
            r.header = await backend.header()
            return r
        }
    }
}
