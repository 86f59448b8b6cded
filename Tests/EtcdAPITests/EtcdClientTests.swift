import Foundation
import Glibc
import Testing
@testable import EtcdAPI
import Store

/// EtcdClient, the same checks against `swiftlet store` and against a real etcd 3.4 (etcd-server).
@Suite("EtcdClient against swiftlet store and etcd", .serialized)
struct EtcdClientTests {
    static let kinds: [MemberProcess.Kind] = [.swiftlet, .etcd]

    @Test("KV: put, range (prefix, revision, limit), txn, delete", arguments: kinds)
    func keyValue(kind: MemberProcess.Kind) async throws {
        try await withMember(kind) { m, _ in
            let c = try EtcdClient(endpoints: [m.clientURL])
            defer { c.close() }
            let a = try await c.put(PutRequest(key: Array("a/1".utf8), value: Array("one".utf8)))
            _ = try await c.put(PutRequest(key: Array("a/2".utf8), value: Array("two".utf8)))
            let p = try await c.put(PutRequest(key: Array("a/1".utf8), value: Array("uno".utf8), prevKV: true))
            #expect(p.prevKV?.value == Array("one".utf8))
            #expect(p.revision == a.revision + 2)

            let all = try await c.range(RangeRequest(key: Array("a/".utf8), end: prefixRangeEnd(Array("a/".utf8))))
            #expect(all.kvs.map { String(decoding: $0.value, as: UTF8.self) } == ["uno", "two"])
            #expect(all.count == 2)
            #expect(all.revision == p.revision)
            let limited = try await c.range(RangeRequest(key: Array("a/".utf8), end: prefixRangeEnd(Array("a/".utf8)), limit: 1))
            #expect(limited.kvs.count == 1 && limited.more)
            let old = try await c.range(RangeRequest(key: Array("a/1".utf8), revision: a.revision))
            #expect(old.kvs.first?.value == Array("one".utf8))
            #expect(old.kvs.first?.createRevision == a.revision)

            let txn = try await c.txn(TxnRequest(
                compares: [Compare(key: Array("a/1".utf8), .mod(p.revision), .equal)],
                success: [.put(PutRequest(key: Array("a/3".utf8), value: Array("three".utf8))),
                          .range(RangeRequest(key: Array("a/2".utf8)))],
                failure: []))
            #expect(txn.succeeded)
            guard case .range(let inner)? = txn.responses.last else { Issue.record("no range response"); return }
            #expect(inner.kvs.first?.value == Array("two".utf8))

            let failed = try await c.txn(TxnRequest(
                compares: [Compare(key: Array("a/1".utf8), .value(Array("nope".utf8)), .equal)],
                success: [], failure: [.deleteRange(DeleteRangeRequest(key: Array("a/3".utf8)))]))
            #expect(!failed.succeeded)

            let d = try await c.deleteRange(DeleteRangeRequest(key: Array("a/".utf8), end: prefixRangeEnd(Array("a/".utf8)), prevKV: true))
            #expect(d.deleted == 2)
            #expect(Set(d.prevKVs.map { String(decoding: $0.key, as: UTF8.self) }) == ["a/1", "a/2"])
        }
    }

