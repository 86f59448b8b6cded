// Value types of the MVCC key-value store: revisions, key-values, errors and the etcd v3 style
// request/response shapes. Plain data only; behaviour lives in the other MVCC files.

/// A point in the store's history. Every write transaction gets one `main` revision; the individual
/// changes inside it are told apart by an increasing `sub` (as etcd's `revision{main, sub}`).
public struct Revision: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var main: Int64
    public var sub: Int64

    public init(main: Int64, sub: Int64 = 0) {
        self.main = main
        self.sub = sub
    }

    public static func < (lhs: Revision, rhs: Revision) -> Bool {
        lhs.main != rhs.main ? lhs.main < rhs.main : lhs.sub < rhs.sub
    }

    public var description: String { "\(main).\(sub)" }
}

/// One version of one key, as etcd's `mvccpb.KeyValue`. Revisions are main revisions.
public struct KeyValue: Hashable, Sendable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// Main revision of the put that created the current generation of the key.
    public var createRevision: Int64
    /// Main revision of the last change to the key.
    public var modRevision: Int64
    /// Number of puts in the current generation (1 after a create; a delete resets it to 0).
    public var version: Int64
    /// Lease the key is attached to, 0 for none.
    public var lease: Int64

    public init(key: [UInt8], value: [UInt8] = [], createRevision: Int64 = 0, modRevision: Int64 = 0,
                version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }
}

/// Errors of the store. All are deterministic functions of the store state and the request.
public enum MVCCError: Error, Hashable, Sendable {
    /// The requested revision was compacted; carries the compaction revision.
    case compacted(Int64)
    /// The requested revision is beyond the current revision.
    case futureRevision
    case emptyKey
    /// `ignoreValue`/`ignoreLease` on a key that does not exist.
    case keyNotFound
    case leaseNotFound(Int64)
    case leaseExists(Int64)
    case invalidLeaseID
    case leaseTTLTooLarge
    /// A transaction writes the same key twice, or puts a key one of its deletes covers.
    case duplicateKey([UInt8])
    /// Undecodable command or snapshot bytes.
    case corrupt(String)
}

/// The kind of a change, as `mvccpb.Event.EventType`.
public enum EventKind: UInt8, Hashable, Sendable {
    case put = 0
    case delete = 1
}

/// One change made by a write: a put (kv is the new version) or a delete (kv carries the key and the
/// deleting revision only), with the key's previous live version if it had one.
public struct MVCCEvent: Hashable, Sendable {
    public var kind: EventKind
    public var kv: KeyValue
    public var prevKV: KeyValue?

    public init(kind: EventKind, kv: KeyValue, prevKV: KeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }
}

// MARK: - Range

public enum SortOrder: UInt8, Hashable, Sendable {
    case none = 0
    case ascend = 1
    case descend = 2
}

public enum SortTarget: UInt8, Hashable, Sendable {
    case key = 0
    case version = 1
    case create = 2
    case mod = 3
    case value = 4
}

/// etcd `RangeRequest`. `end` empty selects `key` alone; `[0]` selects every key `>= key`
/// (and `key == [0]` with it, every key); otherwise the half-open interval `[key, end)`.
public struct RangeRequest: Hashable, Sendable {
    public var key: [UInt8]
    public var end: [UInt8]
    /// Maximum number of kvs returned; 0 means no limit.
    public var limit: Int64
    /// Revision to read at; 0 (or less) means the current revision.
    public var revision: Int64
    public var sortOrder: SortOrder
    public var sortTarget: SortTarget
    public var keysOnly: Bool
    public var countOnly: Bool
    public var minModRevision: Int64
    public var maxModRevision: Int64
    public var minCreateRevision: Int64
    public var maxCreateRevision: Int64

    public init(key: [UInt8], end: [UInt8] = [], limit: Int64 = 0, revision: Int64 = 0,
                sortOrder: SortOrder = .none, sortTarget: SortTarget = .key, keysOnly: Bool = false,
                countOnly: Bool = false, minModRevision: Int64 = 0, maxModRevision: Int64 = 0,
                minCreateRevision: Int64 = 0, maxCreateRevision: Int64 = 0) {
        self.key = key
        self.end = end
        self.limit = limit
        self.revision = revision
        self.sortOrder = sortOrder
        self.sortTarget = sortTarget
        self.keysOnly = keysOnly
        self.countOnly = countOnly
        self.minModRevision = minModRevision
        self.maxModRevision = maxModRevision
        self.minCreateRevision = minCreateRevision
        self.maxCreateRevision = maxCreateRevision
    }
}

public struct RangeResponse: Hashable, Sendable {
    /// Header revision: the store's current revision when the read was served.
    public var revision: Int64
    public var kvs: [KeyValue]
    /// Number of keys in the range at the read revision (before limit and min/max filters, as etcd).
    public var count: Int64
    /// More keys matched than `limit` allowed.
    public var more: Bool

