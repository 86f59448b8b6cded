import DequeModule
import Synchronization

/// A buffered single-consumer channel: what `AsyncStream` does, for the paths every watch event and
/// every response crosses. `AsyncStream`'s storage is unspecialized generic code inside the Swift
/// runtime, so each element it hands over looks up generic metadata under a global lock; in the
/// scheduler benchmark that was a quarter of the API server's CPU. This one is inlinable (specialized
/// for its element type where it is used), hands over an element without suspending when one is
/// waiting, and lets a consumer take everything pending at once.
///
/// Many producers may `send`; one consumer calls `next()` or `drain()`. The channel terminates once:
/// when a producer finishes it (the consumer still receives what was sent before), when the consumer
/// `cancel()`s, or when the task waiting in `next()`/`drain()` is cancelled. `onTermination` runs then,
/// outside the channel's lock.
public final class BufferedChannel<Element: Sendable, Failure: Error>: Sendable {
    /// What happens to a `send` that finds the buffer full.
    public enum Limit: Sendable {
        case unbounded
        /// Keep the oldest `n` elements; a send beyond them is dropped (AsyncStream's `.bufferingOldest`).
        case dropNewest(Int)
        /// Keep the newest `n` elements; a send beyond them evicts the oldest (`.bufferingNewest`).
        case dropOldest(Int)
    }

    public enum SendResult: Sendable, Equatable {
        case enqueued
        /// The buffer was full (`.dropNewest`): the element was not kept.
        case dropped
        /// The channel has terminated; nothing more is accepted.
        case terminated
    }

    @usableFromInline
    struct State: ~Copyable {
        @usableFromInline var buffer = Deque<Element>()
        @usableFromInline var waiter: Waiter?
        @usableFromInline var drainer: Drainer?
        /// Set once: the producer finished (`failure` is what the consumer gets after the buffer).
        @usableFromInline var finished = false
        @usableFromInline var failure: Failure?
        /// The consumer went away: the buffer is discarded.
        @usableFromInline var cancelled = false
        @usableFromInline var onTermination: (@Sendable () -> Void)?

        @usableFromInline init() {}

        /// Takes the termination hook to run: at most once, when the channel has terminated.
        @inlinable
        mutating func takeTerminationHook() -> (@Sendable () -> Void)? {
            guard finished || cancelled else { return nil }
            defer { onTermination = nil }
            return onTermination
        }
    }

    @usableFromInline let limit: Limit
    @usableFromInline let state = Mutex(State())

    @inlinable
    public init(limit: Limit = .unbounded) {
        self.limit = limit
    }

