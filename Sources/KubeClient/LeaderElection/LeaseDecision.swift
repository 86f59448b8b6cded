import KubeAPI

/// The pure step of leader election (client-go's tryAcquireOrRenew): given the Lease as read, what
/// this candidate may do. Expiry is judged by when *we* last saw the record change, on our own
/// monotonic clock, never by the holder's renewTime — so clock skew between hosts cannot steal a lease.
public struct LeaseObservation: Hashable, Sendable {
    /// The spec last read, and when (monotonic) it was first seen with these contents.
    public var record: LeaseSpec?
    public var observedAt: Duration

    public init(record: LeaseSpec? = nil, observedAt: Duration = .zero) {
        self.record = record
        self.observedAt = observedAt
    }
}

public enum LeaseDecision: Hashable, Sendable {
    /// No Lease yet: create one holding it.
    case create(LeaseSpec)
    /// Write this spec over the Lease read (with its resourceVersion): renew or take over.
    case update(LeaseSpec)
    /// Someone else holds an unexpired lease.
    case heldByOther(String)
}

public enum LeaseRules {
    /// Decides for `identity` at `now` (wall time, for the record) / `monotonicNow` (for expiry),
    /// updating `observation` when the record changed since last seen.
    public static func decide(current: LeaseSpec?, exists: Bool, identity: String, leaseDuration: Duration,
                              now: MicroTime, monotonicNow: Duration,
                              observation: inout LeaseObservation) -> LeaseDecision {
        let seconds = Int32(leaseDuration.components.seconds)
        guard exists else {
            let spec = LeaseSpec(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now,
                                 renewTime: now, leaseTransitions: 0)
            return .create(spec)
        }
        let record = current ?? LeaseSpec()
        if observation.record != record {
            observation.record = record
            observation.observedAt = monotonicNow
        }
        let holder = record.holderIdentity ?? ""
        // The lease runs for the duration the holder wrote, client-go's rule; ours if it wrote none.
        let held = record.leaseDurationSeconds.map { Duration.seconds(Int64($0)) } ?? leaseDuration
        if !holder.isEmpty, holder != identity, observation.observedAt + held > monotonicNow {
            return .heldByOther(holder)
        }
        var next = LeaseSpec(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: now,
                             renewTime: now, leaseTransitions: record.leaseTransitions ?? 0)
        if holder == identity {
            next.acquireTime = record.acquireTime ?? now
        } else {
            next.leaseTransitions = (record.leaseTransitions ?? 0) + 1
        }
        next.strategy = record.strategy
        next.preferredHolder = record.preferredHolder
        return .update(next)
    }

    /// The spec a leader writes on a graceful stop, so a successor need not wait out the lease.
    public static func released(_ record: LeaseSpec, now: MicroTime) -> LeaseSpec {
        LeaseSpec(holderIdentity: nil, leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
                  leaseTransitions: record.leaseTransitions)
    }
}
