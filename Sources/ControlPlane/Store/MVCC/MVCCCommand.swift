// The apply interface for the Raft driver: a command is what a proposal carries (as bytes in a
// RaftEntry), `apply` is what every member runs on each committed entry, in log order. Commands carry
// everything they depend on (lease ids, the leader's `now`), so applying is deterministic.

public enum StoreCommand: Hashable, Sendable {
    /// A linearizable read through the log.
    case range(RangeRequest)
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
    case compact(revision: Int64)
    case leaseGrant(id: Int64, ttl: Int64, now: Int64)
    case leaseRevoke(id: Int64)
    case leaseKeepAlive(id: Int64, now: Int64)
    /// Renews every lease from `now`: proposed by a new leader.
    case leaseRenewAll(now: Int64)
}

public enum StoreResult: Hashable, Sendable {
    case range(RangeResponse)
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
    /// Header revision after the compaction.
    case compact(revision: Int64)
    case leaseGrant(Lease)
    /// Header revision after the revocation.
    case leaseRevoke(revision: Int64)
    case leaseKeepAlive(id: Int64, ttl: Int64)
    case leaseRenewAll
    case failure(MVCCError)
}

extension MVCCStore {
    /// Applies one committed command. Failures are results, not thrown: a failed command leaves the
    /// store unchanged on every member alike.
    public mutating func apply(_ command: StoreCommand) -> StoreResult {
        do throws(MVCCError) {
            switch command {
            case .range(let r): return .range(try range(r))
            case .put(let p): return .put(try put(p))
            case .deleteRange(let d): return .deleteRange(try deleteRange(d))
            case .txn(let t): return .txn(try txn(t))
            case .compact(let rev): return .compact(revision: try compact(revision: rev))
            case .leaseGrant(let id, let ttl, let now): return .leaseGrant(try grant(id: id, ttl: ttl, now: now))
            case .leaseRevoke(let id): return .leaseRevoke(revision: try revoke(id: id))
            case .leaseKeepAlive(let id, let now): return .leaseKeepAlive(id: id, ttl: try keepAlive(id: id, now: now))
            case .leaseRenewAll(let now):
                renewAll(now: now)
                return .leaseRenewAll
            }
        } catch {
            return .failure(error)
        }
    }

    /// Applies an encoded command (a Raft entry's data).
    public mutating func apply(encoded bytes: [UInt8]) -> StoreResult {
        do {
            return apply(try StoreCommand(encoded: bytes))
        } catch {
            return .failure(error)
        }
    }
}

extension StoreCommand {
    /// Format version byte leading every encoded command.
    static let formatVersion: UInt8 = 1

    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(Self.formatVersion)
        switch self {
        case .range(let r): w.u8(0); r.encode(to: &w)
        case .put(let p): w.u8(1); p.encode(to: &w)
        case .deleteRange(let d): w.u8(2); d.encode(to: &w)
        case .txn(let t): w.u8(3); t.encode(to: &w)
        case .compact(let rev): w.u8(4); w.int(rev)
        case .leaseGrant(let id, let ttl, let now): w.u8(5); w.int(id); w.int(ttl); w.int(now)
        case .leaseRevoke(let id): w.u8(6); w.int(id)
        case .leaseKeepAlive(let id, let now): w.u8(7); w.int(id); w.int(now)
        case .leaseRenewAll(let now): w.u8(8); w.int(now)
        }
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(MVCCError) {
        var r = ByteReader(bytes)
        let version = try r.byte()
        guard version == Self.formatVersion else { throw .corrupt("unknown command format \(version)") }
        switch try r.byte() {
        case 0: self = .range(try RangeRequest(from: &r))
        case 1: self = .put(try PutRequest(from: &r))
        case 2: self = .deleteRange(try DeleteRangeRequest(from: &r))
        case 3: self = .txn(try TxnRequest(from: &r))
        case 4: self = .compact(revision: try r.int())
        case 5: self = .leaseGrant(id: try r.int(), ttl: try r.int(), now: try r.int())
        case 6: self = .leaseRevoke(id: try r.int())
        case 7: self = .leaseKeepAlive(id: try r.int(), now: try r.int())
        case 8: self = .leaseRenewAll(now: try r.int())
        case let b: throw .corrupt("unknown command \(b)")
        }
        guard r.atEnd else { throw .corrupt("\(bytes.count - r.offset) trailing bytes") }
    }
}
