import GRPCCore
import Store

// etcd's gRPC errors (api/v3rpc/rpctypes/error.go): the status code and the exact message etcd
// sends, which etcd's Go client matches by string to rebuild its typed errors. The server turns
// store errors into these; EtcdClient turns them back into store errors.

public enum EtcdRPCError: String, CaseIterable, Sendable {
    case emptyKey = "etcdserver: key is not provided"
    case keyNotFound = "etcdserver: key not found"
    case valueProvided = "etcdserver: value is provided"
    case leaseProvided = "etcdserver: lease is provided"
    case tooManyOps = "etcdserver: too many operations in txn request"
    case duplicateKey = "etcdserver: duplicate key given in txn request"
    case invalidSortOption = "etcdserver: invalid sort option"
    case compacted = "etcdserver: mvcc: required revision has been compacted"
    case futureRevision = "etcdserver: mvcc: required revision is a future revision"
    case leaseNotFound = "etcdserver: requested lease not found"
    case leaseExists = "etcdserver: lease already exists"
    case leaseTTLTooLarge = "etcdserver: too large lease TTL"
    case memberExists = "etcdserver: member ID already exist"
    case peerURLExists = "etcdserver: Peer URLs already exists"
    case memberNotEnoughStarted = "etcdserver: re-configuration failed due to not enough started members"
    case memberBadURLs = "etcdserver: given member URLs are invalid"
    case memberNotFound = "etcdserver: member not found"
    case memberNotLearner = "etcdserver: can only promote a learner member"
    case learnerNotReady = "etcdserver: can only promote a learner member which is in sync with leader"
    case tooManyLearners = "etcdserver: too many learner members in cluster"
    case requestTooLarge = "etcdserver: request is too large"
    case noLeader = "etcdserver: no leader"
    case leaderChanged = "etcdserver: leader changed"
    case stopped = "etcdserver: server stopped"
    case timeout = "etcdserver: request timed out"
    case timeoutDueToLeaderFail = "etcdserver: request timed out, possibly due to previous leader failure"
    case timeoutDueToConnectionLost = "etcdserver: request timed out, possibly due to connection lost"
    case unhealthy = "etcdserver: unhealthy cluster"
    case corrupt = "etcdserver: corrupt cluster"

    public var code: RPCError.Code {
        switch self {
        case .emptyKey, .keyNotFound, .valueProvided, .leaseProvided, .tooManyOps, .duplicateKey,
             .invalidSortOption, .memberBadURLs, .requestTooLarge:
            .invalidArgument
        case .compacted, .futureRevision, .leaseTTLTooLarge:
            .outOfRange
        case .leaseNotFound, .memberNotFound:
            .notFound
        case .leaseExists, .memberExists, .peerURLExists, .memberNotEnoughStarted, .memberNotLearner,
             .learnerNotReady, .tooManyLearners:
            .failedPrecondition
        case .noLeader, .leaderChanged, .stopped, .timeout, .timeoutDueToLeaderFail,
             .timeoutDueToConnectionLost, .unhealthy:
            .unavailable
        case .corrupt:
            .dataLoss
        }
    }

    public var rpcError: RPCError { RPCError(code: code, message: rawValue) }
}

extension EtcdRPCError {
    /// The gRPC error etcd would answer for a store error. Errors that are already gRPC errors pass
    /// through; anything unknown is INTERNAL with its description.
    static func rpcError(for error: any Error) -> RPCError {
        if let rpc = error as? RPCError { return rpc }
        if let mvcc = error as? MVCCError { return etcdError(for: mvcc).rpcError }
        if let cluster = error as? EtcdClusterError { return etcdError(for: cluster).rpcError }
        if let client = error as? KeyValueClientError {
            switch client {
            case .unavailable(let why):
                if let known = EtcdRPCError(rawValue: why) { return known.rpcError }
                return (why.contains("leader") ? EtcdRPCError.noLeader : .stopped).rpcError
            case .requestTooLarge: return EtcdRPCError.requestTooLarge.rpcError
            case .timeout(let why): return (EtcdRPCError(rawValue: why) ?? .timeout).rpcError
            case .rejected(let why):
                if let known = EtcdRPCError(rawValue: why) { return known.rpcError }
                return RPCError(code: .failedPrecondition, message: "etcdserver: \(why)")
            }
        }
        if error is CancellationError { return RPCError(code: .cancelled, message: "etcdserver: request canceled") }
        return RPCError(code: .internalError, message: "etcdserver: \(error)")
    }

    static func etcdError(for error: MVCCError) -> EtcdRPCError {
        switch error {
        case .compacted: .compacted
        case .futureRevision: .futureRevision
        case .emptyKey: .emptyKey
        case .keyNotFound: .keyNotFound
        case .leaseNotFound: .leaseNotFound
        case .leaseExists: .leaseExists
        // etcd never sees lease id 0 here (it picks one); the closest of its errors.
        case .invalidLeaseID: .leaseNotFound
        case .leaseTTLTooLarge: .leaseTTLTooLarge
        case .duplicateKey: .duplicateKey
        case .corrupt: .corrupt
        }
    }

    static func etcdError(for error: EtcdClusterError) -> EtcdRPCError {
        switch error {
        case .memberNotFound: .memberNotFound
        case .memberExists: .memberExists
        case .peerURLExists: .peerURLExists
        case .badURLs: .memberBadURLs
        case .notEnoughStartedMembers: .memberNotEnoughStarted
        case .memberNotLearner: .memberNotLearner
        case .learnerNotReady: .learnerNotReady
        case .tooManyLearners: .tooManyLearners
        }
    }
}
