import Testing
@testable import Store

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite("Raft ReadIndex")
struct RaftReadIndexTests {
    @Test func leaderConfirmsReadWithHeartbeatQuorum() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try c.propose(1, "a")
        let commit = c[1].committedIndex
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.readIndex(context: bytes("r1")) }
        #expect(c.readStates[1] == [RaftReadState(index: commit, context: bytes("r1"))])
        let echoes = c.delivered.filter { $0.type == .heartbeatResponse && $0.context == bytes("r1") }
        #expect(!echoes.isEmpty, "leadership was confirmed by a heartbeat round carrying the context")
    }

    @Test func followerReadIsForwardedToLeader() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try c.propose(1, "a")
        try c.on(3) { (core: inout RaftCore) throws(RaftError) in try core.readIndex(context: bytes("f")) }
        #expect(c.readStates[3] == [RaftReadState(index: c[1].committedIndex, context: bytes("f"))])
    }

    @Test func partitionedLeaderCannotServeReads() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(1)
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.readIndex(context: bytes("stale?")) }
        #expect(c.readStates[1, default: []].isEmpty)
        c.heal()
        // A later confirmed read also confirms the earlier one queued before it.
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.readIndex(context: bytes("later")) }
        #expect(c.readStates[1]?.map(\.context) == [bytes("stale?"), bytes("later")])
    }

    @Test func newLeaderHoldsReadsUntilItCommitsInItsTerm() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.droppedTypes = [.appendResponse]
        c.campaign(1)
        #expect(c[1].role == .leader)
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.readIndex(context: bytes("early")) }
        #expect(c.readStates[1, default: []].isEmpty)
        c.heal()
        c.tick(1)
        let states = c.readStates[1, default: []]
        #expect(states.count == 1)
        #expect((states.first?.index ?? 0) >= 4, "read point includes the new term's no-op")
    }
}

@Suite("Raft snapshots")
struct RaftSnapshotTests {
    /// Compacts the leader's storage at its applied index, as a driver would after snapshotting its state machine.
    private func compactLeader(_ c: RaftTestCluster, _ leader: RaftNodeID) throws -> UInt64 {
        let index = c[leader].appliedIndex
        guard let storage = c.storages[leader] else { return 0 }
        try storage.createSnapshot(index: index, confState: c[leader].confState, data: bytes("image@\(index)"))
        try storage.compact(index)
        return index
    }

    @Test func laggingFollowerReceivesAndRestoresSnapshot() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<10 { try c.propose(1, "v\(i)") }
        let snapIndex = try compactLeader(c, 1)
        c.heal()
        c.tickAll(times: 2)
        #expect(c.delivered.contains { $0.type == .snapshot && $0.to == 3 })
        #expect(c.storages[3]?.currentSnapshot.metadata.index == snapIndex)
        #expect(c.storages[3]?.currentSnapshot.data == bytes("image@\(snapIndex)"))
        #expect(c[3].committedIndex == c[1].committedIndex)
        try c.propose(1, "after")
        #expect(c.appliedStrings(3) == ["after"], "entries after the snapshot are applied normally")
        #expect(c.log(of: 3) == c.log(of: 1))

        // Restart node 3 from what it persisted: membership comes from the snapshot.
        guard let storage3 = c.storages[3] else { return }
        try c.add(3, storage: storage3, peers: [], applied: snapIndex)
        #expect(c[3].confState.voters == [1, 2, 3])
        #expect(c[3].committedIndex >= snapIndex)
    }

    @Test func lostSnapshotIsRetriedAfterReport() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<5 { try c.propose(1, "v\(i)") }
        _ = try compactLeader(c, 1)
        c.heal()
        c.droppedTypes = [.snapshot]
        c.tickAll()
        #expect(c[1].progress(of: 3)?.state == .snapshot)
        c.droppedTypes = []
        c.tickAll()
        #expect(c[1].progress(of: 3)?.state == .snapshot, "paused until the transport reports")
        c.on(1) { $0.reportSnapshot(to: 3, failed: true) }
        c.tickAll(times: 2)
        #expect(c[3].committedIndex == c[1].committedIndex)
        #expect(c[1].progress(of: 3)?.state == .replicate)
    }
}

@Suite("Raft membership changes")
struct RaftConfChangeTests {
    private func change(_ c: RaftTestCluster, _ at: RaftNodeID, _ cc: RaftConfChange) throws {
        try c.on(at) { (core: inout RaftCore) throws(RaftError) in try core.proposeConfChange(cc) }
        c.tickAll()
    }

