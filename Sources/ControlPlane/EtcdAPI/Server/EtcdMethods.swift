import GRPCCore
import NIOCore
import SwiftProtobuf

/// The etcd v3 methods this server answers, by request path.
enum EtcdMethods {
    static func table(backend: any EtcdMemberBackend, limits: EtcdRequestLimits) -> [String: GRPCMethod] {
        let kv = KVService(backend: backend, limits: limits)
        let watch = WatchService(backend: backend)
        let lease = LeaseService(backend: backend)
        let cluster = ClusterService(backend: backend)
        let maintenance = MaintenanceService(backend: backend)
        let methods: [(MethodDescriptor, GRPCMethod)] = [
            (Etcdserverpb_KV.Method.Range.descriptor, unary(kv.range)),
            (Etcdserverpb_KV.Method.Put.descriptor, unary(kv.put)),
            (Etcdserverpb_KV.Method.DeleteRange.descriptor, unary(kv.deleteRange)),
            (Etcdserverpb_KV.Method.Txn.descriptor, unary(kv.txn)),
            (Etcdserverpb_KV.Method.Compact.descriptor, unary(kv.compact)),
            (Etcdserverpb_Watch.Method.Watch.descriptor, .bidirectional(watch.watch)),
            (Etcdserverpb_Lease.Method.LeaseGrant.descriptor, unary(lease.leaseGrant)),
            (Etcdserverpb_Lease.Method.LeaseRevoke.descriptor, unary(lease.leaseRevoke)),
            (Etcdserverpb_Lease.Method.LeaseKeepAlive.descriptor, .bidirectional(lease.leaseKeepAlive)),
            (Etcdserverpb_Lease.Method.LeaseTimeToLive.descriptor, unary(lease.leaseTimeToLive)),
            (Etcdserverpb_Lease.Method.LeaseLeases.descriptor, unary(lease.leaseLeases)),
            (Etcdserverpb_Cluster.Method.MemberAdd.descriptor, unary(cluster.memberAdd)),
            (Etcdserverpb_Cluster.Method.MemberRemove.descriptor, unary(cluster.memberRemove)),
            (Etcdserverpb_Cluster.Method.MemberUpdate.descriptor, unary(cluster.memberUpdate)),
            (Etcdserverpb_Cluster.Method.MemberList.descriptor, unary(cluster.memberList)),
            (Etcdserverpb_Cluster.Method.MemberPromote.descriptor, unary(cluster.memberPromote)),
            (Etcdserverpb_Maintenance.Method.Alarm.descriptor, unary(maintenance.alarm)),
            (Etcdserverpb_Maintenance.Method.Status.descriptor, unary(maintenance.status)),
        ]
        return Dictionary(uniqueKeysWithValues: methods.map { ("/" + $0.0.fullyQualifiedMethod, $0.1) })
    }

    /// A unary method answered through a callback (the hot path: no task).
    static func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ serve: @escaping @Sendable (Request, @escaping @Sendable (Result<Response, RPCError>) -> Void) -> Void
    ) -> GRPCMethod {
        .unary { bytes, reply in
            do throws(RPCError) { serve(try Request(wire: bytes), reply.respond) } catch {
                reply.respond(Result<Response, RPCError>.failure(error))
            }
        }
    }

    /// A unary method served by an async function, in a task of its own.
    static func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ serve: @escaping @Sendable (Request) async throws(RPCError) -> Response
    ) -> GRPCMethod {
        .unary { bytes, reply in
            do throws(RPCError) {
                let request = try Request(wire: bytes)
                reply.respond { () async throws(RPCError) -> Response in try await serve(request) }
            } catch {
                reply.respond(Result<Response, RPCError>.failure(error))
            }
        }
    }
}

extension SwiftProtobuf.Message {
    /// Decodes a request message; a malformed one is gRPC's INTERNAL, as grpc-go answers it.
    init(wire bytes: ByteBuffer) throws(RPCError) {
        do { try self.init(serializedBytes: Array(bytes.readableBytesView)) } catch {
            throw RPCError(code: .internalError, message: "grpc: error unmarshalling request: \(error)")
        }
    }
}
