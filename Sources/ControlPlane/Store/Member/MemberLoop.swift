// The driver of one member: owns the RaftCore, its durable storage, the applied store and every waiting
// request, and runs on its own thread (see MemberThread.swift). One iteration: take the inbox, tick the
// clock, then handle every Ready: persist (fsync) → send → apply → complete, as RaftReady's contract
// says (a leader sends its appends before its own fsync). Inputs that arrive while a Ready is being persisted wait in the inbox and go into the next one,
// so under load there is one fsync per batch, not per request.

import Glibc
import Logging

/// Sendable only so its thread can be started with it: every member of it is touched on that thread alone.
final class MemberLoop: @unchecked Sendable {
    let id: RaftNodeID
    let clusterID: UInt64
    let config: StoreMemberConfig
    let inbox: Inbox<MemberInput>
    let storage: DurableRaftStorage
    var core: RaftCore
    var transport: (any RaftTransport)?
    let logger: Logger

    var watchable: WatchableStore
    var membership: Membership
    /// Index of the last entry applied to `watchable` and `membership`.
    var appliedIndex: UInt64
    var snapshotIndex: UInt64

    // Waiting requests.
    var waitingForLeader: [Proposal] = []
    var inflight: [UInt64: Proposal] = [:]
    var confWaiting: [ConfChangeRequest] = []
    var confInflight: [RaftConfChange: ConfChangeRequest] = [:]
    var readQueue: [ReadRequest] = []
    var readBatch: (context: [UInt8], issued: Int64, reads: [ReadRequest])?
    var readsAwaitingApply: [(index: UInt64, reads: [ReadRequest])] = []
    var nextReadContext: UInt64 = 1

    // Watches.
    var watchSinks: [Int64: WatchSink] = [:]
    var watchByToken: [UInt64: Int64] = [:]
    var lastProgressNotify: Int64

    // Leadership duties.
    var wasLeader = false
    var revoking: [Int64: Int64] = [:]
    var attributesPublished = false
    var lastPublishAttempt: Int64 = 0
    let requestIDs: RequestIDGenerator

    /// Synced writes so far (each is one fdatasync at least); tests check that load is batched.
    var persistCount = 0
    var proposalCount = 0

    // Life cycle.
    var nextTick: Int64
    var stopRequested = false
    var stopDeadline: Int64 = 0
    var removed = false
    var fatal: (any Error)?
    let onExit: @Sendable (StoreMemberExit) -> Void
    /// What other threads may read without a round trip to the loop (response headers).
    let observables: MemberObservables
    var dbSizeCache: (at: Int64, size: Int64)? = nil

    init(id: RaftNodeID, clusterID: UInt64, config: StoreMemberConfig, inbox: Inbox<MemberInput>,
         storage: DurableRaftStorage, core: RaftCore, watchable: WatchableStore, membership: Membership,
         appliedIndex: UInt64, requestIDs: RequestIDGenerator, logger: Logger, observables: MemberObservables,
         onExit: @escaping @Sendable (StoreMemberExit) -> Void) {
        self.id = id
        self.clusterID = clusterID
        self.config = config
        self.inbox = inbox
        self.storage = storage
        self.core = core
        self.watchable = watchable
        self.membership = membership
        self.appliedIndex = appliedIndex
        self.snapshotIndex = appliedIndex
        self.requestIDs = requestIDs
        self.logger = logger
        self.onExit = onExit
        self.observables = observables
        let now = monotonicMilliseconds()
        nextTick = now + Int64(config.tickMilliseconds)
        lastProgressNotify = now
    }

    var tickMs: Int64 { Int64(config.tickMilliseconds) }

    // MARK: The loop

    func run() {
        do {
            try handleReadies()
            transport?.updatePeers(membership, self: id)
            // A single-voter cluster need not wait an election timeout for itself.
            if core.confState.voters == [id] { core.campaign() }
            try handleReadies()
            while true {
                let inputs = inbox.take(until: nextTick)
                for input in inputs { try handle(input) }
                let now = monotonicMilliseconds()
                var ticks = 0
                while now >= nextTick {
                    // After a long stall (a slow disk) tick at most a few times, not a burst of elections.
                    if ticks < 3 { core.tick() }
                    ticks += 1
                    nextTick += tickMs
                }
                if ticks > 0 { onTick(now: now) }
                try handleReadies()
                deliverWatches()
                publishObservables()
                if removed { break }
                // A graceful stop waits (bounded) until the leadership transfer went through.
                if stopRequested && (stopDeadline == 0 || now >= stopDeadline || core.leader != id) { break }
            }
        } catch {
            fatal = error
            logger.error("store member stopping after a failure", metadata: ["error": "\(error)"])
        }
        shutDown()
    }

