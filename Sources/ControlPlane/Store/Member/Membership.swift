// The replicated member list (etcd's RaftCluster): who is in the cluster, as voter or learner, with
// the attributes etcdctl shows. Conf-change entries decide who is in; normal `register` entries carry
// the attributes (a member added at run time is registered before its conf change is proposed, and
// every member publishes its name and client URLs once it runs). Every member applies the same entries
// in the same order, so the lists agree; the list is saved in snapshots.

public struct MemberInfo: Hashable, Sendable {
    public var id: UInt64
    public var name: String
    public var peerURLs: [String]
    public var clientURLs: [String]
    public var isLearner: Bool

    public init(id: UInt64, name: String, peerURLs: [String], clientURLs: [String] = [], isLearner: Bool = false) {
        self.id = id
        self.name = name
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
        self.isLearner = isLearner
    }
}

struct Membership: Hashable, Sendable {
    /// Attributes of every member ever registered and not removed, keyed by id.
    var attributes: [UInt64: MemberInfo] = [:]
    var voters: Set<UInt64> = []
    var learners: Set<UInt64> = []
    /// Removed ids may never come back (etcd keeps them too), so a stale member cannot rejoin.
    var removed: Set<UInt64> = []

    /// Members in the configuration, sorted by id.
    var members: [MemberInfo] {
        voters.union(learners).sorted().map { id in
            var m = attributes[id] ?? MemberInfo(id: id, name: "", peerURLs: [])
            m.isLearner = learners.contains(id)
            return m
        }
    }

    func member(_ id: UInt64) -> MemberInfo? { members.first { $0.id == id } }

    /// Records attributes. An empty name or URL list keeps what is known (publishing only updates the
    /// parts a member knows about itself).
    mutating func register(_ info: MemberInfo) {
        guard !removed.contains(info.id) else { return }
        var m = attributes[info.id] ?? MemberInfo(id: info.id, name: "", peerURLs: [])
        if !info.name.isEmpty { m.name = info.name }
        if !info.peerURLs.isEmpty { m.peerURLs = info.peerURLs }
        if !info.clientURLs.isEmpty { m.clientURLs = info.clientURLs }
        attributes[info.id] = m
    }

    /// Mirrors `RaftCore.applyConfChange`'s validity rules, so the list follows the Raft configuration.
    mutating func apply(_ change: RaftConfChange) {
        let id = change.nodeID
        switch change.type {
        case .addVoter:
            guard !voters.contains(id), !removed.contains(id) else { return }
            learners.remove(id)
            voters.insert(id)
        case .addLearner:
            guard !voters.contains(id), !learners.contains(id), !removed.contains(id) else { return }
            learners.insert(id)
        case .removeNode:
            guard voters.contains(id) || learners.contains(id), voters != [id] else { return }
            voters.remove(id)
            learners.remove(id)
            removed.insert(id)
            attributes[id] = nil
        }
    }

    func peerURLs(of id: UInt64) -> [String] { attributes[id]?.peerURLs ?? [] }

    func encode(to w: inout ByteWriter) {
        let all = attributes.keys.sorted()
        w.int(all.count)
        for id in all {
            let m = attributes[id]!
            w.uvarint(id)
            w.data(Array(m.name.utf8))
            w.int(m.peerURLs.count)
            for u in m.peerURLs { w.data(Array(u.utf8)) }
            w.int(m.clientURLs.count)
            for u in m.clientURLs { w.data(Array(u.utf8)) }
        }
        for set in [voters, learners, removed] {
            w.int(set.count)
            for id in set.sorted() { w.uvarint(id) }
        }
    }

    init() {}

    init(from r: inout ByteReader) throws(MVCCError) {
        for _ in 0..<(try r.count()) {
            let id = try r.uvarint()
            let name = String(decoding: try r.data(), as: UTF8.self)
            var peers: [String] = []
            for _ in 0..<(try r.count()) { peers.append(String(decoding: try r.data(), as: UTF8.self)) }
            var clients: [String] = []
            for _ in 0..<(try r.count()) { clients.append(String(decoding: try r.data(), as: UTF8.self)) }
            attributes[id] = MemberInfo(id: id, name: name, peerURLs: peers, clientURLs: clients)
        }
        var sets: [Set<UInt64>] = []
        for _ in 0..<3 {
            var s = Set<UInt64>()
            for _ in 0..<(try r.count()) { s.insert(try r.uvarint()) }
            sets.append(s)
        }
        voters = sets[0]
        learners = sets[1]
        removed = sets[2]
    }
}

extension MemberInfo {
    func encode(to w: inout ByteWriter) {
        w.uvarint(id)
        w.data(Array(name.utf8))
        w.int(peerURLs.count)
        for u in peerURLs { w.data(Array(u.utf8)) }
        w.int(clientURLs.count)
        for u in clientURLs { w.data(Array(u.utf8)) }
        w.bool(isLearner)
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        let id = try r.uvarint()
        let name = String(decoding: try r.data(), as: UTF8.self)
        var peers: [String] = []
        for _ in 0..<(try r.count()) { peers.append(String(decoding: try r.data(), as: UTF8.self)) }
        var clients: [String] = []
        for _ in 0..<(try r.count()) { clients.append(String(decoding: try r.data(), as: UTF8.self)) }
        self.init(id: id, name: name, peerURLs: peers, clientURLs: clients, isLearner: try r.bool())
    }
}
