// Deterministic simulation of a Raft cluster: in-memory nodes driven through the real Ready contract,
// a network that drops, delays, reorders and duplicates, partitions that come and go, crashes that lose
// everything not yet persisted, clients doing puts and ReadIndex gets, and safety checks throughout.
// Everything random is drawn from one seeded `SimRandom`, so a seed replays exactly.
//
// A run: `chaosTicks` of faults with client traffic, then the network heals, every node restarts, and
// a marker proposal must be applied on every member within `livenessBound` ticks (liveness); then all
// members must converge to identical state machines, and the client history must be linearizable.
// Clients live in RaftSimClients.swift, invariants in RaftSimInvariants.swift, the PRNG, KV and history
// in RaftSimSupport.swift, the checker in RaftLinearizability.swift.

@testable import Store

struct SimFailure: Error, CustomStringConvertible {
    var seed: UInt64
    var tick: Int
    var message: String
    var description: String {
        "raft simulation seed \(seed) failed at tick \(tick): \(message)\n  replay: SWIFTLET_RAFT_SEED=\(seed) swift test --filter RaftSimulationTests"
    }
}

/// Knobs of one run, drawn from the seed so that seeds explore different mixes of faults.
struct SimParams: CustomStringConvertible {
    var nodes: Int
    var dropRate: Double
    var dupRate: Double
    var maxDelay: Int
    var crashRate: Double
    var crashMidReadyRate: Double
    var partitionRate: Double
    /// Faults aimed at the current leader, which is where the interesting races (figure 8 of the paper) live.
    var leaderFaultRate: Double
    var storm: Bool
    var readyRate: Double
    var snapshotInterval: Int
    var retainEntries: Int
    var maxInflight: Int
    var maxSizePerMessage: UInt64
    var preVote: Bool
    var checkQuorum: Bool
    var membershipChurn: Bool
    var chaosTicks = 400
    var livenessBound = 200
    var clients = 3
    var keys = 3
    /// Total client operations started; keeps per-key histories small enough for the checker.
    var opLimit = 40

    init(seed: UInt64, rng: inout SimRandom) {
        nodes = seed % 2 == 0 ? 3 : 5
        dropRate = rng.unit() * 0.15
        dupRate = rng.unit() * 0.1
        maxDelay = rng.range(1...4)
        // A quarter of the seeds are storms: frequent leader loss and crashes in the middle of a Ready. They make
        // little client progress but are where subtle commit-rule bugs surface; the rest are calmer so that
        // clients build up histories worth checking.
        storm = rng.chance(0.25)
        crashRate = rng.unit() * (storm ? 0.01 : 0.005)
        crashMidReadyRate = rng.unit() * (storm ? 0.03 : 0.004)
        partitionRate = rng.unit() * 0.03
        leaderFaultRate = rng.unit() * (storm ? 0.05 : 0.02)
        readyRate = 0.5 + rng.unit() * 0.5
        snapshotInterval = rng.range(4...20)
        retainEntries = rng.range(0...5)
        maxInflight = rng.range(1...8)
        maxSizePerMessage = rng.chance(0.5) ? 64 : 1 << 20
        preVote = rng.chance(0.75)
        checkQuorum = rng.chance(0.75)
        membershipChurn = nodes == 5 && rng.chance(0.5)
    }

    var description: String {
        "nodes=\(nodes) storm=\(storm) drop=\(dropRate) dup=\(dupRate) delay≤\(maxDelay) crash=\(crashRate) crashMidReady=\(crashMidReadyRate) partition=\(partitionRate) leaderFault=\(leaderFaultRate) ready=\(readyRate) snapEvery=\(snapshotInterval) retain=\(retainEntries) inflight=\(maxInflight) maxMsg=\(maxSizePerMessage) preVote=\(preVote) checkQuorum=\(checkQuorum) churn=\(membershipChurn)"
    }
}

/// What a run exercised, summed over seeds for the report.
struct SimStats {
    var crashes = 0
    /// Crashes in the middle of persisting a Ready, losing its unsynced part.
    var tornWrites = 0
    var snapshotsInstalled = 0
    var leadersElected = 0
    var messagesDelivered = 0
    var putsAcked = 0
    var readsServed = 0
    var transfers = 0

