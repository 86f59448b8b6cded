// The member's own thread and its inbox. The Raft loop owns all member state and does all disk I/O on
// this thread, so async callers never block the cooperative pool: they post an input and await a
// continuation the loop resumes.

import Glibc

/// Milliseconds on the monotonic clock (timers, deadlines).
func monotonicMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// Milliseconds since the Unix epoch (lease expiry instants, which every member must read alike).
func wallMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// A mutex-protected queue with a condition variable; `take` waits until something arrives or a deadline.
final class Inbox<Item>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items: [Item] = []
    private var closed = false

    init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        cond.deallocate()
    }

    /// False once closed: the caller must fail the item itself.
    @discardableResult
    func post(_ item: Item) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if closed { return false }
        items.append(item)
        pthread_cond_signal(cond)
        return true
    }

    /// Everything queued, waiting at most until `deadline` (monotonic ms) for the first item.
    func take(until deadline: Int64) -> [Item] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while items.isEmpty && !closed {
            let now = monotonicMilliseconds()
            if now >= deadline { break }
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            let wait = deadline - now
            var nsec = Int(ts.tv_nsec) + Int(wait % 1000) * 1_000_000
            ts.tv_sec += time_t(wait / 1000) + time_t(nsec / 1_000_000_000)
            nsec %= 1_000_000_000
            ts.tv_nsec = nsec
            pthread_cond_timedwait(cond, mutex, &ts)
        }
        defer { items = [] }
        return items
    }

    /// Refuses further posts and returns what was still queued.
    func close() -> [Item] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        closed = true
        defer { items = [] }
        return items
    }
}

/// Runs `body` on a new detached-able POSIX thread; returns its handle for joining.
func spawnThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { arg in
        let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    if rc != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        return nil
    }
    return thread
}
