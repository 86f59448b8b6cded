// Linearizable reads via ReadIndex (Raft thesis §6.4).
//
// The leader records its commit index when a read arrives, then confirms it is still the leader by a
// heartbeat round that carries the request's context. Once a quorum of voters echoes the context, no
// newer leader can have committed anything the recorded index misses, so a state machine that has
// applied up to that index can serve the read. Followers forward reads to the leader and get the
// index back.

/// Reads awaiting leadership confirmation, in arrival order.
struct ReadOnlyQueue {
    struct Pending {
        var index: UInt64
        var request: RaftMessage
        var acks: Set<RaftNodeID>
    }

    private var pending: [[UInt8]: Pending] = [:]
    private var order: [[UInt8]] = []

    mutating func add(index: UInt64, request: RaftMessage) {
        // A duplicated request (e.g. a retransmission) joins the one already waiting.
        guard pending[request.context] == nil else { return }
        pending[request.context] = Pending(index: index, request: request, acks: [])
        order.append(request.context)
    }

    /// Records that `peer` echoed `context`; returns who has acknowledged it so far.
    mutating func ack(from peer: RaftNodeID, context: [UInt8]) -> Set<RaftNodeID>? {
        guard pending[context] != nil else { return nil }
        pending[context]?.acks.insert(peer)
        return pending[context]?.acks
    }

    /// Confirms `context` and, since heartbeats confirm leadership as of the moment they were sent, every
    /// read queued before it. Returns them in order and forgets them.
    mutating func advance(through context: [UInt8]) -> [Pending] {
        guard let position = order.firstIndex(of: context) else { return [] }
        let done = order[...position].compactMap { pending[$0] }
        for ctx in order[...position] { pending[ctx] = nil }
        order.removeFirst(position + 1)
        return done
    }
}

extension RaftCore {
    /// Requests a linearizable read point. When confirmed, a `RaftReadState` with the same context appears in
    /// `Ready.readStates`; serve the read once `index` is applied. `context` must be non-empty and unique
    /// among outstanding requests. Throws `.proposalDropped` when no leader is known.
    public mutating func readIndex(context: [UInt8]) throws(RaftError) {
        guard !context.isEmpty else { throw .malformed("read context must not be empty") }
        var m = RaftMessage(type: .readIndex, from: id, to: id, term: 0)
        m.context = context
        try step(m)
    }

    var committedEntryInCurrentTerm: Bool { (try? log.term(log.committed)) == term }

    mutating func handleReadIndexAsLeader(_ m: RaftMessage) {
        if tracker.conf.voters == [id] {
            // A single voter is its own quorum: nothing to confirm.
            respondToRead(m, index: log.committed)
            return
        }
        // Until an entry of this term commits, our commit index may lag what previous leaders committed,
        // so it is not a safe read point. Hold the request until the no-op entry commits.
        guard committedEntryInCurrentTerm else {
            pendingReadRequests.append(m)
            return
        }
        readOnly.add(index: log.committed, request: m)
        if let acks = readOnly.ack(from: id, context: m.context), hasQuorum(acks) {
            completeReads(through: m.context)
            return
        }
        broadcastHeartbeat(context: m.context)
    }

    mutating func releasePendingReadRequests() {
        guard !pendingReadRequests.isEmpty, committedEntryInCurrentTerm else { return }
        let waiting = pendingReadRequests
        pendingReadRequests = []
        for request in waiting { handleReadIndexAsLeader(request) }
    }

    mutating func handleReadIndexAck(_ m: RaftMessage) {
        guard let acks = readOnly.ack(from: m.from, context: m.context), hasQuorum(acks) else { return }
        completeReads(through: m.context)
    }

    private func hasQuorum(_ acks: Set<RaftNodeID>) -> Bool {
        tracker.conf.voters.filter { acks.contains($0) }.count >= tracker.quorum
    }

    private mutating func completeReads(through context: [UInt8]) {
        for done in readOnly.advance(through: context) {
            respondToRead(done.request, index: done.index)
        }
    }

    private mutating func respondToRead(_ request: RaftMessage, index: UInt64) {
        if request.from == id || request.from == .none {
            readStates.append(RaftReadState(index: index, context: request.context))
        } else {
            var resp = RaftMessage(type: .readIndexResponse, from: id, to: request.from, term: term)
            resp.index = index
            resp.context = request.context
            send(resp)
        }
    }
}
