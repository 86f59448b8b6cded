import Foundation
@testable import EtcdAPI

/// Runs `body` with one fresh member of `kind` (new data dir, free ports); stops it and removes
/// everything afterwards, pass or fail.
func withMember<T>(_ kind: MemberProcess.Kind = .swiftlet, extra: [String] = [],
                   _ body: (MemberProcess, TempDir) async throws -> T) async throws -> T {
    let dir = try TempDir(kind == .swiftlet ? "store" : "etcd")
    defer { dir.remove() }
    let ports = try freePorts(2)
    let member = MemberProcess(kind, name: "m1", clientPort: ports[0], peerPort: ports[1],
                               dataDir: dir.path + "/data", logDir: dir)
    defer { member.stop(SIGKILL) }
    try member.start(extra: extra)
    try await member.waitReady()
    return try await body(member, dir)
}