    private func handle(_ input: MemberInput) throws {
        switch input {
        case .propose(let p): submit(p)
        case .read(let r): readQueue.append(r)
        case .confChange(let c): submitConfChange(c)
        case .peerMessage(let m): stepPeerMessage(m)
        case .watch(let w): addWatch(w)
        case .cancelWatch(let token): cancelWatch(token: token)
        case .run(let body): body(self)
        case .unreachable(let peer): core.reportUnreachable(peer)
        case .snapshotStatus(let peer, let failed): core.reportSnapshot(to: peer, failed: failed)
        case .stop(let transfer): beginStop(transferLeadership: transfer)
        case .removedByPeer(let peer):
            logger.warning("a peer reports this member was removed from the cluster; stopping",
                           metadata: ["member": "\(memberIDString(id))", "peer": "\(memberIDString(peer))"])
            removed = true
        }
    }

    private func stepPeerMessage(_ m: RaftMessage) {
        // Messages from members no longer in the configuration are ignored (etcd drops them too).
        if membership.removed.contains(m.from) { return }
        do { try core.step(m) } catch {
            logger.debug("dropped peer message", metadata: ["type": "\(m.type)", "from": "\(memberIDString(m.from))",
                                                             "error": "\(error)"])
        }
    }

    private func beginStop(transferLeadership: Bool) {
        guard !stopRequested else { return }
        stopRequested = true
        stopDeadline = monotonicMilliseconds() + tickMs * Int64(config.electionTicks) * 2
        guard transferLeadership, core.role == .leader else {
            stopDeadline = 0
            return
        }
        // Hand leadership to the most up-to-date voter, as etcd does on a graceful stop, so the cluster
        // does not sit an election timeout without a leader.
        let candidates = core.confState.voters.filter { $0 != id }
        guard let best = candidates.max(by: { (core.progress(of: $0)?.match ?? 0) < (core.progress(of: $1)?.match ?? 0) }) else {
            stopDeadline = 0
            return
        }
        try? core.transferLeadership(to: best)
    }

    // MARK: Ready

    func handleReadies() throws {
        while core.hasReady {
            let rd = core.ready()
            // A leader's appends leave now, so the followers write while we do (RaftReady.leaderMessages).
            let (early, afterPersist) = rd.leaderMessages(role: core.role)
            if !early.isEmpty { transport?.send(early) }
            if !rd.entries.isEmpty || rd.snapshot != nil || rd.mustSync || rd.hardState != nil {
                try storage.persist(hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot, sync: rd.mustSync)
                if rd.mustSync || rd.snapshot != nil { persistCount += 1 }
            }
            if !afterPersist.isEmpty { transport?.send(afterPersist) }
            if let snap = rd.snapshot { try restore(snap) }
            apply(rd.committedEntries)
            for state in rd.readStates { readIndexConfirmed(state) }
            core.advance(rd)
            // Only now may the core be called again (RaftReady's contract): react to a new leader here.
            if let soft = rd.softState { leaderChanged(soft) }
            try maybeSnapshot()
        }
        serveReads()
    }

    private func leaderChanged(_ soft: RaftSoftState) {
        let isLeader = soft.role == .leader
        if isLeader && !wasLeader {
            logger.info("became leader", metadata: ["member": "\(memberIDString(id))", "term": "\(core.term)"])
            // A new leader cannot know how long leases went unrenewed under the old one: renew them all.
            propose(entry: MemberEntry.command(requestID: 0, .leaseRenewAll(now: wallMilliseconds())))
            revoking = [:]
        }
        wasLeader = isLeader
        if soft.leader != .none {
            if !attributesPublished && !stopRequested {
                lastPublishAttempt = monotonicMilliseconds()
                publishAttributes()
            }
            // Proposals that waited for a leader can go now.
            let waiting = waitingForLeader
            waitingForLeader = []
            for p in waiting { submit(p) }
            let confs = confWaiting
            confWaiting = []
            for c in confs { submitConfChange(c) }
        }
    }

