// What a normal Raft entry of a store member carries: a store command or a member registration, each
// tagged with the id of the request that proposed it, so the proposer can complete that request when
// the entry is applied. Empty entries are the leaders' no-ops.

enum MemberEntry: Hashable, Sendable {
    case command(requestID: UInt64, StoreCommand)
    case register(requestID: UInt64, MemberInfo)

    static let version: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(Self.version)
        switch self {
        case let .command(id, command):
            w.u8(1)
            w.u64(id)
            w.raw(command.encoded())
        case let .register(id, info):
            w.u8(2)
            w.u64(id)
            info.encode(to: &w)
        }
        return w.bytes
    }

    /// Only the command's own bytes are decoded later, by the store's apply, so a size check on a
    /// proposal can use the encoded length.
    init(decoding bytes: [UInt8]) throws(MVCCError) {
        var r = ByteReader(bytes)
        guard try r.byte() == Self.version else { throw .corrupt("unknown member entry version") }
        let kind = try r.byte()
        guard let id = r.u64() else { throw .corrupt("short member entry") }
        switch kind {
        case 1: self = .command(requestID: id, try StoreCommand(encoded: r.rest()))
        case 2:
            let info = try MemberInfo(from: &r)
            guard r.atEnd else { throw .corrupt("trailing bytes in member registration") }
            self = .register(requestID: id, info)
        default: throw .corrupt("unknown member entry kind \(kind)")
        }
    }
}

/// A member's snapshot payload: the member list, then the MVCC store's own snapshot.
enum MemberSnapshotData {
    static let magic: [UInt8] = Array("SWMS".utf8)

    static func encode(membership: Membership, store: MVCCStore) -> [UInt8] {
        var w = ByteWriter()
        w.raw(magic)
        membership.encode(to: &w)
        w.raw(store.snapshot())
        return w.bytes
    }

    /// The member list and the store's snapshot bytes.
    static func decode(_ bytes: [UInt8]) throws(MVCCError) -> (Membership, [UInt8]) {
        var r = ByteReader(bytes)
        for m in magic where try r.byte() != m { throw .corrupt("not a member snapshot") }
        let membership = try Membership(from: &r)
        return (membership, r.rest())
    }
}
