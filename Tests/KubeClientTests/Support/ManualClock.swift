import KubeClient
import Synchronization

/// A `WorkQueueClock` that moves only when the test advances it.
final class ManualClock: WorkQueueClock {
    private struct State {
        var now: Duration = .zero
        var sleepers: [(deadline: Duration, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state = Mutex(State())

    func now() -> Duration { state.withLock { $0.now } }

    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Duration) async throws {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if deadline <= s.now { return true }
                s.sleepers.append((deadline, c))
                return false
            }
            if ready { c.resume() }
        }
        try Task.checkCancellation()
    }

    func advance(by d: Duration) {
        let due = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.now += d
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.map(\.continuation)
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for c in due { c.resume() }
    }

    /// Waits (in real time, briefly) until `n` tasks sleep on the clock.
    func waitForSleepers(_ n: Int) async {
        for _ in 0..<2000 where sleeperCount < n { try? await Task.sleep(for: .milliseconds(1)) }
    }
}

/// Polls `condition` for up to `timeout` of real time.
func eventually(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}
