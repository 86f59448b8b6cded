import Testing
@testable import Store

@Suite("Raft elections")
struct RaftElectionTests {
    @Test func campaignElectsLeaderAndCommitsNoop() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        #expect(c.leaders == [1])
        #expect(c[1].term == 2) // bootstrap term 1, first election term 2
        for id in [2, 3] as [RaftNodeID] {
            #expect(c[id].role == .follower)
            #expect(c[id].leader == 1)
        }
        // The no-op of the new term commits everywhere: 3 bootstrap entries + 1.
        c.tickAll()
        for id in c.ids { #expect(c[id].committedIndex == 4) }
    }

    @Test func ticksAloneElectExactlyOneLeader() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3, 4, 5])
        for _ in 0..<30 where c.leaders.isEmpty { c.tickAll() }
        #expect(c.leaders.count == 1)
    }

    @Test func candidateWithStaleLogLoses() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        try c.propose(1, "x")
        c.heal()
        c.droppedTypes = [.append, .heartbeat]
        // Node 3 misses entry 5; its last index/term is behind, so neither 1 nor 2 grants its (pre-)vote.
        c.campaign(3)
        #expect(c[3].role != .leader)
        #expect(c.leaders == [1] || c.leaders.isEmpty)
    }

    @Test func preVoteKeepsPartitionedNodeFromDisruptingLeader() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        let term = c[1].term
        c.isolate(3)
        c.tick(3, times: 100) // many election timeouts: pre-campaigns that never succeed
        #expect(c[3].term == term, "pre-vote must not bump the term")
        #expect(c[3].role == .preCandidate || c[3].role == .follower)
        c.heal()
        c.tickAll(times: 3)
        #expect(c.leaders == [1])
        #expect(c[1].term == term)
    }

    @Test func withoutPreVoteAPartitionedNodeDisruptsOnRejoin() throws {
        // The contrast case: no pre-vote, no check-quorum. Node 3's term races ahead and deposes the leader.
        let c = try RaftTestCluster(ids: [1, 2, 3]) { $0.preVote = false; $0.checkQuorum = false }
        c.campaign(1)
        let term = c[1].term
        c.isolate(3)
        c.tick(3, times: 100)
        #expect(c[3].term > term)
        c.heal()
        c.tickAll(times: 30) // node 3's next election timeout sends a higher-term vote request to the leader
        #expect(c[1].term > term, "the leader learned a higher term and stepped down at least once")
    }

    @Test func checkQuorumMakesIsolatedLeaderStepDown() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(1)
        c.tick(1, times: 2 * 10 + 1)
        #expect(c[1].role == .follower)
        #expect(c[1].leader == .none)
    }

    @Test func leaseRejectsVotesWhileLeaderIsLive() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        let term = c[2].term
        // A forged vote request at a higher term, e.g. from a node that missed the election.
        var m = RaftMessage(type: .vote, from: 3, to: 2, term: term + 5)
        m.index = 100
        m.logTerm = term + 4
        c.delivered = []
        try c.on(2) { (core: inout RaftCore) throws(RaftError) in try core.step(m) }
        #expect(c[2].term == term, "vote ignored inside the lease")
        #expect(!c.delivered.contains { $0.type == .voteResponse })
        // Once the lease expires (no leader contact for an election timeout) the same request wins the vote.
        c.isolate(2)
        c.cutLinks.remove(.init(from: 2, to: 3))
        c.tick(2, times: 10)
        try c.on(2) { (core: inout RaftCore) throws(RaftError) in try core.step(m) }
        #expect(c[2].term == term + 5)
        #expect(c[2].vote == 3)
    }

    @Test func staleLeaderLearnsNewTermAfterHeal() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(1)
        // Node 1 has no quorum to step down by itself quickly here: drive only 2 and 3 until one leads.
        for _ in 0..<60 where c[2].role != .leader && c[3].role != .leader {
            c.tick(2)
            c.tick(3)
        }
        let newLeader: RaftNodeID = c[2].role == .leader ? 2 : 3
        #expect(c[newLeader].role == .leader)
        #expect(c[1].role == .leader, "old leader has not noticed yet")
        c.heal()
        c.tick(1) // old leader heartbeats at its stale term; the answer carries the newer term
        #expect(c[1].role == .follower)
        #expect(c[1].term == c[newLeader].term)
        #expect(c.leaders == [newLeader])
    }

    @Test func learnersDoNotCampaign() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try c.add(4, storage: RaftMemoryStorage(), peers: [])
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.proposeConfChange(RaftConfChange(.addLearner, 4)) }
        c.tickAll(times: 2)
        #expect(c[4].confState.learners == [4])
        c.isolate(4)
        c.tick(4, times: 100)
        #expect(c[4].role == .follower)
    }
}
