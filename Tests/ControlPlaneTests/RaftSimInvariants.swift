// Safety invariants checked while the simulation runs, and failure diagnostics.
//
// - Election safety: at most one leader per term (after every tick, delivery and Ready).
// - State-machine safety: every node applies the same entry at a given index (at every apply).
// - Commit safety: what any node considers committed agrees with the global committed log (every Ready).
// - Log matching: same index and term imply identical prefixes (every tick, across all pairs of live nodes).
// - Leader completeness: leaders hold every entry committed in an earlier term (every tick).

@testable import ControlPlane

extension RaftSimulation {
    // MARK: Safety checks

    /// Advances the event clock: the real-time axis of client histories, finer than ticks.
    func event() {
        clock += 1
    }

    func checkElectionSafety() throws(SimFailure) {
        for n in nodes {
            guard let core = n.core, core.role == .leader else { continue }
            if let other = leaderOfTerm[core.term], other != n.id {
                throw fail("election safety: \(other) and \(n.id) both led term \(core.term)")
            }
            if leaderOfTerm[core.term] == nil { stats.leadersElected += 1 }
            leaderOfTerm[core.term] = n.id
        }
    }

    func record(_ e: RaftEntry, on node: SimNode, what: String) throws(SimFailure) {
        if let known = committed[e.index] {
            if known != e { throw fail("\(what): node \(node.id) has \(e) at \(e.index), others \(known)") }
        } else {
            committed[e.index] = e
            maxCommitted = max(maxCommitted, e.index)
        }
        // A node learns of a commit from the leader of its current term (or later), so its term bounds the
        // term in which the entry was committed from above; keep the tightest bound seen.
        if let term = node.core?.term {
            commitTerm[e.index] = min(commitTerm[e.index] ?? .max, term)
        }
    }

    /// State-machine safety: everything applied anywhere at an index is the same entry.
    func checkApplied(_ node: SimNode, _ e: RaftEntry) throws(SimFailure) {
        if e.index != node.kv.applied + 1 && node.kv.applied != 0 {
            throw fail("node \(node.id) applied \(e.index) after \(node.kv.applied)")
        }
        try record(e, on: node, what: "state-machine safety")
    }

    /// Commit safety: what a node considers committed agrees with the global committed log.
    func checkCommitted(_ node: SimNode) throws(SimFailure) {
        guard let core = node.core, core.committedIndex > node.checkedCommit else { return }
        let lo = max(node.checkedCommit + 1, core.firstIndex)
        if lo <= core.committedIndex {
            guard let entries = try? core.entries(lo, core.committedIndex + 1) else { throw fail("node \(node.id) lost committed entries") }
            for e in entries { try record(e, on: node, what: "commit safety") }
        }
        node.checkedCommit = core.committedIndex
    }

    func fullLog(_ core: RaftCore) -> [RaftEntry] {
        (try? core.entries(core.firstIndex, core.lastIndex + 1)) ?? []
    }

    /// Log matching: if two logs hold an entry with the same index and term, they agree up to it.
    func checkLogMatching() throws(SimFailure) {
        let up = nodes.compactMap { n in n.core.map { (n.id, $0.firstIndex, fullLog($0)) } }
        for i in 0..<up.count {
            for j in (i + 1)..<up.count {
                let (a, aFirst, aLog) = up[i], (b, bFirst, bLog) = up[j]
                let lo = max(aFirst, bFirst)
                let hi = min(aFirst + UInt64(aLog.count), bFirst + UInt64(bLog.count))
                guard lo < hi else { continue }
                var idx = hi - 1
                while idx >= lo && aLog[Int(idx - aFirst)].term != bLog[Int(idx - bFirst)].term {
                    if idx == lo { break }
                    idx -= 1
                }
                guard aLog[Int(idx - aFirst)].term == bLog[Int(idx - bFirst)].term else { continue }
                for k in lo...idx where aLog[Int(k - aFirst)] != bLog[Int(k - bFirst)] {
                    throw fail("log matching: nodes \(a) and \(b) agree on term at \(idx) but differ at \(k)")
                }
            }
        }
    }

    /// Leader completeness: a leader holds every entry committed in an earlier term (unless it compacted it).
    func checkLeaderCompleteness() throws(SimFailure) {
        for n in nodes {
            guard let core = n.core, core.role == .leader, maxCommitted > 0 else { continue }
            let lo = max(core.firstIndex, 1)
            guard lo <= maxCommitted else { continue }
            let entries = (try? core.entries(lo, min(maxCommitted, core.lastIndex) + 1)) ?? []
            for i in lo...maxCommitted {
                guard let want = committed[i], let t = commitTerm[i], t < core.term else { continue }
                let pos = Int(i - lo)
                guard pos < entries.count, entries[pos] == want else {
                    let have = pos < entries.count ? "\(entries[pos])" : "nothing"
                    throw fail("leader completeness: leader \(n.id) of term \(core.term) has \(have) at \(i), committed by term \(t) was \(want)")
                }
            }
        }
    }

    /// Node and leader-progress summary for failure messages.
    func stateDump() -> String {
        let roles = nodes.map { n in
            let state = n.core.map { "\($0.role)@\($0.term) c\($0.committedIndex) a\($0.appliedIndex) f\($0.firstIndex) l\($0.lastIndex) conf\($0.confState.voters)/\($0.confState.learners)" } ?? "down"
            return "\n  \(n.id): \(state) snap\(n.storage.currentSnapshot.metadata.index)"
        }.joined()
        let progress = nodes.first { $0.core?.role == .leader }.flatMap { l in l.core.map { core in
            nodes.map { n in core.progress(of: n.id).map { "\n  pr[\(n.id)] \($0.state) m\($0.match) n\($0.next) active=\($0.recentActive) pend=\($0.pendingSnapshot) paused=\($0.isPaused)" } ?? "" }.joined()
        } } ?? ""
        return "\(roles)\(progress)\n  membership: \(membershipOps)"
    }

    /// Members according to the committed log: the bootstrap entries and every committed change, replayed
    /// with the same validity rules the core applies.
    func currentMembers() -> [RaftNodeID] {
        var voters: [RaftNodeID] = [], learners: [RaftNodeID] = []
        for i in 1...max(maxCommitted, 1) {
            guard let e = committed[i], e.kind == .confChange, let cc = try? RaftConfChange(decoding: e.data) else { continue }
            switch cc.type {
            case .addVoter:
                if !voters.contains(cc.nodeID) { voters.append(cc.nodeID) }
                learners.removeAll { $0 == cc.nodeID }
            case .addLearner:
                if !voters.contains(cc.nodeID) && !learners.contains(cc.nodeID) { learners.append(cc.nodeID) }
            case .removeNode:
                if voters != [cc.nodeID] {
                    voters.removeAll { $0 == cc.nodeID }
                    learners.removeAll { $0 == cc.nodeID }
                }
            }
        }
        return (voters + learners).sorted()
    }
}
