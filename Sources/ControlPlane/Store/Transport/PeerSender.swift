// The sending side towards one peer: a bounded queue and a thread that keeps one connection open
// (reconnecting with backoff) and writes the queued messages as frames. When the queue is full or a
// write fails, messages are dropped and Raft is told the peer is unreachable: Raft retransmits, so a
// dropped message costs time, never safety. A snapshot message reports whether it got through.
// When the thread is idle and the socket can take a frame at once, the caller writes it itself: waking
// a thread per message costs more than the write, and on a busy machine it is the latency of a commit.

import Glibc
import Logging

final class PeerSender: @unchecked Sendable {
    let peer: RaftNodeID
    private let localID: RaftNodeID
    private let clusterID: UInt64
    private let inbox: Inbox<MemberInput>
    private let logger: Logger
    private static let capacity = 4096

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var queue: [RaftMessage] = []
    /// The unsent rest of a frame the caller's fast path began; goes out first, on the same connection.
    private var pending: [UInt8] = []
    /// The thread is writing outside the lock: callers must queue, or frames would interleave.
    private var busy = false
    private var urls: [String]
    private var stopped = false
    private var socket: PeerSocket?

    init(peer: RaftNodeID, urls: [String], localID: RaftNodeID, clusterID: UInt64, inbox: Inbox<MemberInput>, logger: Logger) {
        self.peer = peer
        self.urls = urls
        self.localID = localID
        self.clusterID = clusterID
        self.inbox = inbox
        self.logger = logger
        pthread_mutex_init(lock, nil)
        pthread_cond_init(cond, nil)
        if let t = spawnThread({ [self] in run() }) { pthread_detach(t) }
    }

    func setURLs(_ new: [String]) {
        pthread_mutex_lock(lock)
        urls = new
        pthread_mutex_unlock(lock)
    }

    /// Queues `message`; false (and the message dropped) when the queue is full or the sender stopped.
    func enqueue(_ message: RaftMessage) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard !stopped, queue.count < Self.capacity else { return false }
        if !busy, queue.isEmpty, pending.isEmpty, message.type != .snapshot, let socket {
            let frame = PeerSocket.frame(message.wireEncoded())
            let sent = socket.trySend(frame)
            if sent == frame.count { return true }
            if sent > 0 {
                pending = Array(frame[sent...])
                pthread_cond_signal(cond)
                return true
            }
            // Nothing went out (a full buffer or a broken connection): the thread takes it from here.
        }
        queue.append(message)
        pthread_cond_signal(cond)
        return true
    }

    func stop() {
        pthread_mutex_lock(lock)
        stopped = true
        socket?.shutdown()
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(lock)
    }

    private func takeBatch() -> (pending: [UInt8], batch: [RaftMessage])? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        busy = false
        while queue.isEmpty && pending.isEmpty && !stopped { pthread_cond_wait(cond, lock) }
        if stopped { return nil }
        busy = true
        defer { queue = []; pending = [] }
        return (pending, queue)
    }

    private var isStopped: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return stopped
    }

    private func run() {
        var backoff = 50
        while let (pending, batch) = takeBatch() {
            if !pending.isEmpty {
                // Only this thread replaces the socket, and only while busy: the rest belongs to this one.
                do {
                    guard let socket = currentSocket() else { throw PeerSocketError.closed }
                    try socket.writeAll(pending)
                } catch {
                    dropSocket()
                    fail(batch)
                    if batch.isEmpty && !isStopped { inbox.post(.unreachable(peer)) }
                    continue
                }
            }
            if batch.isEmpty { continue }
            var conn = currentSocket()
            if conn == nil {
                conn = connect()
                if conn == nil {
                    fail(batch)
                    sleepMilliseconds(backoff)
                    backoff = min(backoff * 2, 1000)
                    continue
                }
                backoff = 50
            }
            guard let socket = conn else { continue }
            var sentUpTo = 0
            do {
                for m in batch {
                    try socket.writeFrame(m.wireEncoded())
                    sentUpTo += 1
                    if m.type == .snapshot { inbox.post(.snapshotStatus(peer, failed: false)) }
                }
            } catch {
                if !isStopped {
                    logger.debug("peer write failed", metadata: ["peer": "\(memberIDString(peer))", "error": "\(error)"])
                }
                dropSocket()
                fail(Array(batch[sentUpTo...]))
            }
        }
        dropSocket()
    }

    // The thread holds a reference until it returns, so the lock outlives every use.
    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        cond.deallocate()
    }

    private func fail(_ messages: [RaftMessage]) {
        guard !messages.isEmpty, !isStopped else { return }
        inbox.post(.unreachable(peer))
        for m in messages where m.type == .snapshot { inbox.post(.snapshotStatus(peer, failed: true)) }
    }

    private func currentSocket() -> PeerSocket? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return socket
    }

    private func dropSocket() {
        pthread_mutex_lock(lock)
        let s = socket
        socket = nil
        pthread_mutex_unlock(lock)
        s?.close()
    }

    /// Connects to the first URL that answers and passes the handshake.
    private func connect() -> PeerSocket? {
        pthread_mutex_lock(lock)
        let candidates = urls
        pthread_mutex_unlock(lock)
        for url in candidates {
            guard let target = PeerURL(url) else { continue }
            do {
                let s = try PeerSocket.connect(host: target.host, port: target.port, timeoutMilliseconds: 1000)
                s.setReceiveTimeout(milliseconds: 2000)
                try s.writeFrame(PeerHello(purpose: .raft, clusterID: clusterID, from: localID, to: peer).encoded())
                let reply = try PeerHelloReply(try s.readFrame())
                guard reply.accepted else {
                    if reply.refusal == .removed { inbox.post(.removedByPeer(peer)) }
                    logger.error("peer refused our connection", metadata: ["peer": "\(memberIDString(peer))", "url": "\(url)",
                                                                          "reason": "\(reply.message)"])
                    s.close()
                    continue
                }
                s.setReceiveTimeout(milliseconds: 0)
                s.setSendTimeout(milliseconds: 5000)
                pthread_mutex_lock(lock)
                if stopped {
                    pthread_mutex_unlock(lock)
                    s.close()
                    return nil
                }
                socket = s
                pthread_mutex_unlock(lock)
                return s
            } catch {
                continue
            }
        }
        return nil
    }
}

func sleepMilliseconds(_ ms: Int) {
    var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    var rest = timespec()
    while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
}
