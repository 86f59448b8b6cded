// Membership changes, one at a time, taking effect when the change entry is applied.
//
// Single-step changes are safe without joint consensus because any two majorities of configurations
// that differ by one voter intersect. Proposals are refused while an earlier change is unapplied
// (`pendingConfIndex`), so at most one change is in flight.

public enum RaftConfChangeType: UInt8, Sendable, Hashable {
    /// Adds a voter, or promotes a learner to voter.
    case addVoter = 1
    /// Adds a non-voting member that receives the log (e.g. to catch up before promotion).
    case addLearner = 2
    /// Removes a voter or learner.
    case removeNode = 3
}

public struct RaftConfChange: Sendable, Hashable {
    public var type: RaftConfChangeType
    public var nodeID: RaftNodeID

    public init(_ type: RaftConfChangeType, _ nodeID: RaftNodeID) {
        self.type = type
        self.nodeID = nodeID
    }

    /// Fixed 9-byte encoding: type, then the node id little-endian.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [type.rawValue]
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: nodeID >> UInt64(shift))) }
        return bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        guard bytes.count == 9, let type = RaftConfChangeType(rawValue: bytes[0]) else {
            throw .malformed("conf change of \(bytes.count) bytes")
        }
        var id: UInt64 = 0
        for i in 0..<8 { id |= UInt64(bytes[1 + i]) << UInt64(8 * i) }
        self.init(type, id)
    }
}

extension RaftCore {
    /// Proposes a membership change. Only the leader accepts it directly (followers forward it, and then
    /// invalid changes are turned into no-ops); it takes effect on each node when applied.
    public mutating func proposeConfChange(_ change: RaftConfChange) throws(RaftError) {
        try validate(change, against: tracker.conf)
        var m = RaftMessage(type: .propose, from: id, to: id, term: 0)
        m.entries = [RaftEntry(term: 0, index: 0, kind: .confChange, data: change.encoded())]
        try step(m)
    }

    func validate(_ change: RaftConfChange, against conf: RaftConfState) throws(RaftError) {
        let node = change.nodeID
        guard node != .none else { throw .invalidConfChange("node id 0") }
        switch change.type {
        case .addVoter:
            if conf.voters.contains(node) { throw .invalidConfChange("\(node) is already a voter") }
        case .addLearner:
            if conf.voters.contains(node) { throw .invalidConfChange("demoting voter \(node) needs joint consensus") }
            if conf.learners.contains(node) { throw .invalidConfChange("\(node) is already a learner") }
        case .removeNode:
            if !conf.contains(node) { throw .invalidConfChange("\(node) is not a member") }
            if conf.voters == [node] { throw .invalidConfChange("cannot remove the last voter") }
        }
    }

    /// Applies a committed change. Every node applies the same entries in the same order, so a change that is
    /// invalid here is invalid everywhere and is skipped everywhere, keeping configurations identical.
    mutating func applyConfChange(_ change: RaftConfChange) {
        guard (try? validate(change, against: tracker.conf)) != nil else { return }
        var voters = tracker.conf.voters
        var learners = tracker.conf.learners
        switch change.type {
        case .addVoter:
            learners.removeAll { $0 == change.nodeID }
            voters.append(change.nodeID)
        case .addLearner:
            learners.append(change.nodeID)
        case .removeNode:
            voters.removeAll { $0 == change.nodeID }
            learners.removeAll { $0 == change.nodeID }
        }
        tracker.setConf(RaftConfState(voters: voters, learners: learners), lastIndex: log.lastIndex)

        guard role == .leader else { return }
        if !tracker.conf.voters.contains(id) {
            // A leader that removed itself hands over by stepping down; the remaining voters elect a successor.
            becomeFollower(term: term, leader: .none)
            return
        }
        if leadTransferee != .none && !tracker.conf.voters.contains(leadTransferee) { leadTransferee = .none }
        // A smaller quorum may already cover more entries.
        if maybeCommit() { afterCommit() } else { broadcastAppend() }
    }
}
