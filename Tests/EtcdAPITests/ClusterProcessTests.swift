import Foundation
import Glibc
import Testing
@testable import EtcdAPI
import Store

/// Three `swiftlet store` processes: failover, durability, membership changes, all under writes.
@Suite("swiftlet store cluster of processes", .serialized)
struct ClusterProcessTests {
    @Test("kill -9 the leader under writes: a new leader soon, no acknowledged write lost; a full restart keeps identical data")
    func leaderCrashAndRestart() async throws {
        let dir = try TempDir("cluster")
        defer { dir.remove() }
        let cluster = try ProcessCluster(.swiftlet, size: 3, dir: dir)
        defer { cluster.stopAll(SIGKILL) }
        try await cluster.startAll()

        let load = WriteLoad()
        try load.start(endpoints: cluster.endpoints)
        try await Task.sleep(for: .seconds(1))
        let leader = try await cluster.leader(among: cluster.members)
        leader.stop(SIGKILL)
        let killedAt = Date()
        let survivors = cluster.members.filter { $0 !== leader }
        let newLeader = try await cluster.leader(among: survivors)
        let failoverSeconds = Date().timeIntervalSince(killedAt)
        #expect(newLeader !== leader)
        #expect(failoverSeconds < 5, "new leader after \(failoverSeconds)s")
        try await Task.sleep(for: .seconds(1))
        await load.stop()

        let acked = load.acknowledged
        #expect(acked.count > 10, "only \(acked.count) writes acknowledged, \(load.failed) failed")
        for s in survivors {
            let seen = try await dump(s.clientURL, prefix: "load/")
            let lost = acked.filter { seen[$0.key] != $0.value }
            #expect(lost.isEmpty, "\(s.name) lost \(lost.count) acknowledged writes")
        }

        // Bring the crashed member back, let it catch up, then stop and restart everyone.
        try leader.start(initialCluster: cluster.initialCluster)
        try await leader.waitReady()
        let before = try await dump(newLeader.clientURL)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, try await dump(leader.clientURL) != before { try await Task.sleep(for: .milliseconds(100)) }
        cluster.stopAll()
        try await cluster.startAll()
        for m in cluster.members {
            let after = try await dump(m.clientURL)
            #expect(after == before, "\(m.name) differs after restart: \(after.count) keys vs \(before.count)")
        }
    }

    @Test("member add and start a 4th with --initial-cluster-state existing, then remove one, all while writing")
    func addAndRemoveUnderWrites() async throws {
        let dir = try TempDir("membership")
        defer { dir.remove() }
        let cluster = try ProcessCluster(.swiftlet, size: 3, dir: dir)
        defer { cluster.stopAll(SIGKILL) }
        try await cluster.startAll()
        let load = WriteLoad()
        try load.start(endpoints: cluster.endpoints)

        let ports = try freePorts(2)
        let fourth = MemberProcess(.swiftlet, name: "m4", clientPort: ports[0], peerPort: ports[1],
                                   dataDir: dir.path + "/m4", logDir: dir)
        defer { fourth.stop(SIGKILL) }
        let added = try etcdctlOK(cluster.endpoints, ["member", "add", "m4", "--peer-urls=\(fourth.peerURL)"], in: dir)
        #expect(added.contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""))
        try fourth.start(initialCluster: cluster.initialCluster + ",m4=\(fourth.peerURL)", state: "existing")
        try await fourth.waitReady()
        cluster.members.append(fourth)

        // Remove a member that is not the leader, by the id member list shows.
        let leader = try await cluster.leader(among: cluster.members)
        let victim = try #require(cluster.members.first { $0 !== leader && $0 !== fourth })
        let list = try etcdctlOK([fourth.clientURL], ["member", "list"], in: dir)
        #expect(list.split(separator: "\n").count == 4)
        let line = try #require(list.split(separator: "\n").first { $0.contains(", \(victim.name), ") })
        let id = String(line.split(separator: ",")[0])
        try etcdctlOK([leader.clientURL], ["member", "remove", id], in: dir)
        cluster.members.removeAll { $0 === victim }
        victim.stop(SIGKILL)

        try await Task.sleep(for: .seconds(1))
        await load.stop()
        let acked = load.acknowledged
        #expect(acked.count > 10)
        let seen = try await dump(fourth.clientURL, prefix: "load/")
        #expect(acked.allSatisfy { seen[$0.key] == $0.value }, "the new member misses acknowledged writes")
        let after = try etcdctlOK([fourth.clientURL], ["member", "list"], in: dir)
        #expect(after.split(separator: "\n").count == 3)
        #expect(!after.contains(", \(victim.name), "))
    }
}