    // MARK: Apply

    private func apply(_ entries: [RaftEntry]) {
        for entry in entries where entry.index > appliedIndex {
            switch entry.kind {
            case .normal:
                if !entry.data.isEmpty { applyNormal(entry) }
            case .confChange:
                if let change = try? RaftConfChange(decoding: entry.data) { applyConfChange(change) }
            }
            appliedIndex = entry.index
        }
    }

    private func applyNormal(_ entry: RaftEntry) {
        let decoded: MemberEntry
        do { decoded = try MemberEntry(decoding: entry.data) } catch {
            // Every member fails the same way on the same bytes; skipping keeps them in step.
            logger.error("undecodable entry", metadata: ["index": "\(entry.index)", "error": "\(error)"])
            return
        }
        switch decoded {
        case let .command(requestID, command):
            let result = watchable.apply(command)
            if case let .leaseRevoke(lease) = command { revoking[lease] = nil }
            if requestID != 0, let p = inflight.removeValue(forKey: requestID) { p.complete(.success(.store(result, revision: watchable.currentRevision))) }
        case let .register(requestID, info):
            membership.register(info)
            if info.id == id { attributesPublished = ownAttributesKnown }
            if requestID != 0, let p = inflight.removeValue(forKey: requestID) { p.complete(.success(.membership)) }
            transport?.updatePeers(membership, self: id)
        }
    }

    private func applyConfChange(_ change: RaftConfChange) {
        membership.apply(change)
        if let waiter = confInflight.removeValue(forKey: change) { waiter.complete(.success(.membership)) }
        transport?.updatePeers(membership, self: id)
        if change.type == .removeNode && change.nodeID == id {
            logger.warning("this member was removed from the cluster; stopping", metadata: ["member": "\(memberIDString(id))"])
            removed = true
        }
    }

    func publishObservables() {
        observables.set(MemberObservables.Values(leader: core.leader, term: core.term, revision: watchable.currentRevision,
                                                 appliedIndex: appliedIndex))
    }

    /// The store's approximate size, recomputed at most once a second (it walks the whole store).
    var dbSize: Int64 {
        let now = monotonicMilliseconds()
        if let cached = dbSizeCache, now - cached.at < 1000 { return cached.size }
        let size = Int64(watchable.store.snapshot().count)
        dbSizeCache = (now, size)
        return size
    }

    // MARK: Snapshots

    private func restore(_ snap: RaftSnapshot) throws {
        let (members, storeBytes) = try MemberSnapshotData.decode(snap.data)
        try watchable.restore(snapshot: storeBytes)
        membership = members
        appliedIndex = snap.metadata.index
        snapshotIndex = snap.metadata.index
        transport?.updatePeers(membership, self: id)
        logger.info("restored snapshot", metadata: ["index": "\(snap.metadata.index)", "revision": "\(watchable.currentRevision)"])
    }

    private func maybeSnapshot() throws {
        guard appliedIndex > snapshotIndex, appliedIndex - snapshotIndex >= config.snapshotCount else { return }
        let data = MemberSnapshotData.encode(membership: membership, store: watchable.store)
        try storage.createSnapshot(index: appliedIndex, confState: core.confState, data: data)
        snapshotIndex = appliedIndex
        if appliedIndex > config.snapshotCatchUpEntries {
            let compactTo = appliedIndex - config.snapshotCatchUpEntries
            if compactTo >= storage.firstIndex() { try storage.compact(compactTo) }
        }
        logger.info("saved snapshot", metadata: ["index": "\(appliedIndex)"])
    }

    // MARK: Time

