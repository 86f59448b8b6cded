// Leases (etcd's lessor), as replicated state. Time is never read here: every operation that
// needs it takes `now` (milliseconds on the driver's clock) as a value. The leader's driver decides
// when a lease has expired (`expiredLeases(now:)`) and proposes its revocation, so all members delete
// the keys at the same revision; `expire(now:)` does both steps at once for a single member or a test.

public struct Lease: Hashable, Sendable {
    public var id: Int64
    /// Granted time to live, seconds.
    public var ttl: Int64
    /// Expiry instant, milliseconds on the driver's clock.
    public var expiry: Int64
    public var keys: Set<[UInt8]>

    public init(id: Int64, ttl: Int64, expiry: Int64, keys: Set<[UInt8]> = []) {
        self.id = id
        self.ttl = ttl
        self.expiry = expiry
        self.keys = keys
    }
}

public struct LeaseTimeToLive: Hashable, Sendable {
    public var id: Int64
    /// Remaining seconds (rounded up), -1 if the lease does not exist; 0 once expired.
    public var ttl: Int64
    public var grantedTTL: Int64
    /// Attached keys, sorted.
    public var keys: [[UInt8]]
}

extension MVCCStore {
    /// etcd's MaxLeaseTTL.
    public static let maxLeaseTTL: Int64 = 9_000_000_000
    /// etcd's default minimum TTL is larger; we only keep TTLs positive.
    public static let minLeaseTTL: Int64 = 1

    /// `now + ttl` seconds in milliseconds, saturating: a wild `now` in a command must not trap every member.
    static func expiry(now: Int64, ttl: Int64) -> Int64 {
        let (ms, o1) = ttl.multipliedReportingOverflow(by: 1000)
        if o1 { return Int64.max }
        let (sum, o2) = now.addingReportingOverflow(ms)
        return o2 ? (ms > 0 ? Int64.max : Int64.min) : sum
    }

    public mutating func grant(id: Int64, ttl: Int64, now: Int64) throws(MVCCError) -> Lease {
        if id == 0 { throw .invalidLeaseID }
        if leases[id] != nil { throw .leaseExists(id) }
        if ttl > Self.maxLeaseTTL { throw .leaseTTLTooLarge }
        let ttl = max(ttl, Self.minLeaseTTL)
        let lease = Lease(id: id, ttl: ttl, expiry: Self.expiry(now: now, ttl: ttl))
        leases[id] = lease
        return lease
    }

    /// Deletes the lease and every key attached to it, all in one revision (none if it had no keys).
    @discardableResult
    public mutating func revoke(id: Int64) throws(MVCCError) -> Int64 {
        guard let lease = leases[id] else { throw .leaseNotFound(id) }
        var batch = newBatch()
        for key in lease.keys.sorted(by: { compareBytes($0, $1) < 0 }) {
            _ = erase(key: key, end: [], &batch)
        }
        leases[id] = nil
        commit(batch)
        return currentRevision
    }

    /// Renews the lease for its full TTL from `now`; returns the TTL.
    @discardableResult
    public mutating func keepAlive(id: Int64, now: Int64) throws(MVCCError) -> Int64 {
        guard let lease = leases[id] else { throw .leaseNotFound(id) }
        leases[id]!.expiry = Self.expiry(now: now, ttl: lease.ttl)
        return lease.ttl
    }

    /// Renews every lease from `now` (etcd's Promote, for a new leader that cannot know how much time
    /// passed under the old one).
    public mutating func renewAll(now: Int64) {
        for id in leases.keys { leases[id]!.expiry = Self.expiry(now: now, ttl: leases[id]!.ttl) }
    }

    /// Attaches an existing key to a lease (0 detaches) by writing it again with the same value, so
    /// the key's `lease` field and watchers see the change at a new revision.
    @discardableResult
    public mutating func attach(key: [UInt8], lease: Int64) throws(MVCCError) -> PutResponse {
        try put(PutRequest(key: key, lease: lease, ignoreValue: true))
    }

    public func timeToLive(id: Int64, now: Int64) -> LeaseTimeToLive {
        guard let lease = leases[id] else { return LeaseTimeToLive(id: id, ttl: -1, grantedTTL: 0, keys: []) }
        let (diff, overflow) = lease.expiry.subtractingReportingOverflow(now)
        let remainingMs = overflow ? (now < 0 ? Int64.max - 999 : 0) : min(max(0, diff), Int64.max - 999)
        return LeaseTimeToLive(id: id, ttl: (remainingMs + 999) / 1000, grantedTTL: lease.ttl,
                               keys: lease.keys.sorted { compareBytes($0, $1) < 0 })
    }

    public func lease(_ id: Int64) -> Lease? { leases[id] }

    /// All lease ids, ascending.
    public var leaseIDs: [Int64] { leases.keys.sorted() }

    /// Leases whose expiry is at or before `now`, ascending by id.
    public func expiredLeases(now: Int64) -> [Int64] {
        leases.values.filter { $0.expiry <= now }.map(\.id).sorted()
    }

    /// Revokes every expired lease, each in its own revision, ascending by id; returns their ids.
    @discardableResult
    public mutating func expire(now: Int64) -> [Int64] {
        let ids = expiredLeases(now: now)
        for id in ids { _ = try? revoke(id: id) }
        return ids
    }
}
