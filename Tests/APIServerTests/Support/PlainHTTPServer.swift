@testable import APIServer
import Foundation
import Glibc

/// A minimal plain-HTTP/1.1 front for an `APIHandler` on 127.0.0.1, for driving the handler with the
/// real kubectl (`--server=http://127.0.0.1:PORT`) in tests. One thread per connection, keep-alive,
/// Content-Length request bodies, chunked streaming responses. Test support only: the product's HTTPS
/// layer lives in ControlPlane.
final class PlainHTTPServer: @unchecked Sendable {
    let handler: any APIHandler
    private(set) var port: UInt16 = 0
    private var listenFD: Int32 = -1
    private let lock = NSLock()
    private var connections: Set<Int32> = []
    private var stopped = false

    init(handler: any APIHandler) { self.handler = handler }

    func start() throws {
        listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listenFD >= 0 else { throw TestError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listenFD, 64) == 0 else { throw TestError("bind/listen: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenFD, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        let fd = listenFD
        Thread.detachNewThread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                lock.lock()
                if stopped { lock.unlock(); close(c); return }
                connections.insert(c)
                lock.unlock()
                Thread.detachNewThread { [self] in
                    serve(c)
                    lock.lock(); connections.remove(c); lock.unlock()
                    close(c)
                }
            }
        }
    }

    func stop() {
        lock.lock()
        stopped = true
        let open = connections
        lock.unlock()
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for c in open { shutdown(c, Int32(SHUT_RDWR)) }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // Read the header block.
            var headerEnd: Int?
            while headerEnd == nil {
                if let r = findHeaderEnd(buffer) { headerEnd = r; break }
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
            buffer.removeFirst(headerEnd! + 4)
            let lines = head.components(separatedBy: "\r\n")
            let requestLine = lines[0].split(separator: " ")
            guard requestLine.count >= 2 else { return }
            var headers: [(name: String, value: String)] = []
            for l in lines.dropFirst() {
                guard let colon = l.firstIndex(of: ":") else { continue }
                headers.append((name: l[..<colon].lowercased(), value: l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            let length = Int(headers.first { $0.name == "content-length" }?.value ?? "0") ?? 0
            while buffer.count < length {
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            let target = String(requestLine[1])
            let (path, query) = splitTarget(target)
            let request = APIRequest(method: String(requestLine[0]), path: path, query: query, headers: headers, body: body,
                                     user: UserInfo(name: "admin", groups: ["system:masters"]))
            let done = DispatchSemaphore(value: 0)
            let box = ResponseBox()
            let handler = self.handler
            Task {
                box.response = await handler.handle(request)
                done.signal()
            }
            done.wait()
            guard let response = box.response else { return }
            if !write(fd, response) { return }
        }
    }

    private final class ResponseBox: @unchecked Sendable { var response: APIResponse? }

    private func write(_ fd: Int32, _ response: APIResponse) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\n"
        for (n, v) in response.headers where n != "transfer-encoding" && n != "content-length" { head += "\(n): \(v)\r\n" }
        switch response.body {
        case .bytes(let b):
            head += "content-length: \(b.count)\r\n\r\n"
            return writeAll(fd, Array(head.utf8) + b)
        case .stream(let stream):
            head += "transfer-encoding: chunked\r\n\r\n"
            guard writeAll(fd, Array(head.utf8)) else { return false }
            let done = DispatchSemaphore(value: 0)
            let ok = ResultBox()
            Task {
                for await c in stream where !c.isEmpty {
                    if !self.writeAll(fd, Array((String(c.count, radix: 16) + "\r\n").utf8) + c + Array("\r\n".utf8)) {
                        ok.failed = true
                        break
                    }
                }
                if !ok.failed { ok.failed = !self.writeAll(fd, Array("0\r\n\r\n".utf8)) }
                done.signal()
            }
            done.wait()
            return !ok.failed
        }
    }

    private final class ResultBox: @unchecked Sendable { var failed = false }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    private func findHeaderEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    private func splitTarget(_ target: String) -> (String, [(name: String, value: String)]) {
        guard let q = target.firstIndex(of: "?") else { return (target.removingPercentEncoding ?? target, []) }
        let path = String(target[..<q])
        var query: [(name: String, value: String)] = []
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func dec(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            query.append((name: dec(kv[0]), value: kv.count > 1 ? dec(kv[1]) : ""))
        }
        return (path.removingPercentEncoding ?? path, query)
    }
}
