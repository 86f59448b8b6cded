// Small thread-safe pieces the loop shares with callers: published observables, request ids, exit.

import Glibc

/// Values the loop publishes after every iteration, readable from any thread.
final class MemberObservables: @unchecked Sendable {
    struct Values {
        var leader: UInt64 = 0
        var term: UInt64 = 0
        var revision: Int64 = 1
        var appliedIndex: UInt64 = 0
    }

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var values = Values()

    init() { pthread_mutex_init(lock, nil) }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    func set(_ v: Values) {
        pthread_mutex_lock(lock)
        values = v
        pthread_mutex_unlock(lock)
    }

    var current: Values {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return values
    }
}

/// Why a member's loop ended.
public struct StoreMemberExit: Sendable {
    public var removed: Bool
    public var error: (any Error)?
}

/// etcd's idutil: request ids unique per member, from a prefix of the member id and the start time, so
/// ids never repeat across restarts (an entry replayed after a restart cannot complete a new request).
final class RequestIDGenerator: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var next: UInt64

    init(memberID: UInt64) {
        pthread_mutex_init(lock, nil)
        let prefix = (memberID & 0xffff) << 48
        let time = (UInt64(truncatingIfNeeded: wallMilliseconds()) & 0xff_ffff_ffff) << 8
        next = prefix | time
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    func make() -> UInt64 {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        next &+= 1
        if next == 0 { next = 1 }
        return next
    }
}