    /// Runs once when the channel terminates (at once if it already has).
    @inlinable
    public func onTermination(_ hook: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.finished || s.cancelled { return true }
            s.onTermination = hook
            return false
        }
        if runNow { hook() }
    }

    @usableFromInline typealias Waiter = UnsafeContinuation<Result<Element?, Failure>, Never>
    @usableFromInline typealias Drainer = UnsafeContinuation<Result<[Element]?, Failure>, Never>

    /// What a `send` does once the lock is released.
    @usableFromInline enum Handoff {
        case waiter(Waiter)
        case drainer(Drainer)
        case done(SendResult)
    }

    /// Hands `element` to the waiting consumer or buffers it. Never waits.
    @inlinable
    @discardableResult
    public func send(_ element: Element) -> SendResult {
        let step = state.withLock { s -> Handoff in
            if s.finished || s.cancelled { return .done(.terminated) }
            if let w = s.waiter {
                s.waiter = nil
                return .waiter(w)
            }
            if let d = s.drainer {
                s.drainer = nil
                return .drainer(d)
            }
            switch limit {
            case .unbounded:
                break
            case .dropNewest(let n):
                if s.buffer.count >= n { return .done(.dropped) }
            case .dropOldest(let n):
                if n <= 0 { return .done(.dropped) }
                if s.buffer.count >= n { s.buffer.removeFirst() }
            }
            s.buffer.append(element)
            return .done(.enqueued)
        }
        switch step {
        case .waiter(let w):
            w.resume(returning: Result<Element?, Failure>.success(element))
            return .enqueued
        case .drainer(let d):
            d.resume(returning: Result<[Element]?, Failure>.success([element]))
            return .enqueued
        case .done(let r):
            return r
        }
    }

    /// No more elements: the consumer receives what is buffered, then `failure` (if any) or the end.
    @inlinable
    public func finish(throwing failure: Failure? = nil) {
        let (waiter, drainer, hook) = state.withLock { s in
            guard !s.finished, !s.cancelled else { return (nil, nil, nil) as (Waiter?, Drainer?, (@Sendable () -> Void)?) }
            s.finished = true
            s.failure = failure
            // A waiting consumer has an empty buffer: it gets the end now (and the failure is spent).
            let w = s.waiter
            let d = s.drainer
            s.waiter = nil
            s.drainer = nil
            if w != nil || d != nil { s.failure = nil }
            return (w, d, s.takeTerminationHook())
        }
        if let waiter { waiter.resume(returning: failure.map { .failure($0) } ?? .success(nil)) }
        if let drainer { drainer.resume(returning: failure.map { .failure($0) } ?? .success(nil)) }
        hook?()
    }

    /// The consumer is done: buffered elements are discarded and producers see `.terminated`.
    @inlinable
    public func cancel() {
        let (waiter, drainer, hook) = state.withLock { s in
            guard !s.cancelled else { return (nil, nil, nil) as (Waiter?, Drainer?, (@Sendable () -> Void)?) }
            s.cancelled = true
            s.buffer.removeAll()
            let w = s.waiter
            let d = s.drainer
            s.waiter = nil
            s.drainer = nil
            return (w, d, s.takeTerminationHook())
        }
        waiter?.resume(returning: .success(nil))
        drainer?.resume(returning: .success(nil))
        hook?()
    }

    /// Whether the channel has terminated (finished or cancelled).
    @inlinable
    public var isTerminated: Bool { state.withLock { $0.finished || $0.cancelled } }

    /// Elements buffered and not yet taken.
    @inlinable
    public var pendingCount: Int { state.withLock { $0.buffer.count } }

    /// The next element, waiting for one; nil once the channel has ended. Cancelling the waiting task
    /// cancels the channel.
    @inlinable
    public func next(isolation: isolated (any Actor)? = #isolation) async throws(Failure) -> Element? {
        try await take(isolation: isolation, Self.takeOne) { $0.waiter = $1 }
    }

    /// Everything buffered, waiting for at least one element; nil once the channel has ended.
    @inlinable
    public func drain(isolation: isolated (any Actor)? = #isolation) async throws(Failure) -> [Element]? {
        try await take(isolation: isolation, Self.takeAll) { $0.drainer = $1 }
    }

    /// Takes what `take` finds, or parks the consumer (`park`) until a send or the end resumes it.
    @inlinable
    func take<R>(isolation: isolated (any Actor)?, _ take: @Sendable (inout State) -> Result<R?, Failure>?,
                 park: @Sendable (inout State, UnsafeContinuation<Result<R?, Failure>, Never>) -> Void) async throws(Failure) -> R? {
        if let now = state.withLock({ take(&$0) }) { return try now.get() }
        // Already cancelled, the handler runs at once; cancelled while parked, it ends the channel
        // and so resumes the consumer.
        let result = await withTaskCancellationHandler {
            await withUnsafeContinuation(isolation: isolation) { (c: UnsafeContinuation<Result<R?, Failure>, Never>) in
                let now = state.withLock { s -> Result<R?, Failure>? in
                    if let r = take(&s) { return r }
                    if Task.isCancelled { return .success(nil) }
                    park(&s, c)
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            self.cancel()
        }
        return try result.get()
    }

    @inlinable
    static func takeOne(_ s: inout State) -> Result<Element?, Failure>? {
        if let e = s.buffer.popFirst() { return .success(e) }
        return ending(&s)
    }

    @inlinable
    static func takeAll(_ s: inout State) -> Result<[Element]?, Failure>? {
        if !s.buffer.isEmpty {
            let all = Array(s.buffer)
            s.buffer.removeAll(keepingCapacity: true)
            return .success(all)
        }
        return ending(&s)
    }

    /// What a consumer finding the buffer empty gets: the end (once, the failure) or nil to wait.
    @inlinable
    static func ending<R>(_ s: inout State) -> Result<R?, Failure>? {
        if s.cancelled { return .success(nil) }
        if s.finished {
            defer { s.failure = nil }
            return s.failure.map { .failure($0) } ?? .success(nil)
        }
        return nil
    }
}

extension BufferedChannel: AsyncSequence {
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let channel: BufferedChannel

        @inlinable init(channel: BufferedChannel) { self.channel = channel }

        @inlinable
        public mutating func next() async throws(Failure) -> Element? { try await channel.next(isolation: nil) }

        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(Failure) -> Element? {
            try await channel.next(isolation: actor)
        }
    }

    @inlinable
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
