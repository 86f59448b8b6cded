@testable import APIServer
import KubeAPI
import Testing

/// The same API flows over the real embedded store member (Raft + WAL + MVCC).
@Suite(.serialized) struct StoreMemberBackedTests {
    @Test func crudConflictsWatchAndPagination() async throws {
        let m = try await MemberEnv.make()
        let env = m.env
        do {
            let (_, list) = try await env.json("GET", "/api/v1/namespaces/default/configmaps")
            let rv = try #require(list["metadata"]?["resourceVersion"]?.stringValue)
            var readers: [WatchReader] = []
            for _ in 0..<100 {
                readers.append(try WatchReader(await env.call("GET", "/api/v1/namespaces/default/configmaps",
                                                              query: [("watch", "true"), ("resourceVersion", rv)])))
            }
            for i in 0..<10 { _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"c\#(i)"}}"#) }
            let (cc, c0) = try await env.json("GET", "/api/v1/namespaces/default/configmaps/c0")
            #expect(cc == 200)
            var stale = c0
            stale.setMetaForTest("labels", .object(["a": .string("b")]))
            let body = String(decoding: try stale.serialized(), as: UTF8.self)
            let (u1, _) = try await env.json("PUT", "/api/v1/namespaces/default/configmaps/c0", body: body)
            let (u2, s2) = try await env.json("PUT", "/api/v1/namespaces/default/configmaps/c0", body: body)
            #expect(u1 == 200 && u2 == 409 && s2["reason"] == .string("Conflict"))
            let (dup, _) = try await env.json("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"c1"}}"#)
            #expect(dup == 409)

            let seen = try await withThrowingTaskGroup(of: [String].self) { group in
                for r in readers { group.addTask { try await r.next(11, timeout: 30).map { $0.0 + ($0.1.metaString("resourceVersion") ?? "") } } }
                var out: [[String]] = []
                for try await s in group { out.append(s) }
                return out
            }
            #expect(seen.count == 100 && seen.allSatisfy { $0 == seen[0] })
            #expect(seen[0].last?.hasPrefix("MODIFIED") == true)

            var names: [String] = []
            var token: String? = nil
            repeat {
                var q = [("limit", "4")]
                if let t = token { q.append(("continue", t)) }
                let (_, page) = try await env.json("GET", "/api/v1/namespaces/default/configmaps", query: q)
                names += page["items"]?.arrayValue?.compactMap { $0.metaString("name") } ?? []
                token = page["metadata"]?["continue"]?.stringValue
                _ = try await env.create("/api/v1/namespaces/default/configmaps", #"{"metadata":{"generateName":"late-"}}"#)
            } while token != nil
            #expect(names == (0..<10).map { "c\($0)" })

            // Compaction makes an old resourceVersion a 410 in the watch stream.
            let head = try await m.member.range(RangeRequestForTests.head()).revision
            _ = try await m.member.compact(revision: head)
            let r = try WatchReader(await env.call("GET", "/api/v1/namespaces/default/configmaps",
                                                   query: [("watch", "true"), ("resourceVersion", "2")]))
            let e = try await r.next(1)
            #expect(e[0].0 == "ERROR" && e[0].1["code"] == .integer(410))
        } catch {
            await m.close()
            throw error
        }
        await m.close()
    }
}
