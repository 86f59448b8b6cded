import Synchronization

/// A controller's queue of keys, with client-go's guarantees: a key queued many times is processed
/// once; a key being processed is never handed to a second worker, and if it is added meanwhile it is
/// queued again when the first worker calls `done`. Rate-limited re-adds back off per key
/// (5 ms doubling to 1000 s) until `forget`; `addAfter` delays an add.
public final class WorkQueue<Item: Hashable & Sendable>: Sendable {
    private struct State {
        var queue: [Item] = []
        var head = 0
        /// Keys that need processing (queued, or re-added while processing).
        var dirty: Set<Item> = []
        var processing: Set<Item> = []
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Item?, Never>)] = []
        var nextID: UInt64 = 0
        var shuttingDown = false
        var backoff: ExponentialBackoff<Item>
        /// The earliest pending delayed add per key, and the tasks sleeping for them.
        var delayedUntil: [Item: Duration] = [:]
        var delayTasks: [UInt64: Task<Void, Never>] = [:]

        var count: Int { queue.count - head }

        mutating func pop() -> Item {
            let item = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    private let state: Mutex<State>
    private let clock: any WorkQueueClock

    public init(backoff: ExponentialBackoff<Item> = ExponentialBackoff(), clock: any WorkQueueClock = SystemWorkQueueClock()) {
        state = Mutex(State(backoff: backoff))
        self.clock = clock
    }

    /// Queues `item` unless it is already waiting; if it is being processed, it is queued when done.
    public func add(_ item: Item) {
        let waiter = state.withLock { s -> CheckedContinuation<Item?, Never>? in
            guard !s.shuttingDown, !s.dirty.contains(item) else { return nil }
            s.dirty.insert(item)
            guard !s.processing.contains(item) else { return nil }
            return Self.handOut(item, &s)
        }
        waiter?.resume(returning: item)
    }

    /// Either gives `item` to a waiting worker (returned, to resume outside the lock) or queues it.
    private static func handOut(_ item: Item, _ s: inout State) -> CheckedContinuation<Item?, Never>? {
        if !s.waiters.isEmpty {
            let w = s.waiters.removeFirst()
            s.dirty.remove(item)
            s.processing.insert(item)
            return w.continuation
        }
        s.queue.append(item)
        return nil
    }

    /// The next key to process; nil once the queue is shut down and empty, or the task is cancelled.
    /// Call `done` with it when finished.
    public func get() async -> Item? {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                let ready = state.withLock { s -> Item?? in
                    if s.count > 0 {
                        let item = s.pop()
                        s.dirty.remove(item)
                        s.processing.insert(item)
                        return .some(item)
                    }
                    if s.shuttingDown || Task.isCancelled { return .some(nil) }
                    s.waiters.append((id, continuation))
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let w = state.withLock { s -> CheckedContinuation<Item?, Never>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            w?.resume(returning: nil)
        }
    }

    /// Marks `item` processed; if it was added meanwhile it goes back on the queue.
    public func done(_ item: Item) {
        let waiter = state.withLock { s -> CheckedContinuation<Item?, Never>? in
            s.processing.remove(item)
            guard s.dirty.contains(item) else { return nil }
            return Self.handOut(item, &s)
        }
        waiter?.resume(returning: item)
    }

    /// Adds `item` after `delay`; of several pending delayed adds of one key the earliest wins.
    public func addAfter(_ item: Item, _ delay: Duration) {
        guard delay > .zero else { return add(item) }
        let deadline = clock.now() + delay
        let clock = self.clock
        state.withLock { s in
            guard !s.shuttingDown else { return }
            if let existing = s.delayedUntil[item], existing <= deadline { return }
            s.delayedUntil[item] = deadline
            s.nextID += 1
            let id = s.nextID
            s.delayTasks[id] = Task { [weak self] in
                try? await clock.sleep(until: deadline)
                guard let self else { return }
                let fire = self.state.withLock { s -> Bool in
                    s.delayTasks[id] = nil
                    guard !Task.isCancelled, s.delayedUntil[item] == deadline else { return false }
                    s.delayedUntil[item] = nil
                    return true
                }
                if fire { self.add(item) }
            }
        }
    }

    /// Adds `item` after its back-off: base·2^(retries so far).
    public func addRateLimited(_ item: Item) {
        let delay = state.withLock { $0.backoff.when(item) }
        addAfter(item, delay)
    }

    /// Clears `item`'s back-off (after it was processed successfully).
    public func forget(_ item: Item) {
        state.withLock { $0.backoff.forget(item) }
    }

    /// How many rate-limited re-adds `item` has had since it was last forgotten.
    public func numRequeues(_ item: Item) -> Int {
        state.withLock { $0.backoff.retries(item) }
    }

    /// Keys waiting to be handed out (not those in processing).
    public var count: Int { state.withLock { $0.count } }

    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Stops accepting adds; workers drain what is queued, then `get` returns nil.
    public func shutDown() {
        let (waiters, tasks) = state.withLock { s in
            s.shuttingDown = true
            let w = s.count == 0 ? s.waiters.map(\.continuation) : []
            if s.count == 0 { s.waiters = [] }
            let t = Array(s.delayTasks.values)
            s.delayTasks = [:]
            s.delayedUntil = [:]
            return (w, t)
        }
        for t in tasks { t.cancel() }
        for w in waiters { w.resume(returning: nil) }
    }
}
