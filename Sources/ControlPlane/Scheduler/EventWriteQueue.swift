import Channels
import Synchronization

/// Events written in the background, at most `writers` at a time, from a queue of at most `capacity`;
/// beyond that they are dropped. client-go's event broadcaster does the same (a 1,000-event queue,
/// DropIfChannelFull): events are best effort and must never hold up binding.
final class EventWriteQueue: Sendable {
    typealias Write = @Sendable () async -> Void
    private let jobs: BufferedChannel<Write, Never>
    private let writers: Int
    private let droppedCount = Mutex(0)

    init(capacity: Int = 1000, writers: Int = 8) {
        jobs = BufferedChannel(limit: .dropNewest(capacity))
        self.writers = max(1, writers)
    }

    /// Queues a write; false when the queue was full (or ended) and it was dropped.
    @discardableResult
    func submit(_ write: @escaping Write) -> Bool {
        guard jobs.send(write) == .enqueued else {
            droppedCount.withLock { $0 += 1 }
            return false
        }
        return true
    }

    var dropped: Int { droppedCount.withLock { $0 } }

    /// Writes until cancelled; the queue cannot be run twice.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while let batch = await jobs.drain() {
                for write in batch {
                    if running >= writers {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await write() }
                    running += 1
                }
            }
        }
    }

    func finish() { jobs.finish() }
}
