// Blocking TCP sockets for the peer transport, and its framing: every frame is a u32 little-endian
// length, then that many bytes. The first frame on a connection is the handshake (PeerHandshake).

import Glibc

enum PeerSocketError: Error, CustomStringConvertible {
    case system(String, Int32)
    case closed
    case frameTooLarge(Int)
    case resolve(String)

    var description: String {
        switch self {
        case let .system(what, e): "peer socket: \(what): \(String(cString: strerror(e)))"
        case .closed: "peer socket: connection closed"
        case let .frameTooLarge(n): "peer socket: frame of \(n) bytes exceeds the limit"
        case let .resolve(host): "peer socket: cannot resolve \(host)"
        }
    }
}

/// One connected socket. Closing is idempotent; `shutdown` wakes a thread blocked reading it.
final class PeerSocket: @unchecked Sendable {
    private(set) var fd: Int32
    static let maxFrame = 1 << 30

    init(fd: Int32) {
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func shutdown() { if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }

    /// A send timeout, so a peer that stops reading cannot wedge its sender thread forever.
    func setSendTimeout(milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func setReceiveTimeout(milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    static func connect(host: String, port: UInt16, timeoutMilliseconds: Int) throws -> PeerSocket {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw PeerSocketError.resolve(host) }
        defer { freeaddrinfo(list) }
        var lastErrno: Int32 = ECONNREFUSED
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            if fd < 0 { lastErrno = errno; continue }
            let s = PeerSocket(fd: fd)
            // Bounded connect: a send/receive timeout also bounds connect(2) on Linux.
            s.setSendTimeout(milliseconds: timeoutMilliseconds)
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return s }
            lastErrno = errno
            s.close()
        }
        throw PeerSocketError.system("connect \(host):\(port)", lastErrno)
    }

    /// Length header and payload in one buffer: one send, one segment, one wake-up at the reader.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 4 + payload.count)
        w.u32(UInt32(payload.count))
        w.raw(payload)
        return w.bytes
    }

    func writeFrame(_ payload: [UInt8]) throws {
        try writeAll(Self.frame(payload))
    }

    /// Sends what the socket takes without blocking: the byte count, 0 when nothing fit or it failed.
    func trySend(_ bytes: [UInt8]) -> Int {
        while true {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            return 0
        }
    }

    func writeAll(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PeerSocketError.system("send", errno)
            }
            sent += n
        }
    }

    func readFrame() throws -> [UInt8] {
        let header = try readExactly(4)
        var r = ByteReader(header)
        let length = Int(r.u32() ?? 0)
        guard length <= Self.maxFrame else { throw PeerSocketError.frameTooLarge(length) }
        return try readExactly(length)
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n == 0 { throw PeerSocketError.closed }
            if n < 0 {
                if errno == EINTR { continue }
                throw PeerSocketError.system("recv", errno)
            }
            got += n
        }
        return buffer
    }
}

/// A listening socket.
final class PeerListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init(host: String, port: UInt16) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list) == 0, let ai = list else {
            throw PeerSocketError.resolve(host)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
        guard fd >= 0 else { throw PeerSocketError.system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        // A port released a moment ago may still be held by a child between fork and exec (see WALFS.lock);
        // retry a busy address briefly.
        var attempts = 0
        while bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 {
            let e = errno
            if e == EADDRINUSE && attempts < 20 {
                attempts += 1
                sleepMilliseconds(10)
                continue
            }
            Glibc.close(fd)
            throw PeerSocketError.system("bind \(host):\(port)", e)
        }
        guard listen(fd, 64) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw PeerSocketError.system("listen", e)
        }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let family = Int32(storage.ss_family)
        let bound: UInt16 = withUnsafePointer(to: &storage) { p in
            if family == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        self.fd = fd
        self.port = bound
    }

    /// Blocks for the next connection; nil once the listener is shut down.
    func accept() -> PeerSocket? {
        while true {
            let c = Glibc.accept(fd, nil, nil)
            if c >= 0 {
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                return PeerSocket(fd: c)
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return nil
        }
    }

    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    func close() { Glibc.close(fd) }
}

/// "host:port" split at the last colon (brackets around IPv6 hosts removed).
func splitHostPort(_ s: String) -> (String, UInt16)? {
    guard let colon = s.lastIndex(of: ":"), let port = UInt16(s[s.index(after: colon)...]) else { return nil }
    var host = s[..<colon]
    if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
    return (String(host), port)
}
