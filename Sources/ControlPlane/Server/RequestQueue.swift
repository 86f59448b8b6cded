import Synchronization

/// The hand-off between a connection's reader and its writer: what was read, in order, bounded so
/// that a client pipelining requests without reading the answers stops being read (TCP pushes back)
/// instead of growing our memory. `finish` ends it: the writer drains what is queued and stops.
final class RequestQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var finished = false
        var consumer: CheckedContinuation<Item?, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }
    private enum PushStep { case delivered(CheckedContinuation<Item?, Never>), queued, full, finished }
    private enum NextStep { case item(Item, CheckedContinuation<Void, Never>?), finished, wait }
    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Waits while the queue is full; returns false once the queue is finished (the item is dropped).
    func push(_ item: Item) async -> Bool {
        while true {
            let step = state.withLock { state -> PushStep in
                if state.finished { return .finished }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .delivered(consumer)
                }
                if state.items.count < capacity {
                    state.items.append(item)
                    return .queued
                }
                return .full
            }
            switch step {
            case .delivered(let consumer):
                consumer.resume(returning: item)
                return true
            case .queued:
                return true
            case .finished:
                return false
            case .full:
                if Task.isCancelled { return false }
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.finished || state.items.count < capacity { return true }
                        state.producer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// The next item, or nil when finished and drained. Only one consumer may wait at a time.
    func next() async -> Item? {
        let step = state.withLock { state -> NextStep in
            if !state.items.isEmpty {
                let item = state.items.removeFirst()
                let producer = state.producer
                state.producer = nil
                return .item(item, producer)
            }
            return state.finished ? .finished : .wait
        }
        switch step {
        case .item(let item, let producer):
            producer?.resume()
            return item
        case .finished:
            return nil
        case .wait:
            return await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                let now = state.withLock { state -> NextStep in
                    if !state.items.isEmpty {
                        let item = state.items.removeFirst()
                        let producer = state.producer
                        state.producer = nil
                        return .item(item, producer)
                    }
                    if state.finished { return .finished }
                    state.consumer = continuation
                    return .wait
                }
                switch now {
                case .item(let item, let producer):
                    producer?.resume()
                    continuation.resume(returning: item)
                case .finished:
                    continuation.resume(returning: nil)
                case .wait:
                    break
                }
            }
        }
    }

    /// No more items: a waiting consumer gets nil once the queue is drained, a waiting producer returns.
    func finish() {
        let (consumer, producer) = state.withLock { state -> (CheckedContinuation<Item?, Never>?, CheckedContinuation<Void, Never>?) in
            state.finished = true
            defer { state.consumer = nil; state.producer = nil }
            return (state.items.isEmpty ? state.consumer : nil, state.producer)
        }
        consumer?.resume(returning: nil)
        producer?.resume()
    }
}
