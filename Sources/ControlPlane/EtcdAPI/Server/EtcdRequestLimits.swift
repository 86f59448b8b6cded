import GRPCCore
import SwiftProtobuf

/// etcd's limits on a write: --max-request-bytes on the encoded request, and at most
/// --max-txn-ops operations in each branch of a transaction.
public struct EtcdRequestLimits: Hashable, Sendable {
    /// etcd's default --max-request-bytes (1.5 MiB).
    public static let defaultMaxRequestBytes = 1_572_864
    /// etcd's default --max-txn-ops.
    public static let defaultMaxTxnOps = 128
    /// etcd lets gRPC messages this much larger than --max-request-bytes through, so that an oversize
    /// request is answered with "request is too large" rather than a transport error.
    public static let grpcOverheadBytes = 512 * 1024

    public var maxRequestBytes: Int
    public var maxTxnOps: Int

    public init(maxRequestBytes: Int = defaultMaxRequestBytes, maxTxnOps: Int = defaultMaxTxnOps) {
        self.maxRequestBytes = maxRequestBytes
        self.maxTxnOps = maxTxnOps
    }

    /// The largest gRPC message the server accepts.
    public var maxMessageBytes: Int { maxRequestBytes + Self.grpcOverheadBytes }

    func check(_ request: Etcdserverpb_PutRequest) throws(RPCError) {
        // A put is its key and value plus a few bytes of framing: skip encoding it to measure.
        if request.key.count + request.value.count > maxRequestBytes { throw EtcdRPCError.requestTooLarge.rpcError }
    }

    func check(_ request: Etcdserverpb_TxnRequest) throws(RPCError) {
        if request.compare.count > maxTxnOps || request.success.count > maxTxnOps || request.failure.count > maxTxnOps {
            throw EtcdRPCError.tooManyOps.rpcError
        }
        let size = (try? request.serializedBytes() as [UInt8])?.count ?? 0
        if size > maxRequestBytes { throw EtcdRPCError.requestTooLarge.rpcError }
    }
}
