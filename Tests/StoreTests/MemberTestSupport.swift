import Glibc
@testable import Store

func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A single-member config in `dir` on a free loopback port.
func singleMemberConfig(_ dir: String, name: String = "m1", token: String = "test-cluster", port: UInt16? = nil) -> StoreMemberConfig {
    let p = port ?? freeLoopbackPort()
    var c = StoreMemberConfig(name: name, dataDir: dir, peerListen: "127.0.0.1:\(p)",
                              initialCluster: [(name, ["http://127.0.0.1:\(p)"])], initialClusterToken: token,
                              advertiseClientURLs: ["http://127.0.0.1:2379"])
    c.tickMilliseconds = 20
    c.walSegmentBytes = 1 << 20
    c.requestTimeoutMilliseconds = 4000
    return c
}

/// A port nobody listens on right now (bound then released; loopback only).
func freeLoopbackPort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return UInt16(bigEndian: addr.sin_port)
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = monotonicMilliseconds() + Int64(seconds * 1000)
    while monotonicMilliseconds() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}

func value(_ m: some KeyValueClient, _ key: String) async throws -> String? {
    let r = try await m.range(RangeRequest(key: utf8(key)))
    return r.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }
}
