// A store member: one etcd-like server embedded in this process. It recovers its data directory, runs
// the Raft loop on its own thread (MemberLoop), talks to peers over the peer transport, and serves the
// KeyValueClient API: writes are proposed and acknowledged once committed and applied (so once a
// majority has them on disk), reads are linearizable through ReadIndex.
//
//     let member = try await StoreMember.start(config)
//     _ = try await member.put(PutRequest(key: k, value: v))
//     await member.stop()

import Glibc
import Logging

public final class StoreMember: KeyValueClient, @unchecked Sendable {
    public let memberID: UInt64
    public let clusterID: UInt64
    public let config: StoreMemberConfig
    /// Notes from recovery (a torn WAL tail cut off, a damaged snapshot skipped).
    public let startWarnings: [String]
    /// The port the peer listener is bound to (useful with port 0), 0 without a listener.
    public let peerPort: UInt16

    let inbox: Inbox<MemberInput>
    let requestIDs: RequestIDGenerator
    let observables = MemberObservables()
    private let exitState = ExitState()
    private static let logger = Logger(label: "swiftlet.store.member")

    /// Recovers (or creates) the data directory and starts the member on its own thread. Disk recovery
    /// runs on a separate thread, not on the caller's executor.
    public static func start(_ config: StoreMemberConfig) async throws -> StoreMember {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<StoreMember, any Error>) in
            let started = spawnThread {
                cont.resume(with: Result { try StoreMember(config: config) })
            }
            if let started { pthread_detach(started) } else {
                cont.resume(throwing: StoreMemberError.dataDir("cannot start a thread"))
            }
        }
    }

    /// Synchronous form of `start` (blocks on disk recovery).
    public init(config: StoreMemberConfig) throws {
        try Self.validate(config)
        self.config = config
        let boot = try MemberBootstrap.prepare(config)
        memberID = boot.identity.memberID
        clusterID = boot.identity.clusterID
        startWarnings = boot.storage.warnings
        for warning in boot.storage.warnings {
            Self.logger.warning("recovered with repairs", metadata: ["warning": "\(warning)"])
        }
        inbox = Inbox()
        requestIDs = RequestIDGenerator(memberID: memberID)

        let loop = MemberLoop(id: memberID, clusterID: clusterID, config: config, inbox: inbox,
                              storage: boot.storage, core: boot.core, watchable: boot.watchable,
                              membership: boot.membership, appliedIndex: boot.appliedIndex, requestIDs: requestIDs,
                              logger: Self.logger, observables: observables, onExit: { [exitState] exit in exitState.finish(exit) })
        do {
            let transport = try PeerTransport(listen: config.peerListen, memberID: memberID, clusterID: clusterID,
                                              inbox: inbox, logger: Self.logger)
            loop.transport = transport
            peerPort = transport.port
        } catch {
            boot.storage.close()
            throw error
        }
        guard let t = spawnThread({ loop.run() }) else {
            loop.transport?.stop()
            boot.storage.close()
            throw StoreMemberError.dataDir("cannot start the member thread")
        }
        pthread_detach(t)
    }

    deinit {
        if !exitState.hasExited { inbox.post(.stop(transferLeadership: false)) }
    }

    static func validate(_ c: StoreMemberConfig) throws(StoreMemberError) {
        if c.name.isEmpty { throw .invalidConfig("name is empty") }
        if c.dataDir.isEmpty { throw .invalidConfig("data directory is empty") }
        if c.tickMilliseconds <= 0 { throw .invalidConfig("tick interval must be positive") }
        if c.heartbeatTicks <= 0 || c.electionTicks <= c.heartbeatTicks {
            throw .invalidConfig("election ticks (\(c.electionTicks)) must exceed heartbeat ticks (\(c.heartbeatTicks)) > 0")
        }
        if c.snapshotCount == 0 { throw .invalidConfig("snapshot count must be positive") }
        if c.maxRequestBytes <= 0 { throw .invalidConfig("max request bytes must be positive") }
    }

    // MARK: Life cycle

    /// Stops the member: a leader first hands leadership to the most up-to-date voter (as etcd does), unless
    /// `transferLeadership` is false. Waiting requests fail with `.unavailable`; watches end with it.
    public func stop(transferLeadership: Bool = true) async {
        inbox.post(.stop(transferLeadership: transferLeadership))
        _ = await exitState.wait()
    }

    /// Waits until the member stops on its own (removed from the cluster, or a fatal disk error).
    public func waitUntilStopped() async -> StoreMemberExit { await exitState.wait() }

    public var isStopped: Bool { exitState.hasExited }

    // MARK: Without a round trip (for response headers)

    /// The leader as of the loop's last iteration (0: none known).
    public var currentLeader: UInt64 { observables.current.leader }
    /// The Raft term as of the loop's last iteration (etcd's ResponseHeader.raft_term).
    public var currentTerm: UInt64 { observables.current.term }
    /// The applied store revision as of the loop's last iteration (etcd's ResponseHeader.revision).
    public var currentRevision: Int64 { observables.current.revision }

    // MARK: Plumbing to the loop

    var requestTimeout: Int64 { Int64(config.requestTimeoutMilliseconds) }

    /// Proposes an entry; `done` runs on the loop thread once it is applied, or fails.
    func proposeEntry(_ entry: (UInt64) -> MemberEntry, done: @escaping @Sendable (Result<AppliedResult, any Error>) -> Void) {
        let requestID = requestIDs.make()
        let data = entry(requestID).encoded()
        if data.count > config.maxRequestBytes { return done(.failure(KeyValueClientError.requestTooLarge(data.count))) }
        let deadline = monotonicMilliseconds() + requestTimeout
        let p = Proposal(requestID: requestID, data: data, deadline: deadline, complete: done)
        if !inbox.post(.propose(p)) { done(.failure(KeyValueClientError.unavailable("member stopped"))) }
    }

    /// Proposes a store command; a command the store refused fails with its MVCCError.
    func propose(_ command: StoreCommand, done: @escaping @Sendable (Result<(StoreResult, Int64), any Error>) -> Void) {
        proposeEntry({ .command(requestID: $0, command) }) { applied in
            done(applied.flatMap { applied in
                guard case let .store(result, revision) = applied else {
                    return .failure(KeyValueClientError.rejected("unexpected result for a store command"))
                }
                if case .failure(let error) = result { return .failure(error) }
                return .success((result, revision))
            })
        }
    }

    func proposeEntry(_ entry: (UInt64) -> MemberEntry) async throws -> AppliedResult {
        try await withCheckedThrowingContinuation { cont in proposeEntry(entry) { cont.resume(with: $0) } }
    }

    func propose(_ command: StoreCommand) async throws -> (StoreResult, Int64) {
        try await withCheckedThrowingContinuation { cont in propose(command) { cont.resume(with: $0) } }
    }

    /// Runs `body` on the applied store after a ReadIndex round (a linearizable read); `done` gets its
    /// value on the loop thread.
    func linearizableRead<T: Sendable>(_ body: @escaping @Sendable (MVCCStore, Int64) throws -> T,
                                       done: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let deadline = monotonicMilliseconds() + requestTimeout
        let r = ReadRequest(deadline: deadline, serve: { store, now in done(Result { try body(store, now) }) },
                            fail: { done(.failure($0)) })
        if !inbox.post(.read(r)) { done(.failure(KeyValueClientError.unavailable("member stopped"))) }
    }

    func linearizableRead<T: Sendable>(_ body: @escaping @Sendable (MVCCStore, Int64) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in linearizableRead(body) { cont.resume(with: $0) } }
    }

    /// Runs `body` on the loop thread and returns its value.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (MemberLoop) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            if !inbox.post(.run { loop in cont.resume(returning: body(loop)) }) {
                cont.resume(throwing: KeyValueClientError.unavailable("member stopped"))
            }
        }
    }
}

/// The loop's exit, observable from async code.
final class ExitState: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var exit: StoreMemberExit?
    private var waiters: [CheckedContinuation<StoreMemberExit, Never>] = []

    init() { pthread_mutex_init(lock, nil) }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    var hasExited: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return exit != nil
    }

    func finish(_ e: StoreMemberExit) {
        pthread_mutex_lock(lock)
        exit = e
        let w = waiters
        waiters = []
        pthread_mutex_unlock(lock)
        for c in w { c.resume(returning: e) }
    }

    func wait() async -> StoreMemberExit {
        await withCheckedContinuation { cont in
            pthread_mutex_lock(lock)
            if let e = exit {
                pthread_mutex_unlock(lock)
                cont.resume(returning: e)
            } else {
                waiters.append(cont)
                pthread_mutex_unlock(lock)
            }
        }
    }
}