    static func + (a: SimStats, b: SimStats) -> SimStats {
        SimStats(crashes: a.crashes + b.crashes, tornWrites: a.tornWrites + b.tornWrites, snapshotsInstalled: a.snapshotsInstalled + b.snapshotsInstalled,
                 leadersElected: a.leadersElected + b.leadersElected, messagesDelivered: a.messagesDelivered + b.messagesDelivered,
                 putsAcked: a.putsAcked + b.putsAcked, readsServed: a.readsServed + b.readsServed,
                 transfers: a.transfers + b.transfers)
    }
}

final class SimNode {
    let id: RaftNodeID
    /// Any change to the core may change its log, so it drops the invariant checks' cached copy.
    /// (A `didSet` that does not read `oldValue` keeps in-place mutation, SE-0268.)
    var core: RaftCore? { didSet { cachedLog = nil } }
    /// What survived the last Ready: all a restarted node gets back.
    var storage = RaftMemoryStorage()
    var kv = SimKV()
    /// Bumped on every crash, so clients can tell that the node they talked to lost their request.
    var incarnation = 0
    var downUntil = 0
    /// Highest commit index of this node whose entries were checked against the global committed log.
    var checkedCommit: UInt64 = 0
    /// The node's log as last read by the invariant checks; dropped whenever something happens at the node.
    var cachedLog: SimLogView?

    init(id: RaftNodeID) { self.id = id }
}

struct InFlight {
    var deliverAt: Int
    var seq: Int
    var message: RaftMessage
    /// Snapshots carry a transport report back to the sender; a dropped one reports failure on arrival time.
    var droppedSnapshot: Bool
}

struct PendingOp {
    var kind: HistoryOp.Kind
    var op: UInt64
    var key: String
    var node: RaftNodeID
    var incarnation: Int
    var call: Int
    var deadline: Int
    /// Index into the history, for puts (recorded at invocation with an unknown outcome).
    var historyIndex: Int?
    /// For gets: the confirmed read index, once the ReadState arrived.
    var readIndex: UInt64?
}

final class RaftSimulation {
    let seed: UInt64
    var rng: SimRandom
    var params: SimParams
    var nodes: [SimNode] = []
    var initialVoters: [RaftNodeID] = []
    var tick = 0
    /// Event counter: the simulated real-time axis of the client history (finer than ticks).
    var clock = 0
    var network: [InFlight] = []
    var seqCounter = 0
    /// Partition group per node; messages cross only between equal groups.
    var group: [RaftNodeID: Int] = [:]
    var chaos = true
    var trace: Bool

    // Safety bookkeeping.
    var leaderOfTerm: [UInt64: RaftNodeID] = [:]
    /// The one true committed log, as first observed on any node: index → (term, data).
    var committed: [UInt64: RaftEntry] = [:]
    var maxCommitted: UInt64 = 0
    var committedCountAtLastCheck = 0
    /// The committed log again, as flat arrays indexed by log index (0 = not yet seen), for fast checks.
    var committedTerms: [UInt64] = []
    var committedDigests: [UInt64] = []
    /// Upper bound of the term in which each index was committed (leader completeness applies to later terms).
    var commitTermBound: [UInt64] = []

    // Clients.
    var history: [HistoryOp] = []
    var pending: [Int: PendingOp] = [:]
    var opsStarted = 0
    var nextOp: UInt64 = 1
    var marker: UInt64 = 0
    var recoveryTicks = 0
    var membershipOps: [String] = []
    var stats = SimStats()
    var removed: Set<RaftNodeID> = []

    init(seed: UInt64, trace: Bool = false) {
        self.seed = seed
        self.trace = trace
        rng = SimRandom(seed: seed)
        params = SimParams(seed: seed, rng: &rng)
        let count = params.nodes
        nodes = (1...count).map { SimNode(id: RaftNodeID($0)) }
        // With churn, nodes 4 and 5 start outside the cluster and are added (and others removed) at runtime.
        initialVoters = params.membershipChurn ? [1, 2, 3] : nodes.map(\.id)
        for n in nodes { group[n.id] = 0 }
    }

