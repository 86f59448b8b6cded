import Testing
@testable import Store

/// Builds a storage holding entries with the given terms at indexes 1, 2, ... and a hard state at `term`.
func preloadedStorage(terms: [UInt64], term: UInt64) throws -> RaftMemoryStorage {
    let storage = RaftMemoryStorage()
    try storage.append(terms.enumerated().map { RaftEntry(term: $0.element, index: UInt64($0.offset + 1)) })
    storage.setHardState(RaftHardState(term: term, vote: .none, commit: 0))
    return storage
}

@Suite("Raft replication")
struct RaftReplicationTests {
    static let leaderLog: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]

    /// The follower logs of figure 7 in the Raft paper (a–f): missing, extra and conflicting entries.
    static let followerLogs: [[UInt64]] = [
        [1, 1, 1, 4, 4, 5, 5, 6, 6],
        [1, 1, 1, 4],
        [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
        [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
        [1, 1, 1, 4, 4, 4, 4],
        [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
        [],
    ]

    @Test(arguments: followerLogs)
    func leaderRepairsDivergentFollowerLog(follower: [UInt64]) throws {
        let c = try RaftTestCluster(ids: [])
        // Node 2 copies the leader's log so node 1 can win; node 3 holds the divergent log.
        try c.add(1, storage: preloadedStorage(terms: Self.leaderLog, term: 7), peers: [1, 2, 3])
        try c.add(2, storage: preloadedStorage(terms: Self.leaderLog, term: 7), peers: [1, 2, 3])
        try c.add(3, storage: preloadedStorage(terms: follower, term: 7), peers: [1, 2, 3])
        c.campaign(1)
        #expect(c[1].role == .leader)
        try c.propose(1, "after-repair")
        c.tickAll()
        #expect(c.log(of: 3) == c.log(of: 1))
        #expect(c[3].committedIndex == c[1].committedIndex)
        #expect(c.appliedStrings(3).last == "after-repair")
        // Fast backtracking: at most one rejected probe per distinct term in the two logs, not one per entry.
        let rejections = c.delivered.filter { $0.type == .appendResponse && $0.from == 3 && $0.reject }.count
        #expect(rejections <= Set(follower + Self.leaderLog).count)
    }

    @Test func leaderCommitsOldTermEntriesOnlyThroughCurrentTermEntry() throws {
        // Figure 8 of the Raft paper: an entry from an earlier term stored on a majority may still be
        // overwritten, so the leader must not count replicas of it; it commits once an entry of its own term does.
        let c = try RaftTestCluster(ids: [])
        try c.add(1, storage: preloadedStorage(terms: [1, 2], term: 2), peers: [1, 2, 3])
        try c.add(2, storage: preloadedStorage(terms: [1], term: 2), peers: [1, 2, 3])
        try c.add(3, storage: preloadedStorage(terms: [1], term: 2), peers: [1, 2, 3])
        c.cutLinks = [.init(from: 1, to: 2), .init(from: 1, to: 3)]
        c.campaign(1)
        // Hand-deliver the vote so we control replication exactly.
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in
            try core.step(RaftMessage(type: .preVoteResponse, from: 2, to: 1, term: 3))
            try core.step(RaftMessage(type: .voteResponse, from: 2, to: 1, term: 3))
        }
        #expect(c[1].role == .leader)
        #expect(c[1].lastIndex == 3) // [t1, t2, no-op t3]
        // Node 2 acknowledges index 2 (the term-2 entry): a majority holds it, yet it must not commit.
        var ack = RaftMessage(type: .appendResponse, from: 2, to: 1, term: 3)
        ack.index = 2
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.step(ack) }
        #expect(c[1].committedIndex == 0)
        ack.index = 3
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.step(ack) }
        #expect(c[1].committedIndex == 3)
    }

    @Test func inflightWindowPausesAndRecoversAfterLostResponses() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3]) { $0.maxInflightMessages = 2 }
        c.campaign(1)
        c.tickAll()
        #expect(c[1].progress(of: 2)?.state == .replicate)
        c.cutLinks = [.init(from: 2, to: 1)] // node 2 receives but its answers are lost
        c.delivered = []
        for i in 0..<10 { try c.propose(1, "e\(i)") }
        let appendsTo2 = c.delivered.filter { $0.type == .append && $0.to == 2 && !$0.entries.isEmpty }
        #expect(appendsTo2.count == 2, "window of 2 unacknowledged appends")
        #expect(c[3].committedIndex == c[1].lastIndex)
        c.heal()
        c.tick(1) // heartbeat → response → empty probe unblocks the full window
        #expect(c.log(of: 2) == c.log(of: 1))
        #expect(c.appliedStrings(2).count == 10)
    }

    @Test func unreachableFollowerFallsBackToProbing() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.tickAll()
        #expect(c[1].progress(of: 2)?.state == .replicate)
        c.on(1) { $0.reportUnreachable(2) }
        #expect(c[1].progress(of: 2)?.state == .probe)
        try c.propose(1, "still-replicates")
        c.tickAll()
        #expect(c[1].progress(of: 2)?.state == .replicate)
        #expect(c.appliedStrings(2) == ["still-replicates"])
    }

    @Test func appendsRespectMaxMessageSize() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3]) { $0.maxSizePerMessage = 100 }
        c.campaign(1)
        c.isolate(2)
        let payload = String(repeating: "x", count: 50)
        for _ in 0..<6 { try c.propose(1, payload) }
        c.heal()
        c.delivered = []
        c.tickAll(times: 2)
        let appends = c.delivered.filter { $0.type == .append && $0.to == 2 && !$0.entries.isEmpty }
        #expect(!appends.isEmpty)
        #expect(appends.allSatisfy { $0.entries.count == 1 })
        #expect(c.log(of: 2) == c.log(of: 1))
    }

    @Test func followerForwardsProposalsToLeader() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try c.propose(3, "via-follower")
        c.tickAll()
        for id in c.ids { #expect(c.appliedStrings(id) == ["via-follower"]) }
    }

    @Test func proposalWithoutLeaderIsDropped() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        #expect(throws: RaftError.proposalDropped) { try c.propose(2, "nobody-home") }
    }

    @Test func singleNodeCommitsAfterPersisting() throws {
        let c = try RaftTestCluster(ids: [1])
        c.campaign(1)
        #expect(c[1].role == .leader)
        try c.propose(1, "solo")
        #expect(c.appliedStrings(1) == ["solo"])
    }
}

