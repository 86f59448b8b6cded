import Testing
@testable import Store

@Suite("Raft Ready contract")
struct RaftReadyTests {
    private func node(_ id: RaftNodeID, _ storage: RaftMemoryStorage, peers: [RaftNodeID]) throws -> RaftCore {
        try RaftCore(config: RaftConfig(id: id), storage: storage, peers: peers)
    }

    /// Persists and acknowledges a Ready the way a driver must; returns its messages.
    @discardableResult
    private func persist(_ core: inout RaftCore, _ storage: RaftMemoryStorage) throws -> RaftReady {
        let rd = core.ready()
        if let snap = rd.snapshot { try storage.applySnapshot(snap) }
        try storage.append(rd.entries)
        if let hs = rd.hardState { storage.setHardState(hs) }
        core.advance(rd)
        return rd
    }

    @Test func voteTravelsWithTheHardStateThatRecordsIt() throws {
        let storage = RaftMemoryStorage()
        var follower = try node(2, storage, peers: [1, 2, 3])
        try persist(&follower, storage)
        var request = RaftMessage(type: .vote, from: 1, to: 2, term: 2)
        request.index = 3
        request.logTerm = 1
        try follower.step(request)
        let rd = follower.ready()
        #expect(rd.hardState?.vote == 1)
        #expect(rd.mustSync)
        #expect(rd.messages.contains { $0.type == .voteResponse && !$0.reject })
        // The driver crashes before persisting: the grant was never sent, and the restarted node is free to
        // vote for someone else in term 2 without having broken its word.
        var restarted = try node(2, storage, peers: [])
        var other = RaftMessage(type: .vote, from: 3, to: 2, term: 2)
        other.index = 3
        other.logTerm = 1
        try restarted.step(other)
        #expect(restarted.vote == 3)
    }

    @Test func leaderCountsItsOwnEntriesOnlyOncePersisted() throws {
        let storage = RaftMemoryStorage()
        var core = try node(1, storage, peers: [1])
        try persist(&core, storage)
        core.campaign()
        try persist(&core, storage) // the no-op is persisted here, and commits on advance
        try persist(&core, storage)
        try core.propose(Array("x".utf8))
        let rd = core.ready()
        #expect(rd.entries.map(\.data) == [Array("x".utf8)])
        #expect(rd.committedEntries.isEmpty, "not durable yet, so not committed even on a single node")
        try storage.append(rd.entries)
        if let hs = rd.hardState { storage.setHardState(hs) }
        core.advance(rd)
        let next = core.ready()
        #expect(next.committedEntries.map(\.data) == [Array("x".utf8)])
        #expect(next.hardState?.commit == rd.entries.last?.index)
    }

    @Test func readyReportsOnlyChanges() throws {
        let storage = RaftMemoryStorage()
        var core = try node(1, storage, peers: [1, 2, 3])
        let first = try persist(&core, storage)
        #expect(first.hardState == RaftHardState(term: 1, vote: .none, commit: 3))
        #expect(first.entries.count == 3, "bootstrap membership entries")
        #expect(first.committedEntries.count == 3)
        #expect(!core.hasReady)
        core.tick()
        #expect(!core.hasReady, "a tick without consequences produces nothing")
    }

    @Test func restartReplaysMembershipFromLog() throws {
        let storage = RaftMemoryStorage()
        var core = try node(1, storage, peers: [1, 2, 3])
        try persist(&core, storage)
        let restarted = try node(1, storage, peers: [])
        // Not yet applied: the configuration is empty and the node must not campaign with it.
        #expect(restarted.confState.voters.isEmpty)
        var r = restarted
        r.campaign()
        #expect(r.role == .follower)
        try persist(&r, storage)
        #expect(r.confState.voters == [1, 2, 3])
    }
}