    func fail(_ message: String) -> SimFailure { SimFailure(seed: seed, tick: tick, message: message) }

    func log(_ s: @autoclosure () -> String) { if trace { print("[t\(tick) c\(clock)] \(s())") } }

    // MARK: Node lifecycle

    func start(_ node: SimNode) throws(SimFailure) {
        var config = RaftConfig(id: node.id, randomSeed: rng.next())
        config.maxInflightMessages = params.maxInflight
        config.maxSizePerMessage = params.maxSizePerMessage
        config.preVote = params.preVote
        config.checkQuorum = params.checkQuorum
        // The state machine is volatile: it restarts from the persisted snapshot and replays the log.
        let snap = node.storage.currentSnapshot
        guard let kv = snap.isEmpty ? SimKV() : SimKV(decoding: snap.data) else { throw fail("bad snapshot image on \(node.id)") }
        node.kv = kv
        config.applied = snap.metadata.index
        let fresh = node.storage.lastIndex() == 0 && node.storage.hardState.isEmpty
        let peers = fresh && initialVoters.contains(node.id) ? initialVoters : []
        do {
            node.core = try RaftCore(config: config, storage: node.storage, peers: peers)
        } catch {
            throw fail("node \(node.id) failed to start: \(error)")
        }
        node.checkedCommit = snap.metadata.index
        node.cachedLog = nil
        log("start \(node.id) applied=\(snap.metadata.index) last=\(node.storage.lastIndex())")
    }

    func crash(_ node: SimNode) {
        guard node.core != nil else { return }
        node.core = nil
        node.incarnation += 1
        stats.crashes += 1
        node.downUntil = tick + rng.range(5...30)
        log("crash \(node.id)")
    }

    // MARK: Ready handling (the driver contract)

    func handleReady(_ node: SimNode) throws(SimFailure) {
        guard var core = node.core, core.hasReady else { return }
        let rd = core.ready()
        // A leader's appends leave before its write, as StoreMember sends them; the crash below can then
        // hit a leader whose followers hold entries it lost.
        let (early, afterPersist) = rd.leaderMessages(role: core.role)
        var unreachable: [RaftNodeID] = []
        for m in early where !send(m) && !unreachable.contains(m.to) { unreachable.append(m.to) }
        if chaos && rng.chance(params.crashMidReadyRate / 2) {
            // A crash during the write: what was not yet synced is lost. The WAL keeps a prefix of the batch's
            // entries at most (a torn tail is cut on recovery); the hard state, written after them, and a
            // snapshot are gone. Only a leader's early messages were sent; nothing was applied.
            if rd.snapshot == nil {
                let kept = rng.range(0...rd.entries.count)
                try? node.storage.append(Array(rd.entries.prefix(kept)))
            }
            stats.tornWrites += 1
            crash(node)
            return
        }
        // 1. Persist.
        do {
            if let snap = rd.snapshot { try node.storage.applySnapshot(snap) }
            try node.storage.append(rd.entries)
        } catch {
            throw fail("node \(node.id) storage rejected Ready: \(error)")
        }
        if let hs = rd.hardState { node.storage.setHardState(hs) }
        if chaos && rng.chance(params.crashMidReadyRate) {
            // Durable but nothing (beyond a leader's appends) sent or applied: the restart must cope.
            crash(node)
            return
        }
        // 2. Send the rest.
        for m in afterPersist where !send(m) && !unreachable.contains(m.to) { unreachable.append(m.to) }
        // 3. Apply.
        if let snap = rd.snapshot {
            guard let kv = SimKV(decoding: snap.data) else { throw fail("bad snapshot image from leader") }
            node.kv = kv
            node.checkedCommit = max(node.checkedCommit, snap.metadata.index)
            stats.snapshotsInstalled += 1
            log("node \(node.id) installed snapshot \(snap.metadata.index) conf \(snap.metadata.confState) with \(kv.values.count) keys")
        }
        for e in rd.committedEntries {
            try checkApplied(node, e)
            if let cmd = node.kv.apply(e) { completePut(node, cmd) }
            node.kv.applied = e.index
        }
        for rs in rd.readStates { attachReadState(node, rs) }
        core.advance(rd)
        node.core = core
        for peer in unreachable { node.core?.reportUnreachable(peer) }
        serveReads(node)
        try maybeCompact(node)
        try checkCommitted(node)
        event()
    }

