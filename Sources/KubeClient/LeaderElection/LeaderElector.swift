import KubeAPI
import Logging
import Synchronization

/// Leader election through a coordination.k8s.io/v1 Lease, with client-go's semantics: candidates
/// try every `retryPeriod` to acquire; the leader renews every `retryPeriod` and steps down if it
/// could not renew within `renewDeadline`; others take over once the lease has gone unrenewed for
/// `leaseDuration` as they observe it. Writes use the Lease's resourceVersion, so of two
/// candidates racing, one wins and the other sees a conflict.
public final class LeaderElector: Sendable {
    public struct Config: Sendable {
        public var namespace: String
        public var name: String
        public var identity: String
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration
        /// On a graceful stop (the run task cancelled) hand the lease back at once.
        public var releaseOnCancel: Bool

        public init(namespace: String = "kube-system", name: String, identity: String,
                    leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                    retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true) {
            self.namespace = namespace
            self.name = name
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
            self.releaseOnCancel = releaseOnCancel
        }
    }

    public let config: Config
    private let store: any LeaseStore
    private let logger: Logger
    private let state = Mutex(State())
    private let origin = ContinuousClock.now

    struct State {
        var observation = LeaseObservation()
        var lease: Lease?
        var leading = false
        var leader: String?
    }

    public init(store: some LeaseStore, config: Config,
                logger: Logger = Logger(label: "swiftlet.kubeclient.leaderelection", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.store = store
        self.config = config
        var logger = logger
        logger[metadataKey: "lease"] = "\(config.namespace)/\(config.name)"
        logger[metadataKey: "identity"] = "\(config.identity)"
        self.logger = logger
    }

    public var isLeader: Bool { state.withLock { $0.leading } }

    /// The holder last observed (ourselves when leading).
    public var observedLeader: String? { state.withLock { $0.leader } }

    /// Campaigns until leading, runs `lead` while leading (cancelled when leadership is lost), and
    /// returns when leadership ends or the calling task is cancelled (releasing the lease then).
    /// `onStoppedLeading` runs whenever leadership that was gained ends. `lead` must return soon after
    /// its task is cancelled: leadership (and the lease's release) ends only when it has.
    public func run(onStartedLeading lead: @escaping @Sendable () async -> Void,
                    onStoppedLeading: @escaping @Sendable () -> Void = {},
                    onNewLeader: @escaping @Sendable (String) -> Void = { _ in }) async {
        guard await acquire(onNewLeader: onNewLeader) else { return }
        logger.info("became leader")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await lead() }
            group.addTask { await self.renewUntilLost(onNewLeader: onNewLeader) }
            // Whichever ends first (lost lease, cancellation, or the work itself) ends leadership.
            await group.next()
            group.cancelAll()
        }
        state.withLock { $0.leading = false }
        // Usually we get here because our task was cancelled (a graceful stop), and a request made
        // from a cancelled task is cancelled with it: release from a task of its own.
        if config.releaseOnCancel { await Task { await self.release() }.value }
        logger.info("stopped leading")
        onStoppedLeading()
    }

    // MARK: loops

    private func acquire(onNewLeader: @Sendable (String) -> Void) async -> Bool {
        while !Task.isCancelled {
            if await tryAcquireOrRenew(onNewLeader: onNewLeader) {
                return true
            }
            do {
                try await Task.sleep(for: jittered(config.retryPeriod))
            } catch {
                return false
            }
        }
        return false
    }

    private func renewUntilLost(onNewLeader: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: config.retryPeriod)
            } catch {
                return
            }
            let deadline = ContinuousClock.now + config.renewDeadline
            var renewed = false
            while !Task.isCancelled, ContinuousClock.now < deadline {
                if await tryAcquireOrRenew(onNewLeader: onNewLeader) {
                    renewed = true
                    break
                }
                let pause = min(config.retryPeriod, deadline - ContinuousClock.now)
                if pause > .zero { try? await Task.sleep(for: pause) }
            }
            if Task.isCancelled { return }
            if !renewed {
                logger.warning("failed to renew the lease within the renew deadline")
                return
            }
        }
    }

    // MARK: one attempt

    /// One read-decide-write; true when we hold the lease afterwards.
    func tryAcquireOrRenew(onNewLeader: @Sendable (String) -> Void) async -> Bool {
        let current: Lease?
        do {
            current = try await store.getLease(namespace: config.namespace, name: config.name)
        } catch {
            logger.debug("reading the lease failed", metadata: ["error": "\(error)"])
            return false
        }
        let now = MicroTime.now()
        let mono = ContinuousClock.now - origin
        let (decision, previousLeader) = state.withLock { s in
            (LeaseRules.decide(current: current?.spec, exists: current != nil, identity: config.identity,
                               leaseDuration: config.leaseDuration, now: now, monotonicNow: mono,
                               observation: &s.observation), s.leader)
        }
        let written: Lease
        do {
            switch decision {
            case .heldByOther(let holder):
                state.withLock {
                    $0.leader = holder
                    $0.lease = current
                    $0.leading = false
                }
                if holder != previousLeader { onNewLeader(holder) }
                return false
            case .create(let spec):
                written = try await store.createLease(
                    Lease(metadata: ObjectMeta(name: config.name, namespace: config.namespace), spec: spec))
            case .update(let spec):
                guard var lease = current else { return false }
                lease.spec = spec
                written = try await store.updateLease(lease)
            }
        } catch {
            logger.debug("writing the lease failed", metadata: ["error": "\(error)"])
            return false
        }
        state.withLock { s in
            s.lease = written
            s.observation = LeaseObservation(record: written.spec, observedAt: mono)
            s.leader = config.identity
            s.leading = true
        }
        if previousLeader != config.identity { onNewLeader(config.identity) }
        return true
    }

    /// Hands the lease back if we hold it.
    private func release() async {
        guard let lease = state.withLock({ $0.lease }), lease.spec?.holderIdentity == config.identity else { return }
        var released = lease
        released.spec = LeaseRules.released(lease.spec ?? LeaseSpec(), now: .now())
        do {
            let written = try await store.updateLease(released)
            state.withLock {
                $0.lease = written
                $0.leader = nil
            }
        } catch {
            logger.warning("releasing the lease failed", metadata: ["error": "\(error)"])
        }
    }

    private func jittered(_ d: Duration) -> Duration {
        d + d * Double.random(in: 0..<0.2)
    }
}

extension LeaderElector {
    /// Campaigns until the task is cancelled: runs `lead` for each term this process wins, and after
    /// losing one waits a second before standing again (kube-scheduler and kube-controller-manager
    /// exit and are restarted instead; we stay up and re-enter the race).
    public func campaign(_ lead: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await run(onStartedLeading: lead)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
