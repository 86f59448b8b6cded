// The first frame on every peer connection. A sender says which cluster it belongs to, who it is and
// whom it wants; the receiver accepts, or refuses with a reason (another cluster, a removed member, a
// wrong recipient) and closes. A member joining an existing cluster connects with `query` to learn the
// cluster id and member list before it has an identity of its own.

struct PeerHello: Hashable {
    enum Purpose: UInt8 { case raft = 1, query = 2 }
    static let magic: [UInt8] = Array("SWRAFT01".utf8)

    var purpose: Purpose
    var clusterID: UInt64
    var from: UInt64
    var to: UInt64

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.raw(Self.magic)
        w.u8(purpose.rawValue)
        w.u64(clusterID)
        w.u64(from)
        w.u64(to)
        return w.bytes
    }

    init(purpose: Purpose, clusterID: UInt64, from: UInt64, to: UInt64) {
        self.purpose = purpose
        self.clusterID = clusterID
        self.from = from
        self.to = to
    }

    init?(_ bytes: [UInt8]) {
        guard bytes.count == 8 + 1 + 24, Array(bytes[0..<8]) == Self.magic else { return nil }
        var r = ByteReader(bytes[8...])
        guard let p = r.u8().flatMap(Purpose.init(rawValue:)), let c = r.u64(), let f = r.u64(), let t = r.u64() else { return nil }
        self.init(purpose: p, clusterID: c, from: f, to: t)
    }
}

/// The receiver's answer: accepted (with, for a query, the cluster id and member list) or a refusal.
struct PeerHelloReply {
    enum Refusal: UInt8 { case none = 0, otherCluster = 1, wrongMember = 2, removed = 3 }
    var accepted: Bool
    var refusal: Refusal = .none
    var message: String
    var clusterID: UInt64
    var membership: [UInt8]

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.bool(accepted)
        w.data(Array(message.utf8))
        w.u64(clusterID)
        w.data(membership)
        w.u8(refusal.rawValue)
        return w.bytes
    }

    init(accepted: Bool, message: String = "", clusterID: UInt64 = 0, membership: [UInt8] = []) {
        self.accepted = accepted
        self.message = message
        self.clusterID = clusterID
        self.membership = membership
    }

    init(_ bytes: [UInt8]) throws(MVCCError) {
        var r = ByteReader(bytes)
        accepted = try r.bool()
        message = String(decoding: try r.data(), as: UTF8.self)
        guard let c = r.u64() else { throw .corrupt("short hello reply") }
        clusterID = c
        membership = try r.data()
        refusal = Refusal(rawValue: try r.byte()) ?? .none
    }
}
