@testable import APIServer
import Foundation
import Glibc
import Store

/// An API server over a real single-member `StoreMember` (Raft + WAL + MVCC) in a temp dir on a
/// loopback port; `close()` stops both and removes the directory.
struct MemberEnv {
    let member: StoreMember
    let env: APITestEnv
    let dir: String

    static func make() async throws -> MemberEnv {
        let dir = NSTemporaryDirectory() + "swiftlet-apiserver-member-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let port = freePort()
        var config = StoreMemberConfig(name: "m1", dataDir: dir, peerListen: "127.0.0.1:\(port)",
                                       initialCluster: [("m1", ["http://127.0.0.1:\(port)"])],
                                       initialClusterToken: "apiserver-test")
        config.tickMilliseconds = 20
        config.walSegmentBytes = 1 << 20
        let member: StoreMember
        do { member = try await StoreMember.start(config) } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        let server = KubeAPIServer(store: member, config: APIServerConfig(advertiseAddress: "192.0.2.10"))
        do {
            try await server.start()
        } catch {
            await member.stop()
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        return MemberEnv(member: member, env: APITestEnv(store: nil, server: server), dir: dir)
    }

    func close() async {
        env.server.stop()
        await member.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }
}
