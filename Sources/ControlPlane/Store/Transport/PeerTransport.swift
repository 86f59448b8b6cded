// TCP transport between members (etcd's rafthttp, much simplified): one outgoing connection per peer
// (PeerSender) and a listener whose connections each get a reader thread. Every connection starts with
// a handshake naming cluster and members, so a member of another cluster, or one that was removed, is
// refused before any Raft message is read.

import Glibc
import Logging

final class PeerTransport: RaftTransport, @unchecked Sendable {
    let port: UInt16
    private let memberID: RaftNodeID
    private let clusterID: UInt64
    private let inbox: Inbox<MemberInput>
    private let logger: Logger
    private let listener: PeerListener

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var senders: [RaftNodeID: PeerSender] = [:]
    private var readers: [ObjectIdentifier: PeerSocket] = [:]
    private var membershipBytes: [UInt8] = []
    private var removed: Set<UInt64> = []
    private var stopped = false

    init(listen: String, memberID: RaftNodeID, clusterID: UInt64, inbox: Inbox<MemberInput>, logger: Logger) throws {
        guard let (host, port) = splitHostPort(listen) else {
            throw StoreMemberError.invalidConfig("peer listen address \"\(listen)\" is not host:port")
        }
        listener = try PeerListener(host: host, port: port)
        self.port = listener.port
        self.memberID = memberID
        self.clusterID = clusterID
        self.inbox = inbox
        self.logger = logger
        pthread_mutex_init(lock, nil)
        guard let t = spawnThread({ [self] in acceptLoop() }) else {
            listener.close()
            throw StoreMemberError.dataDir("cannot start the peer listener thread")
        }
        pthread_detach(t)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    // MARK: RaftTransport

    func send(_ messages: [RaftMessage]) {
        pthread_mutex_lock(lock)
        let current = senders
        pthread_mutex_unlock(lock)
        var unreachable = Set<RaftNodeID>()
        for m in messages {
            guard let sender = current[m.to], sender.enqueue(m) else {
                unreachable.insert(m.to)
                if m.type == .snapshot { inbox.post(.snapshotStatus(m.to, failed: true)) }
                continue
            }
        }
        for peer in unreachable.sorted() { inbox.post(.unreachable(peer)) }
    }

    func updatePeers(_ membership: Membership, self id: RaftNodeID) {
        var w = ByteWriter()
        membership.encode(to: &w)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        membershipBytes = w.bytes
        removed = membership.removed
        guard !stopped else { return }
        var wanted: [RaftNodeID: [String]] = [:]
        for m in membership.members where m.id != id { wanted[m.id] = m.peerURLs }
        for (peer, sender) in senders where wanted[peer] == nil {
            sender.stop()
            senders[peer] = nil
        }
        for (peer, urls) in wanted {
            if let s = senders[peer] { s.setURLs(urls) } else {
                senders[peer] = PeerSender(peer: peer, urls: urls, localID: memberID, clusterID: clusterID,
                                           inbox: inbox, logger: logger)
            }
        }
    }

    func stop() {
        pthread_mutex_lock(lock)
        stopped = true
        let all = Array(senders.values)
        senders = [:]
        let open = Array(readers.values)
        readers = [:]
        pthread_mutex_unlock(lock)
        listener.shutdown()
        for s in all { s.stop() }
        for r in open { r.shutdown() }
    }

    // MARK: Receiving

    private func acceptLoop() {
        while let conn = listener.accept() {
            pthread_mutex_lock(lock)
            if stopped {
                pthread_mutex_unlock(lock)
                conn.close()
                break
            }
            readers[ObjectIdentifier(conn)] = conn
            pthread_mutex_unlock(lock)
            if let t = spawnThread({ [self] in serve(conn) }) { pthread_detach(t) } else { forget(conn) }
        }
        listener.close()
    }

    private func forget(_ conn: PeerSocket) {
        pthread_mutex_lock(lock)
        readers[ObjectIdentifier(conn)] = nil
        pthread_mutex_unlock(lock)
        conn.close()
    }

    private func serve(_ conn: PeerSocket) {
        defer { forget(conn) }
        conn.setReceiveTimeout(milliseconds: 5000)
        guard let first = try? conn.readFrame(), let hello = PeerHello(first) else { return }
        pthread_mutex_lock(lock)
        let members = membershipBytes
        let isRemoved = removed.contains(hello.from)
        pthread_mutex_unlock(lock)

        if hello.purpose == .query {
            try? conn.writeFrame(PeerHelloReply(accepted: true, clusterID: clusterID, membership: members).encoded())
            return
        }
        var refusal: String?
        var kind = PeerHelloReply.Refusal.none
        if hello.clusterID != clusterID {
            kind = .otherCluster
            refusal = "cluster ID mismatch: this member \(memberIDString(memberID)) is in cluster \(memberIDString(clusterID)), "
                + "the sender \(memberIDString(hello.from)) in cluster \(memberIDString(hello.clusterID))"
        } else if hello.to != memberID {
            kind = .wrongMember
            refusal = "member ID mismatch: this is member \(memberIDString(memberID)), not \(memberIDString(hello.to))"
        } else if isRemoved {
            kind = .removed
            refusal = "member \(memberIDString(hello.from)) was removed from the cluster"
        }
        if let refusal {
            logger.warning("refused a peer connection", metadata: ["reason": "\(refusal)"])
            var reply = PeerHelloReply(accepted: false, message: refusal)
            reply.refusal = kind
            try? conn.writeFrame(reply.encoded())
            return
        }
        guard (try? conn.writeFrame(PeerHelloReply(accepted: true, clusterID: clusterID).encoded())) != nil else { return }
        conn.setReceiveTimeout(milliseconds: 0)
        while true {
            guard let frame = try? conn.readFrame() else { return }
            guard let m = try? RaftMessage(wire: frame), m.from == hello.from, m.to == memberID else {
                logger.warning("dropping a peer connection that sent a malformed message", metadata: ["peer": "\(memberIDString(hello.from))"])
                return
            }
            if !inbox.post(.peerMessage(m)) { return }
        }
    }

    // MARK: Joining

    /// Asks the members at `urls` for the cluster id and member list (for a member started with
    /// initial-cluster-state existing). Throws if none answers.
    static func queryCluster(urls: [String]) throws -> (clusterID: UInt64, membership: Membership) {
        var errors: [String] = []
        for url in urls {
            guard let target = PeerURL(url) else { continue }
            do {
                let s = try PeerSocket.connect(host: target.host, port: target.port, timeoutMilliseconds: 2000)
                defer { s.close() }
                s.setReceiveTimeout(milliseconds: 3000)
                try s.writeFrame(PeerHello(purpose: .query, clusterID: 0, from: 0, to: 0).encoded())
                let reply = try PeerHelloReply(try s.readFrame())
                var r = ByteReader(reply.membership)
                return (reply.clusterID, try Membership(from: &r))
            } catch {
                errors.append("\(url): \(error)")
            }
        }
        throw StoreMemberError.peerRejected("no member of the existing cluster answered: \(errors.joined(separator: "; "))")
    }
}