    func maybeCompact(_ node: SimNode) throws(SimFailure) {
        guard let core = node.core else { return }
        let applied = core.appliedIndex
        let snapIndex = node.storage.currentSnapshot.metadata.index
        guard applied >= snapIndex + UInt64(params.snapshotInterval), applied <= node.storage.lastIndex() else { return }
        do {
            try node.storage.createSnapshot(index: applied, confState: core.confState, data: node.kv.encoded)
            let keep = UInt64(params.retainEntries)
            if applied > keep, applied - keep >= node.storage.firstIndex() {
                try node.storage.compact(applied - keep)
            }
        } catch {
            throw fail("node \(node.id) compaction failed: \(error)")
        }
    }

    // MARK: Network

    func linked(_ a: RaftNodeID, _ b: RaftNodeID) -> Bool { group[a] == group[b] }

    /// Puts a message on the wire. Returns false when the peer is cut off by a partition, which a real
    /// transport notices (the connection fails) and reports; random loss is silent.
    @discardableResult
    func send(_ m: RaftMessage) -> Bool {
        let reachable = linked(m.from, m.to)
        let lost = !reachable || rng.chance(params.dropRate)
        if m.type == .snapshot {
            // Keep the message either way: on its arrival time the transport reports the outcome to the leader.
            network.append(InFlight(deliverAt: tick + rng.range(1...params.maxDelay), seq: nextSeq(), message: m, droppedSnapshot: lost))
            return reachable
        }
        guard !lost else { return reachable }
        let copies = rng.chance(params.dupRate) ? 2 : 1
        for _ in 0..<copies {
            network.append(InFlight(deliverAt: tick + rng.range(1...params.maxDelay), seq: nextSeq(), message: m, droppedSnapshot: false))
        }
        return true
    }

    func nextSeq() -> Int { seqCounter += 1; return seqCounter }

    func deliverDue() throws(SimFailure) {
        var due = network.filter { $0.deliverAt <= tick }
        network.removeAll { $0.deliverAt <= tick }
        due.sort { $0.seq < $1.seq }
        rng.shuffle(&due)
        for item in due {
            let m = item.message
            let target = nodes.first { $0.id == m.to }
            let arrives = !item.droppedSnapshot && linked(m.from, m.to) && target?.core != nil
            if m.type == .snapshot, let sender = nodes.first(where: { $0.id == m.from }), sender.core != nil {
                sender.core?.reportSnapshot(to: m.to, failed: !arrives)
            }
            guard arrives, let node = target else { continue }
            stats.messagesDelivered += 1
            log("deliver \(m.type) \(m.from)→\(m.to) term \(m.term) idx \(m.index) logTerm \(m.logTerm) commit \(m.commit) n\(m.entries.count)\(m.reject ? " reject hint \(m.rejectHint)" : "")")
            do {
                try node.core?.step(m)
            } catch {
                // Refusals (e.g. a forwarded proposal reaching a node without leader) are normal under chaos.
            }
            event()
            if rng.chance(params.readyRate) || !chaos { try handleReady(node) }
            try checkAfterStep(node)
        }
    }

    // MARK: Main loop

