// Simulated clients (puts through proposals, gets through ReadIndex) and membership churn.

@testable import Store

extension RaftSimulation {
    // MARK: Clients

    func startClientOp(_ client: Int) throws(SimFailure) {
        let up = nodes.filter { $0.core != nil && !removed.contains($0.id) }
        guard let node = rng.pick(up), var core = node.core else { return }
        let op = nextOp
        nextOp += 1
        let key = "k\(rng.below(params.keys))"
        let deadline = tick + 40
        if rng.chance(0.5) {
            let value = "v\(op)"
            let call = clock
            do {
                try core.propose(SimCommand.put(op: op, key: key, value: value).encoded)
            } catch {
                // Refused on the spot (no leader, transfer): it certainly did not happen, so it is not in the history.
                node.core = core
                return
            }
            node.core = core
            opsStarted += 1
            history.append(HistoryOp(kind: .put, key: key, value: value, call: call, ret: .max))
            pending[client] = PendingOp(kind: .put, op: op, key: key, node: node.id, incarnation: node.incarnation,
                                        call: call, deadline: deadline, historyIndex: history.count - 1)
            log("client \(client) put \(key)=\(value) via \(node.id)")
        } else {
            let call = clock
            do {
                try core.readIndex(context: Array("\(op)".utf8))
            } catch {
                node.core = core
                return
            }
            node.core = core
            opsStarted += 1
            pending[client] = PendingOp(kind: .get, op: op, key: key, node: node.id, incarnation: node.incarnation,
                                        call: call, deadline: deadline)
            log("client \(client) get \(key) via \(node.id)")
        }
        event()
    }

    func completePut(_ node: SimNode, _ cmd: SimCommand) {
        if case let .marker(op) = cmd, op == marker { return }
        for (client, p) in pending where p.kind == .put && p.op == cmd.op && p.node == node.id && p.incarnation == node.incarnation {
            if let h = p.historyIndex { history[h].ret = clock }
            stats.putsAcked += 1
            pending[client] = nil
            event()
        }
    }

    func attachReadState(_ node: SimNode, _ rs: RaftReadState) {
        let ctx = String(decoding: rs.context, as: UTF8.self)
        for (client, p) in pending where p.kind == .get && "\(p.op)" == ctx && p.node == node.id && p.incarnation == node.incarnation {
            pending[client]?.readIndex = rs.index
        }
    }

    func serveReads(_ node: SimNode) {
        for client in pending.keys.sorted() {
            guard let p = pending[client], p.kind == .get, p.node == node.id, p.incarnation == node.incarnation,
                  let index = p.readIndex, node.kv.applied >= index else { continue }
            history.append(HistoryOp(kind: .get, key: p.key, value: node.kv.values[p.key] ?? "", call: p.call, ret: clock))
            stats.readsServed += 1
            pending[client] = nil
            event()
        }
    }

    func runClients() throws(SimFailure) {
        for client in 0..<params.clients {
            if let p = pending[client] {
                let node = nodes.first { $0.id == p.node }
                if tick > p.deadline || node?.incarnation != p.incarnation {
                    // Abandoned: a put's outcome stays unknown (ret = ∞); a get without answer has no effect.
                    pending[client] = nil
                }
                continue
            }
            if chaos && opsStarted < params.opLimit && rng.chance(0.15) { try startClientOp(client) }
        }
    }

    // MARK: Membership churn

    func maybeChangeMembership() {
        guard params.membershipChurn, rng.chance(0.02) else { return }
        guard let leaderNode = nodes.first(where: { $0.core?.role == .leader }), var core = leaderNode.core else { return }
        let conf = core.confState
        var options: [RaftConfChange] = []
        for n in nodes.map(\.id) where !removed.contains(n) {
            if conf.learners.contains(n) { options.append(RaftConfChange(.addVoter, n)) }
            if !conf.contains(n) { options.append(RaftConfChange(.addLearner, n)) }
            if conf.contains(n) && conf.voters.count > 3 { options.append(RaftConfChange(.removeNode, n)) }
        }
        guard let change = rng.pick(options) else { return }
        do {
            try core.proposeConfChange(change)
            membershipOps.append("t\(tick) \(change.type)(\(change.nodeID))")
            if change.type == .removeNode { removed.insert(change.nodeID) }
            log("propose \(change) on \(leaderNode.id)")
        } catch {}
        leaderNode.core = core
    }
}
