// Binary encoding of Raft messages for the peer transport: varints and length-prefixed bytes (the
// store's ByteWriter), one message per frame. Decoding checks every length against what is left, so a
// damaged or hostile frame is refused, never trusted.

extension RaftMessageType {
    var wireCode: UInt8 {
        switch self {
        case .propose: 1
        case .append: 2
        case .appendResponse: 3
        case .vote: 4
        case .voteResponse: 5
        case .preVote: 6
        case .preVoteResponse: 7
        case .snapshot: 8
        case .heartbeat: 9
        case .heartbeatResponse: 10
        case .transferLeader: 11
        case .timeoutNow: 12
        case .readIndex: 13
        case .readIndexResponse: 14
        }
    }

    init?(wireCode: UInt8) {
        let all: [RaftMessageType] = [.propose, .append, .appendResponse, .vote, .voteResponse, .preVote,
                                      .preVoteResponse, .snapshot, .heartbeat, .heartbeatResponse,
                                      .transferLeader, .timeoutNow, .readIndex, .readIndexResponse]
        guard let t = all.first(where: { $0.wireCode == wireCode }) else { return nil }
        self = t
    }
}

extension RaftMessage {
    func wireEncoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64 + entries.reduce(0) { $0 + $1.data.count + 24 } + (snapshot?.data.count ?? 0))
        w.u8(type.wireCode)
        w.uvarint(from)
        w.uvarint(to)
        w.uvarint(term)
        w.uvarint(logTerm)
        w.uvarint(index)
        w.uvarint(commit)
        w.bool(reject)
        w.uvarint(rejectHint)
        w.bool(isTransfer)
        w.data(context)
        w.uvarint(UInt64(entries.count))
        for e in entries {
            w.uvarint(e.term)
            w.uvarint(e.index)
            w.u8(e.kind.rawValue)
            w.data(e.data)
        }
        if let s = snapshot {
            w.u8(1)
            w.uvarint(s.metadata.index)
            w.uvarint(s.metadata.term)
            w.uvarint(UInt64(s.metadata.confState.voters.count))
            for v in s.metadata.confState.voters { w.uvarint(v) }
            w.uvarint(UInt64(s.metadata.confState.learners.count))
            for l in s.metadata.confState.learners { w.uvarint(l) }
            w.data(s.data)
        } else {
            w.u8(0)
        }
        return w.bytes
    }

    init(wire bytes: [UInt8]) throws(MVCCError) {
        var r = ByteReader(bytes)
        guard let type = RaftMessageType(wireCode: try r.byte()) else { throw .corrupt("unknown raft message type") }
        let from = try r.uvarint(), to = try r.uvarint(), term = try r.uvarint()
        self.init(type: type, from: from, to: to, term: term)
        logTerm = try r.uvarint()
        index = try r.uvarint()
        commit = try r.uvarint()
        reject = try r.bool()
        rejectHint = try r.uvarint()
        isTransfer = try r.bool()
        context = try r.data()
        let n = try r.count()
        entries.reserveCapacity(n)
        for _ in 0..<n {
            let t = try r.uvarint(), i = try r.uvarint()
            guard let kind = RaftEntryKind(rawValue: try r.byte()) else { throw .corrupt("unknown entry kind") }
            entries.append(RaftEntry(term: t, index: i, kind: kind, data: try r.data()))
        }
        if try r.bool() {
            let i = try r.uvarint(), t = try r.uvarint()
            var voters: [RaftNodeID] = []
            for _ in 0..<(try r.count()) { voters.append(try r.uvarint()) }
            var learners: [RaftNodeID] = []
            for _ in 0..<(try r.count()) { learners.append(try r.uvarint()) }
            snapshot = RaftSnapshot(metadata: RaftSnapshotMetadata(index: i, term: t, confState: RaftConfState(voters: voters, learners: learners)),
                                    data: try r.data())
        }
        guard r.atEnd else { throw .corrupt("trailing bytes after raft message") }
    }
}
