import Glibc

/// SIGTERM and SIGINT delivered to a waiting task instead of killing the process. The signals are
/// blocked in every thread (so call `blockStopSignals` before any thread starts) and taken with
/// sigwait on a thread of their own, never on a cooperative-pool thread.
enum SignalWaiter {
    static func stopSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    static func blockStopSignals() {
        var set = stopSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for the next SIGTERM or SIGINT; returns its number.
    static func next() async -> Int32 {
        await withCheckedContinuation { (cont: CheckedContinuation<Int32, Never>) in
            let box = Unmanaged.passRetained(ContinuationBox(cont)).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { arg in
                let box = Unmanaged<ContinuationBox>.fromOpaque(arg!).takeRetainedValue()
                var set = SignalWaiter.stopSignals()
                var signal: Int32 = 0
                sigwait(&set, &signal)
                box.continuation.resume(returning: signal)
                return nil
            }, box)
            if started == 0 { pthread_detach(thread) } else {
                Unmanaged<ContinuationBox>.fromOpaque(box).takeRetainedValue().continuation.resume(returning: SIGTERM)
            }
        }
    }

    final class ContinuationBox {
        let continuation: CheckedContinuation<Int32, Never>
        init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }
    }
}
