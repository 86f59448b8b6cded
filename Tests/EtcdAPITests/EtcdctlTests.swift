import Foundation
import Glibc
import Testing
@testable import EtcdAPI

/// Debian's etcdctl (3.4), unchanged, against one `swiftlet store` process.
@Suite("etcdctl against swiftlet store", .serialized)
struct EtcdctlTests {
    @Test("put, get (--prefix, --rev, -w json), del")
    func keyValue() async throws {
        try await withMember { m, dir in
            let e = [m.clientURL]
            #expect(try etcdctlOK(e, ["put", "foo", "bar"], in: dir) == "OK\n")
            try etcdctlOK(e, ["put", "foo2", "baz"], in: dir)
            try etcdctlOK(e, ["put", "other", "x"], in: dir)
            #expect(try etcdctlOK(e, ["get", "foo"], in: dir) == "foo\nbar\n")
            #expect(try etcdctlOK(e, ["get", "--prefix", "foo"], in: dir) == "foo\nbar\nfoo2\nbaz\n")

            let json = try jsonObject(try etcdctlOK(e, ["get", "foo", "-w", "json"], in: dir))
            let header = try #require(json["header"] as? [String: Any])
            #expect((header["cluster_id"] as? NSNumber)?.uint64Value ?? 0 != 0)
            #expect((header["member_id"] as? NSNumber)?.uint64Value ?? 0 != 0)
            #expect((header["raft_term"] as? NSNumber)?.intValue ?? 0 >= 1)
            let kvs = try #require(json["kvs"] as? [[String: Any]])
            #expect(kvs.count == 1)
            #expect(kvs.first?["key"] as? String == base64("foo"))
            #expect(kvs.first?["value"] as? String == base64("bar"))
            let firstRevision = try #require((kvs.first?["mod_revision"] as? NSNumber)?.intValue)
            #expect((kvs.first?["version"] as? NSNumber)?.intValue == 1)

            try etcdctlOK(e, ["put", "foo", "bar2"], in: dir)
            #expect(try etcdctlOK(e, ["get", "foo", "--rev=\(firstRevision)"], in: dir) == "foo\nbar\n")
            #expect(try etcdctlOK(e, ["get", "foo"], in: dir) == "foo\nbar2\n")

            #expect(try etcdctlOK(e, ["del", "--prefix", "foo"], in: dir) == "2\n")
            #expect(try etcdctlOK(e, ["get", "--prefix", "foo"], in: dir) == "")
            #expect(try etcdctlOK(e, ["get", "", "--prefix", "--keys-only"], in: dir) == "other\n\n")
        }
    }

    @Test("txn -i: compares on mod revision and value pick the branch")
    func transactions() async throws {
        try await withMember { m, dir in
            let e = [m.clientURL]
            try etcdctlOK(e, ["put", "k", "v1"], in: dir)
            let json = try jsonObject(try etcdctlOK(e, ["get", "k", "-w", "json"], in: dir))
            let mod = try #require(((json["kvs"] as? [[String: Any]])?.first?["mod_revision"] as? NSNumber)?.intValue)

            let success = "mod(\"k\") = \"\(mod)\"\nvalue(\"k\") = \"v1\"\n\nput k v2\n\nput k failed\n\n"
            let out1 = try etcdctlOK(e, ["txn", "-i"], stdin: success, in: dir)
            #expect(out1.contains("SUCCESS"))
            #expect(try etcdctlOK(e, ["get", "k", "--print-value-only"], in: dir) == "v2\n")

            // The same compares now fail: k was modified.
            let out2 = try etcdctlOK(e, ["txn", "-i"], stdin: success, in: dir)
            #expect(out2.contains("FAILURE"))
            #expect(try etcdctlOK(e, ["get", "k", "--print-value-only"], in: dir) == "failed\n")
        }
    }

    @Test("watch prints the events of puts and deletes made after it started")
    func watch() async throws {
        try await withMember { m, dir in
            let e = [m.clientURL]
            let watcher = try Spawned(etcdctlBinary, ["--endpoints=\(m.clientURL)", "watch", "w", "--prefix"],
                                      outPath: dir.path + "/watch.out", errPath: dir.path + "/watch.err",
                                      environment: ["ETCDCTL_API": "3"])
            defer { watcher.stop(SIGKILL) }
            try await Task.sleep(for: .milliseconds(700))
            try etcdctlOK(e, ["put", "w1", "a"], in: dir)
            try etcdctlOK(e, ["put", "w2", "b"], in: dir)
            try etcdctlOK(e, ["del", "w1"], in: dir)
            try etcdctlOK(e, ["put", "unwatched", "c"], in: dir)
            // etcdctl prints a delete with the (empty) value line too.
            let expected = "PUT\nw1\na\nPUT\nw2\nb\nDELETE\nw1\n\n"
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline && watcher.output != expected { try await Task.sleep(for: .milliseconds(50)) }
            #expect(watcher.output == expected, "stderr: \(watcher.errors)")
        }
    }

