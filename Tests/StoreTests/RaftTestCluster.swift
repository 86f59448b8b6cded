// A synchronous in-memory cluster for unit tests, in the spirit of etcd-io/raft's `network` in raft_test.go:
// messages are delivered immediately and in order until the cluster is quiet, with per-link cuts and
// per-type drops to script partitions. Each node's Ready is handled faithfully (persist, send, apply, advance).

@testable import Store

final class RaftTestCluster {
    struct Link: Hashable { var from: RaftNodeID; var to: RaftNodeID }

    private(set) var ids: [RaftNodeID]
    var cores: [RaftNodeID: RaftCore] = [:]
    var storages: [RaftNodeID: RaftMemoryStorage] = [:]
    /// Normal entries applied on each node, in order (conf changes and empty no-ops are skipped).
    var applied: [RaftNodeID: [RaftEntry]] = [:]
    var readStates: [RaftNodeID: [RaftReadState]] = [:]
    var cutLinks: Set<Link> = []
    var droppedTypes: Set<RaftMessageType> = []
    /// Every message that was delivered, for assertions about the protocol's behaviour.
    var delivered: [RaftMessage] = []
    private var queue: [RaftMessage] = []

    init(ids: [RaftNodeID], configure: (inout RaftConfig) -> Void = { _ in }) throws {
        self.ids = ids.sorted()
        for id in self.ids {
            try add(id, storage: RaftMemoryStorage(), peers: self.ids, configure: configure)
        }
    }

    /// Adds (or replaces) a node backed by `storage`.
    func add(_ id: RaftNodeID, storage: RaftMemoryStorage, peers: [RaftNodeID],
             applied: UInt64 = 0, configure: (inout RaftConfig) -> Void = { _ in }) throws {
        var config = RaftConfig(id: id, randomSeed: id &* 7919)
        config.applied = applied
        configure(&config)
        cores[id] = try RaftCore(config: config, storage: storage, peers: peers)
        storages[id] = storage
        if !ids.contains(id) { ids = (ids + [id]).sorted() }
        self.applied[id, default: []] = []
        process(id)
    }

    subscript(id: RaftNodeID) -> RaftCore {
        get {
            guard let core = cores[id] else { preconditionFailure("test names unknown node \(id)") }
            return core
        }
        set { cores[id] = newValue }
    }

    /// Handles one node's Ready per the contract: persist, then queue messages, then apply, then advance.
    func process(_ id: RaftNodeID) {
        guard var core = cores[id], let storage = storages[id] else { return }
        while core.hasReady {
            let rd = core.ready()
            if let snap = rd.snapshot { try? storage.applySnapshot(snap) }
            try? storage.append(rd.entries)
            if let hs = rd.hardState { storage.setHardState(hs) }
            queue += rd.messages
            for e in rd.committedEntries where e.kind == .normal && !e.data.isEmpty {
                applied[id, default: []].append(e)
            }
            readStates[id, default: []] += rd.readStates
            core.advance(rd)
        }
        cores[id] = core
    }

    func isolate(_ id: RaftNodeID) {
        for other in ids where other != id {
            cutLinks.insert(Link(from: id, to: other))
            cutLinks.insert(Link(from: other, to: id))
        }
    }

    func heal() {
        cutLinks = []
        droppedTypes = []
    }

    /// Delivers queued messages (and whatever they cause) until the cluster is quiet.
    func deliver(limit: Int = 100_000) {
        var budget = limit
        while !queue.isEmpty && budget > 0 {
            budget -= 1
            let m = queue.removeFirst()
            if cutLinks.contains(Link(from: m.from, to: m.to)) || droppedTypes.contains(m.type) { continue }
            guard cores[m.to] != nil else { continue }
            delivered.append(m)
            try? cores[m.to]?.step(m)
            process(m.to)
        }
    }

    /// Runs `body` on a node, then handles its Ready and delivers everything.
    @discardableResult
    func on<T, E: Error>(_ id: RaftNodeID, _ body: (inout RaftCore) throws(E) -> T) throws(E) -> T {
        guard var core = cores[id] else { preconditionFailure("test names unknown node \(id)") }
        let result: T
        do {
            result = try body(&core)
        } catch {
            cores[id] = core
            throw error
        }
        cores[id] = core
        process(id)
        deliver()
        return result
    }

    func campaign(_ id: RaftNodeID) { on(id) { $0.campaign() } }

    func tick(_ id: RaftNodeID, times: Int = 1) {
        for _ in 0..<times { on(id) { $0.tick() } }
    }

    func tickAll(times: Int = 1) {
        for _ in 0..<times { for id in ids { tick(id) } }
    }

    func propose(_ id: RaftNodeID, _ text: String) throws {
        try on(id) { (core: inout RaftCore) throws(RaftError) in try core.propose(Array(text.utf8)) }
    }

    var leaders: [RaftNodeID] { ids.filter { cores[$0]?.role == .leader } }

    func appliedStrings(_ id: RaftNodeID) -> [String] {
        (applied[id] ?? []).map { String(decoding: $0.data, as: UTF8.self) }
    }

    func log(of id: RaftNodeID) -> [RaftEntry] {
        guard let core = cores[id] else { return [] }
        return (try? core.entries(core.firstIndex, core.lastIndex + 1)) ?? []
    }
}
