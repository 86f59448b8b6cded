// Safety invariants checked while the simulation runs, and failure diagnostics.
//
// After every step (a node's tick, a message delivery, a Ready handled), `checkAfterStep` verifies:
// - Election safety: at most one leader per term.
// - Log matching: same index and term imply identical prefixes, across all pairs of live nodes.
// - Leader completeness: leaders hold every entry committed in an earlier term.
// And as they happen:
// - State-machine safety: every node applies the same entry at a given index (at every apply).
// - Commit safety: what any node considers committed agrees with the global committed log (every Ready).

@testable import Store

extension RaftSimulation {
    // MARK: Safety checks

    /// Advances the event clock: the real-time axis of client histories, finer than ticks.
    func event() {
        clock += 1
    }

    /// Runs after anything happened at `node` (a tick, a delivery, a Ready). Only that node's log can have
    /// changed, so log matching compares it against every other live node; leader completeness re-checks
    /// that node if it leads, and every leader if the committed log grew.
    func checkAfterStep(_ node: SimNode) throws(SimFailure) {
        try checkElectionSafety(node)
        guard node.core != nil else { return }
        for other in nodes where other !== node && other.core != nil {
            try checkLogMatching(node, other)
        }
        if committed.count != committedCountAtLastCheck {
            committedCountAtLastCheck = committed.count
            for n in nodes where n.core?.role == .leader { try checkLeaderCompleteness(n) }
        } else if node.core?.role == .leader {
            try checkLeaderCompleteness(node)
        }
    }

    /// Only the node a step happened at can have changed role or term.
    func checkElectionSafety(_ n: SimNode) throws(SimFailure) {
        guard n.core?.role == .leader, let term = n.core?.term else { return }
        if let other = leaderOfTerm[term], other != n.id {
            throw fail("election safety: \(other) and \(n.id) both led term \(term)")
        }
        if leaderOfTerm[term] == nil { stats.leadersElected += 1 }
        leaderOfTerm[term] = n.id
    }

    func record(_ e: RaftEntry, on node: SimNode, what: String) throws(SimFailure) {
        let i = Int(e.index)
        if i >= committedTerms.count {
            committedTerms += Array(repeating: 0, count: i + 64 - committedTerms.count)
            committedDigests += Array(repeating: 0, count: i + 64 - committedDigests.count)
            commitTermBound += Array(repeating: .max, count: i + 64 - commitTermBound.count)
        }
        if committedTerms[i] != 0 {
            if committedTerms[i] != e.term || committedDigests[i] != e.digest {
                throw fail("\(what): node \(node.id) has \(e) at \(e.index), others \(committed[e.index].map { "\($0)" } ?? "?")")
            }
        } else {
            committed[e.index] = e
            committedTerms[i] = e.term
            committedDigests[i] = e.digest
            maxCommitted = max(maxCommitted, e.index)
        }
        // A node learns of a commit from the leader of its current term (or later), so its term bounds the
        // term in which the entry was committed from above; keep the tightest bound seen.
        if let term = node.core?.term { commitTermBound[i] = min(commitTermBound[i], term) }
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

    /// A node's whole in-memory log (stored and unstable) as terms and digests, cached until the core changes.
    func currentLog(_ node: SimNode) -> SimLogView {
        if let cached = node.cachedLog { return cached }
        guard let core = node.core else { return SimLogView(first: 0, terms: [], digests: []) }
        let entries = (try? core.entries(core.firstIndex, core.lastIndex + 1)) ?? []
        var view = SimLogView(first: core.firstIndex, terms: [], digests: [])
        view.terms.reserveCapacity(entries.count)
        view.digests.reserveCapacity(entries.count)
        var i = 0
        while i < entries.count {
            view.terms.append(entries[i].term)
            view.digests.append(entries[i].digest)
            i += 1
        }
        node.cachedLog = view
        return view
    }

    /// Log matching: if two logs hold an entry with the same index and term, they agree up to it.
    /// (Index loops rather than range iteration: this runs after every step, in debug builds.)
    func checkLogMatching(_ a: SimNode, _ b: SimNode) throws(SimFailure) {
        let x = currentLog(a), y = currentLog(b)
        let lo = max(x.first, y.first)
        let hi = min(x.first + UInt64(x.terms.count), y.first + UInt64(y.terms.count))
        guard lo < hi else { return }
        let dx = Int(lo - x.first), dy = Int(lo - y.first), n = Int(hi - lo)
        // Highest common position with equal terms; everything from the overlap's start up to it must be equal.
        var top = n - 1
        while x.terms[dx + top] != y.terms[dy + top] {
            if top == 0 { return }
            top -= 1
        }
        var k = 0
        while k <= top {
            if x.terms[dx + k] != y.terms[dy + k] || x.digests[dx + k] != y.digests[dy + k] {
                throw fail("log matching: nodes \(a.id) and \(b.id) agree on term at \(lo + UInt64(top)) but differ at \(lo + UInt64(k))")
            }
            k += 1
        }
    }

    /// Leader completeness: a leader holds every entry committed in an earlier term (unless it compacted it).
    func checkLeaderCompleteness(_ n: SimNode) throws(SimFailure) {
        guard n.core?.role == .leader, let term = n.core?.term, maxCommitted > 0 else { return }
        let log = currentLog(n)
        var c = Int(max(log.first, 1))
        let end = Int(maxCommitted)
        while c <= end {
            defer { c += 1 }
            guard committedTerms[c] != 0, commitTermBound[c] < term else { continue }
            let pos = c - Int(log.first)
            guard pos < log.terms.count, log.terms[pos] == committedTerms[c], log.digests[pos] == committedDigests[c] else {
                throw fail("leader completeness: leader \(n.id) of term \(term) lacks \(committed[UInt64(c)].map { "\($0)" } ?? "?") committed by term \(commitTermBound[c])")
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
