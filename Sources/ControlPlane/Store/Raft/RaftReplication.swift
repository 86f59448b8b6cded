// Log replication: the leader's step function, append/heartbeat sending with flow control, the
// follower's handling of appends, and the commit rule.

extension RaftCore {
    mutating func stepLeader(_ m: RaftMessage) throws(RaftError) {
        switch m.type {
        case .propose:
            try handleProposal(m)
        case .readIndex:
            handleReadIndexAsLeader(m)
        case .transferLeader:
            handleTransferLeader(m)
        case .appendResponse:
            handleAppendResponse(m)
        case .heartbeatResponse:
            handleHeartbeatResponse(m)
        default:
            // Votes of our own term (we already won), late vote responses, stray appends: nothing to do.
            break
        }
    }

    private mutating func handleProposal(_ m: RaftMessage) throws(RaftError) {
        guard !m.entries.isEmpty else { throw .malformed("empty proposal") }
        // A leader that removed itself keeps leading only until it steps down; it must not grow the log.
        guard tracker[id] != nil else { throw .proposalDropped }
        // During a transfer the old leader stops accepting work so the transferee can catch up and take over.
        guard leadTransferee == .none else { throw .proposalDropped }
        var entries = m.entries
        for i in entries.indices where entries[i].kind == .confChange {
            var refusal: RaftError? = nil
            if pendingConfIndex > log.applied {
                refusal = .confChangeInProgress
            } else {
                do throws(RaftError) {
                    try validate(try RaftConfChange(decoding: entries[i].data), against: tracker.conf)
                } catch {
                    refusal = error
                }
            }
            if let refusal {
                // A local caller hears why; a forwarded proposal cannot, so its slot becomes an empty entry
                // (keeping the batch's shape) rather than silently vanishing.
                if m.from == id { throw refusal }
                entries[i] = RaftEntry(term: 0, index: 0)
            } else {
                pendingConfIndex = log.lastIndex + UInt64(i) + 1
            }
        }
        appendEntries(entries)
        broadcastAppend()
    }

    /// Stamps new entries with our term and the next indexes and adds them to the unstable log. The leader
    /// counts them towards its own match only once they are persisted (see `advance`).
    mutating func appendEntries(_ entries: [RaftEntry]) {
        let last = log.lastIndex
        var stamped = entries
        for i in stamped.indices {
            stamped[i].term = term
            stamped[i].index = last + 1 + UInt64(i)
        }
        log.append(stamped)
    }