    public init(revision: Int64, kvs: [KeyValue], count: Int64, more: Bool) {
        self.revision = revision
        self.kvs = kvs
        self.count = count
        self.more = more
    }
}

// MARK: - Put / DeleteRange

public struct PutRequest: Hashable, Sendable {
    public var key: [UInt8]
    public var value: [UInt8]
    public var lease: Int64
    public var prevKV: Bool
    /// Keep the key's current value (the key must exist).
    public var ignoreValue: Bool
    /// Keep the key's current lease (the key must exist).
    public var ignoreLease: Bool

    public init(key: [UInt8], value: [UInt8] = [], lease: Int64 = 0, prevKV: Bool = false,
                ignoreValue: Bool = false, ignoreLease: Bool = false) {
        self.key = key
        self.value = value
        self.lease = lease
        self.prevKV = prevKV
        self.ignoreValue = ignoreValue
        self.ignoreLease = ignoreLease
    }
}

public struct PutResponse: Hashable, Sendable {
    public var revision: Int64
    public var prevKV: KeyValue?

    public init(revision: Int64, prevKV: KeyValue? = nil) {
        self.revision = revision
        self.prevKV = prevKV
    }
}

public struct DeleteRangeRequest: Hashable, Sendable {
    public var key: [UInt8]
    public var end: [UInt8]
    public var prevKV: Bool

    public init(key: [UInt8], end: [UInt8] = [], prevKV: Bool = false) {
        self.key = key
        self.end = end
        self.prevKV = prevKV
    }
}

public struct DeleteRangeResponse: Hashable, Sendable {
    public var revision: Int64
    public var deleted: Int64
    public var prevKVs: [KeyValue]

    public init(revision: Int64, deleted: Int64, prevKVs: [KeyValue] = []) {
        self.revision = revision
        self.deleted = deleted
        self.prevKVs = prevKVs
    }
}

// MARK: - Txn

public enum CompareResult: UInt8, Hashable, Sendable {
    case equal = 0
    case greater = 1
    case less = 2
    case notEqual = 3
}

/// What a compare looks at, with the operand to compare against.
public enum CompareTarget: Hashable, Sendable {
    case version(Int64)
    case create(Int64)
    case mod(Int64)
    case value([UInt8])
    case lease(Int64)
}

/// etcd `Compare`: `key`'s field (every key of `[key, end)` when `end` is set) `result` the operand.
/// A missing key compares as a zero KeyValue (version/create/mod/lease 0); a VALUE compare on a
/// missing key is false.
public struct Compare: Hashable, Sendable {
    public var key: [UInt8]
    public var end: [UInt8]
    public var result: CompareResult
    public var target: CompareTarget

    public init(key: [UInt8], end: [UInt8] = [], _ target: CompareTarget, _ result: CompareResult) {
        self.key = key
        self.end = end
        self.result = result
        self.target = target
    }
}

public indirect enum RequestOp: Hashable, Sendable {
    case range(RangeRequest)
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
}

public indirect enum ResponseOp: Hashable, Sendable {
    case range(RangeResponse)
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
}

public struct TxnRequest: Hashable, Sendable {
    public var compares: [Compare]
    public var success: [RequestOp]
    public var failure: [RequestOp]

    public init(compares: [Compare] = [], success: [RequestOp] = [], failure: [RequestOp] = []) {
        self.compares = compares
        self.success = success
        self.failure = failure
    }
}

public struct TxnResponse: Hashable, Sendable {
    public var revision: Int64
    public var succeeded: Bool
    public var responses: [ResponseOp]

    public init(revision: Int64, succeeded: Bool, responses: [ResponseOp]) {
        self.revision = revision
        self.succeeded = succeeded
        self.responses = responses
    }
}

// MARK: - Byte helpers

/// Lexicographic byte order (etcd's key order).
@inlinable
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    var i = 0
    while i < n {
        let x = a[i], y = b[i]
        if x != y { return x < y ? -1 : 1 }
        i += 1
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// The range end that selects every key with the given prefix (etcd's `GetPrefixRangeEnd`):
/// the prefix with its last non-0xff byte incremented; `[0]` (all keys) if there is none.
public func prefixRangeEnd(_ prefix: [UInt8]) -> [UInt8] {
    var end = prefix
    while let last = end.last {
        if last < 0xff {
            end[end.count - 1] = last + 1
            return end
        }
        end.removeLast()
    }
    return [0]
}

extension Array where Element == UInt8 {
    /// UTF-8 bytes of a string, for tests and callers that use textual keys.
    init(utf8 s: String) { self = Array(s.utf8) }
}