@Suite("Raft log and storage")
struct RaftLogTests {
    @Test func storageCompactionAndTerms() throws {
        let s = try preloadedStorage(terms: [1, 1, 2, 3, 3], term: 3)
        try s.createSnapshot(index: 3, confState: RaftConfState(voters: [1]), data: [42])
        try s.compact(3)
        #expect(s.firstIndex() == 4)
        #expect(s.lastIndex() == 5)
        #expect(try s.term(3) == 2)
        #expect(throws: RaftError.compacted) { try s.term(2) }
        #expect(throws: RaftError.compacted) { try s.entries(3, 5, maxSize: .max) }
        #expect(try s.entries(4, 6, maxSize: .max).map(\.term) == [3, 3])
        #expect(try s.entries(4, 6, maxSize: 1).count == 1)
    }

    @Test func unstableTruncatesConflictingTail() throws {
        let storage = try preloadedStorage(terms: [1, 1, 1], term: 1)
        var log = RaftLog(storage: storage, applied: 0, maxSizePerMessage: .max)
        log.append([RaftEntry(term: 2, index: 4), RaftEntry(term: 2, index: 5)])
        #expect(log.lastIndex == 5)
        #expect(log.persistedLastIndex == 3)
        // A new leader overwrites from index 3: the stored entry 3 is shadowed by the unstable one.
        log.append([RaftEntry(term: 3, index: 3)])
        #expect(log.lastIndex == 3)
        #expect(try log.term(3) == 3)
        #expect(log.persistedLastIndex == 2)
        #expect(log.findConflictByTerm(index: 3, term: 1) == (2, 1))
    }

    @Test func progressProbeAndReplicateTransitions() {
        var pr = RaftProgress(match: 0, next: 6, maxInflight: 2, isLearner: false)
        #expect(!pr.isPaused)
        pr.sentEntries(count: 0)
        #expect(pr.isPaused, "a probe waits for its answer")
        let decreased = pr.maybeDecrease(rejected: 5, matchHint: 2)
        #expect(decreased)
        #expect(pr.next == 3)
        let staleDecreased = pr.maybeDecrease(rejected: 5, matchHint: 2)
        #expect(!staleDecreased, "stale rejection ignored")
        let updated = pr.maybeUpdate(4)
        #expect(updated)
        pr.becomeReplicate()
        #expect(pr.next == 5)
        pr.sentEntries(count: 3)
        pr.sentEntries(count: 1)
        #expect(pr.isPaused)
        pr.inflights.freeLE(7)
        #expect(!pr.isPaused)
        #expect(pr.next == 9)
    }
}
