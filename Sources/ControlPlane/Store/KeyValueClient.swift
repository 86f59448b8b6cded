// What the API server needs from a store, and what both ways of reaching one provide: a `StoreMember`
// embedded in the same process (Store) and the etcd v3 gRPC client (EtcdAPI, which also talks to a
// real etcd). The request and response types are the MVCC ones, which mirror etcd's messages field for
// field, so neither side translates more than once.
//
// Errors: a read or watch below the compacted revision throws `MVCCError.compacted(compactRevision)`
// (the API server turns it into 410 Gone); a revision past the head throws `MVCCError.futureRevision`;
// an unknown lease `MVCCError.leaseNotFound`; everything else is a `KeyValueClientError`.

public protocol KeyValueClient: Sendable {
    /// A linearizable read (etcd's default, serializable = false).
    func range(_ request: RangeRequest) async throws -> RangeResponse
    func put(_ request: PutRequest) async throws -> PutResponse
    func deleteRange(_ request: DeleteRangeRequest) async throws -> DeleteRangeResponse
    func txn(_ request: TxnRequest) async throws -> TxnResponse
    /// Compacts history up to `revision`; returns the header revision.
    func compact(revision: Int64) async throws -> Int64

    /// Events for `request` in revision order. The stream ends with `MVCCError.compacted` if the start
    /// revision is compacted (before or while watching), and with an error if the store goes away; it
    /// never silently stops. Cancelling the consuming task cancels the watch.
    func watch(_ request: WatchCreateRequest) -> AsyncThrowingStream<WatchResponse, any Error>

    func leaseGrant(ttl: Int64, id: Int64) async throws -> LeaseGrant
    func leaseRevoke(id: Int64) async throws
    /// One keep-alive round; returns the renewed TTL in seconds.
    func leaseKeepAlive(id: Int64) async throws -> Int64
    func leaseTimeToLive(id: Int64, keys: Bool) async throws -> LeaseTimeToLive
}

/// etcd's WatchCreateRequest.
public struct WatchCreateRequest: Hashable, Sendable {
    public var key: [UInt8]
    /// etcd range_end rules: empty = just `key`, [0] = every key >= `key`, else [key, end).
    public var end: [UInt8]
    /// 0 = changes after the current revision.
    public var startRevision: Int64
    public var prevKV: Bool
    /// Ask for empty responses carrying the current revision when idle (etcd's progress_notify).
    public var progressNotify: Bool
    public var filters: WatchFilter

    public init(key: [UInt8], end: [UInt8] = [], startRevision: Int64 = 0, prevKV: Bool = false,
                progressNotify: Bool = false, filters: WatchFilter = []) {
        self.key = key
        self.end = end
        self.startRevision = startRevision
        self.prevKV = prevKV
        self.progressNotify = progressNotify
        self.filters = filters
    }
}

public struct LeaseGrant: Hashable, Sendable {
    public var id: Int64
    public var ttl: Int64
    public var revision: Int64

    public init(id: Int64, ttl: Int64, revision: Int64) {
        self.id = id
        self.ttl = ttl
        self.revision = revision
    }
}

public enum KeyValueClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No leader, no quorum, the connection is down, or the member is stopping.
    case unavailable(String)
    /// A request larger than the store accepts (etcd: "request is too large").
    case requestTooLarge(Int)
    /// The deadline passed before the request committed; it may or may not have been applied.
    case timeout(String)
    /// Anything the store rejected for another reason, with its message.
    case rejected(String)

    public var description: String {
        switch self {
        case .unavailable(let why): "store unavailable: \(why)"
        case .requestTooLarge(let n): "store request too large: \(n) bytes"
        case .timeout(let what): "store request timed out: \(what)"
        case .rejected(let why): "store rejected request: \(why)"
        }
    }
}