    @Test("lease grant, put --lease, timetolive --keys, keep-alive --once, list, revoke deletes the key")
    func leases() async throws {
        try await withMember { m, dir in
            let e = [m.clientURL]
            let granted = try etcdctlOK(e, ["lease", "grant", "60"], in: dir)
            let parts = granted.split(separator: " ")
            #expect(granted.hasSuffix("granted with TTL(60s)\n"))
            let id = try #require(parts.count > 1 ? String(parts[1]) : nil)
            try etcdctlOK(e, ["put", "leased", "v", "--lease=\(id)"], in: dir)
            let ttl = try etcdctlOK(e, ["lease", "timetolive", id, "--keys"], in: dir)
            #expect(ttl.contains("granted with TTL(60s)"))
            #expect(ttl.contains("attached keys([leased])"))
            #expect(try etcdctlOK(e, ["lease", "keep-alive", "--once", id], in: dir) == "lease \(id) keepalived with TTL(60)\n")
            #expect(try etcdctlOK(e, ["lease", "list"], in: dir).contains(id))
            #expect(try etcdctlOK(e, ["lease", "revoke", id], in: dir) == "lease \(id) revoked\n")
            #expect(try etcdctlOK(e, ["get", "leased"], in: dir) == "")
            #expect(try etcdctlOK(e, ["lease", "timetolive", id], in: dir) == "lease \(id) already expired\n")
            let revokeAgain = try etcdctl(e, ["lease", "revoke", id], in: dir)
            #expect(revokeAgain.code != 0)
            #expect(revokeAgain.err.contains("etcdserver: requested lease not found"))
        }
    }

    @Test("member list, endpoint status -w json, endpoint health")
    func clusterAndEndpoints() async throws {
        try await withMember { m, dir in
            let e = [m.clientURL]
            let members = try etcdctlOK(e, ["member", "list"], in: dir)
            #expect(members.contains(", started, m1, \(m.peerURL), \(m.clientURL), false"))

            let status = try etcdctlOK(e, ["endpoint", "status", "-w", "json"], in: dir)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [[String: Any]])
            let s = try #require(list.first?["Status"] as? [String: Any])
            let header = try #require(s["header"] as? [String: Any])
            let memberID = (header["member_id"] as? NSNumber)?.uint64Value
            #expect(memberID != nil && memberID == (s["leader"] as? NSNumber)?.uint64Value)
            #expect((s["raftTerm"] as? NSNumber)?.intValue ?? 0 >= 1)
            #expect((s["version"] as? String)?.hasPrefix("3.") == true)

            // etcdctl 3.4 prints the health line on stderr.
            let health = try etcdctl(e, ["endpoint", "health"], in: dir)
            #expect(health.code == 0)
            #expect((health.out + health.err).contains("\(m.clientURL) is healthy"))
        }
    }

    @Test("compaction, then get --rev below it fails with etcd's compacted error")
    func compaction() async throws {
        try await withMember { m, dir in
            let e = [m.clientURL]
            for v in ["1", "2", "3"] { try etcdctlOK(e, ["put", "c", v], in: dir) }
            let json = try jsonObject(try etcdctlOK(e, ["get", "c", "-w", "json"], in: dir))
            let head = try #require(((json["header"] as? [String: Any])?["revision"] as? NSNumber)?.intValue)
            #expect(try etcdctlOK(e, ["compaction", "\(head - 1)"], in: dir) == "compacted revision \(head - 1)\n")
            let old = try etcdctl(e, ["get", "c", "--rev=\(head - 2)"], in: dir)
            #expect(old.code != 0)
            #expect(old.err.contains("etcdserver: mvcc: required revision has been compacted"))
            #expect(try etcdctlOK(e, ["get", "c", "--rev=\(head - 1)", "--print-value-only"], in: dir) == "2\n")
            let future = try etcdctl(e, ["get", "c", "--rev=\(head + 100)"], in: dir)
            #expect(future.err.contains("etcdserver: mvcc: required revision is a future revision"))
        }
    }

    @Test("an oversize put is refused with etcd's error; the member keeps serving")
    func oversizePut() async throws {
        try await withMember(extra: ["--max-request-bytes", "65536"]) { m, dir in
            let e = [m.clientURL]
            let big = String(repeating: "x", count: 70_000)
            let r = try etcdctl(e, ["put", "big"], stdin: big, in: dir)
            #expect(r.code != 0)
            #expect(r.err.contains("etcdserver: request is too large"))
            #expect(try etcdctlOK(e, ["put", "small", "ok"], in: dir) == "OK\n")
        }
    }

    @Test("check perf --load=s passes")
    func checkPerf() async throws {
        try await withMember { m, dir in
            let r = try etcdctl([m.clientURL], ["check", "perf", "--load=s"], in: dir)
            #expect(r.code == 0, "stdout: \(r.out) stderr: \(r.err.suffix(2000))")
            #expect(r.out.contains("PASS"))
        }
    }
}
