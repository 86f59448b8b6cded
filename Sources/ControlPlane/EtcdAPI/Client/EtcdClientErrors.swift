import GRPCCore
import Store

/// How EtcdClient reports an etcd error: as the store error the same condition raises in an
/// embedded member (MVCCError for the store's own answers, KeyValueClientError for the rest).
enum EtcdErrorMapping {
    /// The store error for an RPC's failure. `compactRevision` is asked for only on a compaction
    /// error: etcd's message does not carry the revision.
    static func storeError(_ error: RPCError, leaseID: Int64 = 0, requestBytes: Int = 0) -> any Error {
        if let known = EtcdRPCError(rawValue: error.message) {
            switch known {
            case .compacted: return MVCCError.compacted(0)
            case .futureRevision: return MVCCError.futureRevision
            case .emptyKey: return MVCCError.emptyKey
            case .keyNotFound: return MVCCError.keyNotFound
            case .leaseNotFound: return MVCCError.leaseNotFound(leaseID)
            case .leaseExists: return MVCCError.leaseExists(leaseID)
            case .leaseTTLTooLarge: return MVCCError.leaseTTLTooLarge
            case .duplicateKey: return MVCCError.duplicateKey([])
            case .requestTooLarge: return KeyValueClientError.requestTooLarge(requestBytes)
            case .corrupt: return MVCCError.corrupt(error.message)
            case .noLeader, .leaderChanged, .stopped, .unhealthy:
                return KeyValueClientError.unavailable(error.message)
            case .timeout, .timeoutDueToLeaderFail, .timeoutDueToConnectionLost:
                return KeyValueClientError.timeout(error.message)
            default: return KeyValueClientError.rejected(error.message)
            }
        }
        switch error.code {
        case .unavailable: return KeyValueClientError.unavailable(error.message)
        case .deadlineExceeded: return KeyValueClientError.timeout(error.message)
        // gRPC's own refusal of a message over the server's limit.
        case .resourceExhausted where error.message.contains("larger than"):
            return KeyValueClientError.requestTooLarge(requestBytes)
        case .cancelled: return CancellationError()
        default: return KeyValueClientError.rejected("\(error.code): \(error.message)")
        }
    }

    /// Whether another endpoint may be tried: the request certainly did not take effect here
    /// (no connection, no leader, member stopping), or it is a read.
    static func isRetryable(_ error: RPCError, idempotent: Bool) -> Bool {
        guard error.code == .unavailable else { return false }
        if idempotent { return true }
        switch EtcdRPCError(rawValue: error.message) {
        case .noLeader?, .stopped?, .leaderChanged?, .unhealthy?: return true
        case .some: return false
        // No etcd message: the transport failed (refused, reset); gRPC reports that before
        // anything reached a server as UNAVAILABLE too.
        case nil: return true
        }
    }
}
