import KubeAPI

/// A watch's typed events, pulled one at a time: the reader behind them decodes an event only when
/// asked, and closes the connection when the sequence is released or its consuming task is cancelled.
public struct WatchEvents<Object: KubeObject>: AsyncSequence, Sendable {
    public typealias Element = WatchChange<Object>
    private let produce: @Sendable () async throws -> WatchChange<Object>?

    /// Events from `produce`, called for each next event until it returns nil (the watch ended).
    public init(_ produce: @escaping @Sendable () async throws -> WatchChange<Object>?) {
        self.produce = produce
    }

    /// Events a source pushes into a stream (scripted sources in tests, adapters).
    public init(_ stream: AsyncThrowingStream<WatchChange<Object>, any Error>) {
        let box = IteratorBox(stream.makeAsyncIterator())
        produce = { try await box.next() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let produce: @Sendable () async throws -> WatchChange<Object>?
        public mutating func next() async throws -> WatchChange<Object>? { try await produce() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(produce: produce) }
}

/// A stream's iterator shared by the closure that pulls from it: one consumer at a time, as for the
/// stream itself.
private final class IteratorBox<Object: KubeObject>: @unchecked Sendable {
    var iterator: AsyncThrowingStream<WatchChange<Object>, any Error>.AsyncIterator
    init(_ iterator: AsyncThrowingStream<WatchChange<Object>, any Error>.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> WatchChange<Object>? { try await iterator.next() }
}