    @Test func addLearnerThenPromote() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try c.propose(1, "before")
        try c.add(4, storage: RaftMemoryStorage(), peers: [])
        try change(c, 1, RaftConfChange(.addLearner, 4))
        #expect(c[1].confState == RaftConfState(voters: [1, 2, 3], learners: [4]))
        #expect(c[4].confState == c[1].confState, "the new node learned the membership from the log")
        #expect(c.appliedStrings(4) == ["before"])
        #expect(c[1].progress(of: 4)?.isLearner == true)

        try change(c, 1, RaftConfChange(.addVoter, 4))
        for id in c.ids { #expect(c[id].confState == RaftConfState(voters: [1, 2, 3, 4])) }
        // Four voters need three acknowledgements: with 2 and 3 gone nothing commits.
        c.isolate(2)
        c.isolate(3)
        let commit = c[1].committedIndex
        try c.propose(1, "needs-quorum")
        #expect(c[1].committedIndex == commit)
    }

    @Test func removeVoterShrinksQuorum() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try change(c, 1, RaftConfChange(.removeNode, 3))
        #expect(c[1].confState.voters == [1, 2])
        c.isolate(3)
        try c.propose(1, "two-node")
        #expect(c.appliedStrings(2) == ["two-node"])
    }

    @Test func onlyOneChangeInFlight() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.droppedTypes = [.appendResponse]
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.proposeConfChange(RaftConfChange(.addLearner, 4)) }
        #expect(throws: RaftError.confChangeInProgress) {
            try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.proposeConfChange(RaftConfChange(.addLearner, 5)) }
        }
        c.heal()
        c.tickAll()
        try change(c, 1, RaftConfChange(.addLearner, 5))
        #expect(c[1].confState.learners == [4, 5])
    }

    @Test func invalidChangesAreRefused() throws {
        let c = try RaftTestCluster(ids: [1])
        c.campaign(1)
        #expect(throws: RaftError.self) { try change(c, 1, RaftConfChange(.removeNode, 1)) }
        #expect(throws: RaftError.self) { try change(c, 1, RaftConfChange(.addVoter, 1)) }
        #expect(throws: RaftError.self) { try change(c, 1, RaftConfChange(.removeNode, 9)) }
        #expect(throws: RaftError.malformed("conf change of 2 bytes")) { try RaftConfChange(decoding: [1, 2]) }
    }

    @Test func removedLeaderStepsDownAndOthersElect() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        try change(c, 1, RaftConfChange(.removeNode, 1))
        #expect(c[1].role == .follower)
        c.isolate(1)
        for _ in 0..<60 where c.leaders.isEmpty { c.tick(2); c.tick(3) }
        #expect(c.leaders.count == 1)
        #expect(c.leaders.first != 1)
    }
}

@Suite("Raft leadership transfer")
struct RaftTransferTests {
    @Test func transferToUpToDateFollower() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        let term = c[1].term
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.transferLeadership(to: 2) }
        #expect(c.leaders == [2])
        #expect(c[2].term == term + 1)
        #expect(c.delivered.contains { $0.type == .timeoutNow && $0.to == 2 })
    }

    @Test func transferCatchesUpLaggingFollowerFirst() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<5 { try c.propose(1, "x\(i)") }
        c.heal()
        // Requested through a follower, which forwards to the leader.
        try c.on(2) { (core: inout RaftCore) throws(RaftError) in try core.transferLeadership(to: 3) }
        #expect(c.leaders == [3])
        #expect(c.log(of: 3).suffix(6).dropLast() == c.log(of: 1).suffix(6).dropLast())
    }

    @Test func proposalsRefusedDuringTransferUntilItTimesOut() throws {
        let c = try RaftTestCluster(ids: [1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        try c.propose(1, "lag")
        try c.on(1) { (core: inout RaftCore) throws(RaftError) in try core.transferLeadership(to: 3) }
        #expect(c[1].leadTransferee == 3)
        #expect(throws: RaftError.proposalDropped) { try c.propose(1, "blocked") }
        c.tick(1, times: 10) // one election timeout: the transfer is abandoned
        #expect(c[1].leadTransferee == .none)
        #expect(c[1].role == .leader)
        try c.propose(1, "accepted")
    }
}