    func runTick() throws(SimFailure) {
        tick += 1
        if chaos {
            for n in nodes where n.core != nil && rng.chance(params.crashRate) { crash(n) }
            if rng.chance(params.partitionRate) {
                let split = rng.chance(0.7)
                for n in nodes { group[n.id] = split ? rng.below(2) : 0 }
                log("partition \(nodes.map { "\($0.id):\(group[$0.id] ?? 0)" })")
            }
            if rng.chance(params.leaderFaultRate), let leaderNode = nodes.first(where: { $0.core?.role == .leader }) {
                if rng.chance(0.5) {
                    crash(leaderNode)
                } else {
                    // Cut the leader off, possibly with one companion, leaving the rest to elect someone else.
                    let companion = rng.pick(nodes.filter { $0.id != leaderNode.id })
                    for n in nodes { group[n.id] = (n.id == leaderNode.id || (rng.chance(0.5) && n.id == companion?.id)) ? 1 : 0 }
                    log("isolate leader \(leaderNode.id)")
                }
            }
            maybeChangeMembership()
            if rng.chance(0.01), let leaderNode = nodes.first(where: { $0.core?.role == .leader }),
               let target = rng.pick(leaderNode.core?.confState.voters ?? []) {
                stats.transfers += 1
                try? leaderNode.core?.transferLeadership(to: target)
                log("transfer leadership \(leaderNode.id) → \(target)")
            }
        }
        for n in nodes where n.core == nil && tick >= n.downUntil && (!chaos || rng.chance(0.5)) { try start(n) }
        var order = nodes
        rng.shuffle(&order)
        for n in order where n.core != nil {
            n.core?.tick()
            event()
            if rng.chance(params.readyRate) || !chaos { try handleReady(n) }
            try checkAfterStep(n)
        }
        try deliverDue()
        try runClients()
        for n in order where rng.chance(params.readyRate) || !chaos {
            try handleReady(n)
            try checkAfterStep(n)
        }
    }

    /// Runs chaos, then heals everything and requires progress within `livenessBound` ticks.
    func run() throws(SimFailure) {
        log("params \(params)")
        for n in nodes { try start(n) }
        while tick < params.chaosTicks { try runTick() }

        // Heal: no partitions, no loss, everyone up, prompt Ready handling.
        chaos = false
        for n in nodes { group[n.id] = 0 }
        params.dropRate = 0
        params.dupRate = 0
        let healedAt = tick
        marker = nextOp
        nextOp += 1
        var proposed = false
        while true {
            try runTick()
            let members = currentMembers()
            if members.allSatisfy({ id in nodes.first { $0.id == id }?.kv.seen.contains(marker) == true }) {
                break
            }
            if tick - healedAt > params.livenessBound {
                throw fail("liveness: marker not applied on all members \(members) within \(params.livenessBound) ticks after heal (proposed=\(proposed))\(stateDump())")
            }
            // Retry the marker through whichever node leads now; it is deduplicated if it lands twice.
            if (tick - healedAt) % 5 == 1, let leaderNode = nodes.first(where: { $0.core?.role == .leader }) {
                do {
                    try leaderNode.core?.propose(SimCommand.marker(op: marker).encoded)
                    proposed = true
                } catch {}
            }
        }
        recoveryTicks = tick - healedAt
        // Convergence: every member applies everything committed; then their state machines must be identical.
        let convergeStart = tick
        var members: [SimNode] = []
        while true {
            members = currentMembers().compactMap { id in nodes.first { $0.id == id } }
            let target = nodes.compactMap { $0.core?.committedIndex }.max() ?? 0
            if members.allSatisfy({ $0.kv.applied >= target }) { break }
            if tick - convergeStart > params.livenessBound {
                throw fail("convergence: members did not apply up to \(target) within \(params.livenessBound) ticks\(stateDump())")
            }
            try runTick()
        }
        if let first = members.first, let odd = members.first(where: { $0.kv.values != first.kv.values }) {
            var expected = SimKV()
            for i in 1...max(maxCommitted, 1) { if let e = committed[i] { expected.apply(e) } }
            let all = nodes.map { "\n  \($0.id): applied \($0.kv.applied) \($0.kv.values.sorted { $0.key < $1.key })" }.joined()
            throw fail("state machines diverged (\(first.id) vs \(odd.id)); committed log gives \(expected.values.sorted { $0.key < $1.key })\(all)\(stateDump())")
        }
        if let key = LinearizabilityChecker.firstViolation(history) {
            let ops = history.filter { $0.key == key }.map { "  \($0)" }.joined(separator: "\n")
            throw fail("history of \(key) is not linearizable:\n\(ops)")
        }
    }
}
