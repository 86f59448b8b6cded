/// The time a work queue's delayed adds wait on: the real monotonic clock in the product, a
/// hand-advanced one in tests. Instants are durations since an arbitrary origin.
public protocol WorkQueueClock: Sendable {
    func now() -> Duration
    /// Sleeps until `now() >= deadline`; throws CancellationError if the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

/// `ContinuousClock`, as a `WorkQueueClock`.
public struct SystemWorkQueueClock: WorkQueueClock {
    let origin = ContinuousClock.now

    public init() {}

    public func now() -> Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin + deadline, tolerance: nil)
    }
}
