import Synchronization

/// The hand-off between a streamed body's source and the connection's writer: chunks accumulate
/// while the writer is busy and it takes them all at once, so a watch that receives events faster than
/// one socket write each goes out in fewer, larger writes (and TLS records). Bounded in bytes: past
/// `limit` the source waits, its own bounded buffer fills, and the watch cache drops the watcher as
/// it drops any slow client.
final class StreamBatch: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var finished = false
        var consumer: CheckedContinuation<[UInt8]?, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds a chunk; waits while the batch holds `limit` bytes or more. False once finished.
    func append(_ chunk: [UInt8]) async -> Bool {
        let consumer = state.withLock { s -> CheckedContinuation<[UInt8]?, Never>?? in
            if s.finished { return .none }
            if let c = s.consumer {
                s.consumer = nil
                return .some(c)
            }
            s.bytes += chunk
            return .some(nil)
        }
        switch consumer {
        case .none:
            return false
        case .some(let c?):
            c.resume(returning: chunk)
            return true
        case .some(nil):
            break
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.finished || s.bytes.count < limit { return true }
                s.producer = c
                return false
            }
            if resumeNow { c.resume() }
        }
        return !state.withLock { $0.finished }
    }

    /// Everything accumulated (waiting for some), or nil once finished and drained.
    func takeAll() async -> [UInt8]? {
        enum Step { case bytes([UInt8], CheckedContinuation<Void, Never>?), done, wait }
        func take(_ s: inout State) -> Step {
            if !s.bytes.isEmpty {
                let out = s.bytes
                s.bytes = []
                defer { s.producer = nil }
                return .bytes(out, s.producer)
            }
            return s.finished ? .done : .wait
        }
        switch state.withLock({ take(&$0) }) {
        case .bytes(let b, let p):
            p?.resume()
            return b
        case .done:
            return nil
        case .wait:
            return await withCheckedContinuation { (c: CheckedContinuation<[UInt8]?, Never>) in
                switch state.withLock({ s -> Step in
                    let step = take(&s)
                    if case .wait = step { s.consumer = c }
                    return step
                }) {
                case .bytes(let b, let p):
                    p?.resume()
                    c.resume(returning: b)
                case .done:
                    c.resume(returning: nil)
                case .wait:
                    break
                }
            }
        }
    }

    /// No more chunks: the writer drains what is there and ends; a waiting source returns.
    func finish() {
        let (consumer, producer) = state.withLock { s -> (CheckedContinuation<[UInt8]?, Never>?, CheckedContinuation<Void, Never>?) in
            s.finished = true
            defer { s.consumer = nil; s.producer = nil }
            return (s.bytes.isEmpty ? s.consumer : nil, s.producer)
        }
        consumer?.resume(returning: nil)
        producer?.resume()
    }
}
