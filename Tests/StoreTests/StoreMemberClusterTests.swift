import Glibc
import Testing
@testable import Store

@Suite("StoreMember, three members", .serialized) struct StoreMemberClusterTests {
    @Test func electsALeaderAndServesEveryMember() async throws {
        let cluster = LocalCluster(size: 3)
        do {
            try await cluster.startAll()
            let leader = try #require(await cluster.leader())
            let ids = Set(cluster.members.map { $0!.memberID })
            #expect(ids.count == 3)
            #expect(Set(cluster.members.map { $0!.clusterID }).count == 1)
            // Ids as etcd derives them from the flags.
            let expected = (0..<3).map { MemberIdentity.memberID(peerURLs: [cluster.url($0)], clusterToken: cluster.token) }
            #expect(ids == Set(expected))
            #expect(cluster.members[0]!.clusterID == MemberIdentity.clusterID(memberIDs: expected))

            let first = try await cluster.member(0).put(PutRequest(key: utf8("k/0"), value: utf8("a")))
            // Writes through every member (followers forward), reads from every member see them all.
            for i in 0..<3 { _ = try await cluster.member(i).put(PutRequest(key: utf8("k/\(i)"), value: utf8("v\(i)"))) }
            for i in 0..<3 {
                let r = try await cluster.member(i).range(RangeRequest(key: utf8("k/"), end: prefixRangeEnd(utf8("k/"))))
                #expect(r.kvs.map { String(decoding: $0.value, as: UTF8.self) } == ["v0", "v1", "v2"], "member \(i)")
            }
            // Linearizable read on a follower right after a write through another follower.
            let followers = (0..<3).filter { $0 != leader }
            for n in 0..<20 {
                _ = try await cluster.member(followers[0]).put(PutRequest(key: utf8("lin"), value: utf8("\(n)")))
                #expect(try await value(cluster.member(followers[1]), "lin") == "\(n)")
            }
            // A watch on a follower from a past revision replays history.
            var it = try cluster.member(followers[1]).watch(
                WatchCreateRequest(key: utf8("k/"), end: prefixRangeEnd(utf8("k/")), startRevision: first.revision)).makeAsyncIterator()
            var seen: [String] = []
            while seen.count < 4, let r = try await it.next() { seen += r.events.map { String(decoding: $0.kv.value, as: UTF8.self) } }
            #expect(seen == ["a", "v0", "v1", "v2"])

            // Every member publishes its client URLs through the log shortly after a leader is known.
            let follower = try cluster.member(followers[0])
            #expect(try await eventually(5) { try await follower.memberList().allSatisfy { !$0.clientURLs.isEmpty } })
            let members = try await follower.memberList()
            #expect(members.map(\.name).sorted() == ["m1", "m2", "m3"])
            #expect(Set(members.flatMap(\.peerURLs)) == Set((0..<3).map(cluster.url)))
            #expect(members.allSatisfy { !$0.isLearner })
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func leaderCrashUnderWriteLoadLosesNoAcknowledgedWrite() async throws {
        let cluster = LocalCluster(size: 3)
        do {
            try await cluster.startAll()
            let leader = try #require(await cluster.leader())
            let survivors = (0..<3).filter { $0 != leader }
            let all = try (0..<3).map { try cluster.member($0) }
            let acked = AckedKeys()
            let stopWriting = AckedKeys()
            // Writers through every member, the leader included, until told to stop.
            let writers = (0..<3).map { w in
                Task {
                    var n = 0
                    while await stopWriting.isEmpty {
                        let key = "w\(w)/\(n)"
                        n += 1
                        if (try? await all[w].put(PutRequest(key: utf8(key), value: utf8("x")))) != nil { await acked.add(key) }
                    }
                }
            }
            try await Task.sleep(nanoseconds: 600_000_000)
            let before = await acked.count
            await cluster.stop(leader, transferLeadership: false)
            let start = monotonicMilliseconds()
            let newLeader = try #require(await cluster.leader(within: 10))
            let electedAfter = monotonicMilliseconds() - start
            #expect(survivors.contains(newLeader))
            #expect(electedAfter < 5000, "new leader after \(electedAfter) ms")
            // A writer whose proposal went to the crashed leader and never reached a follower waits out
            // its request timeout (5 s here) before it writes again; on a busy machine that can be all of them.
            _ = await eventually(12) { await acked.count > before }
            await stopWriting.add("stop")
            for w in writers { await w.value }
            let keys = await acked.all
            #expect(before > 0 && keys.count > before, "writes continued after the crash: \(before) → \(keys.count)")
            for s in survivors {
                let r = try await cluster.member(s).range(RangeRequest(key: utf8("w"), end: utf8("x"), keysOnly: true))
                let present = Set(r.kvs.map { String(decoding: $0.key, as: UTF8.self) })
                #expect(keys.isSubset(of: present), "member \(s) misses \(keys.subtracting(present).sorted().prefix(5))")
            }
            // The crashed member restarts from its data and catches up.
            try await cluster.start(leader)
            let ref = try await cluster.member(newLeader).range(RangeRequest(key: utf8("w"), end: utf8("x")))
            #expect(try await eventually(10) {
                (try? await cluster.member(leader).range(RangeRequest(key: utf8("w"), end: utf8("x"))))?.kvs == ref.kvs
            })
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func stopAllAndRestartAllKeepsIdenticalData() async throws {
        let cluster = LocalCluster(size: 3) { $0.snapshotCount = 40; $0.snapshotCatchUpEntries = 10 }
        do {
            try await cluster.startAll()
            _ = try #require(await cluster.leader())
            let clients = try (0..<3).map { try cluster.member($0) }
            for n in 0..<120 { _ = try await putWithRetry(clients, "r/\(n % 30)", "v\(n)") }
            let lease = try await clients[1].leaseGrant(ttl: 600, id: 99)
            _ = try await clients[2].put(PutRequest(key: utf8("r/leased"), value: utf8("l"), lease: lease.id))
            let reference = try await clients[0].range(RangeRequest(key: utf8("r/"), end: prefixRangeEnd(utf8("r/"))))
            // Graceful stop: the leader hands over first.
            let leader = try #require(await cluster.leader())
            await cluster.stop(leader)
            #expect(await cluster.leader(within: 5) != nil)
            for i in 0..<3 { await cluster.stop(i) }

            try await cluster.startAll()
            _ = try #require(await cluster.leader())
            for i in 0..<3 {
                let r = try await cluster.member(i).range(RangeRequest(key: utf8("r/"), end: prefixRangeEnd(utf8("r/"))))
                #expect(r == reference, "member \(i)")
                #expect(try await cluster.member(i).leaseTimeToLive(id: 99, keys: true).keys == [utf8("r/leased")])
            }
            let hashes = try await (0..<3).asyncMap { try await cluster.member($0).hashKV() }
            #expect(Set(hashes.map(\.hash)).count == 1 && Set(hashes.map(\.revision)).count == 1)
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func laggingFollowerCatchesUpFromASnapshot() async throws {
        let cluster = LocalCluster(size: 3) { $0.snapshotCount = 20; $0.snapshotCatchUpEntries = 5 }
        do {
            try await cluster.startAll()
            let leader = try #require(await cluster.leader())
            let lagging = (leader + 1) % 3
            await cluster.stop(lagging, transferLeadership: false)
            let live = try (0..<3).filter { $0 != lagging }.map { try cluster.member($0) }
            for n in 0..<150 { _ = try await putWithRetry(live, "s/\(n)", "v\(n)") }
            try await cluster.start(lagging)
            let ref = try await live[0].range(RangeRequest(key: utf8("s/"), end: prefixRangeEnd(utf8("s/"))))
            #expect(ref.count == 150)
            #expect(try await eventually(10) {
                (try? await cluster.member(lagging).range(RangeRequest(key: utf8("s/"), end: prefixRangeEnd(utf8("s/")))))?.kvs == ref.kvs
            })
            // It took a snapshot from the leader (its log alone could not reach back that far).
            let snaps = try WALFS.list(cluster.dirs[lagging].path + "/member/snap").filter { $0.hasSuffix(".snap") }
            #expect(!snaps.isEmpty)
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func membershipChangesWhileWriting() async throws {
        let cluster = LocalCluster(size: 3)
        do {
            try await cluster.startAll()
            _ = try #require(await cluster.leader())
            let clients = try (0..<3).map { try cluster.member($0) }
            let acked = AckedKeys()
            let stop = AckedKeys()
            let writer = Task {
                var n = 0
                while await stop.isEmpty {
                    let key = "m/\(n)"
                    n += 1
                    if (try? await putWithRetry(clients, key, "x", attempts: 3)) != nil { await acked.add(key) }
                }
            }
            // Add a fourth member as a learner, start it, promote it.
            let fourth = cluster.addSlot()
            let (added, list) = try await clients[0].memberAdd(peerURLs: [cluster.url(fourth)], isLearner: true)
            #expect(added.isLearner && list.count == 4)
            try await cluster.start(fourth, state: .existing)
            let newcomer = try cluster.member(fourth)
            #expect(newcomer.memberID == added.id && newcomer.clusterID == clients[0].clusterID)
            #expect(try await eventually(10) { ((try? await newcomer.status())?.raftAppliedIndex ?? 0) >= (try await clients[0].status()).raftIndex })
            var promoted: [MemberInfo] = []
            #expect(try await eventually(10) {
                if let l = try? await clients[1].memberPromote(id: added.id) { promoted = l; return true }
                return false
            })
            #expect(promoted.first { $0.id == added.id }?.isLearner == false)
            #expect(try await eventually(5) { (try? await newcomer.memberList())?.first { $0.id == added.id }?.name == "m4" })

            // Remove one of the original members (not necessarily a follower).
            let victim = clients[2].memberID
            let after = try await clients[0].memberRemove(id: victim)
            #expect(after.count == 3 && !after.contains { $0.id == victim })
            // The removed member stops by itself (it applies its removal, or a peer refuses it).
            let removedMember = try cluster.member(2)
            #expect(await eventually(5) { removedMember.isStopped })
            await cluster.stop(2, transferLeadership: false)
            try await Task.sleep(nanoseconds: 500_000_000)
            await stop.add("stop")
            await writer.value

            let keys = await acked.all
            #expect(keys.count > 10)
            let survivors = [0, 1, fourth]
            _ = try #require(await cluster.leader())
            for s in survivors {
                let present = try await eventually(10) {
                    let r = try? await cluster.member(s).range(RangeRequest(key: utf8("m/"), end: prefixRangeEnd(utf8("m/")), keysOnly: true))
                    return keys.isSubset(of: Set((r?.kvs ?? []).map { String(decoding: $0.key, as: UTF8.self) }))
                }
                #expect(present, "member \(s) misses acknowledged writes")
            }
            #expect(try await newcomer.memberList().count == 3)
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func leasesExpireAcrossTheCluster() async throws {
        let cluster = LocalCluster(size: 3)
        do {
            try await cluster.startAll()
            let leader = try #require(await cluster.leader())
            let follower = try cluster.member((leader + 1) % 3)
            let lease = try await follower.leaseGrant(ttl: 1, id: 0)
            _ = try await follower.put(PutRequest(key: utf8("lease/a"), value: utf8("1"), lease: lease.id))
            for i in 0..<3 { #expect(try await value(cluster.member(i), "lease/a") == "1") }
            #expect(try await eventually(6) { try await value(follower, "lease/a") == nil })
            for i in 0..<3 {
                await #expect(throws: MVCCError.leaseNotFound(lease.id)) { _ = try await cluster.member(i).leaseTimeToLive(id: lease.id, keys: false) }
            }
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func moveLeaderHandsOverLeadership() async throws {
        let cluster = LocalCluster(size: 3)
        do {
            try await cluster.startAll()
            let leader = try #require(await cluster.leader())
            let target = (leader + 2) % 3
            try await cluster.member((leader + 1) % 3).moveLeader(to: cluster.member(target).memberID)
            #expect(await cluster.leader() == target)
            _ = try await cluster.member(leader).put(PutRequest(key: utf8("after-move"), value: utf8("1")))
            #expect(try await value(cluster.member(target), "after-move") == "1")
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }

    @Test func peerOfAnotherClusterIsRefused() async throws {
        let cluster = LocalCluster(size: 1)
        do {
            try await cluster.startAll()
            let m = try cluster.member(0)
            let s = try PeerSocket.connect(host: "127.0.0.1", port: m.peerPort, timeoutMilliseconds: 1000)
            defer { s.close() }
            try s.writeFrame(PeerHello(purpose: .raft, clusterID: m.clusterID ^ 1, from: 77, to: m.memberID).encoded())
            let reply = try PeerHelloReply(try s.readFrame())
            #expect(!reply.accepted && reply.message.contains("cluster ID mismatch"))
        } catch {
            await cluster.shutDown()
            throw error
        }
        await cluster.shutDown()
    }
}

extension Sequence {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await f(e)) }
        return out
    }
}

actor AckedKeys {
    private(set) var all: Set<String> = []
    func add(_ k: String) { all.insert(k) }
    var count: Int { all.count }
    var isEmpty: Bool { all.isEmpty }
}
