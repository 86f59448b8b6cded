import Foundation
import Glibc
@testable import EtcdAPI
import Store

/// Several member processes forming one cluster on loopback.
final class ProcessCluster: @unchecked Sendable {
    let dir: TempDir
    var members: [MemberProcess] = []
    let kind: MemberProcess.Kind

    init(_ kind: MemberProcess.Kind, size: Int, dir: TempDir) throws {
        self.kind = kind
        self.dir = dir
        let ports = try freePorts(size * 2)
        for i in 0..<size {
            members.append(MemberProcess(kind, name: "m\(i + 1)", clientPort: ports[2 * i], peerPort: ports[2 * i + 1],
                                         dataDir: dir.path + "/m\(i + 1)", logDir: dir))
        }
    }

    var initialCluster: String { members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",") }
    var endpoints: [String] { members.map(\.clientURL) }

    func startAll(extra: [String] = []) async throws {
        let cluster = initialCluster
        for m in members { try m.start(initialCluster: cluster, extra: extra) }
        for m in members { try await m.waitReady() }
    }

    func stopAll(_ signal: Int32 = SIGTERM) {
        for m in members { m.stop(signal) }
    }

    /// The member the live members agree leads, waiting up to `seconds`.
    func leader(among live: [MemberProcess], seconds: Double = 15) async throws -> MemberProcess {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let client = try EtcdClient(endpoints: live.map(\.clientURL))
            let statuses = await client.status()
            client.close()
            var byID: [UInt64: MemberProcess] = [:]
            var leaders: Set<UInt64> = []
            for (i, s) in statuses.enumerated() {
                if case .success(let st) = s.status {
                    byID[st.memberID] = live[i]
                    leaders.insert(st.leader)
                }
            }
            if leaders.count == 1, let id = leaders.first, let m = byID[id], byID.count == live.count { return m }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure(description: "no agreed leader among \(live.map(\.name))")
    }
}

/// Every key and value under `prefix` as one member sees it (a linearizable read).
func dump(_ endpoint: String, prefix: String = "") async throws -> [String: String] {
    let c = try EtcdClient(endpoints: [endpoint])
    defer { c.close() }
    let key = prefix.isEmpty ? [UInt8(0)] : Array(prefix.utf8)
    let r = try await c.range(RangeRequest(key: key, end: prefix.isEmpty ? [0] : prefixRangeEnd(key)))
    var out: [String: String] = [:]
    for kv in r.kvs { out[String(decoding: kv.key, as: UTF8.self)] = String(decoding: kv.value, as: UTF8.self) }
    return out
}

/// Puts `load/<n>` one after another until stopped; remembers each acknowledged key.
final class WriteLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var acked: [String: String] = [:]
    private var failures = 0
    private var stopped = false
    private var task: Task<Void, Never>?

    func start(endpoints: [String]) throws {
        let client = try EtcdClient(endpoints: endpoints)
        task = Task {
            var n = 0
            while !self.isStopped {
                let key = "load/\(n)", value = "v\(n)"
                do {
                    _ = try await client.put(PutRequest(key: Array(key.utf8), value: Array(value.utf8)))
                    self.lock.withLock { self.acked[key] = value }
                } catch {
                    self.lock.withLock { self.failures += 1 }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                n += 1
            }
            client.close()
        }
    }

    var isStopped: Bool { lock.withLock { stopped } }
    var acknowledged: [String: String] { lock.withLock { acked } }
    var failed: Int { lock.withLock { failures } }

    func stop() async {
        lock.withLock { stopped = true }
        await task?.value
    }
}
