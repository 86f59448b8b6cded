import Glibc
import Testing
@testable import Store

/// Store members in this process on loopback ports, each with its own temporary data directory.
/// `shutDown()` stops every member and removes every directory; tests call it on every path.
final class LocalCluster: @unchecked Sendable {
    let token: String
    var names: [String]
    var ports: [UInt16]
    var dirs: [WALTempDir]
    var members: [StoreMember?]
    var tuning: (inout StoreMemberConfig) -> Void

    init(size: Int, token: String = "local-cluster", tuning: @escaping (inout StoreMemberConfig) -> Void = { _ in }) {
        self.token = token
        names = (0..<size).map { "m\($0 + 1)" }
        ports = (0..<size).map { _ in freeLoopbackPort() }
        dirs = (0..<size).map { _ in WALTempDir() }
        members = Array(repeating: nil, count: size)
        self.tuning = tuning
    }

    func url(_ i: Int) -> String { "http://127.0.0.1:\(ports[i])" }

    func config(_ i: Int, state: StoreMemberConfig.ClusterState = .new, cluster: [Int]? = nil) -> StoreMemberConfig {
        let initial = (cluster ?? Array(0..<names.count)).map { (names[$0], [url($0)]) }
        var c = StoreMemberConfig(name: names[i], dataDir: dirs[i].path, peerListen: "127.0.0.1:\(ports[i])",
                                  initialCluster: initial, initialClusterState: state, initialClusterToken: token,
                                  advertiseClientURLs: ["http://127.0.0.1:\(20000 + i)"])
        c.tickMilliseconds = 50
        c.electionTicks = 10
        c.walSegmentBytes = 1 << 20
        c.requestTimeoutMilliseconds = 5000
        tuning(&c)
        return c
    }

    func start(_ i: Int, state: StoreMemberConfig.ClusterState = .new, cluster: [Int]? = nil) async throws {
        members[i] = try await StoreMember.start(config(i, state: state, cluster: cluster))
    }

    func startAll(_ indexes: [Int]? = nil) async throws {
        for i in indexes ?? Array(0..<members.count) { try await start(i) }
    }

    /// Adds a slot for one more member (not started).
    func addSlot() -> Int {
        names.append("m\(names.count + 1)")
        ports.append(freeLoopbackPort())
        dirs.append(WALTempDir())
        members.append(nil)
        return names.count - 1
    }

    func stop(_ i: Int, transferLeadership: Bool = true) async {
        if let m = members[i] { await m.stop(transferLeadership: transferLeadership) }
        members[i] = nil
    }

    func shutDown() async {
        for i in members.indices { await stop(i, transferLeadership: false) }
        for d in dirs { d.remove() }
    }

    var running: [Int] { members.indices.filter { members[$0] != nil } }

    /// Index of the member all running members agree is leader, waiting up to `seconds`.
    func leader(within seconds: Double = 10) async -> Int? {
        let deadline = monotonicMilliseconds() + Int64(seconds * 1000)
        while monotonicMilliseconds() < deadline {
            var seen: Set<UInt64> = []
            for i in running { if let s = try? await members[i]!.status() { seen.insert(s.leader) } else { seen.insert(0) } }
            if seen.count == 1, let id = seen.first, id != 0,
               let i = running.first(where: { members[$0]!.memberID == id }) { return i }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return nil
    }

    func member(_ i: Int) throws -> StoreMember {
        guard let m = members[i] else { throw KeyValueClientError.unavailable("member \(i) not running") }
        return m
    }
}

/// Retries a write through `members` in turn until one acknowledges it (a client's failover).
func putWithRetry(_ members: [StoreMember], _ key: String, _ value: String, attempts: Int = 40) async throws -> Int64 {
    var lastError: (any Error)?
    for attempt in 0..<attempts {
        let m = members[attempt % members.count]
        do { return try await m.put(PutRequest(key: utf8(key), value: utf8(value))).revision } catch {
            lastError = error
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
    }
    throw lastError ?? KeyValueClientError.unavailable("no attempts")
}