    @Test("errors map back: compacted (with its revision), future revision, lease not found", arguments: kinds)
    func errors(kind: MemberProcess.Kind) async throws {
        try await withMember(kind) { m, _ in
            let c = try EtcdClient(endpoints: [m.clientURL])
            defer { c.close() }
            var last: Int64 = 0
            for i in 0..<4 { last = try await c.put(PutRequest(key: Array("k".utf8), value: Array("\(i)".utf8))).revision }
            _ = try await c.compact(revision: last - 1)
            await #expect(throws: MVCCError.compacted(last - 1)) {
                _ = try await c.range(RangeRequest(key: Array("k".utf8), revision: last - 2))
            }
            await #expect(throws: MVCCError.futureRevision) {
                _ = try await c.range(RangeRequest(key: Array("k".utf8), revision: last + 10))
            }
            await #expect(throws: MVCCError.leaseNotFound(12345)) { try await c.leaseRevoke(id: 12345) }
            await #expect(throws: MVCCError.leaseNotFound(12345)) { _ = try await c.leaseKeepAlive(id: 12345) }
        }
    }

    @Test("watch: events in order with prev kv, from a past revision; compacted start ends the stream", arguments: kinds)
    func watch(kind: MemberProcess.Kind) async throws {
        try await withMember(kind) { m, _ in
            let c = try EtcdClient(endpoints: [m.clientURL])
            defer { c.close() }
            let first = try await c.put(PutRequest(key: Array("w/a".utf8), value: Array("1".utf8)))
            _ = try await c.put(PutRequest(key: Array("w/a".utf8), value: Array("2".utf8)))
            _ = try await c.deleteRange(DeleteRangeRequest(key: Array("w/a".utf8)))
            var seen: [String] = []
            for try await r in c.watch(WatchCreateRequest(key: Array("w/".utf8), end: prefixRangeEnd(Array("w/".utf8)),
                                                          startRevision: first.revision, prevKV: true)) {
                for e in r.events {
                    seen.append("\(e.kind == .put ? "PUT" : "DELETE") \(String(decoding: e.kv.value, as: UTF8.self)) prev=\(e.prevKV.map { String(decoding: $0.value, as: UTF8.self) } ?? "-")")
                }
                if seen.count >= 3 { break }
            }
            #expect(seen == ["PUT 1 prev=-", "PUT 2 prev=1", "DELETE  prev=2"])

            let head = try await c.put(PutRequest(key: Array("w/b".utf8), value: Array("x".utf8))).revision
            _ = try await c.compact(revision: head)
            await #expect(throws: MVCCError.compacted(head)) {
                for try await _ in c.watch(WatchCreateRequest(key: Array("w/b".utf8), startRevision: first.revision)) {}
            }
        }
    }

    @Test("leases: grant, attach, time to live with keys, keep-alive, revoke deletes keys", arguments: kinds)
    func leases(kind: MemberProcess.Kind) async throws {
        try await withMember(kind) { m, _ in
            let c = try EtcdClient(endpoints: [m.clientURL])
            defer { c.close() }
            let grant = try await c.leaseGrant(ttl: 30, id: 0)
            #expect(grant.id != 0 && grant.ttl == 30)
            _ = try await c.put(PutRequest(key: Array("l".utf8), value: Array("v".utf8), lease: grant.id))
            let ttl = try await c.leaseTimeToLive(id: grant.id, keys: true)
            #expect(ttl.grantedTTL == 30 && ttl.ttl > 0 && ttl.keys == [Array("l".utf8)])
            #expect(try await c.leaseKeepAlive(id: grant.id) == 30)
            #expect(try await c.leaseIDs().contains(grant.id))
            try await c.leaseRevoke(id: grant.id)
            #expect(try await c.range(RangeRequest(key: Array("l".utf8))).kvs.isEmpty)
            #expect(try await c.leaseTimeToLive(id: grant.id, keys: false).ttl == -1)
        }
    }

    @Test("several endpoints: a dead first endpoint fails over to a live one")
    func failover() async throws {
        try await withMember(.swiftlet) { m, _ in
            let dead = try freePorts(1)[0]
            let c = try EtcdClient(endpoints: ["127.0.0.1:\(dead)", m.clientURL])
            defer { c.close() }
            _ = try await c.put(PutRequest(key: Array("f".utf8), value: Array("v".utf8)))
            #expect(try await c.range(RangeRequest(key: Array("f".utf8))).kvs.first?.value == Array("v".utf8))
            let members = try await c.memberList()
            #expect(members.count == 1 && members.first?.clientURLs == [m.clientURL])
        }
    }
}