    /// Sends an append (or, if the needed entries are compacted, a snapshot) to `peer` unless flow control
    /// pauses it. With `sendIfEmpty == false` nothing is sent when there are no new entries.
    @discardableResult
    mutating func sendAppend(to peer: RaftNodeID, sendIfEmpty: Bool = true) -> Bool {
        guard var pr = tracker[peer], !pr.isPaused else { return false }
        let prevIndex = pr.next - 1
        guard let prevTerm = try? log.term(prevIndex),
              let entries = try? log.entries(from: pr.next, maxSize: log.maxSizePerMessage)
        else {
            return sendSnapshot(to: peer)
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        var m = RaftMessage(type: .append, from: id, to: peer, term: term)
        m.index = prevIndex
        m.logTerm = prevTerm
        m.entries = entries
        m.commit = log.committed
        pr.sentEntries(count: entries.count)
        tracker[peer] = pr
        send(m)
        return true
    }

    /// An empty append anchored at `next - 1`, sent regardless of flow control. If every message that filled
    /// the inflight window was lost, its answer (accept or reject) is what unblocks the follower.
    private mutating func sendEmptyProbe(to peer: RaftNodeID) {
        guard var pr = tracker[peer] else { return }
        guard let prevTerm = try? log.term(pr.next - 1) else {
            // We compacted past what is in flight: fall back to probing, which sends a snapshot if needed.
            pr.becomeProbe()
            tracker[peer] = pr
            sendAppend(to: peer)
            return
        }
        var m = RaftMessage(type: .append, from: id, to: peer, term: term)
        m.index = pr.next - 1
        m.logTerm = prevTerm
        m.commit = log.committed
        send(m)
    }

    /// The transport reports that a message to `peer` could not be delivered. Optimistic streaming to it stops
    /// until it answers again, instead of filling its inflight window with messages that are being lost.
    public mutating func reportUnreachable(_ peer: RaftNodeID) {
        guard role == .leader, var pr = tracker[peer], pr.state == .replicate else { return }
        pr.becomeProbe()
        tracker[peer] = pr
    }

    mutating func broadcastAppend() {
        for peer in tracker.ids where peer != id { sendAppend(to: peer) }
    }

    mutating func broadcastHeartbeat(context: [UInt8]) {
        for peer in tracker.ids where peer != id {
            guard let pr = tracker[peer] else { continue }
            var m = RaftMessage(type: .heartbeat, from: id, to: peer, term: term)
            // Never tell a follower to commit past what it is known to hold: it might not have those entries.
            m.commit = min(pr.match, log.committed)
            m.context = context
            send(m)
        }
    }

    /// Advances the commit index to the quorum's match if that entry is from our term.
    mutating func maybeCommit() -> Bool {
        log.maybeCommit(index: tracker.committedIndex(), term: term)
    }

    /// After the commit index moved: tell followers and answer reads that waited for a commit in our term.
    mutating func afterCommit() {
        broadcastAppend()
        releasePendingReadRequests()
    }

    private mutating func handleAppendResponse(_ m: RaftMessage) {
        guard var pr = tracker[m.from] else { return }
        pr.recentActive = true
        if m.reject {
            // Skip whole terms that cannot match: the follower told us its term at rejectHint, and our log's terms
            // only grow with the index, so every index where our term exceeds the follower's must mismatch too.
            var nextProbe = m.rejectHint
            if m.logTerm > 0 {
                nextProbe = log.findConflictByTerm(index: m.rejectHint, term: m.logTerm).index
            }
            if pr.maybeDecrease(rejected: m.index, matchHint: nextProbe) {
                if pr.state == .replicate { pr.becomeProbe() }
                tracker[m.from] = pr
                sendAppend(to: m.from)
            } else {
                tracker[m.from] = pr
            }
            return
        }
        let wasPaused = pr.isPaused
        guard pr.maybeUpdate(m.index) || (pr.match == m.index && pr.state == .probe) else {
            tracker[m.from] = pr
            return
        }
        switch pr.state {
        case .probe:
            pr.becomeReplicate()
        case .snapshot:
            // The follower caught up past the snapshot (or past what we compacted): back to normal replication.
            if pr.match + 1 >= log.firstIndex {
                pr.becomeProbe()
                pr.becomeReplicate()
            }
        case .replicate:
            pr.inflights.freeLE(m.index)
        }
        tracker[m.from] = pr
        if maybeCommit() {
            afterCommit()
        } else if wasPaused {
            sendAppend(to: m.from)
        }
        // Stream whatever the window now allows.
        while sendAppend(to: m.from, sendIfEmpty: false) {}
        if m.from == leadTransferee, tracker[m.from]?.match == log.lastIndex {
            sendTimeoutNow(to: m.from)
        }
    }

    private mutating func handleHeartbeatResponse(_ m: RaftMessage) {
        guard var pr = tracker[m.from] else { return }
        pr.recentActive = true
        pr.probeSent = false
        tracker[m.from] = pr
        if pr.state == .replicate && pr.inflights.isFull {
            sendEmptyProbe(to: m.from)
        } else if pr.match < log.lastIndex || pr.state == .probe {
            sendAppend(to: m.from)
        }
        if !m.context.isEmpty { handleReadIndexAck(m) }
    }

    // MARK: Follower side

    mutating func handleAppend(_ m: RaftMessage) {
        var resp = RaftMessage(type: .appendResponse, from: id, to: m.from, term: term)
        if m.index < log.committed {
            // Everything up to our commit index already matches any leader's log; say so and let it skip ahead.
            resp.index = log.committed
        } else if let lastNew = log.maybeAppend(index: m.index, logTerm: m.logTerm, commit: m.commit, entries: m.entries) {
            resp.index = lastNew
        } else {
            // Tell the leader where our log might still agree: the last index at or below its probe whose term
            // is no greater than the one it expected, so it can jump back a term at a time.
            let hint = log.findConflictByTerm(index: min(m.index, log.lastIndex), term: m.logTerm)
            resp.index = m.index
            resp.reject = true
            resp.rejectHint = hint.index
            resp.logTerm = hint.term
        }
        send(resp)
    }

    mutating func handleHeartbeat(_ m: RaftMessage) {
        log.commit(to: m.commit)
        var resp = RaftMessage(type: .heartbeatResponse, from: id, to: m.from, term: term)
        resp.context = m.context
        send(resp)
    }
}