    private func onTick(now: Int64) {
        expireRequests(now: now)
        if core.role == .leader { expireLeases() }
        if !attributesPublished && core.leader != .none && now - lastPublishAttempt > 1000 && !stopRequested {
            lastPublishAttempt = now
            publishAttributes()
        }
        if now - lastProgressNotify >= Int64(config.progressNotifyMilliseconds) {
            lastProgressNotify = now
            progressNotify()
        }
        // Retry work that waited for a leader or lost its read round.
        if core.leader != .none {
            let waiting = waitingForLeader
            waitingForLeader = []
            for p in waiting { submit(p) }
        }
        if let batch = readBatch, now - batch.issued > tickMs * Int64(config.electionTicks) {
            readBatch = nil
            readQueue.insert(contentsOf: batch.reads, at: 0)
        }
        issueReadIndex()
    }

    private func expireLeases() {
        let now = wallMilliseconds()
        let mono = monotonicMilliseconds()
        for lease in watchable.store.expiredLeases(now: now) {
            if let at = revoking[lease], mono - at < 3000 { continue }
            revoking[lease] = mono
            propose(entry: .command(requestID: 0, .leaseRevoke(id: lease)))
        }
    }

    /// Whether the replicated member list already has this member's name and client URLs.
    var ownAttributesKnown: Bool {
        guard let known = membership.attributes[id] else { return false }
        return known.name == config.name && known.clientURLs == config.advertiseClientURLs
    }

    private func publishAttributes() {
        if ownAttributesKnown {
            attributesPublished = true
            return
        }
        propose(entry: .register(requestID: 0, MemberInfo(id: id, name: config.name, peerURLs: [],
                                                           clientURLs: config.advertiseClientURLs)))
    }

    /// Proposes an entry nobody waits for (the loop's own duties); lost ones are retried by their duty.
    private func propose(entry: MemberEntry) {
        try? core.propose(entry.encoded())
    }

    private func expireRequests(now: Int64) {
        func timedOut(_ what: String) -> KeyValueClientError { .timeout(what) }
        waitingForLeader.removeAll { p in
            guard now >= p.deadline else { return false }
            p.complete(.failure(KeyValueClientError.unavailable("no leader elected within the request timeout")))
            return true
        }
        for (rid, p) in inflight where now >= p.deadline {
            inflight[rid] = nil
            p.complete(.failure(timedOut("proposal not committed in time (leader change or lost quorum); it may still apply")))
        }
        confWaiting.removeAll { c in
            guard now >= c.deadline else { return false }
            c.complete(.failure(KeyValueClientError.unavailable("no leader elected within the request timeout")))
            return true
        }
        for (key, c) in confInflight where now >= c.deadline {
            confInflight[key] = nil
            c.complete(.failure(timedOut("membership change not committed in time")))
        }
        readQueue.removeAll { r in
            guard now >= r.deadline else { return false }
            r.fail(KeyValueClientError.unavailable("no leader to confirm a linearizable read"))
            return true
        }
        if var batch = readBatch {
            batch.reads.removeAll { r in
                guard now >= r.deadline else { return false }
                r.fail(timedOut("linearizable read not confirmed in time"))
                return true
            }
            readBatch = batch
        }
    }

    // MARK: Shutdown

    private func shutDown() {
        let error: any Error = fatal ?? (removed ? KeyValueClientError.unavailable("member removed from the cluster")
                                         : KeyValueClientError.unavailable("member stopped"))
        for input in inbox.close() {
            switch input {
            case .propose(let p): p.complete(.failure(error))
            case .read(let r): r.fail(error)
            case .confChange(let c): c.complete(.failure(error))
            case .watch(let w): w.continuation.finish(throwing: error)
            default: break
            }
        }
        for p in waitingForLeader { p.complete(.failure(error)) }
        for p in inflight.values { p.complete(.failure(error)) }
        for c in confWaiting { c.complete(.failure(error)) }
        for c in confInflight.values { c.complete(.failure(error)) }
        for r in readQueue { r.fail(error) }
        for r in readBatch?.reads ?? [] { r.fail(error) }
        for (_, reads) in readsAwaitingApply { for r in reads { r.fail(error) } }
        waitingForLeader = []; inflight = [:]; confWaiting = []; confInflight = [:]; readQueue = []
        readBatch = nil; readsAwaitingApply = []
        for sink in watchSinks.values { sink.continuation.finish(throwing: error) }
        watchSinks = [:]
        transport?.stop()
        storage.close()
        onExit(StoreMemberExit(removed: removed, error: fatal))
    }
}
