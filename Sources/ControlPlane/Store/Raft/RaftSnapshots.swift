// Snapshots: sending one to a follower that needs compacted entries, and installing one received.

extension RaftCore {
    /// Switches `peer` to snapshot mode and sends the latest snapshot. Returns false if none can be sent now.
    mutating func sendSnapshot(to peer: RaftNodeID) -> Bool {
        // A peer we have not heard from lately is probably down; do not ship it a large snapshot blindly.
        guard var pr = tracker[peer], pr.recentActive else { return false }
        guard let snap = try? log.snapshot(), !snap.isEmpty else { return false }
        pr.becomeSnapshot(snap.metadata.index)
        tracker[peer] = pr
        var m = RaftMessage(type: .snapshot, from: id, to: peer, term: term)
        m.snapshot = snap
        send(m)
        return true
    }

    /// The transport reports whether a snapshot reached `peer`. On failure the leader probes again, so
    /// a lost snapshot message does not leave the follower paused forever.
    public mutating func reportSnapshot(to peer: RaftNodeID, failed: Bool) {
        guard role == .leader, var pr = tracker[peer], pr.state == .snapshot else { return }
        if failed { pr.pendingSnapshot = 0 }
        // Wait for the follower's answer (or the next heartbeat) before sending more.
        pr.becomeProbe()
        pr.probeSent = true
        tracker[peer] = pr
    }

    mutating func handleSnapshot(_ m: RaftMessage) {
        guard let snap = m.snapshot else { return }
        var resp = RaftMessage(type: .appendResponse, from: id, to: m.from, term: term)
        resp.index = restore(snap) ? log.lastIndex : log.committed
        send(resp)
    }

    /// Installs `snap` if it is news to us. Returns false when it is stale or our log already has it.
    mutating func restore(_ snap: RaftSnapshot) -> Bool {
        let meta = snap.metadata
        guard meta.index > log.committed else { return false }
        // The snapshot's membership may predate our own addition (the leader's latest snapshot was taken before
        // it added us). We still take it: the entries after it, which we receive next, include our addition,
        // and until we apply that we are simply not promotable. Refusing would leave a new node stuck until
        // the leader happens to take a newer snapshot.
        if log.matchTerm(meta.index, meta.term) {
            // Our log already holds the snapshot's last entry, hence (log matching) everything before it:
            // just commit up to it instead of throwing the log away.
            log.commit(to: meta.index)
            return false
        }
        log.restore(snap)
        tracker = ProgressTracker(conf: meta.confState, maxInflight: tracker.maxInflight)
        tracker.setConf(meta.confState, lastIndex: log.lastIndex)
        return true
    }
}
