import Testing
@testable import Store

@Suite("StoreMember pure parts") struct StoreMemberCodecTests {
    @Test func sha1Vectors() {
        func hexOf(_ d: [UInt8]) -> String { d.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        #expect(hexOf(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hexOf(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hexOf(SHA1.digest([UInt8](repeating: 0x61, count: 1000))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func idsAsEtcdDerivesThem() {
        // A default `etcd` (peer URL http://localhost:2380, token etcd-cluster) is member 8e9e05c52164694d
        // of cluster cdf818194e3a8c32, as etcdctl shows.
        let id = MemberIdentity.memberID(peerURLs: ["http://localhost:2380"], clusterToken: "etcd-cluster")
        #expect(memberIDString(id) == "8e9e05c52164694d")
        #expect(memberIDString(MemberIdentity.clusterID(memberIDs: [id])) == "cdf818194e3a8c32")
        // URL order does not matter; a run-time addition mixes in the time.
        #expect(MemberIdentity.memberID(peerURLs: ["http://10.0.0.2:2380", "http://10.0.0.1:2380"], clusterToken: "tok")
                == 0x0d3b_8edf_9430_e965)
        #expect(MemberIdentity.memberID(peerURLs: ["http://127.0.0.1:2380"], clusterToken: "etcd-cluster",
                                        addedAtUnixSeconds: 1_700_000_000) == 0x037a_cf5e_5f68_8ea4)
    }

    @Test func initialClusterSyntax() throws {
        let parsed = try StoreMemberConfig.parseInitialCluster("a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,a=http://[::1]:2380")
        #expect(parsed.map(\.name) == ["a", "b"])
        #expect(parsed[0].peerURLs == ["http://10.0.0.1:2380", "http://[::1]:2380"])
        #expect(PeerURL("http://[::1]:2380") == PeerURL("https://[::1]:2380"))
        #expect(PeerURL("http://[::1]:2380")?.host == "::1")
        for bad in ["", "a", "a=", "=http://x:1", "a=ftp://x:1", "a=http://x"] {
            #expect(throws: StoreMemberError.self, "\(bad)") { _ = try StoreMemberConfig.parseInitialCluster(bad) }
        }
    }

    @Test func raftMessagesRoundTrip() throws {
        var m = RaftMessage(type: .append, from: 0x8e9e_05c5_2164_694d, to: 7, term: 9)
        m.logTerm = 8
        m.index = 1 << 40
        m.commit = 12
        m.reject = true
        m.rejectHint = 3
        m.context = [1, 2, 3]
        m.isTransfer = true
        m.entries = [RaftEntry(term: 9, index: 13, kind: .normal, data: Array("x".utf8)),
                     RaftEntry(term: 9, index: 14, kind: .confChange, data: RaftConfChange(.addLearner, 5).encoded())]
        #expect(try RaftMessage(wire: m.wireEncoded()) == m)
        var s = RaftMessage(type: .snapshot, from: 1, to: 2, term: 3)
        s.snapshot = RaftSnapshot(metadata: RaftSnapshotMetadata(index: 100, term: 3, confState: RaftConfState(voters: [1, 2], learners: [9])),
                                  data: [UInt8](repeating: 7, count: 300))
        #expect(try RaftMessage(wire: s.wireEncoded()) == s)
        // Every truncation is refused, never trusted.
        let bytes = s.wireEncoded()
        for cut in 0..<bytes.count { #expect(throws: MVCCError.self) { _ = try RaftMessage(wire: Array(bytes[0..<cut])) } }
    }

    @Test func entriesAndMembershipRoundTrip() throws {
        let info = MemberInfo(id: 42, name: "m", peerURLs: ["http://a:1"], clientURLs: ["http://a:2"], isLearner: true)
        for e in [MemberEntry.command(requestID: 9, .put(PutRequest(key: [1], value: [2]))), .register(requestID: 3, info)] {
            #expect(try MemberEntry(decoding: e.encoded()) == e)
        }
        var ms = Membership()
        ms.register(MemberInfo(id: 1, name: "one", peerURLs: ["http://a:1"]))
        ms.register(MemberInfo(id: 2, name: "two", peerURLs: ["http://b:1"]))
        ms.apply(RaftConfChange(.addVoter, 1))
        ms.apply(RaftConfChange(.addLearner, 2))
        #expect(ms.members.map(\.isLearner) == [false, true])
        ms.apply(RaftConfChange(.removeNode, 1))
        #expect(ms.members.map(\.id) == [1, 2], "the last voter cannot be removed")
        ms.apply(RaftConfChange(.addVoter, 2))
        ms.apply(RaftConfChange(.removeNode, 1))
        #expect(ms.members.map(\.id) == [2] && ms.removed == [1])
        ms.apply(RaftConfChange(.addVoter, 1))
        #expect(ms.members.map(\.id) == [2], "a removed id never comes back")
        var w = ByteWriter()
        ms.encode(to: &w)
        var r = ByteReader(w.bytes)
        #expect(try Membership(from: &r) == ms)
        let (back, store) = try MemberSnapshotData.decode(MemberSnapshotData.encode(membership: ms, store: MVCCStore()))
        let restored = try MVCCStore(snapshot: store)
        #expect(back == ms && restored == MVCCStore())
    }
}
